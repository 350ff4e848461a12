/**
 * Preload for profiling the API under a benchmark: counts the `pg` round trips of the process by
 * statement (a named statement by its name, others by their first 90 characters) with their mean
 * time from send to result (queueing on the connection and the event loop included), and writes
 * the table to SQL_COUNT_OUT (default `sql-count.txt` in the working directory) when the process
 * ends. Not for production: it wraps `pg.Client.prototype.query`.
 *   BENCH_API_NODE_ARGS="-r ./bench/support/count-sql.js" SQL_COUNT_OUT=/tmp/sql.txt npm run bench:ingest
 */
'use strict';
const { writeFileSync } = require('node:fs');
const { performance } = require('node:perf_hooks');
const { Client } = require('pg');

const stats = new Map();
const statementKey = (config) => {
  const text =
    typeof config === 'string' ? config : config?.name ? `named:${config.name}` : config?.text;
  return String(text ?? '?')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 90);
};

const query = Client.prototype.query;
Client.prototype.query = function countedQuery(config, values, callback) {
  const key = statementKey(config);
  const sent = performance.now();
  const result = query.call(this, config, values, callback);
  const done = () => {
    const entry = stats.get(key) ?? { count: 0, ms: 0 };
    entry.count += 1;
    entry.ms += performance.now() - sent;
    stats.set(key, entry);
  };
  if (result && typeof result.then === 'function') result.then(done, done);
  else done();
  return result;
};

function write() {
  const lines = [...stats]
    .sort((a, b) => b[1].count - a[1].count)
    .map(([key, s]) => `${s.count}\t${(s.ms / s.count).toFixed(2)} ms\t${key}`);
  writeFileSync(process.env.SQL_COUNT_OUT ?? 'sql-count.txt', `${lines.join('\n')}\n`);
}
process.on('SIGTERM', () => {
  write();
  process.exit(0);
});
process.on('exit', write);
