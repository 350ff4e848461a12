import { parseLocalDate, type LocalDate } from './profiles/calendar';

export interface DemoOptions {
  /** GraphQL endpoint of a running ParkEx; without it the demo starts the platform itself. */
  apiUrl?: string;
  operatorKey?: string;
  /** Simulated quarter-hours. */
  intervals: number;
  /** Real seconds per simulated quarter-hour. */
  intervalSeconds: number;
  date: LocalDate;
  /** Quarter-hour of the day the run starts at (0 = 00:00). */
  startQuarter: number;
  /** Keep a platform the demo started running after the summary (until Ctrl-C). */
  keepRunning: boolean;
  /** Progress as plain lines instead of a redrawn bar (other logs share the terminal). */
  plain: boolean;
  /** `--fault battery@HH:MM`: the quarter-hour of the day the battery's internal fault begins. */
  batteryFaultQuarter: number | null;
  /** `--no-auction`: skip the integrated day-ahead auction (per-interval trading only). */
  auction: boolean;
  help: boolean;
}

export const DEFAULTS = {
  intervals: 96,
  intervalSeconds: 4,
  date: '2025-04-22',
  start: '00:00',
} as const;

export const USAGE = `Usage: npm run demo -- [options]

Simulates a day in an industrial park: a dozen tenants built from real load, PV, CHP, heat and
EV profiles trade electricity, heat and storage capacity on ParkEx, one demo interval standing
for one simulated quarter-hour.

  --intervals N          simulated quarter-hours (default ${DEFAULTS.intervals} = one day)
  --interval-seconds S   real seconds per quarter-hour, 2–900 (default ${DEFAULTS.intervalSeconds})
  --speed X              simulated time per real time instead, e.g. 300 (= 3 s intervals)
  --date YYYY-MM-DD      the simulated day: season and weekday (default ${DEFAULTS.date}, a Tuesday)
  --start HH:MM          time of day to start at, on a quarter-hour (default ${DEFAULTS.start})
  --api URL              a running ParkEx GraphQL endpoint, e.g. http://localhost:3000/graphql;
                         without it the demo starts the platform (database, API, matcher) itself
  --operator-key KEY     the operator's API key for --api; better OPERATOR_API_KEY in the
                         environment (a command line is visible to every user, e.g. in ps)
  --fault battery@HH:MM  an internal fault of the battery from that time (on a quarter-hour):
                         extra heat and off-gas; its early warning derates it, its alarm
                         suspends it and cancels its offers (docs/storage-safety.md)
  --no-auction           skip the integrated day-ahead auction before the per-interval trading
                         (the summary still compares the park with and without it, computed
                         from the same profiles)
  --keep-running         keep the platform the demo started running after the summary
  --plain                progress as plain lines instead of a redrawn bar
  --help                 this text
`;

/** Parses the demo's command line; throws with a message a person understands. */
export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv = {}): DemoOptions {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  const valued = [
    '--intervals',
    '--interval-seconds',
    '--speed',
    '--date',
    '--start',
    '--api',
    '--operator-key',
    '--fault',
  ];
  const switches = ['--keep-running', '--plain', '--no-auction', '--help', '-h'];
  for (let i = 0; i < argv.length; i++) {
    const [name, inline] = argv[i].split(/=(.*)/s, 2);
    if (switches.includes(name)) {
      flags.add(name === '-h' ? '--help' : name);
    } else if (valued.includes(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined || value === '') throw new Error(`${name} needs a value`);
      values.set(name, value);
    } else {
      throw new Error(`unknown option ${argv[i]} (see --help)`);
    }
  }

  const intervals = integer(
    values.get('--intervals') ?? String(DEFAULTS.intervals),
    '--intervals',
    1,
    96 * 14,
  );
  let intervalSeconds: number = DEFAULTS.intervalSeconds;
  if (values.has('--interval-seconds')) {
    intervalSeconds = integer(values.get('--interval-seconds')!, '--interval-seconds', 2, 900);
  } else if (values.has('--speed')) {
    const speed = Number(values.get('--speed'));
    if (!Number.isFinite(speed) || speed < 1 || speed > 450) {
      throw new Error('--speed must be a number from 1 to 450 (simulated seconds per real second)');
    }
    intervalSeconds = Math.round(900 / speed);
  }
  const start = values.get('--start') ?? DEFAULTS.start;
  const startQuarter = quarterOf(start, '--start');
  let batteryFaultQuarter: number | null = null;
  const fault = values.get('--fault');
  if (fault !== undefined) {
    const [what, at] = fault.split('@');
    if (what !== 'battery' || at === undefined) {
      throw new Error(`--fault must be battery@HH:MM, e.g. battery@14:00, got ${fault}`);
    }
    batteryFaultQuarter = quarterOf(at, '--fault battery@');
    const offset = (batteryFaultQuarter - startQuarter + 96) % 96;
    if (offset >= intervals) {
      throw new Error(
        `--fault ${fault} is outside the simulated quarter-hours (from ${start}, ${intervals} of them)`,
      );
    }
  }
  const apiUrl = values.get('--api');
  if (apiUrl !== undefined && !/^https?:\/\/\S+$/.test(apiUrl)) {
    throw new Error(
      `--api must be an http(s) URL like http://localhost:3000/graphql, got ${apiUrl}`,
    );
  }
  const operatorKey = values.get('--operator-key') ?? (apiUrl ? env.OPERATOR_API_KEY : undefined);
  if (apiUrl && !operatorKey) {
    throw new Error('--api needs the operator key: --operator-key KEY or OPERATOR_API_KEY');
  }
  return {
    apiUrl,
    operatorKey,
    intervals,
    intervalSeconds,
    date: parseLocalDate(values.get('--date') ?? DEFAULTS.date),
    startQuarter,
    batteryFaultQuarter,
    auction: !flags.has('--no-auction'),
    keepRunning: flags.has('--keep-running'),
    plain: flags.has('--plain'),
    help: flags.has('--help'),
  };
}

/** The quarter-hour of the day of `HH:MM` (on a quarter-hour). */
function quarterOf(text: string, name: string): number {
  const time = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (!time || Number(time[1]) > 23 || Number(time[2]) % 15 !== 0 || Number(time[2]) > 45) {
    throw new Error(`${name} must be a time on a quarter-hour like 06:00 or 13:45, got ${text}`);
  }
  return Number(time[1]) * 4 + Number(time[2]) / 15;
}

function integer(text: string, name: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}, got ${text}`);
  }
  return value;
}
