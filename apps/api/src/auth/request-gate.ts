import type { ServerResponse } from 'node:http';
import { AuditService } from '@parkex/api/audit/audit.service';
import { AppError, badInput } from '../common/app-error';
import { formatError } from '../graphql/format-error';
import { ClientAddresses } from '@parkex/api/rate-limit/client-address';
import { AuthService } from './auth.service';
import type { GatedRequest, Principal } from './principal';

export interface BodyLimits {
  /** Any request without a valid PARTICIPANT or METER key. */
  bodyLimitBytes: number;
  /**
   * A request with a valid PARTICIPANT key (submitOrders takes up to 10,000 orders) or METER key
   * (submitMeterReadings takes up to 1,000 readings).
   */
  participantBodyLimitBytes: number;
}

/** How errors of the gate are written: GraphQL's `{ errors }`, or the exports' `{ code, … }`. */
export type ErrorShape = 'graphql' | 'json';

type Next = (error?: unknown) => void;

/**
 * The first thing a request to `/graphql` or `/exports` meets, before its body is read: the
 * client address is decided (trusted proxies), the key judged once (a request without a valid
 * key takes a token of its address's bucket and is answered 429 once that is empty), and only
 * then the JSON body is read, with the small limit unless the key is a PARTICIPANT's or a METER's. A refused
 * body is never buffered beyond its limit nor parsed (413). The guard reads the judgement from
 * the request: one key lookup per request, whatever it asks for.
 */
export function requestGate(
  auth: AuthService,
  addresses: ClientAddresses,
  audit: AuditService,
  limits: BodyLimits,
  shape: ErrorShape,
) {
  // Express 5 passes a rejected promise on to its error handling.
  return async (req: GatedRequest, res: ServerResponse, next: Next): Promise<void> => {
    const address = addresses.clientAddress(
      req.socket.remoteAddress,
      req.headers['x-forwarded-for'],
    );
    req.parkexAuth = { address };
    try {
      req.parkexAuth.principal = await auth.authenticate(req.headers.authorization, address);
    } catch (error) {
      if (error instanceof AppError && error.code === 'RATE_LIMITED') {
        // Never reaches GraphQL: counted here into the audit log's per-minute refusal rows.
        audit.noteRefusal(req, error, { address });
        return refuse(res, error, shape);
      }
      // UNAUTHENTICATED (or a failed lookup): each guarded field throws it; the schema's
      // introspection needs no key.
      req.parkexAuth.error = error instanceof Error ? error : new Error(String(error));
    }
    const role = req.parkexAuth.principal?.role;
    const large = role === 'PARTICIPANT' || role === 'METER';
    const limit = large ? limits.participantBodyLimitBytes : limits.bodyLimitBytes;
    try {
      req.body = await readJsonBody(req, limit, large);
    } catch (error) {
      if (error instanceof AppError) return refuse(res, error, shape);
      throw error;
    }
    next();
  };
}

/**
 * The principal the gate found for a request's key, or the error the key earned
 * (UNAUTHENTICATED, or a failed lookup), for the GraphQL guard and the exports.
 */
export function gatedPrincipal(req: Pick<GatedRequest, 'parkexAuth'>): Principal {
  const judged = req.parkexAuth;
  if (judged?.principal) return judged.principal;
  throw judged?.error ?? new Error('the request has not passed the request gate');
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json$/i;

/**
 * The JSON body of a POST, at most `limit` bytes; `{}` for other content types (Apollo then
 * refuses them). A declared length beyond the limit is refused before anything is read; a
 * chunked body as soon as it passes the limit.
 */
async function readJsonBody(req: GatedRequest, limit: number, large: boolean): Promise<unknown> {
  if (req.method === 'GET' || req.method === 'HEAD') return undefined;
  const [mediaType, ...params] = (req.headers['content-type'] ?? '').split(';');
  if (!JSON_TYPE.test(mediaType.trim())) return {};
  const charset = params
    .map((param) => /^\s*charset\s*=\s*"?([\w-]+)"?\s*$/i.exec(param)?.[1])
    .find((value) => value !== undefined);
  if (charset && !/^utf-?8$/i.test(charset)) {
    throw badInput(`the request body must be UTF-8 JSON (got charset ${charset})`, {
      reason: 'UNSUPPORTED_BODY',
    });
  }
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity') {
    throw badInput(`the request body must not be compressed (got ${encoding})`, {
      reason: 'UNSUPPORTED_BODY',
    });
  }
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit) throw tooLarge(limit, large);

  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw tooLarge(limit, large);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks, size).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw badInput(`the request body is not valid JSON: ${(error as Error).message}`, {
      reason: 'BODY_NOT_JSON',
    });
  }
}

function tooLarge(limit: number, large: boolean): AppError {
  const hint = large ? '' : ' (only requests with a PARTICIPANT or METER key may be larger)';
  return badInput(`the request body is larger than ${limit} bytes${hint}`, {
    reason: 'BODY_TOO_LARGE',
    limitBytes: limit,
  });
}

/** Answers a refused request; the rest of its body is discarded by Node, never parsed. */
function refuse(res: ServerResponse, error: AppError, shape: ErrorShape): void {
  const status =
    error.code === 'RATE_LIMITED'
      ? 429
      : error.details.reason === 'BODY_TOO_LARGE'
        ? 413
        : error.details.reason === 'UNSUPPORTED_BODY'
          ? 415
          : 400;
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  if (status === 429) {
    const retryAfterMs = Number(error.details.retryAfterMs ?? 1000);
    res.setHeader('retry-after', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
  }
  if (status === 413) res.setHeader('connection', 'close');
  const body =
    shape === 'graphql'
      ? { errors: [formatError({ message: error.message }, error)] }
      : { ...error.details, code: error.code, message: error.message };
  res.end(JSON.stringify(body));
}
