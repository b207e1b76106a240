#!/bin/sh
# Applies a clock-set request written by the agent: one line, "YYYY-MM-DD HH:MM:SS" in UTC.
# Anything else is refused. The request file is removed either way; the result is logged.
set -eu
req="$1"
[ -f "$req" ] || exit 0
line=$(head -n 1 "$req" | tr -d '\r')
rm -f "$req"
case "$line" in
  [0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]\ [0-2][0-9]:[0-5][0-9]:[0-5][0-9]) ;;
  *) echo "settime: refused malformed request: $line" >&2; exit 1 ;;
esac
date -u -s "$line" >/dev/null
echo "settime: clock set to $line UTC"
