/**
 * Runs every test of the given spec files alone, one `jest <file> -t '^<full name>$'` each, and
 * reports the tests that fail without the tests before them (shared state, an order the file
 * relies on). Slow by design (a fresh database and the file's set-up per test): run it after
 * changing how the tests of a file share state, not in CI.
 *
 *   node -r ./scripts/register.js scripts/each-test-alone.ts [--jobs N] [--one-database] [paths]
 *
 * Default: the e2e specs, each test on a fresh database as `npx jest <file> -t <name>` would.
 * --one-database: one migrated database for all the runs (much faster); the tests then run last
 * to first, so that none can find what a test before it in its file left behind.
 * Prints one line per test and exits non-zero when one failed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { PROJECT_ROOT } from '@parkex/db';
import globalSetup from '../test/global-setup';
import globalTeardown from '../test/global-teardown';

interface JestReport {
  numPassedTests: number;
  numFailedTests: number;
  testResults: {
    name: string;
    message: string;
    assertionResults: { fullName: string; status: string; failureMessages: string[] }[];
  }[];
}

const JEST = join(PROJECT_ROOT, 'node_modules', 'jest', 'bin', 'jest.js');
const scratch = mkdtempSync(join(tmpdir(), 'parkex-alone-'));
let reports = 0;

/** One jest run; its JSON report, and what it printed when it failed. */
function jest(args: string[]): Promise<{ report?: JestReport; output: string }> {
  const file = join(scratch, `report-${++reports}.json`);
  const child = spawn(process.execPath, [JEST, '--ci', '--json', `--outputFile=${file}`, ...args], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => {
    child.once('exit', () => {
      try {
        resolve({ report: JSON.parse(readFileSync(file, 'utf8')) as JestReport, output });
      } catch {
        resolve({ output });
      }
    });
  });
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let jobs = 1;
  const jobsAt = args.indexOf('--jobs');
  if (jobsAt >= 0) {
    jobs = Math.max(1, Number(args[jobsAt + 1]));
    args.splice(jobsAt, 2);
  }
  const oneDatabase = args.includes('--one-database');
  if (oneDatabase) {
    args.splice(args.indexOf('--one-database'), 1);
    await globalSetup(); // sets TEST_DATABASE_URL and TEST_ADMIN_DATABASE_URL for the runs
  }
  const paths = args.length > 0 ? args : ['test/e2e'];

  // every test's full name, without running any: a name pattern that matches none skips them all
  const listing = await jest([...paths, '--testNamePattern', '^(?!)$']);
  if (!listing.report) throw new Error(`jest could not list the tests:\n${listing.output}`);
  const tests = listing.report.testResults.flatMap((file) =>
    file.assertionResults.map((test) => ({
      file: relative(PROJECT_ROOT, file.name),
      name: test.fullName,
    })),
  );
  process.stdout.write(`${tests.length} tests in ${listing.report.testResults.length} files\n`);
  if (oneDatabase) tests.reverse();

  const failed: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < tests.length) {
      const { file, name } = tests[next++];
      const started = Date.now();
      const { report, output } = await jest([file, '--testNamePattern', `^${escapeRegExp(name)}$`]);
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const alone =
        report !== undefined && report.numPassedTests >= 1 && report.numFailedTests === 0;
      process.stdout.write(`${alone ? 'ok  ' : 'FAIL'} ${file} › ${name} (${seconds} s)\n`);
      if (!alone) {
        failed.push(`${file} › ${name}`);
        const messages = report?.testResults.flatMap((result) => [
          result.message,
          ...result.assertionResults.flatMap((test) => test.failureMessages),
        ]);
        process.stdout.write(`${(messages?.join('\n') || output).slice(0, 4000)}\n`);
      }
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));
  if (oneDatabase) await globalTeardown();
  rmSync(scratch, { recursive: true, force: true });
  process.stdout.write(`${tests.length - failed.length} of ${tests.length} pass alone\n`);
  for (const test of failed) process.stdout.write(`FAIL ${test}\n`);
  if (failed.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
