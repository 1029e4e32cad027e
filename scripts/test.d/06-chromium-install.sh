# shellcheck shell=bash
# Debian's chromium for the browser tests in Eventide.Dashboard.Tests, which
# drive it with Microsoft.Playwright (`playwright install` cannot download
# here, so the tests launch this executable instead). They fail, never skip,
# without it. Idempotent: installs only when /usr/bin/chromium is missing.
if [ ! -x /usr/bin/chromium ]; then
  chromium_log=${EVENTIDE_TEST_WORK:-/tmp}/apt-chromium.log
  echo "installing the Debian package chromium (apt log: $chromium_log)"
  apt_install_denying_services "$chromium_log" chromium || return 1
  unset chromium_log
fi
export EVENTIDE_TEST_CHROMIUM=/usr/bin/chromium
"$EVENTIDE_TEST_CHROMIUM" --version 2>/dev/null | head -n 1
