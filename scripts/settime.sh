#!/bin/sh
# Applies a clock-set request written by the agent: one line, "YYYY-MM-DD HH:MM:SS" in UTC.
# Anything else is refused. The request file is removed either way; the result is logged.
# The request sits in a directory the agent (and so whoever controls it) can write: it is read
# without following symlinks (dd iflag=nofollow), only as a regular file, at most 64 bytes, and a
# refused line is never echoed (it could be the first line of a file the agent must not read). The
# unit runs this as the agent's own user with CAP_SYS_TIME alone, so even a read that went wrong
# could see nothing the agent cannot.
set -eu
req="$1"
[ -e "$req" ] || [ -L "$req" ] || exit 0
if [ -L "$req" ] || [ ! -f "$req" ]; then
  rm -f "$req"
  echo "settime: refused: the request is not a regular file" >&2
  exit 1
fi
line=$(dd if="$req" iflag=nofollow bs=64 count=1 2>/dev/null | head -n 1 | tr -d '\r') || line=""
rm -f "$req"
case "$line" in
  [0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]\ [0-2][0-9]:[0-5][0-9]:[0-5][0-9]) ;;
  *) echo "settime: refused a malformed request" >&2; exit 1 ;;
esac
date -u -s "$line" >/dev/null
echo "settime: clock set to $line UTC"
