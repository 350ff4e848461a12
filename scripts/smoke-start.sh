#!/usr/bin/env bash
# Smoke test of the README's first command: `npm start` boots PostgreSQL (embedded unless
# DATABASE_URL), the API and the matcher; one authenticated GraphQL query; Ctrl-C stops it all.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${SMOKE_PORT:-3917}
log=$(mktemp)
# job control: npm start gets its own process group, with SIGINT not ignored, as in a terminal
set -m
# a supplied operator key, which npm start must never print
key=$(node -e "process.stdout.write('pkx_' + require('node:crypto').randomBytes(32).toString('base64url'))")
OPERATOR_API_KEY=$key PORT=$port npm start >"$log" 2>&1 &
pid=$!
set +m
cleanup() { kill -INT -- "-$pid" 2>/dev/null || true; }
trap cleanup EXIT

for _ in $(seq 1 120); do
  grep -q 'ParkEx is running' "$log" && break
  kill -0 "$pid" 2>/dev/null || { cat "$log"; echo 'smoke: npm start exited early'; exit 1; }
  sleep 1
done
grep -q 'ParkEx is running' "$log" || { cat "$log"; echo 'smoke: not running after 120 s'; exit 1; }
if grep -qF -- "$key" "$log"; then cat "$log"; echo 'smoke: the supplied operator key was printed'; exit 1; fi
answer=$(curl -sf "http://127.0.0.1:$port/graphql" -H 'content-type: application/json' \
  -H "authorization: Bearer $key" -d '{"query":"{ me { role } products { code } }"}')
echo "smoke: $answer"
echo "$answer" | grep -q '"role":"OPERATOR"' || { cat "$log"; echo 'smoke: query failed'; exit 1; }

trap - EXIT
# the whole process group gets the Ctrl-C, as in a terminal
kill -INT -- "-$pid"
for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
if kill -0 "$pid" 2>/dev/null; then cat "$log"; echo 'smoke: still running 30 s after Ctrl-C'; exit 1; fi
wait "$pid" || true # npm itself answers Ctrl-C with 130, as in a terminal
grep -q '\[parkex\] stopped' "$log" || { cat "$log"; echo 'smoke: no clean stop'; exit 1; }
if curl -sf "http://127.0.0.1:$port/health" >/dev/null; then echo 'smoke: the API still answers'; exit 1; fi
if [ -z "${DATABASE_URL:-}" ] && pg_isready -q -h 127.0.0.1 -p "${PG_PORT:-54329}"; then
  echo 'smoke: the embedded PostgreSQL is still running'; exit 1
fi
echo 'smoke: started, answered, stopped cleanly'
