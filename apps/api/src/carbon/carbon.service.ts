import { Injectable } from '@nestjs/common';
import {
  CarbonRepository,
  CarbonVersionExistsError,
  type AssetFuelRow,
  type CarbonDefaultRow,
  type CarbonInputs,
  type EmissionFactorRow,
  type GridFactorRow,
  type ProductCarrierRow,
} from '@parkex/db';
import {
  DEFAULT_FUEL,
  carbonReport,
  chpFactors,
  formatScaled,
  isCarbonCarrier,
  parkIntensity,
  parseDecimal,
  parseScaled,
  poolFactor,
  purchaseFrom,
  ratio,
  supplyFactor,
  type CarbonFactors,
  type CarbonReport,
  type FactorVersion,
  type IntensityPoint,
  type Purchase,
  type Ratio,
  type Supply,
} from '@parkex/market';
import type { Principal } from '@parkex/api/auth/principal';
import { ProductsService } from '@parkex/api/products/products.service';
import { AppError, badInput, conflict, forbidden, notFound } from '../common/app-error';
import { isUuid } from '../common/uuid';
import {
  MAX_CARBON_INTERVALS,
  MAX_CARBON_REPORTS,
  MAX_GRID_FACTORS_PER_CALL,
} from '../graphql/list-bounds';
import type {
  AssetFuelInput,
  CarbonDefaultInput,
  EmissionFactorInput,
  GridCarbonFactorInput,
} from './dto/carbon.input';

/** A participant's report of one month. */
export interface TenantCarbonReport {
  participantId: string;
  participantName: string;
  month: string;
  from: Date;
  to: Date;
  report: CarbonReport;
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const FUEL = /^[A-Z][A-Z0-9_]{0,31}$/;
/** 10 t CO2e per kWh: far above any real factor, within the database's check. */
const MAX_MG_PER_KWH = 10_000_000_000n;
const CONFIGURABLE_KINDS = ['PV', 'CHP', 'HEAT_PUMP', 'BOILER'] as const;
const EFFICIENCY_FIELDS = [
  'electricalEfficiency',
  'thermalEfficiency',
  'referenceElectricalEfficiency',
  'referenceThermalEfficiency',
  'efficiency',
] as const;
/** What each configurable kind's version needs (the rest must be left out). */
const NEEDS: Record<(typeof CONFIGURABLE_KINDS)[number], readonly string[]> = {
  PV: ['gramsPerKwh'],
  CHP: [
    'gramsPerKwh',
    'electricalEfficiency',
    'thermalEfficiency',
    'referenceElectricalEfficiency',
    'referenceThermalEfficiency',
  ],
  HEAT_PUMP: ['efficiency'],
  BOILER: ['efficiency'],
};

/**
 * Carbon accounting (README "Carbon accounting"): the operator's emission factors and the scope 2
 * reports and park intensity computed from them, the meters and the park's trades by
 * `libs/market` (carbon). Reports are computed when asked, from stored, versioned inputs only.
 */
@Injectable()
export class CarbonService {
  constructor(
    private readonly carbon: CarbonRepository,
    private readonly products: ProductsService,
  ) {}

  /**
   * One UTC month's report of a participant (its own for a participant; anyone's, or every
   * trading participant's, for the operator and the auditor), ordered by name.
   */
  async reports(
    principal: Principal,
    participantId: string | null,
    month: string,
  ): Promise<TenantCarbonReport[]> {
    const { from, to } = monthWindow(month);
    let wanted = participantId;
    if (wanted !== null && !isUuid(wanted)) {
      throw badInput(`participantId ${wanted} is not a participant id`, { field: 'participantId' });
    }
    if (principal.role === 'PARTICIPANT') {
      if (wanted !== null && wanted !== principal.id) {
        throw forbidden('a participant sees only its own carbon report; leave participantId out');
      }
      wanted = principal.id;
    }
    const tenants = await this.carbon.tenants(wanted);
    if (wanted !== null && tenants.length === 0) {
      throw notFound(`participant ${wanted} is not a trading participant`);
    }
    if (tenants.length > MAX_CARBON_REPORTS) {
      throw badInput(
        `the park has more than ${MAX_CARBON_REPORTS} trading participants; ask for one participantId at a time`,
        { field: 'participantId' },
      );
    }
    const { factors, inputs, fuels } = await this.load(from, to, wanted);
    const purchases = this.purchases(factors, inputs, fuels);
    return tenants.map((tenant) => ({
      participantId: tenant.id,
      participantName: tenant.name,
      month,
      from,
      to,
      report: carbonReport(
        factors,
        meteredOf(inputs).filter((m) => m.participantId === tenant.id),
        purchases.filter((p) => p.participantId === tenant.id),
      ),
    }));
  }

  /**
   * The park's carbon intensity for each interval of a product carrying electricity (default
   * ELECTRICITY) starting in [from, to) (at most MAX_CARBON_INTERVALS).
   */
  async intensity(from: Date, to: Date, productCode = 'ELECTRICITY'): Promise<IntensityPoint[]> {
    if (from.getTime() >= to.getTime()) throw badInput('from must be before to', { field: 'to' });
    const product = await this.products.get(productCode);
    const carriers = await this.carbon.productCarriers();
    if (carriers.find((c) => c.product_code === productCode)?.carrier !== 'ELECTRICITY') {
      throw badInput(
        `product ${productCode} does not carry ELECTRICITY; the intensity is of electricity (see productCarriers)`,
        { field: 'productCode' },
      );
    }
    const stepMs = product.intervalSeconds * 1000;
    const first = Math.ceil(from.getTime() / stepMs) * stepMs;
    const starts: number[] = [];
    for (let t = first; t < to.getTime(); t += stepMs) {
      if (starts.length === MAX_CARBON_INTERVALS) {
        throw badInput(
          `[from, to) holds more than ${MAX_CARBON_INTERVALS} intervals of ${productCode}; ask for a shorter window`,
          { field: 'to' },
        );
      }
      starts.push(t);
    }
    const { factors, inputs, fuels } = await this.load(from, to, null);
    return parkIntensity(
      factors,
      starts,
      meteredOf(inputs),
      this.purchases(factors, inputs, fuels),
    );
  }

  async factorVersions(): Promise<
    { row: EmissionFactorRow; chp: { electricity: Ratio; heat: Ratio } | null }[]
  > {
    return (await this.carbon.factorVersions()).map((row) => {
      const v = toVersion(row);
      const chp =
        row.asset_kind === 'CHP' && v.mgPerKwh !== null
          ? chpFactors(
              v.mgPerKwh,
              v.electricalEfficiency!,
              v.thermalEfficiency!,
              v.referenceElectricalEfficiency!,
              v.referenceThermalEfficiency!,
            )
          : null;
      return { row, chp };
    });
  }

  defaultVersions(): Promise<CarbonDefaultRow[]> {
    return this.carbon.defaultVersions();
  }

  /** Uploaded grid factors of the intervals starting in [from, to) (the newest of each). */
  async gridFactors(from: Date, to: Date): Promise<GridFactorRow[]> {
    if (from.getTime() >= to.getTime()) throw badInput('from must be before to', { field: 'to' });
    const rows = await this.carbon.gridFactors(from, to);
    if (rows.length > MAX_CARBON_INTERVALS) {
      throw badInput(
        `[from, to) holds more than ${MAX_CARBON_INTERVALS} uploaded factors; ask for a shorter window`,
        { field: 'to' },
      );
    }
    return rows;
  }

  /** Appends a version of a kind's factor (operator). */
  async setFactor(input: EmissionFactorInput, actorId: string): Promise<EmissionFactorRow> {
    const kind = input.assetKind as string;
    if (!(CONFIGURABLE_KINDS as readonly string[]).includes(kind)) {
      throw badInput(
        `${kind} has no factor of its own: storage discharges at the grid's (heat: the heat reference) factor; configurable kinds are ${CONFIGURABLE_KINDS.join(', ')}`,
        { field: 'input.assetKind', reason: 'NOT_CONFIGURABLE' },
      );
    }
    const needs = NEEDS[kind as (typeof CONFIGURABLE_KINDS)[number]];
    for (const field of ['gramsPerKwh', ...EFFICIENCY_FIELDS]) {
      const given = input[field as keyof EmissionFactorInput] != null;
      if (needs.includes(field) && !given) {
        throw badInput(`a ${kind} factor needs ${field}`, { field: `input.${field}` });
      }
      if (!needs.includes(field) && given) {
        throw badInput(`a ${kind} factor takes no ${field}; leave it out`, {
          field: `input.${field}`,
        });
      }
    }
    const efficiencies: Record<string, string | null> = {};
    for (const field of EFFICIENCY_FIELDS) {
      const text = input[field];
      efficiencies[field] =
        text == null
          ? null
          : efficiencyText(text, `input.${field}`, field === 'efficiency' ? 10 : 1);
    }
    if (kind === 'CHP') {
      const sum = ratioSum(efficiencies.electricalEfficiency!, efficiencies.thermalEfficiency!);
      if (sum.num > sum.den) {
        throw badInput('a CHP cannot put out more than its fuel: electrical + thermal ≤ 1', {
          field: 'input.thermalEfficiency',
        });
      }
    }
    try {
      return await this.carbon.addFactorVersion(
        {
          assetKind: kind,
          fuel: fuel(input.fuel, 'input.fuel'),
          validFrom: input.validFrom,
          mgPerKwh: input.gramsPerKwh == null ? null : mg(input.gramsPerKwh, 'input.gramsPerKwh'),
          electricalEfficiency: efficiencies.electricalEfficiency,
          thermalEfficiency: efficiencies.thermalEfficiency,
          referenceElectricalEfficiency: efficiencies.referenceElectricalEfficiency,
          referenceThermalEfficiency: efficiencies.referenceThermalEfficiency,
          efficiency: efficiencies.efficiency,
          renewable: input.renewable,
          source: source(input.source),
        },
        actorId,
      );
    } catch (error) {
      throw versionConflict(error);
    }
  }

  /** Appends a version of a default factor (operator). */
  async setDefault(input: CarbonDefaultInput, actorId: string): Promise<CarbonDefaultRow> {
    const mgPerKwh = mg(input.gramsPerKwh, 'input.gramsPerKwh');
    try {
      return await this.carbon.addDefaultVersion(
        input.name,
        input.validFrom,
        mgPerKwh,
        source(input.source),
        actorId,
      );
    } catch (error) {
      throw versionConflict(error);
    }
  }

  /**
   * Stores the grid's factors of 1 to MAX_GRID_FACTORS_PER_CALL intervals of the ELECTRICITY
   * product (operator); a later upload of an interval replaces it for reports (both are kept).
   */
  async uploadGridFactors(factors: GridCarbonFactorInput[], actorId: string): Promise<number> {
    if (factors.length < 1 || factors.length > MAX_GRID_FACTORS_PER_CALL) {
      throw badInput(
        `upload 1 to ${MAX_GRID_FACTORS_PER_CALL} grid factors per call (a week of quarter hours), got ${factors.length}`,
        { field: 'factors', reason: 'BATCH_SIZE', limit: MAX_GRID_FACTORS_PER_CALL },
      );
    }
    const intervalSeconds = (await this.products.get('ELECTRICITY')).intervalSeconds;
    const seen = new Set<number>();
    const rows = factors.map((factor, i) => {
      const field = `factors[${i}]`;
      const startMs = factor.deliveryStart.getTime();
      if (startMs % (intervalSeconds * 1000) !== 0) {
        throw badInput(
          `${field}.deliveryStart ${factor.deliveryStart.toISOString()} is not an interval start of ELECTRICITY (a multiple of ${intervalSeconds} s since the epoch)`,
          { field: `${field}.deliveryStart`, reason: 'OFF_INTERVAL' },
        );
      }
      if (seen.has(startMs)) {
        throw badInput(`${field}.deliveryStart ${factor.deliveryStart.toISOString()} twice`, {
          field: `${field}.deliveryStart`,
          reason: 'DUPLICATE',
        });
      }
      seen.add(startMs);
      return {
        deliveryStart: factor.deliveryStart,
        mgPerKwh: mg(factor.gramsPerKwh, `${field}.gramsPerKwh`),
      };
    });
    return this.carbon.uploadGridFactors(rows, actorId);
  }

  productCarriers(): Promise<ProductCarrierRow[]> {
    return this.carbon.productCarriers();
  }

  /** Says which carrier a product delivers from now on (operator); null: none. */
  async setProductCarrier(
    productCode: string,
    carrier: 'ELECTRICITY' | 'HEAT' | null,
    actorId: string,
  ): Promise<ProductCarrierRow> {
    await this.products.get(productCode);
    await this.carbon.setProductCarrier(productCode, carrier, actorId);
    return { product_code: productCode, carrier };
  }

  /** Names the fuel an asset burns from `validFrom` (operator): one with a factor of its kind. */
  async setAssetFuel(input: AssetFuelInput, actorId: string): Promise<AssetFuelInput> {
    if (!isUuid(input.assetId)) {
      throw badInput(`assetId ${input.assetId} is not an asset id`, { field: 'input.assetId' });
    }
    const kind = await this.carbon.assetKind(input.assetId);
    if (kind === null) throw notFound(`asset ${input.assetId} does not exist`);
    const code = fuel(input.fuel, 'input.fuel');
    const versions = await this.carbon.factorVersions();
    if (!versions.some((v) => v.asset_kind === kind && v.fuel === code)) {
      throw badInput(
        `${kind} has no factor for fuel ${code}; set one with setEmissionFactor first`,
        {
          field: 'input.fuel',
        },
      );
    }
    try {
      await this.carbon.setAssetFuel(input.assetId, code, input.validFrom, actorId);
    } catch (error) {
      throw versionConflict(error);
    }
    return { assetId: input.assetId, fuel: code, validFrom: input.validFrom };
  }

  private async load(from: Date, to: Date, participantId: string | null) {
    const [versions, defaults, fuels, inputs] = await Promise.all([
      this.carbon.factorVersions(),
      this.carbon.defaultVersions(),
      this.carbon.assetFuels(),
      this.carbon.inputs(from, to, participantId),
    ]);
    const factors: CarbonFactors = {
      versions: versions.map(toVersion),
      defaults: defaults.map((d) => ({
        name: d.name,
        validFromMs: d.valid_from.getTime(),
        mgPerKwh: BigInt(d.mg_per_kwh),
      })),
      grid: new Map(inputs.grid.map((g) => [g.delivery_start.getTime(), BigInt(g.mg_per_kwh)])),
    };
    return { factors, inputs, fuels };
  }

  /**
   * Every park purchase of the window: fills at their seller's factor, and the auction's BUY
   * awards at their pool's factor and renewable share (README "Carbon accounting").
   */
  private purchases(
    factors: CarbonFactors,
    inputs: CarbonInputs,
    fuels: AssetFuelRow[],
  ): Purchase[] {
    const supplyOf = (assetId: string | null, kind: string | null, atMs: number): Supply =>
      assetId && kind
        ? { kind: 'ASSET', assetKind: kind, fuel: fuelAt(fuels, assetId, kind, atMs) }
        : { kind: 'DEFAULT' };
    const purchases: Purchase[] = [];
    for (const fill of inputs.fills) {
      const startMs = fill.delivery_start.getTime();
      purchases.push(
        purchaseFrom(
          {
            participantId: fill.buyer_id,
            startMs,
            carrier: fill.carrier,
            quantityWh: BigInt(fill.quantity_wh),
          },
          supplyFactor(
            factors,
            supplyOf(fill.asset_id, fill.asset_kind, startMs),
            fill.carrier,
            startMs,
          ),
        ),
      );
    }
    const pools = new Map<string, CarbonInputs['awards']>();
    for (const award of inputs.awards) {
      if (!isCarbonCarrier(award.carrier)) continue;
      const key = `${award.start.getTime()}|${award.carrier}`;
      const lines = pools.get(key) ?? [];
      lines.push(award);
      pools.set(key, lines);
    }
    for (const lines of pools.values()) {
      const { carrier } = lines[0];
      const startMs = lines[0].start.getTime();
      const fallback = supplyFactor(factors, { kind: 'DEFAULT' }, carrier, startMs);
      const pool = poolFactor(
        lines
          .filter((l) => l.side === 'SELL')
          .map((l) => ({
            quantityWh: BigInt(l.quantity_wh),
            supply:
              l.party === 'ORDER'
                ? supplyFactor(
                    factors,
                    supplyOf(l.asset_id, l.asset_kind, startMs),
                    carrier,
                    startMs,
                  )
                : fallback,
          })),
        fallback,
      );
      for (const line of lines) {
        if (line.party !== 'ORDER' || line.side !== 'BUY' || line.participant_id === null) continue;
        const quantityWh = BigInt(line.quantity_wh);
        purchases.push({
          participantId: line.participant_id,
          startMs,
          carrier,
          quantityWh,
          factor: pool.factor,
          renewableWh: ratio(quantityWh * pool.renewableShare.num, pool.renewableShare.den),
        });
      }
    }
    return purchases;
  }
}

/** [first instant of the month, first of the next), UTC. */
export function monthWindow(month: string): { from: Date; to: Date } {
  const match = MONTH.exec(month);
  if (!match) {
    throw badInput(`month ${JSON.stringify(month)} is not a month like 2026-12 (YYYY-MM, UTC)`, {
      field: 'month',
    });
  }
  const year = Number(match[1]);
  const index = Number(match[2]) - 1;
  return { from: new Date(Date.UTC(year, index, 1)), to: new Date(Date.UTC(year, index + 1, 1)) };
}

function meteredOf(inputs: CarbonInputs) {
  return inputs.metered.map((m) => ({
    participantId: m.participant_id,
    startMs: m.delivery_start.getTime(),
    carrier: m.carrier,
    importWh: BigInt(m.import_wh),
  }));
}

function fuelAt(fuels: AssetFuelRow[], assetId: string, kind: string, atMs: number): string {
  let found: AssetFuelRow | undefined;
  for (const row of fuels) {
    if (row.asset_id !== assetId || row.valid_from.getTime() > atMs) continue;
    if (!found || row.valid_from > found.valid_from) found = row;
  }
  return found?.fuel ?? DEFAULT_FUEL[kind] ?? 'NONE';
}

function toVersion(row: EmissionFactorRow): FactorVersion {
  return {
    assetKind: row.asset_kind,
    fuel: row.fuel,
    validFromMs: row.valid_from.getTime(),
    mgPerKwh: row.mg_per_kwh === null ? null : BigInt(row.mg_per_kwh),
    electricalEfficiency: toRatio(row.electrical_efficiency),
    thermalEfficiency: toRatio(row.thermal_efficiency),
    referenceElectricalEfficiency: toRatio(row.reference_electrical_efficiency),
    referenceThermalEfficiency: toRatio(row.reference_thermal_efficiency),
    efficiency: toRatio(row.efficiency),
    renewable: row.renewable,
  };
}

/** Stored `numeric` text as an exact ratio. */
function toRatio(text: string | null): Ratio | null {
  if (text === null) return null;
  const parsed = parseDecimal(text, { what: 'efficiency' });
  if (!parsed.ok) throw new Error(`stored efficiency ${text} is not a decimal`);
  return ratio(parsed.value.coefficient, 10n ** BigInt(parsed.value.scale));
}

function ratioSum(a: string, b: string): Ratio {
  const x = toRatio(a)!;
  const y = toRatio(b)!;
  return ratio(x.num * y.den + y.num * x.den, x.den * y.den);
}

/** g/kWh text (at most 3 decimals) as whole mg/kWh. */
function mg(text: string, field: string): bigint {
  const parsed = parseScaled(text, 3, { what: field });
  if (!parsed.ok) throw badInput(`${field}: ${parsed.rejection.message}`, { field });
  if (parsed.value < 0n || parsed.value > MAX_MG_PER_KWH) {
    throw badInput(`${field} must be from 0 to ${MAX_MG_PER_KWH / 1000n} g/kWh, got ${text}`, {
      field,
    });
  }
  return parsed.value;
}

/** An efficiency in (0, max] with at most 6 decimals, as canonical text. */
function efficiencyText(text: string, field: string, max: number): string {
  const parsed = parseScaled(text, 6, { what: field });
  if (!parsed.ok) throw badInput(`${field}: ${parsed.rejection.message}`, { field });
  if (parsed.value <= 0n || parsed.value > BigInt(max) * 1_000_000n) {
    throw badInput(`${field} must be above 0 and at most ${max}, got ${text}`, { field });
  }
  return formatScaled(parsed.value, 6);
}

function fuel(text: string, field: string): string {
  if (!FUEL.test(text)) {
    throw badInput(
      `${field} ${JSON.stringify(text)} must be 1 to 32 of A–Z, 0–9 and _, starting with a letter`,
      {
        field,
      },
    );
  }
  return text;
}

function source(text: string): string {
  if (text.trim().length < 1 || text.length > 500) {
    throw badInput('source must be 1 to 500 characters and not blank', { field: 'input.source' });
  }
  return text;
}

function versionConflict(error: unknown): unknown {
  return error instanceof CarbonVersionExistsError && !(error instanceof AppError)
    ? conflict(error.message)
    : error;
}
