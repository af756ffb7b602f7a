#!/usr/bin/env bash
# Makes sure Debian's HAProxy is installed for the replica tests (the load balancer in front of
# them), installing it with apt-get when it is missing (as root, under CI=true or
# TEST_INSTALL_PACKAGES=1). Exit 0 when it is there afterwards.
set -u
command -v haproxy >/dev/null 2>&1 && exit 0
# Installing system packages is for CI and for whoever asks: a developer's machine is not changed
# behind their back.
if [ "${CI:-}" != true ] && [ "${TEST_INSTALL_PACKAGES:-}" != 1 ]; then
  echo "ensure-haproxy: haproxy is missing; run with TEST_INSTALL_PACKAGES=1 (or CI=true) to install it with apt-get" >&2
  exit 1
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-haproxy: haproxy is missing and apt-get cannot run here (needs root)" >&2
  exit 1
fi
echo "ensure-haproxy: installing Debian's haproxy (first run only)…" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends haproxy >&2
# The package starts a system service on :80 with its default config; the tests run their own.
(service haproxy stop || pkill -x haproxy) >/dev/null 2>&1 || true
command -v haproxy >/dev/null 2>&1
