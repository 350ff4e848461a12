/**
 * `npm run demo`: a day in an industrial park on ParkEx, accelerated. See USAGE in options.ts
 * and the README's "Demo and dashboard" section.
 */
import { randomBytes } from 'node:crypto';
import { parseOptions, USAGE, type DemoOptions } from './options';
import { buildDayAheadPlan, buildPark, type RunWindow } from './park';
import { formatLocalDate, isoWeekday } from './profiles/calendar';
import { loadParkData } from './profiles/park-data';
import { formatCarbon } from './run/carbon';
import { formatImbalance } from './run/imbalance';
import { formatPark, formatSafety, formatSummary } from './run/report';
import { ProgressBar } from './run/progress';
import { startPlatform, type StartedPlatform } from './run/platform';
import { runSimulation } from './run/simulation';

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

async function main(): Promise<number> {
  let options: DemoOptions;
  try {
    options = parseOptions(process.argv.slice(2), process.env);
  } catch (error) {
    process.stderr.write(`demo: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const say = (message: string) => process.stderr.write(`[demo] ${message}\n`);

  const window: RunWindow = {
    date: options.date,
    startQuarter: options.startQuarter,
    count: options.intervals,
  };
  const data = loadParkData();
  const park = buildPark(data, window);
  const plan = buildDayAheadPlan(data, window);

  const stop = new AbortController();
  let platform: StartedPlatform | undefined;
  let finished = false;
  const interrupt = () => {
    if (stop.signal.aborted) return;
    say('interrupted; stopping');
    stop.abort();
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);

  try {
    let apiUrl = options.apiUrl;
    let operatorKey = options.operatorKey;
    // A key given to the demo is never printed; one its platform generated is, this once.
    let operatorKeyNote = 'operator key as given';
    if (!apiUrl || !operatorKey) {
      platform = await startPlatform(say);
      apiUrl = platform.apiUrl;
      operatorKey = platform.operatorKey;
      operatorKeyNote = platform.operatorKeyNote;
      const started = platform;
      void (async () => {
        const code = await started.exited;
        if (!stop.signal.aborted && !finished) {
          say(`the platform exited (${code}); see ${started.logFile}`);
          stop.abort();
        }
      })();
    }
    const runId = randomBytes(3).toString('hex');
    const day = `${formatLocalDate(options.date)} (${WEEKDAYS[isoWeekday(options.date) - 1]})`;
    say(
      `${park.length} tenants, ${options.intervals} quarter-hours of ${day} from ${clock(options.startQuarter)}, ` +
        `${options.intervalSeconds} s each (≈ ${Math.ceil(((options.auction ? 2 : 1) * (options.intervals + 3) * options.intervalSeconds + (options.auction ? 30 : 0)) / 60)} min` +
        `${options.auction ? ', the day-ahead auction first' : ''})`,
    );
    say(`watch it live: ${apiUrl.replace(/\/graphql\/?$/, '')}/dashboard  (${operatorKeyNote})`);

    const started = Date.now();
    const progress = new ProgressBar(options.intervals, process.stderr, options.plain);
    const result = await runSimulation(
      {
        apiUrl,
        operatorKey,
        window,
        intervalSeconds: options.intervalSeconds,
        runId,
        signal: stop.signal,
        progress,
        batteryFaultIndex:
          options.batteryFaultQuarter === null
            ? null
            : (options.batteryFaultQuarter - options.startQuarter + 96) % 96,
        plan,
        auction: options.auction,
      },
      park,
    );
    if (result.interrupted) return 130;
    const minutes = ((Date.now() - started) / 60_000).toFixed(1);
    process.stdout.write(
      `\n${formatSummary(
        result.summary,
        `ParkEx demo ${runId}: ${options.intervals} quarter-hours of ${day} in ${minutes} min, ${park.length} tenants, ` +
          `deliveries ${result.deliveryFrom.toISOString()} – ${result.deliveryTo.toISOString()}`,
      )}\n`,
    );
    process.stdout.write(`${formatPark(result.park)}\n`);
    if (result.safety) process.stdout.write(`${formatSafety(result.safety)}\n`);
    if (result.carbon) process.stdout.write(`${formatCarbon(result.carbon)}\n`);
    if (result.imbalance) process.stdout.write(`${formatImbalance(result.imbalance)}\n`);
    if (result.missed)
      say(
        `${result.missed} interval(s) were skipped: their gate closed before the orders were ready`,
      );
    if (result.failures.length)
      say(`${result.failures.length} problem(s); the first: ${result.failures[0]}`);
    if (platform && options.keepRunning) {
      say(
        `the platform keeps running: ${apiUrl.replace(/\/graphql\/?$/, '')}/dashboard — Ctrl-C stops it`,
      );
      await new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve()));
    }
    return result.failures.length ? 1 : 0;
  } finally {
    finished = true;
    if (platform) {
      say('stopping the platform');
      await platform.stop();
    }
  }
}

function clock(quarter: number): string {
  return `${String(Math.floor(quarter / 4)).padStart(2, '0')}:${String((quarter % 4) * 15).padStart(2, '0')}`;
}

main()
  .then((code) => process.exit(code))
  .catch((error: unknown) => {
    process.stderr.write(
      `[demo] failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  });
