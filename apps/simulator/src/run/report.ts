import { scaledToText, ticksToPrice } from '../market/decimal';
import {
  FEED_IN_PRICE,
  GAS_BOILER_HEAT_PRICE,
  GRID_IMPORT_TARIFF,
  PRICE_DECIMALS,
} from '../market/tariffs';
import { DEMO_PRODUCTS } from './products';
import type { SafetyTally } from './battery-safety';
import type { Summary } from './summary';
import type { ParkBalance } from '../day-ahead/balance';
import { GAS_PRICE } from '../day-ahead/plan';
import type { ParkComparison } from './simulation';
import { table } from './text-table';

/** The end-of-run summary as text (pure). */
export function formatSummary(summary: Summary, heading: string): string {
  const lines: string[] = [heading, ''];
  const price = (ticks: number | null) =>
    ticks === null ? '—' : ticksToPrice(ticks, PRICE_DECIMALS);
  lines.push(
    table(
      [
        'product',
        'intervals',
        'traded',
        'traded kWh',
        'share of demand',
        'avg price',
        'min',
        'max',
      ],
      summary.products.map((p) => [
        DEMO_PRODUCTS[p.product],
        String(p.intervals),
        String(p.traded),
        kwh(p.tradedWh),
        p.demandWh > 0n ? `${percent(p.tradedWh, p.demandWh)} %` : '—',
        p.averagePriceTicks === null ? '—' : `${price(p.averagePriceTicks)} EUR/kWh`,
        price(p.minPriceTicks),
        price(p.maxPriceTicks),
      ]),
      [false, true, true, true, true, true, true, true],
    ),
  );
  lines.push('');
  lines.push(
    [
      'Electricity and heat, EUR (cost > 0, income < 0). "grid only": every tenant buys from the grid at',
      `${price(GRID_IMPORT_TARIFF)} EUR/kWh, feeds in at ${price(FEED_IN_PRICE)} EUR/kWh and heats with its own gas boiler at`,
      `${price(GAS_BOILER_HEAT_PRICE)} EUR/kWh. "with ParkEx": park trades (network fees included), the rest as before.`,
      'Storage rent (> 0 earned, < 0 paid) is shown apart: what renters store is not simulated.',
    ].join('\n'),
  );
  lines.push(
    table(
      ['tenant', 'bought kWh', 'sold kWh', 'grid only', 'with ParkEx', 'saved', 'storage rent'],
      [
        ...summary.tenants.map((t) => [
          t.name,
          kwh(t.boughtWh),
          kwh(t.soldWh),
          money(t.baselineCents),
          money(t.actualCents),
          money(t.savedCents),
          money(t.storageRentCents),
        ]),
        [
          'park total',
          kwh(summary.tenants.reduce((s, t) => s + t.boughtWh, 0n)),
          kwh(summary.tenants.reduce((s, t) => s + t.soldWh, 0n)),
          money(summary.baselineCents),
          money(summary.actualCents),
          money(summary.savedCents),
          money(summary.storageRentCents),
        ],
      ],
      [false, true, true, true, true, true, true],
    ),
  );
  lines.push('');
  lines.push(
    `The park's tenants saved ${money(summary.savedCents)} EUR on electricity and heat ` +
      `(${percent(summary.savedCents, summary.baselineCents)} % of the grid-only cost); ` +
      `network fees paid to the utility: ${money(summary.feesCents)} EUR.`,
  );
  return lines.join('\n');
}

/** The battery's safety levels and what they did to its trading (pure). */
export function formatSafety(tally: SafetyTally): string {
  const lines = [
    '',
    'Battery safety (its telemetry, the early-warning rules and their linkage to its orders):',
  ];
  if (!tally.changes.length) {
    lines.push('  no change of level: it traded at full power throughout');
    return lines.join('\n');
  }
  for (const change of tally.changes) lines.push(`  ${change}`);
  lines.push(
    `  ${tally.deratedIntervals} quarter-hour(s) derated, ${tally.suspendedIntervals} suspended (no offers); ` +
      `${tally.cancelledOrders} open order(s) cancelled by the exchange; ` +
      `${tally.expectedImbalances} cleared delivery(ies) flagged as expected imbalance`,
  );
  return lines.join('\n');
}

/** Wh → kWh with thousands separators, 1 decimal. */
export function kwh(wh: bigint): string {
  const tenths = (wh < 0n ? wh - 50n : wh + 50n) / 100n;
  return group(scaledToText(tenths, 1, false));
}

export function money(cents: bigint): string {
  return group(scaledToText(cents, 2, false));
}

function percent(part: bigint, whole: bigint): string {
  if (whole === 0n) return '—';
  const negative = part < 0n !== whole < 0n;
  const [p, w] = [part < 0n ? -part : part, whole < 0n ? -whole : whole];
  const tenths = (p * 1000n + w / 2n) / w;
  return scaledToText(negative ? -tenths : tenths, 1, false);
}

function group(text: string): string {
  const [whole, fraction] = text.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

/** The park at its grid connection with and without the integrated auction (pure). */
export function formatPark(park: ParkComparison): string {
  const { without, with: withAuction, dayAhead } = park;
  const sum = (values: readonly number[]) => values.reduce((s, v) => s + BigInt(v), 0n);
  const kw = (wh: number) => `${kwh(BigInt(wh) * 4n)} kW`;
  const rows: [string, (b: ParkBalance) => bigint, (v: bigint) => string][] = [
    ['park cost outside the park, EUR', (b) => b.costCents, money],
    ['peak grid import (quarter-hour)', (b) => BigInt(b.peakImportWh), (v) => kw(Number(v))],
    ['grid import, kWh', (b) => sum(b.importWh), kwh],
    ['grid export, kWh', (b) => sum(b.exportWh), kwh],
    ['CHP gas, kWh', (b) => b.chpGasWh, kwh],
    ['boiler heat, kWh', (b) => sum(b.boilerWh), kwh],
  ];
  const lines = [
    '',
    'The park at its grid connection, the same day and profiles (docs: README "Demo and dashboard"):',
    `"without": per-interval trading only (CHP heat-led, heat pump for its owner, battery and heat tank idle);`,
    `"with": the flexible assets as the integrated day-ahead auction scheduled them. Cost = import at`,
    `${ticksToPrice(GRID_IMPORT_TARIFF, PRICE_DECIMALS)} − feed-in at ${ticksToPrice(FEED_IN_PRICE, PRICE_DECIMALS)} + CHP gas at ${ticksToPrice(GAS_PRICE, PRICE_DECIMALS)} + boiler heat at ${ticksToPrice(GAS_BOILER_HEAT_PRICE, PRICE_DECIMALS)} EUR/kWh;`,
    'trades between tenants move money inside the park and do not change it.',
  ];
  lines.push(
    table(
      ['', 'without auction', 'with auction', 'difference'],
      rows.map(([name, pick, show]) => {
        const a = pick(without);
        const b = withAuction ? pick(withAuction) : null;
        return [
          name,
          show(a),
          b === null ? '—' : show(b),
          b === null ? '—' : `${show(b - a)}${a !== 0n ? ` (${percent(b - a, a)} %)` : ''}`,
        ];
      }),
      [false, true, true, true],
    ),
  );
  if (dayAhead) {
    lines.push(
      `Day-ahead auction: ${dayAhead.status}, ${park.dayAheadOrders} orders, ${dayAhead.awards} awards` +
        (dayAhead.welfare === null ? '' : `, welfare ${dayAhead.welfare} EUR`) +
        `; grid import limit ${kw(park.importLimitWh)}` +
        (dayAhead.blocks.length
          ? `; blocks: ${dayAhead.blocks.map((b) => `${b.tenant} ${b.outcome}`).join(', ')}`
          : ''),
    );
  } else {
    lines.push('Day-ahead auction: not run (--no-auction).');
  }
  if (withAuction) {
    lines.push(
      `The integrated auction saved the park ${money(without.costCents - withAuction.costCents)} EUR ` +
        `(${percent(without.costCents - withAuction.costCents, without.costCents)} %) and ` +
        `${withAuction.peakImportWh <= without.peakImportWh ? 'lowered' : 'raised'} its peak import ` +
        `by ${kw(Math.abs(without.peakImportWh - withAuction.peakImportWh))} ` +
        `(${percent(BigInt(Math.abs(without.peakImportWh - withAuction.peakImportWh)), BigInt(without.peakImportWh))} %).`,
    );
  }
  return lines.join('\n');
}
