#!/bin/bash
# A real S3 API on loopback for tests and benchmarks: Debian's OpenStack Swift with its s3api middleware.
#   scripts/start-swift-s3.sh DIR
# Installs the Debian packages when missing (root), writes rings and configs into DIR, starts memcached and the
# account/container/object/proxy servers on free loopback ports, and prints
#   "swift s3api ready on http://127.0.0.1:PORT"   (access key "test:tester", secret "testing").
# Stop: for f in DIR/run/*.pid; do kill "$(cat "$f")"; done
set -euo pipefail
S=${1:?usage: scripts/start-swift-s3.sh DIR}
mkdir -p "$S"; S=$(cd "$S" && pwd)
if ! command -v swift-proxy-server >/dev/null || ! command -v memcached >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq swift swift-proxy swift-account swift-container swift-object memcached >/dev/null
  else
    echo "Swift is not installed: run  sudo apt-get install -y swift swift-proxy swift-account swift-container swift-object memcached" >&2
    exit 2
  fi
fi
# Five free loopback ports, chosen by the kernel, so parallel runs never collide.
read -r P_PROXY P_ACCOUNT P_CONTAINER P_OBJECT P_MEMCACHE < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(5)]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks: s.close()')
rm -rf "$S/node" "$S/run" "$S"/*.builder "$S"/*.ring.gz "$S/backups"
mkdir -p "$S/node/d1" "$S/run"
RUN_USER=$(id -un)
if [ "$(id -u)" = 0 ] && id swift >/dev/null 2>&1; then RUN_USER=swift; fi
for kp in account:$P_ACCOUNT container:$P_CONTAINER object:$P_OBJECT; do
  n=${kp%%:*}; p=${kp##*:}
  printf '[DEFAULT]\nbind_ip = 127.0.0.1\nbind_port = %s\ndevices = %s/node\nmount_check = false\nswift_dir = %s\nworkers = 1\nuser = %s\nlog_level = WARNING\n[pipeline:main]\npipeline = %s-server\n[app:%s-server]\nuse = egg:swift#%s\n' \
    "$p" "$S" "$S" "$RUN_USER" "$n" "$n" "$n" > "$S/$n-server.conf"
  (cd "$S" && swift-ring-builder $n.builder create 10 1 1 >/dev/null \
    && swift-ring-builder $n.builder add --region 1 --zone 1 --ip 127.0.0.1 --port "$p" --device d1 --weight 100 >/dev/null \
    && { swift-ring-builder $n.builder rebalance >/dev/null || true; })
done
cat > "$S/proxy-server.conf" <<CONF
[DEFAULT]
bind_ip = 127.0.0.1
bind_port = $P_PROXY
swift_dir = $S
workers = 1
user = $RUN_USER
log_level = WARNING
[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats s3api tempauth copy slo dlo proxy-logging proxy-server
[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
[filter:tempauth]
use = egg:swift#tempauth
user_test_tester = testing .admin
[filter:s3api]
use = egg:swift#s3api
[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:$P_MEMCACHE
CONF
for f in catch_errors gatekeeper healthcheck proxy_logging listing_formats copy slo dlo; do
  printf '[filter:%s]\nuse = egg:swift#%s\n' "${f/_logging/-logging}" "$f" >> "$S/proxy-server.conf"
done
# The servers drop to $RUN_USER: it must read the configs and own the device directory.
chmod 755 "$S"; chmod 644 "$S"/*.conf "$S"/*.ring.gz
chown -R "$RUN_USER" "$S/node"
MEMCACHE_USER=$( [ "$(id -u)" = 0 ] && echo "-u memcache" || echo "")
# shellcheck disable=SC2086
nohup memcached $MEMCACHE_USER -l 127.0.0.1 -p "$P_MEMCACHE" -m 64 >"$S/run/memcached.log" 2>&1 &
echo $! > "$S/run/memcached.pid"
for n in account container object proxy; do
  nohup swift-$n-server "$S/$n-server.conf" >"$S/run/$n.log" 2>&1 &
  echo $! > "$S/run/$n.pid"
done
for _ in $(seq 150); do
  if curl -sf "http://127.0.0.1:$P_PROXY/healthcheck" >/dev/null 2>&1; then
    echo "swift s3api ready on http://127.0.0.1:$P_PROXY"
    exit 0
  fi
  sleep 0.2
done
echo "Swift did not answer on port $P_PROXY in 30 s; logs in $S/run" >&2
tail -n 20 "$S"/run/*.log >&2 || true
exit 1
