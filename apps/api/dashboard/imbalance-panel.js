// @ts-check
// The imbalance panel: per interval of one UTC day and one metered product (a product with
// imbalance tariffs, picked), what the utility settled against the meters (`imbalances`): the
// shortfall the participants took beyond their positions, the surplus they delivered beyond
// them, and the net amount they paid the utility over all revisions (a late reading or a
// correction adds a revision). Polled every 30 s; ◀ ▶ move by a day; the URL's
// `#imbalanceDay=YYYY-MM-DD` opens another day.

import { ApiError } from './api.js';
import { el, kwh, signed, time } from './format.js';
import { DAY_MS, DayPanel } from './polled-panel.js';

/** @import { Api } from './api.js' */

/**
 * @typedef {object} SettlementRevision
 * @property {string} deliveryStart
 * @property {number} revision
 * @property {string} shortfall kWh, of the lines in force after this revision
 * @property {string} surplus kWh, idem
 * @property {string} amount paid by the participants to the utility, this revision (net)
 * @property {number} readings
 * @property {number} estimated
 * @typedef {{ code: string, intervalSeconds: number, importTariff: string | null }} MeteredProduct
 */

/**
 * One interval as shown: its last revision's shortfall and surplus, the amounts of all revisions.
 * @typedef {object} IntervalRow
 * @property {string} deliveryStart
 * @property {number} revision the last one
 * @property {bigint} shortfallWh
 * @property {bigint} surplusWh
 * @property {bigint} amountMinor
 * @property {number} readings
 * @property {number} estimated
 */

const QUERY = `query($product: String!, $from: DateTime!, $to: DateTime!) {
  imbalances(productCode: $product, from: $from, to: $to) {
    deliveryStart revision shortfall surplus amount readings estimated } }`;
const PRODUCTS = '{ products { code intervalSeconds importTariff } }';

export class ImbalancePanel extends DayPanel {
  /**
   * @param {HTMLElement} root the panel's card body
   * @param {{ onError: (message: string) => void }} options
   */
  constructor(root, options) {
    super(root, options, { title: 'Imbalance', pollMs: 30_000 }, 'imbalanceDay');
    /** The metered product shown. */
    this.product = 'ELECTRICITY';
    this.intervalSeconds = 900;
    /** @type {MeteredProduct[] | null} the metered products of this sign-in, once read */
    this.products = null;
    this.picker = el('select', {
      'aria-label': 'metered product',
      onchange: () => {
        this.product = this.picker.value;
        void this.refresh();
      },
    });
    this.title = el('strong', {});
    this.summary = el('p', { class: 'imbalance-summary hint' });
    this.body = el('tbody', {});
    this.table = el(
      'table',
      { class: 'imbalance' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          el('th', {}, 'interval'),
          el('th', { class: 'num' }, 'shortfall kWh'),
          el('th', { class: 'num' }, 'surplus kWh'),
          el(
            'th',
            { class: 'num', title: 'paid by the participants to the utility, net' },
            'net amount',
          ),
          el('th', { class: 'num' }, 'readings'),
          el('th', { class: 'num' }, 'revision'),
        ),
      ),
      this.body,
    );
    this.root.replaceChildren(
      this.dayNavigation('imbalance-nav', this.title, this.picker),
      this.summary,
      el('div', { class: 'table-wrap imbalance-wrap' }, this.table),
    );
  }

  /**
   * @param {Api} api
   * @override
   */
  start(api) {
    this.products = null;
    super.start(api);
  }

  /**
   * @param {Api} api
   * @override
   */
  async load(api) {
    if (!this.products) await this.pickProducts(api);
    const { day, product } = this;
    if (!this.products?.length) {
      this.render([]);
      return;
    }
    const intervalMs =
      (this.products.find((p) => p.code === product)?.intervalSeconds ?? 900) * 1000;
    const imbalances = await revisionsIn(api, product, day, day + DAY_MS, intervalMs);
    if (this.api === api && this.day === day && this.product === product) {
      this.render(intervalRows(imbalances));
    }
  }

  /**
   * The imbalance-settled products (with tariffs): the picker's choices.
   * @param {Api} api
   */
  async pickProducts(api) {
    const { products } = /** @type {{ products: MeteredProduct[] }} */ (await api.query(PRODUCTS));
    const metered = products
      .filter((p) => p.importTariff !== null)
      .sort((a, b) => a.code.localeCompare(b.code));
    const codes = metered.map((p) => p.code);
    if (!codes.includes(this.product)) this.product = codes[0] ?? 'ELECTRICITY';
    this.picker.replaceChildren(
      ...codes.map((code) => el('option', { value: code, selected: code === this.product }, code)),
    );
    this.picker.hidden = codes.length < 2;
    this.products = metered;
  }

  /** @param {IntervalRow[]} rows */
  render(rows) {
    const date = new Date(this.day).toISOString().slice(0, 10);
    this.title.textContent = `${date} (UTC)`;
    const intervalSeconds =
      this.products?.find((p) => p.code === this.product)?.intervalSeconds ?? 900;
    Object.assign(this.root.dataset, {
      day: date,
      product: this.product,
      intervals: String(rows.length),
    });
    if (!this.products?.length) {
      this.summary.textContent = 'No product is imbalance-settled (none has imbalance tariffs).';
      this.body.replaceChildren();
      this.table.hidden = true;
      return;
    }
    this.table.hidden = rows.length === 0;
    const total = (/** @type {(r: IntervalRow) => bigint} */ pick) =>
      rows.reduce((sum, r) => sum + pick(r), 0n);
    const shortfall = total((r) => r.shortfallWh);
    const surplus = total((r) => r.surplusWh);
    const amount = total((r) => r.amountMinor);
    Object.assign(this.root.dataset, {
      shortfall: scaled(shortfall, 3),
      surplus: scaled(surplus, 3),
      amount: scaled(amount, 2),
    });
    this.summary.textContent = rows.length
      ? `${rows.length} interval(s) settled: shortfall ${kwh(scaled(shortfall, 3))} kWh, surplus ${kwh(scaled(surplus, 3))} kWh, ` +
        `the participants paid the utility ${signed(scaled(amount, 2), 2)} net (< 0: it paid them).`
      : `No ${this.product} interval of this day is settled yet: settlement follows the metering window after each delivery.`;
    this.body.replaceChildren(
      ...rows.map((r) =>
        el(
          'tr',
          { dataset: { deliveryStart: r.deliveryStart } },
          el('td', {}, time(r.deliveryStart, intervalSeconds)),
          el('td', { class: 'num' }, kwh(scaled(r.shortfallWh, 3))),
          el('td', { class: 'num' }, kwh(scaled(r.surplusWh, 3))),
          el('td', { class: 'num' }, signed(scaled(r.amountMinor, 2), 2)),
          el(
            'td',
            { class: 'num', title: r.estimated ? `${r.estimated} estimated (no reading)` : '' },
            r.estimated ? `${r.readings} + ${r.estimated} est.` : String(r.readings),
          ),
          el('td', { class: 'num' }, String(r.revision)),
        ),
      ),
    );
  }
}

/**
 * The settlement revisions of `product` in [from, to) (ms): one query, or, when the API refuses
 * it for too many revisions (a day has more than it lists at once), the halves of the window, on
 * interval boundaries, each the same way.
 * @param {Api} api
 * @param {string} product
 * @param {number} from
 * @param {number} to
 * @param {number} intervalMs
 * @returns {Promise<SettlementRevision[]>}
 */
async function revisionsIn(api, product, from, to, intervalMs) {
  try {
    const { imbalances } = /** @type {{ imbalances: SettlementRevision[] }} */ (
      await api.query(QUERY, {
        product,
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
      })
    );
    return imbalances;
  } catch (error) {
    const middle = from + Math.floor((to - from) / intervalMs / 2) * intervalMs;
    const tooMany =
      error instanceof ApiError && error.reason === 'TOO_MANY_ROWS' && error.field === 'to';
    if (!tooMany || middle <= from) throw error;
    const halves = await Promise.all([
      revisionsIn(api, product, from, middle, intervalMs),
      revisionsIn(api, product, middle, to, intervalMs),
    ]);
    return halves.flat();
  }
}

/**
 * The settlements of one product by interval, in time order: the last revision's shortfall,
 * surplus and counts (they describe the lines in force), the amounts of every revision added up.
 * @param {SettlementRevision[]} revisions
 * @returns {IntervalRow[]}
 */
export function intervalRows(revisions) {
  /** @type {Map<number, IntervalRow>} */
  const rows = new Map();
  for (const s of revisions) {
    const at = Date.parse(s.deliveryStart);
    const row = rows.get(at);
    const amountMinor = (row?.amountMinor ?? 0n) + toScaled(s.amount, 2);
    if (!row || row.revision < s.revision) {
      rows.set(at, {
        deliveryStart: s.deliveryStart,
        revision: s.revision,
        shortfallWh: toScaled(s.shortfall, 3),
        surplusWh: toScaled(s.surplus, 3),
        amountMinor,
        readings: s.readings,
        estimated: s.estimated,
      });
    } else {
      row.amountMinor = amountMinor;
    }
  }
  return [...rows.entries()].sort(([a], [b]) => a - b).map(([, row]) => row);
}

/**
 * "-1.5" with 2 decimals → -150n (the API's decimals have at most that many).
 * @param {string} text
 * @param {number} decimals
 */
function toScaled(text, decimals) {
  const negative = text.startsWith('-');
  const [whole, fraction = ''] = (negative ? text.slice(1) : text).split('.');
  const value =
    BigInt(whole || '0') * 10n ** BigInt(decimals) +
    BigInt(fraction.padEnd(decimals, '0').slice(0, decimals) || '0');
  return negative ? -value : value;
}

/**
 * -150n with 2 decimals → "-1.50".
 * @param {bigint} value
 * @param {number} decimals
 */
function scaled(value, decimals) {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(decimals + 1, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
}
