import { readScaled, scaledToText } from '../market/decimal';
import type { GraphqlClient } from './graphql-client';
import { DEMO_PRODUCTS } from './products';
import { figuresTable } from './text-table';

/** The carrier each demo product delivers, for the carbon reports (`setProductCarrier`). */
export const DEMO_CARRIERS: readonly [string, 'ELECTRICITY' | 'HEAT'][] = [
  [DEMO_PRODUCTS.electricity, 'ELECTRICITY'],
  [DEMO_PRODUCTS.heat, 'HEAT'],
];

/** One tenant's carbon figures of the run's month(s), as the API reports them (README "Carbon accounting"). */
export interface TenantCarbon {
  name: string;
  consumptionWh: bigint;
  parkPurchasesWh: bigint;
  renewableWh: bigint;
  locationBasedG: bigint;
  marketBasedG: bigint;
  avoidedG: bigint;
}

/** A tenant's figures before any report is added in. */
export function noCarbon(name: string): TenantCarbon {
  return {
    name,
    consumptionWh: 0n,
    parkPurchasesWh: 0n,
    renewableWh: 0n,
    locationBasedG: 0n,
    marketBasedG: 0n,
    avoidedG: 0n,
  };
}

export interface CarbonSummary {
  months: string[];
  tenants: TenantCarbon[];
}

interface Figures {
  consumption: string;
  parkPurchases: string;
  renewable: string;
  locationBasedGrams: string;
  marketBasedGrams: string;
  avoidedGrams: string;
}

/** The UTC months [from, to) touches, as YYYY-MM. */
export function monthsOf(from: Date, to: Date): string[] {
  const months: string[] = [];
  let year = from.getUTCFullYear();
  let month = from.getUTCMonth();
  while (Date.UTC(year, month, 1) < to.getTime()) {
    months.push(`${year}-${String(month + 1).padStart(2, '0')}`);
    month += 1;
    if (month === 12) [year, month] = [year + 1, 0];
  }
  return months;
}

/**
 * The run's tenants' carbon reports (`carbonReport`, read by the operator) over the months of the
 * run's deliveries, summed per tenant. The reports rest on meter readings: without them every
 * consumption, and so every figure but the park purchases, is zero.
 */
export async function readCarbon(
  operator: GraphqlClient,
  tenants: readonly { id: string; name: string }[],
  from: Date,
  to: Date,
): Promise<CarbonSummary> {
  const months = monthsOf(from, to);
  const sums = new Map(tenants.map((t) => [t.id, noCarbon(t.name)]));
  for (const month of months) {
    for (const tenant of tenants) {
      const { carbonReport } = await operator.request<{ carbonReport: { total: Figures }[] }>(
        `query($month: String!, $id: ID) { carbonReport(month: $month, participantId: $id) {
           total { consumption parkPurchases renewable locationBasedGrams marketBasedGrams avoidedGrams } } }`,
        { month, id: tenant.id },
      );
      const sum = sums.get(tenant.id)!;
      for (const { total } of carbonReport) {
        sum.consumptionWh += readScaled(total.consumption, 3);
        sum.parkPurchasesWh += readScaled(total.parkPurchases, 3);
        sum.renewableWh += readScaled(total.renewable, 3);
        sum.locationBasedG += BigInt(total.locationBasedGrams);
        sum.marketBasedG += BigInt(total.marketBasedGrams);
        sum.avoidedG += BigInt(total.avoidedGrams);
      }
    }
  }
  return { months, tenants: [...sums.values()] };
}

/** The carbon part of the demo's summary (pure). */
export function formatCarbon(carbon: CarbonSummary): string {
  const kg = (g: bigint) => scaledToText(g, 3, false);
  const kwh = (wh: bigint) => scaledToText(wh, 3, false);
  const share = (part: bigint, whole: bigint) =>
    whole === 0n ? '—' : `${scaledToText((part * 1000n * 2n + whole) / (2n * whole), 1, false)} %`;
  const rows = carbon.tenants.map((t) => [
    t.name,
    kwh(t.consumptionWh),
    kwh(t.parkPurchasesWh),
    kg(t.locationBasedG),
    kg(t.marketBasedG),
    share(t.renewableWh, t.consumptionWh),
    kg(t.avoidedG),
  ]);
  const total = (pick: (t: TenantCarbon) => bigint) =>
    carbon.tenants.reduce((s, t) => s + pick(t), 0n);
  rows.push([
    'park total',
    kwh(total((t) => t.consumptionWh)),
    kwh(total((t) => t.parkPurchasesWh)),
    kg(total((t) => t.locationBasedG)),
    kg(total((t) => t.marketBasedG)),
    share(
      total((t) => t.renewableWh),
      total((t) => t.consumptionWh),
    ),
    kg(total((t) => t.avoidedG)),
  ]);
  const header = [
    'tenant',
    'metered kWh',
    'bought in park kWh',
    'location-based kg',
    'market-based kg',
    'renewable',
    'avoided kg',
  ];
  const lines = [
    '',
    `Carbon, GHG Protocol scope 2, CO2e (carbonReport of ${carbon.months.join(', ')}; README "Carbon accounting"):`,
    'location-based = metered import × the grid (heat: heat reference) factor; market-based = park',
    "purchases × their sellers' factors + the rest × the grid factor; avoided = the difference.",
    figuresTable(header, rows),
  ];
  if (total((t) => t.consumptionWh) === 0n) {
    lines.push(
      'No meter readings for these deliveries: the reports count metered consumption only, so they',
      'show zeros until the utility’s meters report (the METER role, meter_reading).',
    );
  }
  return lines.join('\n');
}
