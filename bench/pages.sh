#!/usr/bin/env bash
# Serves the reference topic page from NT Atlas and the same bytes as a static file, side by
# side, and loads both with wrk on loopback. Prints requests/s, latency and the ratio.
# Usage: bench/pages.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}; conns=${2:-32}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
tmp=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
go build -o "$tmp/ntatlas" ./cmd/ntatlas
go build -o "$tmp/staticserve" ./bench/staticserve
"$tmp/ntatlas" serve -addr 127.0.0.1:18080 2>"$tmp/serve.log" &
for i in $(seq 50); do curl -sf -o /dev/null http://127.0.0.1:18080/healthz && break; sleep 0.1; done
page='/explore/networking/winsock-afd?path=networking-path'
mkdir -p "$tmp/www"
curl -sf "http://127.0.0.1:18080$page" -o "$tmp/www/page.html"
"$tmp/staticserve" -addr 127.0.0.1:18081 -dir "$tmp/www" &
for i in $(seq 50); do curl -sf -o /dev/null http://127.0.0.1:18081/page.html && break; sleep 0.1; done
echo "page: $(wc -c < "$tmp/www/page.html") bytes; wrk -t2 -c$conns -d${secs}s on $(nproc) cores"
run() { wrk -t2 -c"$conns" -d"${secs}s" --latency "$1" | tee "$tmp/$2.txt" | grep -E "Requests/sec|Latency  |99%"; }
echo "--- NT Atlas topic page"; run "http://127.0.0.1:18080$page" atlas
echo "--- same bytes, static file (net/http FileServer)"; run "http://127.0.0.1:18081/page.html" static
a=$(awk '/Requests\/sec/{print $2}' "$tmp/atlas.txt"); s=$(awk '/Requests\/sec/{print $2}' "$tmp/static.txt")
awk -v a="$a" -v s="$s" 'BEGIN{printf "ratio static/atlas = %.2f (budget: at most 2.00)\n", s/a}'
