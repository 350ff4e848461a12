// @ts-check
// A card of the dashboard that polls the API while the user is signed in: `start` with the
// user's API, `stop` at sign-out; `load` (each panel's own) runs every `pollMs`, and its errors
// are flashed, but for an expired key (the sign-in shows that).

import { ApiError } from './api.js';
import { el } from './format.js';

/** @import { Api } from './api.js' */

export class PolledPanel {
  /**
   * @param {HTMLElement} root the panel's card body
   * @param {{ onError: (message: string) => void }} options
   * @param {{ title: string, pollMs: number }} polling
   */
  constructor(root, options, polling) {
    this.root = root;
    this.options = options;
    this.polling = polling;
    /** @type {Api | null} */
    this.api = null;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.timer = undefined;
  }

  /** @param {Api} api */
  start(api) {
    this.stop();
    this.api = api;
    void this.refresh();
  }

  stop() {
    clearTimeout(this.timer);
    this.api = null;
  }

  /** Loads now (and again after `pollMs`), unless stopped meanwhile. */
  async refresh() {
    const api = this.api;
    if (!api) return;
    clearTimeout(this.timer);
    try {
      await this.load(api);
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 'UNAUTHENTICATED')) {
        const message = error instanceof Error ? error.message : String(error);
        this.options.onError(`${this.polling.title}: ${message}`);
      }
    }
    if (this.api === api) this.timer = setTimeout(() => void this.refresh(), this.polling.pollMs);
  }

  /**
   * Reads and renders; renders only while `this.api === api` (not stopped or restarted since).
   * @param {Api} _api
   * @returns {Promise<void>}
   */
  async load(_api) {
    throw new Error('a polled panel loads its own data');
  }
}

export const DAY_MS = 86_400_000;

/** A polled panel that shows one UTC day, stepped with ◀ ▶ and opened from `#<hashKey>=YYYY-MM-DD`. */
export class DayPanel extends PolledPanel {
  /**
   * @param {HTMLElement} root the panel's card body
   * @param {{ onError: (message: string) => void }} options
   * @param {{ title: string, pollMs: number }} polling
   * @param {string} hashKey the URL hash parameter naming the day
   */
  constructor(root, options, polling, hashKey) {
    super(root, options, polling);
    const wanted = new URLSearchParams(location.hash.slice(1)).get(hashKey);
    const parsed = wanted?.match(/^\d{4}-\d{2}-\d{2}$/) ? Date.parse(`${wanted}T00:00:00Z`) : NaN;
    /** The shown UTC day's first instant (ms): today, or the URL's. */
    this.day = Number.isFinite(parsed) ? parsed : Math.floor(Date.now() / DAY_MS) * DAY_MS;
  }

  /**
   * The day's navigation: ◀, the title, ▶ and whatever else is given (a picker).
   * @param {string} className
   * @param {HTMLElement} title
   * @param {...HTMLElement} extra
   */
  dayNavigation(className, title, ...extra) {
    const move = (/** @type {string} */ label, /** @type {number} */ days) =>
      el(
        'button',
        {
          type: 'button',
          class: 'ghost',
          'aria-label': `${days < 0 ? 'previous' : 'next'} day`,
          onclick: () => {
            this.day += days * DAY_MS;
            void this.refresh();
          },
        },
        label,
      );
    return el('div', { class: className }, move('◀', -1), title, move('▶', 1), ...extra);
  }
}
