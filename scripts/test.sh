#!/usr/bin/env bash
# Runs every test of NT Atlas. Installs what it needs when missing (Chromium and PostgreSQL from
# Debian's packages), so it passes on a fresh machine. Usage: ./scripts/test.sh [-short]
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\n==> %s\n' "$*"; }

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  need_apt+=(postgresql)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing ${need_apt[*]} from Debian's packages"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "warning: missing ${need_apt[*]}; browser or PostgreSQL tests will skip (they fail when CI=true)" >&2
  fi
fi

say "gofmt"
unformatted=$(gofmt -l cmd internal bench content.go)
if [ -n "$unformatted" ]; then echo "gofmt would change:"; echo "$unformatted"; exit 1; fi

say "go vet"
go vet ./...

say "staticcheck"
go tool staticcheck ./...

say "ntatlas check (the embedded content)"
go run ./cmd/ntatlas check

say "go test"
go test -count=1 -timeout 20m ./... 2>&1 | tee /tmp/ntatlas-test.log

say "go test -race (server, content, ranking, search, progress)"
go test -count=1 -race -skip 'Browser' -timeout 20m ./internal/web/... ./internal/content/... ./internal/rank/... ./internal/search/... $(go list ./internal/progress/... 2>/dev/null | head -20)

say "all tests passed"
