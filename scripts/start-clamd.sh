#!/bin/bash
# Start ClamAV's clamd for tests and benchmarks, on a unix socket inside DIR, with the signature database
# in DIR/db (the caller writes its own test signatures there: no freshclam download is needed or possible).
#   scripts/start-clamd.sh DIR      → prints "clamd ready on unix:DIR/clamd.sock (pid N)"; stop: kill "$(cat DIR/clamd.pid)"
# Installs Debian's clamav-daemon when clamd is missing (needs root and the Debian archive).
set -euo pipefail
DIR=${1:?usage: scripts/start-clamd.sh DIR (DIR/db must hold at least one .ndb/.hdb signature file)}
DIR=$(cd "$DIR" && pwd)
if ! command -v clamd >/dev/null && [ ! -x /usr/sbin/clamd ]; then
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clamav-daemon clamav >/dev/null
  else
    echo "clamd is not installed: run  sudo apt-get install -y clamav-daemon clamav" >&2
    exit 2
  fi
fi
CLAMD=$(command -v clamd || echo /usr/sbin/clamd)
shopt -s nullglob
SIGS=("$DIR"/db/*.ndb "$DIR"/db/*.hdb "$DIR"/db/*.hsb "$DIR"/db/*.ldb)
shopt -u nullglob
[ ${#SIGS[@]} -gt 0 ] || { echo "no signature files in $DIR/db" >&2; exit 2; }
rm -f "$DIR/clamd.sock" "$DIR/clamd.pid"
cat > "$DIR/clamd.conf" <<CONF
DatabaseDirectory $DIR/db
LocalSocket $DIR/clamd.sock
LocalSocketMode 600
PidFile $DIR/clamd.pid
Foreground yes
LogFile $DIR/clamd.log
LogTime yes
# Evidence files can be large videos: scan them whole (the app refuses files larger than it can scan).
StreamMaxLength 2047M
MaxScanSize 2047M
MaxFileSize 2047M
# What one file may cost (the same limits as src/modules/evidence/clamd.ts SCAN_LIMITS): an archive bomb is
# scanned up to these and no further.
MaxRecursion 8
MaxFiles 2000
MaxScanTime 60000
MaxThreads 2
ReadTimeout 120
CommandReadTimeout 30
CONF
if [ "$(id -u)" = 0 ]; then chown -R clamav:clamav "$DIR" 2>/dev/null && echo "User clamav" >> "$DIR/clamd.conf" || true; fi
nohup "$CLAMD" --config-file="$DIR/clamd.conf" >"$DIR/clamd.out" 2>&1 &
echo $! > "$DIR/clamd.pid.launch"
for _ in $(seq 150); do
  if [ -S "$DIR/clamd.sock" ]; then
    echo "clamd ready on unix:$DIR/clamd.sock (pid $(cat "$DIR/clamd.pid" 2>/dev/null || cat "$DIR/clamd.pid.launch"))"
    exit 0
  fi
  if ! kill -0 "$(cat "$DIR/clamd.pid.launch")" 2>/dev/null; then
    echo "clamd exited during start-up:" >&2; cat "$DIR/clamd.out" "$DIR/clamd.log" >&2 2>/dev/null || true; exit 1
  fi
  sleep 0.2
done
echo "clamd did not open its socket in 30 s" >&2
exit 1
