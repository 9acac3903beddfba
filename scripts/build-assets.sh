#!/usr/bin/env bash
# Builds the artefacts the server embeds and serves, all committed so that `go run ./cmd/ntatlas
# serve` needs nothing else: the lab engines for the browser (labs.wasm and the toolchain's
# matching wasm_exec.js) and the Windows build of the loopback measurement program.
# TestAssetsUpToDate fails when a committed artefact no longer matches its sources.
set -euo pipefail
cd "$(dirname "$0")/.."
out=internal/web/static
GOOS=js GOARCH=wasm go build -trimpath -buildvcs=false -ldflags="-s -w" -o "$out/labs/labs.wasm" ./cmd/ntatlas-wasm
cp "$(go env GOROOT)/lib/wasm/wasm_exec.js" "$out/labs/wasm_exec.js"
go run ./internal/labs/evtx/evtxgen/gen "$out/labs/samples/synthetic-security.evtx"
mkdir -p "$out/downloads"
GOOS=windows GOARCH=amd64 go build -trimpath -buildvcs=false -ldflags="-s -w" -o "$out/downloads/ntatlas-loopback-windows-amd64.exe" ./cmd/ntatlas-loopback
printf 'labs.wasm: %s bytes, %s gzipped\n' "$(wc -c < "$out/labs/labs.wasm")" "$(gzip -9 -c "$out/labs/labs.wasm" | wc -c)"
printf 'ntatlas-loopback-windows-amd64.exe: %s bytes\n' "$(wc -c < "$out/downloads/ntatlas-loopback-windows-amd64.exe")"
