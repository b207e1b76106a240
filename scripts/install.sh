#!/usr/bin/env bash
# Installs the station agent on Debian / Raspberry Pi OS as a systemd service. Idempotent: run it
# again after `git pull` to update. Run as root from a checkout of the repository.
#   sudo scripts/install.sh [--prefix /opt/station-agent] [--no-start]
set -euo pipefail

PREFIX=/opt/station-agent
START=1
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX="$2"; shift 2 ;;
    --no-start) START=0; shift ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done

SRC=$(cd "$(dirname "$0")/.." && pwd)
USER_NAME=station-agent
CONF_DIR=/etc/station-agent
STATE_DIR=/var/lib/station-agent

[ "$(id -u)" = 0 ] || { echo "run as root (sudo $0)" >&2; exit 1; }

need_major=20
if ! command -v node >/dev/null; then
  echo "Node.js is missing: apt-get install nodejs npm (Node >= $need_major)" >&2; exit 1
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt "$need_major" ]; then
  echo "Node.js $major is too old: >= $need_major needed" >&2; exit 1
fi
command -v g++ >/dev/null && command -v make >/dev/null || {
  echo "a C++ toolchain is needed to build better-sqlite3: apt-get install build-essential python3" >&2; exit 1; }

echo "== user and groups"
getent group dialout >/dev/null || groupadd --system dialout
getent group gpio >/dev/null || groupadd --system gpio
if ! id "$USER_NAME" >/dev/null 2>&1; then
  useradd --system --home-dir "$STATE_DIR" --no-create-home --shell /usr/sbin/nologin "$USER_NAME"
fi
usermod -a -G dialout,gpio "$USER_NAME"

echo "== files into $PREFIX"
mkdir -p "$PREFIX"
if [ "$SRC" != "$PREFIX" ]; then
  # Copy the sources (not node_modules or local state), then build in place.
  # --no-same-owner: the files root runs belong to root, not to whoever owns the checkout (who
  # could otherwise edit the program the service and the set-time unit run).
  tar -C "$SRC" --exclude=./node_modules --exclude=./dist --exclude=./demo-data --exclude=./.git -cf - . | tar -C "$PREFIX" --no-same-owner -xf -
fi
cd "$PREFIX"
npm ci --no-audit --no-fund
npm run build
# The service runs the bundle, as the Debian package does (scripts/bundle.ts: ~3 MB less memory).
node --import tsx scripts/bundle.ts dist
npm prune --omit=dev --no-audit --no-fund
# tsx stays (a runtime dependency) so a checkout without dist/ still runs.
# Root-owned and writable by root only, node_modules and the build included.
chown -R root:root "$PREFIX"
chmod -R go-w "$PREFIX"
ln -sf "$PREFIX/bin/station-agent.js" /usr/local/bin/station-agent

echo "== config in $CONF_DIR, state in $STATE_DIR"
install -d -m 0750 -o root -g "$USER_NAME" "$CONF_DIR"
if [ ! -f "$CONF_DIR/station.yaml" ]; then
  install -m 0640 -o root -g "$USER_NAME" config/station.example.yaml "$CONF_DIR/station.yaml"
  sed -i "s#^  path: .*station.db#  path: $STATE_DIR/station.db#" "$CONF_DIR/station.yaml" || true
  echo "   wrote $CONF_DIR/station.yaml from the example: edit it, then: station-agent config check"
else
  echo "   keeping existing $CONF_DIR/station.yaml"
fi
install -d -m 0750 -o "$USER_NAME" -g "$USER_NAME" "$STATE_DIR"

echo "== systemd units"
for u in station-agent.service station-agent-settime.service station-agent-settime.path; do
  sed "s#/opt/station-agent#$PREFIX#g" "systemd/$u" > "/etc/systemd/system/$u"
done
chmod +x "$PREFIX/scripts/settime.sh"
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl enable station-agent.service station-agent-settime.path
  if [ "$START" = 1 ]; then
    if sudo -u "$USER_NAME" "$PREFIX/bin/station-agent.js" config check "$CONF_DIR/station.yaml"; then
      systemctl restart station-agent.service
      echo "   started: journalctl -u station-agent -f"
    else
      echo "   not started: fix the config first (exit code 78 above)"
    fi
  fi
else
  echo "   systemd is not running here: units installed, not enabled"
fi
echo "done"
