#!/usr/bin/env bash
# Builds the lab engines for the browser into internal/web/static/labs/labs.wasm and copies the
# matching wasm_exec.js from the Go toolchain. The output is committed (so `go run ./cmd/ntatlas
# serve` needs nothing else); TestWasmUpToDate fails when it no longer matches the engines.
set -euo pipefail
cd "$(dirname "$0")/.."
out=internal/web/static/labs
GOOS=js GOARCH=wasm go build -trimpath -buildvcs=false -ldflags="-s -w" -o "$out/labs.wasm" ./cmd/ntatlas-wasm
cp "$(go env GOROOT)/lib/wasm/wasm_exec.js" "$out/wasm_exec.js"
printf 'labs.wasm: %s bytes, %s gzipped\n' "$(wc -c < "$out/labs.wasm")" "$(gzip -9 -c "$out/labs.wasm" | wc -c)"
