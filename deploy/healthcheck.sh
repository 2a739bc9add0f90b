#!/bin/bash
# The container's HEALTHCHECK: GET $BEV_CHAOS_HEALTH_URL (http://HOST:PORT/PATH) answers 200.
# bash's /dev/tcp, because the .NET runtime images have no curl or wget, and starting the CLI every
# few seconds would cost a runtime start-up each time.
url="${BEV_CHAOS_HEALTH_URL:-http://127.0.0.1:8080/health}"
rest="${url#http://}"
hostport="${rest%%/*}"
path="/${rest#*/}"
[ "$rest" = "$hostport" ] && path=/
host="${hostport%:*}"
port="${hostport##*:}"
[ "$host" = "$hostport" ] && port=80
exec 3<>"/dev/tcp/$host/$port" || exit 1
printf 'GET %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n' "$path" "$hostport" >&3
read -r -t 4 status_line <&3 || exit 1
case "$status_line" in
  "HTTP/"*" 200"*) exit 0 ;;
  *) echo "health: $status_line" >&2; exit 1 ;;
esac
