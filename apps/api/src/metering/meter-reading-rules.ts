import type { NewMeterReading } from '@parkex/db';
import { MAX_QUANTITY_WH, formatQuantity, parseScaled } from '@parkex/market';
import { type AppError, badInput } from '../common/app-error';
import { isUuid } from '../common/uuid';
import { MAX_METER_READINGS_PER_CALL } from '../graphql/list-bounds';
import type { MeterReadingInput } from './dto/meter-reading.input';

/** The metering system's id of a reading: 1 to 64 printable ASCII characters (no space). */
const READING_ID = /^[\x21-\x7e]{1,64}$/;
/** Largest version (PostgreSQL integer). */
const MAX_VERSION = 2_147_483_647;
/** Length of a correction's reason. */
const MAX_REASON_CHARS = 500;

type Field = keyof MeterReadingInput;

/**
 * Checks a batch of readings before it reaches the database: its size (1 to
 * MAX_METER_READINGS_PER_CALL), each reading's id, version (default 1), participant and asset
 * ids, energies (kWh, at most 3 decimals, not negative, at most MAX_QUANTITY_WH) and reason
 * (required on a correction, refused on version 1), and no (readingId, version) twice. The first
 * problem refuses the whole batch with BAD_USER_INPUT naming `readings[i].field`. What needs the
 * database (products, windows, roles, assets, stored versions) is checked there.
 */
export function checkReadings(inputs: readonly MeterReadingInput[]): NewMeterReading[] {
  if (inputs.length < 1 || inputs.length > MAX_METER_READINGS_PER_CALL) {
    throw badInput(
      `a batch holds 1 to ${MAX_METER_READINGS_PER_CALL} meter readings; got ${inputs.length}`,
      { field: 'readings', reason: 'BATCH_SIZE', limit: MAX_METER_READINGS_PER_CALL },
    );
  }
  const seen = new Map<string, number>();
  return inputs.map((input, index) => {
    const fail = (field: Field, reason: string, message: string): AppError =>
      badInput(`reading ${index} (readingId ${JSON.stringify(input.readingId)}): ${message}`, {
        field: `readings[${index}].${field}`,
        reason,
        index,
        readingId: input.readingId,
      });
    if (!READING_ID.test(input.readingId)) {
      throw fail(
        'readingId',
        'INVALID_READING_ID',
        'readingId must be 1 to 64 printable ASCII characters without spaces',
      );
    }
    const version = input.version ?? 1;
    if (!Number.isInteger(version) || version < 1 || version > MAX_VERSION) {
      throw fail('version', 'INVALID_VERSION', `version must be 1 or more, got ${version}`);
    }
    const key = `${version}|${input.readingId}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      throw fail(
        'readingId',
        'DUPLICATE',
        `version ${version} of this reading is also reading ${earlier} of the batch`,
      );
    }
    seen.set(key, index);
    if (!isUuid(input.participantId)) {
      throw fail(
        'participantId',
        'NOT_A_PARTICIPANT',
        `participant ${JSON.stringify(input.participantId)} does not exist`,
      );
    }
    const assetId = input.assetId ?? null;
    if (assetId !== null && !isUuid(assetId)) {
      throw fail(
        'assetId',
        'NOT_THE_PARTICIPANTS_ASSET',
        `asset ${JSON.stringify(assetId)} does not exist`,
      );
    }
    const energy = (field: 'imported' | 'exported'): bigint => {
      const text = input[field];
      const parsed = parseScaled(text, 3, { what: field, unit: 'kWh' });
      if (!parsed.ok) {
        throw fail(
          field,
          parsed.rejection.code,
          parsed.rejection.code === 'TOO_MANY_DECIMALS'
            ? `${field} ${text} kWh has more than 3 decimal places (the smallest unit is 1 Wh = 0.001 kWh)`
            : parsed.rejection.message,
        );
      }
      if (parsed.value < 0n) {
        throw fail(field, 'NEGATIVE', `${field} must not be negative, got ${text} kWh`);
      }
      if (parsed.value > MAX_QUANTITY_WH) {
        throw fail(
          field,
          'QUANTITY_TOO_LARGE',
          `${field} ${text} kWh is too large: the maximum is ${formatQuantity(MAX_QUANTITY_WH)} kWh`,
        );
      }
      return parsed.value;
    };
    const importWh = energy('imported');
    const exportWh = energy('exported');
    const reason = input.reason ?? null;
    if (version === 1 && reason !== null) {
      throw fail(
        'reason',
        'REASON_ON_FIRST_VERSION',
        'a first report (version 1) takes no reason; a reason goes with a correction (version 2 or more)',
      );
    }
    const text = reason?.trim() ?? null;
    if (version > 1 && (text === null || text.length < 1 || text.length > MAX_REASON_CHARS)) {
      throw fail(
        'reason',
        'REASON_REQUIRED',
        `a correction (version ${version}) needs a reason of 1 to ${MAX_REASON_CHARS} characters, not blank`,
      );
    }
    return {
      readingId: input.readingId,
      version,
      participantId: input.participantId.toLowerCase(),
      assetId: assetId?.toLowerCase() ?? null,
      productCode: input.productCode,
      deliveryStart: input.deliveryStart,
      importWh,
      exportWh,
      reason: text,
    };
  });
}
