import type { TelemetrySample } from '@parkex/db';
import { AppError, badInput } from '../common/app-error';
import { MAX_SAMPLES_PER_CALL } from '../graphql/list-bounds';
import { isUuid } from '../common/uuid';
import type { TelemetrySampleInput } from './dto/telemetry.input';

/** How far after the exchange's clock a sample may be stamped (BMS clock skew), ms. */
export const MAX_FUTURE_SKEW_MS = 5_000;
/** How old a sample may be when it arrives (a BMS catching up after an outage), ms: 7 days. */
export const MAX_SAMPLE_AGE_MS = 7 * 86_400_000;

type Field = keyof TelemetrySampleInput;

/** Inclusive bounds of each measured value (GraphQL Int has checked that each is an integer). */
const RANGES: [Field, number, number][] = [
  ['socPermille', 0, 1000],
  ['sohPermille', 0, 1000],
  ['packVoltageMv', 0, 2_000_000],
  ['packCurrentMa', -2_000_000_000, 2_000_000_000],
  ['cellVoltageMinMv', 0, 10_000],
  ['cellVoltageMaxMv', 0, 10_000],
  ['cellTempMinDeciC', -1000, 20_000],
  ['cellTempMaxDeciC', -1000, 20_000],
  ['ambientTempDeciC', -1000, 20_000],
  ['offGasPpm', 0, 1_000_000],
  ['faultFlags', 0, 2_147_483_647],
];

/**
 * Checks a batch before it reaches the database: its size (1 to MAX_SAMPLES_PER_CALL), asset ids,
 * every value inside its range, min ≤ max, and each asset's samples in strictly increasing time
 * (an out-of-order batch is refused, not sorted). The first problem refuses the whole batch with
 * BAD_USER_INPUT naming `samples[i].field`; nothing is written.
 */
export function checkSamples(inputs: readonly TelemetrySampleInput[]): TelemetrySample[] {
  if (inputs.length < 1 || inputs.length > MAX_SAMPLES_PER_CALL) {
    throw badInput(`a batch holds 1 to ${MAX_SAMPLES_PER_CALL} samples; got ${inputs.length}`, {
      field: 'samples',
      reason: 'BATCH_SIZE',
      limit: MAX_SAMPLES_PER_CALL,
    });
  }
  const last = new Map<string, number>();
  return inputs.map((input, index) => {
    const fail = (field: Field, reason: string, message: string): AppError =>
      badInput(`sample ${index}: ${message}`, {
        field: `samples[${index}].${field}`,
        reason,
        index,
      });
    if (!isUuid(input.assetId)) {
      throw fail(
        'assetId',
        'UNKNOWN_ASSET',
        `asset ${JSON.stringify(input.assetId)} does not exist or is not yours`,
      );
    }
    for (const [field, min, max] of RANGES) {
      const value = input[field] as number | null | undefined;
      if (value === null || value === undefined) continue;
      if (value < min || value > max) {
        throw fail(field, 'OUT_OF_RANGE', `${field} ${value} is outside ${min} to ${max}`);
      }
    }
    if (input.cellVoltageMaxMv < input.cellVoltageMinMv) {
      throw fail('cellVoltageMaxMv', 'MIN_ABOVE_MAX', 'cellVoltageMaxMv is below cellVoltageMinMv');
    }
    if (input.cellTempMaxDeciC < input.cellTempMinDeciC) {
      throw fail('cellTempMaxDeciC', 'MIN_ABOVE_MAX', 'cellTempMaxDeciC is below cellTempMinDeciC');
    }
    const atMs = input.time.getTime();
    const previous = last.get(input.assetId);
    if (previous !== undefined && atMs <= previous) {
      throw fail(
        'time',
        'OUT_OF_ORDER',
        `${input.time.toISOString()} is not after the previous sample of asset ${input.assetId} in this batch; send each asset's samples oldest first, once`,
      );
    }
    last.set(input.assetId, atMs);
    return {
      assetId: input.assetId,
      atMs,
      socPermille: input.socPermille,
      sohPermille: input.sohPermille,
      packVoltageMv: input.packVoltageMv,
      packCurrentMa: input.packCurrentMa,
      cellVoltageMinMv: input.cellVoltageMinMv,
      cellVoltageMaxMv: input.cellVoltageMaxMv,
      cellTempMinDeciC: input.cellTempMinDeciC,
      cellTempMaxDeciC: input.cellTempMaxDeciC,
      ambientTempDeciC: input.ambientTempDeciC ?? null,
      offGasPpm: input.offGasPpm ?? null,
      faultFlags: input.faultFlags,
    };
  });
}
