# shellcheck shell=bash
# promtool and prometheus (from the Debian package `prometheus`) for the
# metrics tests in Eventide.Server.Tests; they fail, never skip, when these
# are missing. When the host has no prometheus, the package is downloaded and
# unpacked into a cache directory instead of installed: installing it would
# enable and start a prometheus service on the host, and the tests start their
# own server on a free port anyway. Only the two binaries are used.
if ! command -v promtool >/dev/null || ! command -v prometheus >/dev/null; then
  prom_cache=/var/cache/eventide-test/prometheus
  if [ ! -x "$prom_cache/usr/bin/prometheus" ]; then
    prom_log=${EVENTIDE_TEST_WORK:-/tmp}/apt-prometheus.log
    echo "unpacking the Debian package prometheus into $prom_cache (apt log: $prom_log)"
    prom_dl=$(mktemp -d /tmp/eventide-prometheus-deb.XXXXXX)
    chmod 755 "$prom_dl" # apt's download sandbox user must be able to write here
    apt_quiet "$prom_log" update -qq || return 1
    (cd "$prom_dl" && apt_quiet "$prom_log" download prometheus) || return 1
    mkdir -p "$prom_cache"
    dpkg-deb -x "$prom_dl"/prometheus_*.deb "$prom_cache" || return 1
    rm -rf "$prom_dl"
    unset prom_log prom_dl
  fi
  export PATH=$prom_cache/usr/bin:$PATH
  unset prom_cache
fi
promtool --version | head -n 1
prometheus --version 2>&1 | head -n 1
