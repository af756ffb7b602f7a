#!/usr/bin/env bash
# Makes sure Debian's Chromium is at /usr/bin/chromium for the browser test, installing it with
# apt-get when it is missing (as root, under CI=true or TEST_INSTALL_PACKAGES=1). Exit 0 when it
# is there afterwards, 1 otherwise.
set -u
[ -x /usr/bin/chromium ] && exit 0
# Installing system packages is for CI and for whoever asks: a developer's machine is not changed
# behind their back.
if [ "${CI:-}" != true ] && [ "${TEST_INSTALL_PACKAGES:-}" != 1 ]; then
  echo "ensure-chromium: /usr/bin/chromium is missing; run with TEST_INSTALL_PACKAGES=1 (or CI=true) to install it with apt-get" >&2
  exit 1
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: /usr/bin/chromium is missing and apt-get cannot run here (needs root)" >&2
  exit 1
fi
echo "ensure-chromium: installing Debian's chromium (first run only)…" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >&2
[ -x /usr/bin/chromium ]
