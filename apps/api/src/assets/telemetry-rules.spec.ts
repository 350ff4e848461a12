import { AppError } from '../common/app-error';
import { MAX_SAMPLES_PER_CALL } from '../graphql/list-bounds';
import type { TelemetrySampleInput } from './dto/telemetry.input';
import { checkSamples } from './telemetry-rules';

const ASSET = '6f1c2c2e-9d1b-4a4e-8f5e-1d2c3b4a5f60';
const OTHER = '7f1c2c2e-9d1b-4a4e-8f5e-1d2c3b4a5f60';

function input(atMs: number, overrides: Partial<TelemetrySampleInput> = {}): TelemetrySampleInput {
  return {
    assetId: ASSET,
    time: new Date(atMs),
    socPermille: 500,
    sohPermille: 950,
    packVoltageMv: 768_000,
    packCurrentMa: -5_000,
    cellVoltageMinMv: 3300,
    cellVoltageMaxMv: 3320,
    cellTempMinDeciC: 240,
    cellTempMaxDeciC: 260,
    faultFlags: 0,
    ...overrides,
  };
}

function refusal(inputs: TelemetrySampleInput[]): Record<string, unknown> {
  try {
    checkSamples(inputs);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return { code: error.code, field: error.details.field, reason: error.details.reason };
  }
  throw new Error('not refused');
}

describe('checkSamples', () => {
  it('turns inputs into readings: ms times, missing optional values null', () => {
    expect(checkSamples([input(1000)])).toEqual([
      expect.objectContaining({
        assetId: ASSET,
        atMs: 1000,
        offGasPpm: null,
        ambientTempDeciC: null,
      }),
    ]);
  });

  it('takes 1 to the bound, no more, no fewer', () => {
    const many = Array.from({ length: MAX_SAMPLES_PER_CALL + 1 }, (_, i) => input(i + 1));
    expect(checkSamples(many.slice(0, MAX_SAMPLES_PER_CALL))).toHaveLength(MAX_SAMPLES_PER_CALL);
    expect(refusal(many)).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'samples',
      reason: 'BATCH_SIZE',
    });
    expect(refusal([])).toMatchObject({ reason: 'BATCH_SIZE' });
  });

  it.each([
    ['socPermille', 1001],
    ['sohPermille', -1],
    ['packVoltageMv', -1],
    ['offGasPpm', 1_000_001],
    ['faultFlags', -1],
  ] as const)('refuses %s %i out of range', (field, value) => {
    expect(refusal([input(1), input(2, { [field]: value })])).toEqual({
      code: 'BAD_USER_INPUT',
      field: `samples[1].${field}`,
      reason: 'OUT_OF_RANGE',
    });
  });

  it('refuses a minimum above its maximum', () => {
    expect(refusal([input(1, { cellTempMinDeciC: 300 })])).toMatchObject({
      field: 'samples[0].cellTempMaxDeciC',
      reason: 'MIN_ABOVE_MAX',
    });
  });

  it("requires each asset's samples strictly increasing, assets interleaved freely", () => {
    expect(checkSamples([input(2), input(1, { assetId: OTHER }), input(3)])).toHaveLength(3);
    expect(refusal([input(2), input(2)])).toMatchObject({
      field: 'samples[1].time',
      reason: 'OUT_OF_ORDER',
    });
  });

  it('refuses an asset id that is not a UUID', () => {
    expect(refusal([input(1, { assetId: 'x' })])).toMatchObject({ reason: 'UNKNOWN_ASSET' });
  });
});
