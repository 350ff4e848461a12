/** Helpers of the storage safety specs: assets, samples, rules, ingest. */
import { DEFAULT_BATTERY_RULES, type AssetKind, type SafetyRules } from '@parkex/market';
import { mapRules } from '@parkex/api/assets/models/safety-rules.model';
import type { GqlResponse, TestApi } from './test-api';

/** Responses are untyped JSON. */
export type Json = any;

export const ASSET_FIELDS =
  'id participantId name kind energyCapacity chargePower dischargePower level trading powerPermille acknowledged lastSampleAt';
export const EVENT_FIELDS = `id assetId participantId kind fromLevel toLevel at
  findings { rule level value threshold } samples { assetId time cellTempMaxDeciC offGasPpm }
  cancelledOrderIds expectedImbalances actorId`;
export const INGEST = `mutation($samples: [TelemetrySampleInput!]!) {
  ingestTelemetry(samples: $samples) { accepted duplicates events { ${EVENT_FIELDS} } assets { ${ASSET_FIELDS} } }
}`;
export const REGISTER = `mutation($input: AssetInput!) { registerAsset(input: $input) { ${ASSET_FIELDS} } }`;
export const ACKNOWLEDGE = `mutation($assetId: ID!) {
  acknowledgeSafetyAlarm(assetId: $assetId) { asset { ${ASSET_FIELDS} } events { ${EVENT_FIELDS} } }
}`;
export const SET_RULES = `mutation($input: SafetyRulesInput!) { setSafetyRules(input: $input) { kind holdSeconds updatedAt } }`;

/** Registers an asset of `kind` for the participant (100 kW both ways, 200 kWh) through the operator. */
export async function registerAsset(
  api: TestApi,
  participantId: string,
  overrides: Record<string, unknown> = {},
): Promise<Json> {
  const result = await api.gql(
    REGISTER,
    {
      input: {
        participantId,
        name: `asset-${Math.random().toString(36).slice(2, 10)}`,
        kind: 'BATTERY',
        energyCapacity: '200',
        chargePower: '100',
        dischargePower: '100',
        ...overrides,
      },
    },
    api.operatorKey,
  );
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data.registerAsset;
}

/** A healthy sample of an asset at `atMs` (values in the units of the names). */
export function sample(assetId: string, atMs: number, overrides: Record<string, unknown> = {}) {
  return {
    assetId,
    time: new Date(atMs).toISOString(),
    socPermille: 500,
    sohPermille: 950,
    packVoltageMv: 768_000,
    packCurrentMa: 10_000,
    cellVoltageMinMv: 3300,
    cellVoltageMaxMv: 3320,
    cellTempMinDeciC: 240,
    cellTempMaxDeciC: 260,
    ambientTempDeciC: 200,
    offGasPpm: 0,
    faultFlags: 0,
    ...overrides,
  };
}

export async function ingest(api: TestApi, key: string, samples: unknown[]): Promise<GqlResponse> {
  return api.gql(INGEST, { samples }, key);
}

/** The rules as `SafetyRulesInput` for `kind`: the battery defaults with `overrides`. */
export function rulesInput(kind: string, overrides: Partial<SafetyRules> = {}): Json {
  const { updatedAt: _updatedAt, ...input } = mapRules({
    kind: kind as AssetKind,
    rules: { ...DEFAULT_BATTERY_RULES, ...overrides },
    updatedAt: null,
  });
  return input;
}
