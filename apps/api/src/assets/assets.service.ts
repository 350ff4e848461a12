import { Injectable } from '@nestjs/common';
import {
  AssetRepository,
  ParticipantRepository,
  SafetyRepository,
  TelemetryRefusedError,
  type AssetRow,
  type ImbalanceRow,
  type IngestOutcome,
  type SafetyEventRow,
  type SampleRecord,
  type StoredRules,
} from '@parkex/db';
import { parseScaled, validateRules } from '@parkex/market';
import type { Principal } from '@parkex/api/auth/principal';
import { badInput, conflict, notFound } from '../common/app-error';
import { isUuid } from '../common/uuid';
import { MAX_LISTED_ASSETS, MAX_LISTED_SAMPLES } from '../graphql/list-bounds';
import { decodeCursor, pageSize } from '../graphql/page-info.model';
import type { AssetInput } from './dto/asset.input';
import type { TelemetrySampleInput } from './dto/telemetry.input';
import { rulesOfInput, type SafetyRulesInput } from './models/safety-rules.model';
import { checkSamples, MAX_FUTURE_SKEW_MS, MAX_SAMPLE_AGE_MS } from './telemetry-rules';

export const SAFETY_EVENT_CURSOR = 'safety-event';
/** Largest rating: 1 TWh or 1 TW, in Wh or W. */
const MAX_RATING = 10n ** 12n;

/**
 * Assets and storage safety: registration (operator), reads (owners their own; operator and
 * auditor all), the per-kind rules, telemetry ingest (the owner) with its linkage to the market,
 * the operator's acknowledgement of an ALARM, events and expected imbalances.
 */
@Injectable()
export class AssetsService {
  constructor(
    private readonly assets: AssetRepository,
    private readonly safety: SafetyRepository,
    private readonly participants: ParticipantRepository,
  ) {}

  async register(input: AssetInput): Promise<AssetRow> {
    const name = input.name.trim();
    if (name.length < 1 || name.length > 200) {
      throw badInput('name must be 1 to 200 characters and not blank', { field: 'input.name' });
    }
    const owner = isUuid(input.participantId)
      ? await this.participants.findById(input.participantId)
      : null;
    if (!owner) throw notFound(`participant ${input.participantId} does not exist`);
    if (owner.role !== 'PARTICIPANT') {
      throw badInput(`assets belong to trading participants; ${owner.id} is an ${owner.role}`, {
        field: 'input.participantId',
      });
    }
    const asset = await this.assets.register({
      participantId: owner.id,
      name,
      kind: input.kind,
      energyCapacityWh: rating(input.energyCapacity, 'input.energyCapacity'),
      chargePowerW: rating(input.chargePower, 'input.chargePower'),
      dischargePowerW: rating(input.dischargePower, 'input.dischargePower'),
    });
    if (!asset) {
      throw conflict(`${owner.name} already has an asset named "${name}"`, { field: 'input.name' });
    }
    return asset;
  }

  /** A participant's own assets; every asset for the operator and the auditor. */
  list(principal: Principal): Promise<AssetRow[]> {
    return this.assets.list(ownOnly(principal), MAX_LISTED_ASSETS);
  }

  /** One asset: NOT_FOUND for another participant's. */
  async get(principal: Principal, id: string): Promise<AssetRow> {
    const asset = isUuid(id) ? await this.assets.findById(id) : null;
    const owner = ownOnly(principal);
    if (!asset || (owner !== null && asset.participantId !== owner)) {
      throw notFound(`asset ${id} does not exist`);
    }
    return asset;
  }

  rules(): Promise<StoredRules[]> {
    return this.assets.rules();
  }

  async setRules(principal: Principal, input: SafetyRulesInput): Promise<StoredRules> {
    const rules = rulesOfInput(input);
    const problems = validateRules(rules);
    if (problems.length) {
      const [first] = problems;
      throw badInput(`safety rules of ${input.kind}: ${problems.join('; ')}`, {
        field: `input.${first.slice(0, first.indexOf(':')).split('.')[0]}`,
        reason: 'INVALID_RULES',
        problems,
      });
    }
    return this.assets.setRules(input.kind, rules, principal.id);
  }

  /** Stores a batch of the caller's samples, all or nothing; see SafetyRepository.ingest. */
  async ingest(principal: Principal, inputs: TelemetrySampleInput[]): Promise<IngestOutcome> {
    const samples = checkSamples(inputs);
    try {
      return await this.safety.ingest(principal.id, samples, {
        maxFutureSkewMs: MAX_FUTURE_SKEW_MS,
        maxAgeMs: MAX_SAMPLE_AGE_MS,
      });
    } catch (error) {
      if (!(error instanceof TelemetryRefusedError)) throw error;
      const field = error.reason === 'UNKNOWN_ASSET' ? 'assetId' : 'time';
      throw badInput(error.message, {
        field: `samples[${error.index}].${field}`,
        reason: error.reason,
        index: error.index,
      });
    }
  }

  /** The operator acknowledges an asset's ALARM. */
  async acknowledge(
    principal: Principal,
    assetId: string,
  ): Promise<{ asset: AssetRow; events: SafetyEventRow[] }> {
    const outcome = isUuid(assetId) ? await this.safety.acknowledge(assetId, principal.id) : null;
    if (outcome === null) throw notFound(`asset ${assetId} does not exist`);
    if (outcome === 'NOT_IN_ALARM') {
      throw conflict(`asset ${assetId} is not at ALARM: there is nothing to acknowledge`, {
        field: 'assetId',
        reason: 'NOT_IN_ALARM',
      });
    }
    return outcome;
  }

  /** Events newest first: of one asset, or of every asset the caller may see. */
  async events(
    principal: Principal,
    assetId: string | null | undefined,
    first: number | null | undefined,
    after: string | null | undefined,
  ): Promise<{ events: SafetyEventRow[]; hasNextPage: boolean }> {
    if (assetId !== null && assetId !== undefined) await this.get(principal, assetId);
    const limit = pageSize(first);
    const beforeId =
      after === null || after === undefined
        ? null
        : decodeCursor(SAFETY_EVENT_CURSOR, after, (key) => /^[1-9]\d{0,18}$/.test(key));
    const rows = await this.assets.events({
      assetId: assetId ?? null,
      participantId: ownOnly(principal),
      beforeId,
      limit: limit + 1,
    });
    return { events: rows.slice(0, limit), hasNextPage: rows.length > limit };
  }

  /** One event, for a subscriber: null when the caller may not see it. */
  async eventFor(principal: Principal, id: string): Promise<SafetyEventRow | null> {
    const event = await this.assets.findEvent(id);
    const owner = ownOnly(principal);
    if (!event || (owner !== null && event.participantId !== owner)) return null;
    return event;
  }

  imbalances(): Promise<ImbalanceRow[]> {
    return this.assets.imbalances(MAX_LISTED_ASSETS);
  }

  /** The newest samples of an asset the caller may see, newest first. */
  async telemetry(
    principal: Principal,
    assetId: string,
    last: number | null | undefined,
  ): Promise<SampleRecord[]> {
    const count = last ?? 60;
    if (!Number.isInteger(count) || count < 1 || count > MAX_LISTED_SAMPLES) {
      throw badInput(`last must be 1 to ${MAX_LISTED_SAMPLES}`, { field: 'last' });
    }
    await this.get(principal, assetId);
    return this.assets.recentSamples(assetId, count);
  }
}

/** A participant sees its own assets; the operator and the auditor every asset (null). */
export function ownOnly(principal: Pick<Principal, 'role' | 'id'>): string | null {
  return principal.role === 'PARTICIPANT' ? principal.id : null;
}

/** kWh or kW text to whole Wh or W: at least 0, at most 3 decimals. */
function rating(text: string, field: string): bigint {
  const parsed = parseScaled(text, 3);
  if (!parsed.ok) throw badInput(`${field}: ${parsed.rejection.message}`, { field });
  if (parsed.value < 0n || parsed.value > MAX_RATING) {
    throw badInput(`${field} must be from 0 to ${MAX_RATING / 1000n} (k units)`, { field });
  }
  return parsed.value;
}
