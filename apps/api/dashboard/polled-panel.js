// @ts-check
// A card of the dashboard that polls the API while the user is signed in: `start` with the
// user's API, `stop` at sign-out; `load` (each panel's own) runs every `pollMs`, and its errors
// are flashed, but for an expired key (the sign-in shows that).

import { ApiError } from './api.js';

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
