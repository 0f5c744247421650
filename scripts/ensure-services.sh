#!/usr/bin/env bash
# Makes sure a local PostgreSQL (127.0.0.1:5432, trust auth) and Redis (127.0.0.1:6379) are up for the
# production-mode tests. Starts them if installed, installs them from Debian's packages if not (root).
set -euo pipefail

pg_up() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }
redis_up() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v pg_ctlcluster >/dev/null || ! command -v redis-server >/dev/null; then
  echo "[services] installing postgresql and redis-server from Debian packages"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql redis-server >/dev/null
fi

if ! pg_up; then
  ver=$(ls /etc/postgresql | sort -V | tail -1)
  echo "[services] starting PostgreSQL $ver"
  hba=/etc/postgresql/$ver/main/pg_hba.conf
  # Tests connect as postgres over TCP without a password, as on the CI machines.
  if ! grep -q '^host all all 127.0.0.1/32 trust' "$hba"; then
    as_root sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
  fi
  as_root pg_ctlcluster --skip-systemctl-redirect "$ver" main start
  for _ in $(seq 1 50); do pg_up && break; sleep 0.2; done
fi

if ! redis_up; then
  echo "[services] starting Redis"
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
  as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 50); do redis_up && break; sleep 0.1; done
fi

pg_up && echo "[services] PostgreSQL ok" || { echo "[services] PostgreSQL is not reachable on 127.0.0.1:5432" >&2; exit 1; }
redis_up && echo "[services] Redis ok" || { echo "[services] Redis is not reachable on 127.0.0.1:6379" >&2; exit 1; }
