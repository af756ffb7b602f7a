#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on 127.0.0.1:5432 for the ledger tests, starting the
# machine's cluster when it is installed but stopped (Debian's pg_ctlcluster, as root). Exit 0 when
# it answers afterwards, 1 otherwise.
set -u
answers() { pg_isready -q -h 127.0.0.1 -p 5432 -t 2 2>/dev/null; }
command -v pg_isready >/dev/null 2>&1 || { echo "ensure-postgres: PostgreSQL's client tools are not installed" >&2; exit 1; }
answers && exit 0
if [ "$(id -u)" = 0 ] && command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  for version in $(ls /etc/postgresql); do
    echo "ensure-postgres: starting PostgreSQL $version (main)…" >&2
    pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || true
  done
  for _ in $(seq 1 30); do answers && exit 0; sleep 0.5; done
fi
echo "ensure-postgres: no PostgreSQL answers on 127.0.0.1:5432" >&2
exit 1
