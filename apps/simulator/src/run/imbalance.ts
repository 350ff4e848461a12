import { readScaled, scaledToText } from '../market/decimal';
import type { GraphqlClient } from './graphql-client';
import { figuresTable } from './text-table';

export const IMBALANCES_QUERY = `query($p: String, $from: DateTime!, $to: DateTime!) {
  imbalances(productCode: $p, from: $from, to: $to) {
    productCode deliveryStart revision
    lines { revision kind participantId estimated imbalance amount }
  }
}`;

/** One revision of a product-interval's imbalance settlement, as `imbalances` returns it. */
export interface SettlementRevision {
  productCode: string;
  deliveryStart: string;
  revision: number;
  lines: {
    revision: number;
    kind: 'NEW' | 'REVERSAL';
    participantId: string;
    estimated: boolean;
    /** kWh, > 0 shortfall, < 0 surplus. */
    imbalance: string;
    /** To the participant, > 0 credit, < 0 debit. */
    amount: string;
  }[];
}

/** Every revision of the products' settlements of deliveries in [from, to). */
export async function readImbalances(
  client: GraphqlClient,
  productCodes: readonly string[],
  from: Date,
  to: Date,
): Promise<SettlementRevision[]> {
  const all: SettlementRevision[] = [];
  for (const p of productCodes) {
    const { imbalances } = await client.request<{ imbalances: SettlementRevision[] }>(
      IMBALANCES_QUERY,
      { p, from: from.toISOString(), to: to.toISOString() },
    );
    all.push(...imbalances);
  }
  return all;
}

export interface ProductInterval {
  productCode: string;
  deliveryStart: string;
}

/** The late reading's product-interval and tenant. */
export interface LateInterval extends ProductInterval {
  participantId: string;
}

const intervalKey = (productCode: string, deliveryStart: string) =>
  `${productCode}|${Date.parse(deliveryStart)}`;

/**
 * Whether the matcher has settled everything the meters reported: every product-interval with
 * readings (revision 0), and the late reading's interval again (a later revision).
 */
export function settlementComplete(
  expected: readonly ProductInterval[],
  settlements: readonly SettlementRevision[],
  late: LateInterval | null,
): boolean {
  const settled = new Set(settlements.map((s) => intervalKey(s.productCode, s.deliveryStart)));
  if (!expected.every((e) => settled.has(intervalKey(e.productCode, e.deliveryStart)))) {
    return false;
  }
  return late === null || lateRevision(settlements, late) !== null;
}

/**
 * The revision that settled the late reading (its participant's first NEW line with a reading),
 * if any: normally 1, after revision 0 estimated it; 0 when the matcher settled the interval only
 * after the reading was in.
 */
export function lateRevision(
  settlements: readonly SettlementRevision[],
  late: LateInterval,
): number | null {
  const key = intervalKey(late.productCode, late.deliveryStart);
  const revisions = settlements
    .filter((s) => intervalKey(s.productCode, s.deliveryStart) === key)
    .filter((s) =>
      s.lines.some(
        (l) => l.kind === 'NEW' && l.participantId === late.participantId && !l.estimated,
      ),
    )
    .map((s) => s.revision);
  return revisions.length ? Math.min(...revisions) : null;
}

export interface TenantImbalance {
  name: string;
  /** Of the lines in force: Σ shortfalls and Σ surpluses, Wh (≥ 0). */
  shortfallWh: bigint;
  surplusWh: bigint;
  /** Σ amounts to the tenant over every revision (reversals included), cents: > 0 credit. */
  amountCents: bigint;
  /** Lines in force that are estimates (no reading when settled). */
  estimated: number;
}

export interface ImbalanceSummary {
  tenants: TenantImbalance[];
  /** Readings the meters posted. */
  readings: number;
  /** Product-intervals the meters reported, and how many of them the matcher has settled. */
  expected: number;
  settled: number;
  /** Revisions after revision 0 (late readings and corrections). */
  corrections: number;
  late: {
    tenant: string;
    productCode: string;
    deliveryStart: string;
    revision: number | null;
  } | null;
  /** Why the summary is incomplete, when the wait for the settlements ran out. */
  timedOut: string | null;
}

/**
 * The run's imbalances per tenant (pure): for every product-interval and tenant the line in force
 * (its last NEW line) gives the shortfall or surplus; the amounts add up over all revisions.
 */
export function summarizeImbalance(input: {
  tenants: readonly { id: string; name: string }[];
  settlements: readonly SettlementRevision[];
  expected: readonly ProductInterval[];
  late: LateInterval | null;
  readings?: number;
  timedOut?: string | null;
}): ImbalanceSummary {
  const byTenant = new Map(
    input.tenants.map((t) => [
      t.id,
      { name: t.name, shortfallWh: 0n, surplusWh: 0n, amountCents: 0n, estimated: 0 },
    ]),
  );
  const inForce = new Map<
    string,
    { revision: number; line: SettlementRevision['lines'][number] }
  >();
  for (const settlement of input.settlements) {
    for (const line of settlement.lines) {
      const tenant = byTenant.get(line.participantId);
      if (!tenant) continue;
      tenant.amountCents += readScaled(line.amount, 2);
      if (line.kind !== 'NEW') continue;
      const key = `${intervalKey(settlement.productCode, settlement.deliveryStart)}|${line.participantId}`;
      const current = inForce.get(key);
      if (!current || current.revision < settlement.revision) {
        inForce.set(key, { revision: settlement.revision, line });
      }
    }
  }
  for (const { line } of inForce.values()) {
    const tenant = byTenant.get(line.participantId)!;
    const wh = readScaled(line.imbalance, 3);
    if (wh > 0n) tenant.shortfallWh += wh;
    else tenant.surplusWh -= wh;
    if (line.estimated) tenant.estimated += 1;
  }
  const settled = new Set(
    input.settlements.map((s) => intervalKey(s.productCode, s.deliveryStart)),
  );
  const nameOf = new Map(input.tenants.map((t) => [t.id, t.name]));
  return {
    tenants: [...byTenant.values()],
    readings: input.readings ?? 0,
    expected: input.expected.length,
    settled: input.expected.filter((e) => settled.has(intervalKey(e.productCode, e.deliveryStart)))
      .length,
    corrections: input.settlements.filter((s) => s.revision > 0).length,
    late: input.late
      ? {
          tenant: nameOf.get(input.late.participantId) ?? input.late.participantId,
          productCode: input.late.productCode,
          deliveryStart: input.late.deliveryStart,
          revision: lateRevision(input.settlements, input.late),
        }
      : null,
    timedOut: input.timedOut ?? null,
  };
}

/** The imbalance part of the demo's summary (pure). */
export function formatImbalance(summary: ImbalanceSummary): string {
  const lines = [
    '',
    'Imbalance settlement (imbalances; README "Metering and imbalance settlement"): each tenant\'s',
    'meter against its position (fills and day-ahead awards). Shortfall = taken beyond the position,',
    'bought from the utility at max(clearing price, import tariff); surplus = delivered beyond it (or',
    'taken less), sold to it at min(clearing price, feed-in tariff). Amount to the tenant: > 0 credit,',
    '< 0 debit.',
    `Meters: ${summary.readings} readings over ${summary.expected} product-intervals.`,
  ];
  if (summary.expected === 0) {
    lines.push('No meter readings went in, so there is nothing to settle.');
    return lines.join('\n');
  }
  if (summary.settled === 0) {
    lines.push(
      `Not settled yet: none of the ${summary.expected} metered product-intervals has been settled ` +
        '(their metering window had not closed, or no matcher settled them).',
    );
    if (summary.timedOut) lines.push(summary.timedOut);
    return lines.join('\n');
  }
  const kwh = (wh: bigint) => scaledToText(wh, 3, false);
  const eur = (cents: bigint) => scaledToText(cents, 2, false);
  const rows = summary.tenants.map((t) => [
    t.name,
    kwh(t.shortfallWh),
    kwh(t.surplusWh),
    eur(t.amountCents),
    t.estimated ? String(t.estimated) : '',
  ]);
  const total = (pick: (t: TenantImbalance) => bigint) =>
    summary.tenants.reduce((s, t) => s + pick(t), 0n);
  const estimated = summary.tenants.reduce((s, t) => s + t.estimated, 0);
  rows.push([
    'park total',
    kwh(total((t) => t.shortfallWh)),
    kwh(total((t) => t.surplusWh)),
    eur(total((t) => t.amountCents)),
    estimated ? String(estimated) : '',
  ]);
  const header = ['tenant', 'shortfall kWh', 'surplus kWh', 'amount EUR', 'estimated'];
  lines.push(figuresTable(header, rows));
  if (summary.settled < summary.expected) {
    lines.push(
      `Incomplete: ${summary.expected - summary.settled} of ${summary.expected} metered product-intervals are ` +
        'not settled yet (metering window not closed, or not yet settled by the matcher); the table covers the settled ones.',
    );
    if (summary.timedOut) lines.push(summary.timedOut);
  }
  if (summary.late) {
    const { tenant, productCode, deliveryStart, revision } = summary.late;
    const what = `Late reading (${tenant}, ${productCode} ${deliveryStart}):`;
    lines.push(
      revision === null
        ? `${what} sent after the metering window; not re-settled yet.`
        : revision === 0
          ? `${what} in before the matcher settled the interval (revision 0), so no correction was needed.`
          : `${what} estimated at revision 0, settled with the reading at revision ${revision}.`,
    );
  }
  if (estimated) {
    lines.push('estimated: lines settled without a reading (metered = position, no imbalance).');
  }
  return lines.join('\n');
}
