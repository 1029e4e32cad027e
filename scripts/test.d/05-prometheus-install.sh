# shellcheck shell=bash
# promtool and prometheus (Debian package `prometheus`) for the metrics tests
# in Eventide.Server.Tests; they fail, never skip, when these are missing.
if ! command -v promtool >/dev/null || ! command -v prometheus >/dev/null; then
  echo "installing the Debian package prometheus" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends prometheus >&2
fi
# The package's service would hold :9090 and scrape nothing of ours; the tests
# start their own server on a free port. In containers the postinst is denied
# by policy-rc.d, elsewhere stop the service it may have started.
if command -v systemctl >/dev/null && systemctl is-active --quiet prometheus 2>/dev/null; then
  systemctl stop prometheus || true
fi
promtool --version | head -n 1
prometheus --version 2>&1 | head -n 1
