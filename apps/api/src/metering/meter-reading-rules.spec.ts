import { AppError } from '../common/app-error';
import { MAX_METER_READINGS_PER_CALL } from '../graphql/list-bounds';
import type { MeterReadingInput } from './dto/meter-reading.input';
import { checkReadings } from './meter-reading-rules';

const PARTICIPANT = '6F1C2B3A-0000-4000-8000-000000000001';

function input(overrides: Partial<MeterReadingInput> = {}): MeterReadingInput {
  return {
    readingId: 'r-1',
    participantId: PARTICIPANT,
    productCode: 'ELECTRICITY',
    deliveryStart: new Date('2026-12-01T10:00:00Z'),
    imported: '1.5',
    exported: '0',
    ...overrides,
  };
}

function refusal(inputs: MeterReadingInput[]): AppError {
  try {
    checkReadings(inputs);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('checkReadings', () => {
  it('gives exact Wh, version 1 by default, lower-case ids and a trimmed reason', () => {
    expect(
      checkReadings([
        input({ imported: '2.000', exported: '0.001' }),
        input({ readingId: 'r-1', version: 2, reason: '  meter replaced ', imported: '0' }),
      ]),
    ).toEqual([
      expect.objectContaining({
        version: 1,
        participantId: PARTICIPANT.toLowerCase(),
        assetId: null,
        importWh: 2000n,
        exportWh: 1n,
        reason: null,
      }),
      expect.objectContaining({ version: 2, importWh: 0n, reason: 'meter replaced' }),
    ]);
  });

  it(`takes 1 to ${MAX_METER_READINGS_PER_CALL} readings per call`, () => {
    const batch = (n: number) =>
      Array.from({ length: n }, (_, i) => input({ readingId: `r-${i}` }));
    expect(checkReadings(batch(MAX_METER_READINGS_PER_CALL))).toHaveLength(
      MAX_METER_READINGS_PER_CALL,
    );
    for (const n of [0, MAX_METER_READINGS_PER_CALL + 1]) {
      expect(refusal(batch(n))).toMatchObject({
        code: 'BAD_USER_INPUT',
        details: { field: 'readings', reason: 'BATCH_SIZE', limit: MAX_METER_READINGS_PER_CALL },
      });
    }
  });

  it.each([
    [{ imported: '-0.001' }, 'imported', 'NEGATIVE'],
    [{ exported: '1.0005' }, 'exported', 'TOO_MANY_DECIMALS'],
    [{ imported: '1000000001' }, 'imported', 'QUANTITY_TOO_LARGE'],
    [{ readingId: '' }, 'readingId', 'INVALID_READING_ID'],
    [{ readingId: 'x'.repeat(65) }, 'readingId', 'INVALID_READING_ID'],
    [{ version: 0 }, 'version', 'INVALID_VERSION'],
    [{ participantId: 'nope' }, 'participantId', 'NOT_A_PARTICIPANT'],
    [{ assetId: 'nope' }, 'assetId', 'NOT_THE_PARTICIPANTS_ASSET'],
    [{ reason: 'why' }, 'reason', 'REASON_ON_FIRST_VERSION'],
    [{ version: 2 }, 'reason', 'REASON_REQUIRED'],
    [{ version: 2, reason: '   ' }, 'reason', 'REASON_REQUIRED'],
    [{ version: 2, reason: 'x'.repeat(501) }, 'reason', 'REASON_REQUIRED'],
  ] as [Partial<MeterReadingInput>, string, string][])(
    'refuses %j, naming the reading and the field',
    (overrides, field, reason) => {
      const error = refusal([input({ readingId: 'ok' }), input(overrides)]);
      expect(error).toMatchObject({
        code: 'BAD_USER_INPUT',
        details: { field: `readings[1].${field}`, reason, index: 1 },
      });
      expect(error.message).toMatch(/^reading 1 \(readingId /);
    },
  );

  it('refuses the same readingId and version twice in a batch', () => {
    expect(refusal([input(), input({ imported: '2' })])).toMatchObject({
      details: { field: 'readings[1].readingId', reason: 'DUPLICATE' },
    });
  });
});
