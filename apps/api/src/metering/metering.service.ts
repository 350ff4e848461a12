import { Injectable } from '@nestjs/common';
import {
  MeterReadingRepository,
  type MeterReadingRefusal,
  type MeterReadingRow,
  type NewMeterReading,
} from '@parkex/db';
import { formatQuantity } from '@parkex/market';
import type { Principal } from '@parkex/api/auth/principal';
import { ProductsService } from '@parkex/api/products/products.service';
import { type AppError, badInput, conflict, forbidden } from '../common/app-error';
import { isUuid } from '../common/uuid';
import { decodeCursor, pageSize } from '../graphql/page-info.model';
import type { MeterReadingFilterInput, MeterReadingInput } from './dto/meter-reading.input';
import { checkReadings } from './meter-reading-rules';

/** Kind of the `meterReadings` cursors. */
export const METER_READING_CURSOR = 'meter-reading';

export interface MeterReadingPage {
  readings: MeterReadingRow[];
  hasNextPage: boolean;
}

/**
 * Meter readings (README "Meter readings"): the metering system (a METER key) reports what each
 * participant's meters measured per product interval; corrections are new versions with a
 * reason. The database decides what it accepts (windows, grid, roles, assets); this service
 * checks the input first and turns the database's refusals into errors that name the reading.
 */
@Injectable()
export class MeteringService {
  constructor(
    private readonly readings: MeterReadingRepository,
    private readonly products: ProductsService,
  ) {}

  /**
   * Stores 1 to MAX_METER_READINGS_PER_CALL readings all or nothing, submitted by `principal`
   * (a METER); returns them in the batch's order. A (readingId, version) stored before with the
   * same content is returned as stored, with other content refused (CONFLICT, READING_CHANGED).
   */
  async submit(principal: Principal, inputs: MeterReadingInput[]): Promise<MeterReadingRow[]> {
    const readings = checkReadings(inputs);
    const known = new Set((await this.products.list()).map((p) => p.code));
    for (const [index, r] of readings.entries()) {
      if (!known.has(r.productCode)) {
        throw refused(
          r,
          index,
          'productCode',
          'UNKNOWN_PRODUCT',
          `product ${r.productCode} does not exist`,
        );
      }
    }
    const outcome = await this.readings.submit(readings, principal.id);
    if (outcome.kind === 'STORED') return outcome.readings;
    throw refusalError(readings[outcome.index], outcome);
  }

  /**
   * A page of readings, newest first: every participant's for the operator and the auditor, a
   * participant's own (its `participantId` filter may only name itself).
   */
  async list(
    principal: Principal,
    filter: MeterReadingFilterInput | null | undefined,
    first: number | null | undefined,
    after: string | null | undefined,
  ): Promise<MeterReadingPage> {
    const limit = pageSize(first);
    const beforeId =
      after === null || after === undefined
        ? undefined
        : decodeCursor(METER_READING_CURSOR, after, (key) => /^[1-9]\d{0,18}$/.test(key));
    let participantId = filter?.participantId ?? undefined;
    if (participantId !== undefined && !isUuid(participantId)) {
      throw badInput(`participantId ${participantId} is not a participant id`, {
        field: 'filter.participantId',
      });
    }
    if (principal.role === 'PARTICIPANT') {
      if (participantId !== undefined && participantId.toLowerCase() !== principal.id) {
        throw forbidden(
          'a participant sees only its own meter readings; leave filter.participantId out',
        );
      }
      participantId = principal.id;
    }
    const from = filter?.from ?? undefined;
    const to = filter?.to ?? undefined;
    if (from !== undefined && to !== undefined && from.getTime() >= to.getTime()) {
      throw badInput('filter.from must be before filter.to', { field: 'filter.to' });
    }
    const rows = await this.readings.list({
      participantId: participantId?.toLowerCase(),
      productCode: filter?.productCode ?? undefined,
      readingId: filter?.readingId ?? undefined,
      from,
      to,
      beforeId,
      limit: limit + 1,
    });
    return { readings: rows.slice(0, limit), hasNextPage: rows.length > limit };
  }
}

function refused(
  r: NewMeterReading,
  index: number,
  field: keyof MeterReadingInput,
  reason: string,
  message: string,
  make: typeof badInput = badInput,
): AppError {
  return make(`reading ${index} (readingId ${JSON.stringify(r.readingId)}): ${message}`, {
    field: `readings[${index}].${field}`,
    reason,
    index,
    readingId: r.readingId,
  });
}

/** The error of a reading the database refused (nothing of the batch was stored). */
function refusalError(r: NewMeterReading, refusal: MeterReadingRefusal): AppError {
  const { index } = refusal;
  const point = `${r.productCode} ${r.deliveryStart.toISOString()} of participant ${r.participantId} (${r.assetId === null ? 'main meter' : `asset ${r.assetId}`})`;
  switch (refusal.kind) {
    case 'CHANGED':
      return refused(
        r,
        index,
        'readingId',
        'READING_CHANGED',
        `version ${r.version} of this reading is stored with other content (${describe(refusal.stored)}); send a correction as version ${r.version + 1} with a reason`,
        conflict,
      );
    case 'POINT_TAKEN':
      return refused(
        r,
        index,
        'readingId',
        'METER_POINT_TAKEN',
        `another reading id already reported version ${r.version} of ${point}; correct that reading instead`,
        conflict,
      );
    case 'UNKNOWN_REFERENCE':
      return refused(
        r,
        index,
        referenceField(refusal.constraint),
        'UNKNOWN_REFERENCE',
        `the participant, asset or product it names does not exist`,
      );
    case 'CHECK':
      return checkError(r, refusal.index, refusal.constraint, refusal.message);
  }
}

function checkError(
  r: NewMeterReading,
  index: number,
  constraint: string | null,
  message: string,
): AppError {
  switch (constraint) {
    case 'meter_reading_product_metered':
      return refused(
        r,
        index,
        'productCode',
        'PRODUCT_NOT_METERED',
        `product ${r.productCode} is not metered: it has no imbalance tariffs (setImbalanceTerms)`,
      );
    case 'meter_reading_on_grid':
      return refused(
        r,
        index,
        'deliveryStart',
        'OFF_INTERVAL_GRID',
        `${r.deliveryStart.toISOString()} is not the start of a ${r.productCode} interval`,
      );
    case 'meter_reading_window':
      return /has not ended/.test(message)
        ? refused(
            r,
            index,
            'deliveryStart',
            'INTERVAL_NOT_ENDED',
            `the ${r.productCode} interval starting ${r.deliveryStart.toISOString()} has not ended yet; readings are accepted once it has`,
          )
        : refused(
            r,
            index,
            'deliveryStart',
            'CORRECTION_WINDOW_CLOSED',
            `the correction window of the ${r.productCode} interval starting ${r.deliveryStart.toISOString()} has closed (${message})`,
          );
    case 'meter_reading_participant':
      return refused(
        r,
        index,
        'participantId',
        'NOT_A_PARTICIPANT',
        `participant ${r.participantId} does not exist or is not a trading participant (role PARTICIPANT)`,
      );
    case 'meter_reading_asset':
      return refused(
        r,
        index,
        'assetId',
        'NOT_THE_PARTICIPANTS_ASSET',
        `asset ${r.assetId} does not exist or is not an asset of participant ${r.participantId}`,
      );
    case null:
      // meter_reading_same_point: a correction follows the previous version of the same point
      return refused(
        r,
        index,
        'version',
        'CORRECTION_DOES_NOT_FOLLOW',
        `version ${r.version} needs version ${r.version - 1} of the same reading id, meter point and interval stored first`,
      );
    default:
      return refused(r, index, 'readingId', 'INVALID_READING', message);
  }
}

function referenceField(constraint: string | null): keyof MeterReadingInput {
  if (constraint?.includes('asset')) return 'assetId';
  if (constraint?.includes('product')) return 'productCode';
  return 'participantId';
}

function describe(row: MeterReadingRow): string {
  return `participant ${row.participant_id}, ${row.asset_id === null ? 'main meter' : `asset ${row.asset_id}`}, ${row.product_code} ${row.delivery_start.toISOString()}, imported ${formatQuantity(BigInt(row.import_wh))} kWh, exported ${formatQuantity(BigInt(row.export_wh))} kWh`;
}
