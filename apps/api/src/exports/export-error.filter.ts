import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { AppError, type ErrorCode } from '../common/app-error';

const STATUS: Record<ErrorCode, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  BAD_USER_INPUT: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  GATE_CLOSED: 409,
  SELF_CROSS: 409,
  RATE_LIMITED: 429,
};

/**
 * Errors of the CSV exports as HTTP: the status of the code and a JSON body with the same
 * `code`, message and details as GraphQL's `extensions`. Anything unexpected is logged and
 * answered 500 without details. Once the CSV has started, the connection is cut instead, so a
 * broken export never looks complete.
 */
@Catch()
export class ExportErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Exports');

  catch(error: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<ServerResponse>();
    if (res.headersSent) {
      res.destroy();
      return;
    }
    let status = 500;
    let body: Record<string, unknown> = {
      code: 'INTERNAL_SERVER_ERROR',
      message: 'Internal server error',
    };
    if (error instanceof AppError) {
      status = STATUS[error.code];
      body = { ...error.details, code: error.code, message: error.message };
    } else {
      this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    }
    res.statusCode = status;
    res.setHeader('content-type', 'application/json; charset=utf-8');
    if (status === 401) res.setHeader('www-authenticate', 'Bearer');
    if (error instanceof AppError && error.code === 'RATE_LIMITED') {
      const retryAfterMs = Number(error.details.retryAfterMs ?? 1000);
      res.setHeader('retry-after', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
    }
    res.end(JSON.stringify(body));
  }
}
