# shellcheck shell=bash
# Local PostgreSQL for development and tests: installed from Debian packages
# when absent, run as the unprivileged `postgres` user (the server refuses
# root) on a private port and data directory.

pg_bindir() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
  done
  return 1
}

# apt_quiet LOG ARGS...: runs apt-get with its output in LOG, shown only when it fails.
apt_quiet() {
  local log=$1; shift
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get "$@" >>"$log" 2>&1; then
    echo "apt-get $* failed; its output ($log):" >&2
    tail -n 40 "$log" >&2
    return 1
  fi
}

# apt_install_denying_services LOG PACKAGES...: installs without letting the
# packages' maintainer scripts start or enable services on this host
# (policy-rc.d answers 101, "action forbidden", to every invoke-rc.d call, and
# the systemd presets are masked for the duration).
apt_install_denying_services() {
  local log=$1; shift
  local policy=/usr/sbin/policy-rc.d had_policy=
  [ -e "$policy" ] && had_policy=1
  if [ -z "$had_policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod 755 "$policy"; fi
  local rc=0
  apt_quiet "$log" update -qq && apt_quiet "$log" install -y -qq --no-install-recommends "$@" || rc=$?
  [ -n "$had_policy" ] || rm -f "$policy"
  return $rc
}

pg_install() {
  if pg_bindir >/dev/null; then return 0; fi
  local log; log=$(mktemp /tmp/eventide-apt.XXXXXX.log)
  echo "==> installing PostgreSQL from Debian packages (log: $log)" >&2
  apt_install_denying_services "$log" postgresql postgresql-contrib || return 1
  pg_bindir >/dev/null || { echo "PostgreSQL install failed; see $log" >&2; return 1; }
  rm -f "$log"
}

# pg_timescale_installed: true when the TimescaleDB extension is installed for
# this PostgreSQL (its control file in the share directory and its library in
# the lib directory). It can only be used when preloaded, so callers that own
# their server start it with shared_preload_libraries=timescaledb.
pg_timescale_installed() {
  local bin; bin=$(pg_bindir) || return 1
  [ -f "$("$bin/pg_config" --sharedir)/extension/timescaledb.control" ] \
    && [ -f "$("$bin/pg_config" --pkglibdir)/timescaledb.so" ]
}

# Prints a free TCP port on 127.0.0.1, starting the search at $1.
free_port() {
  local p=${1:-55432}
  while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
  echo "$p"
}

pg_as() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# pg_start DIR PORT [extra postgres -c settings...]
# Creates DIR/pgdata on first use (reused afterwards), starts the server and
# waits until it accepts connections. Superuser `eventide`, trust auth on
# loopback only.
pg_start() {
  local dir=$1 port=$2; shift 2
  local bin; bin=$(pg_bindir)
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /usr/sbin/nologin postgres
    chown postgres "$dir"
    # the server user must be able to reach the directory
    local up=$dir
    while [ "$up" != / ]; do up=$(dirname "$up"); chmod o+x "$up" 2>/dev/null || true; done
  fi
  if [ ! -f "$dir/pgdata/PG_VERSION" ]; then
    pg_as "$bin/initdb" -D "$dir/pgdata" -U eventide --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; return 1; }
  fi
  local opts="-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=400 -c shared_buffers=256MB"
  local s
  for s in "$@"; do opts="$opts -c $s"; done
  pg_as "$bin/pg_ctl" -D "$dir/pgdata" -l "$dir/postgres.log" -o "$opts" -w -t 60 start >/dev/null \
    || { tail -n 30 "$dir/postgres.log" >&2; return 1; }
  pg_as "$bin/psql" -h 127.0.0.1 -p "$port" -U eventide -d postgres -qtAc "select 1" >/dev/null
}

pg_stop() {
  local dir=$1 bin; bin=$(pg_bindir) || return 0
  [ -f "$dir/pgdata/postmaster.pid" ] && pg_as "$bin/pg_ctl" -D "$dir/pgdata" -m fast -w stop >/dev/null 2>&1 || true
}

# pg_createdb PORT NAME
pg_createdb() {
  local bin; bin=$(pg_bindir)
  pg_as "$bin/psql" -h 127.0.0.1 -p "$1" -U eventide -d postgres -qtAc \
    "select 1 from pg_database where datname = '$2'" | grep -q 1 \
    || pg_as "$bin/createdb" -h 127.0.0.1 -p "$1" -U eventide "$2"
}
