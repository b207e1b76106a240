#!/usr/bin/env bash
# Removes the station agent service and program. Data (/var/lib/station-agent) and config
# (/etc/station-agent) are kept unless --purge is given: a station's unsent data is never
# deleted by accident.
#   sudo scripts/uninstall.sh [--prefix /opt/station-agent] [--purge]
set -euo pipefail
PREFIX=/opt/station-agent
PURGE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX="$2"; shift 2 ;;
    --purge) PURGE=1; shift ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "run as root (sudo $0)" >&2; exit 1; }

if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
  systemctl disable --now station-agent.service station-agent-settime.path 2>/dev/null || true
fi
rm -f /etc/systemd/system/station-agent.service /etc/systemd/system/station-agent-settime.service /etc/systemd/system/station-agent-settime.path
command -v systemctl >/dev/null && [ -d /run/systemd/system ] && systemctl daemon-reload || true
rm -f /usr/local/bin/station-agent
rm -rf "$PREFIX"
if [ "$PURGE" = 1 ]; then
  rm -rf /var/lib/station-agent /etc/station-agent
  userdel station-agent 2>/dev/null || true
  echo "removed program, data, config and user"
else
  echo "removed the program; kept /var/lib/station-agent (data) and /etc/station-agent (config): --purge removes them"
fi
