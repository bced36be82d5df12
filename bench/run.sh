#!/usr/bin/env bash
# Entry point of `make bench`: builds the benchmark programs and the
# harness, runs every available engine, prints the Markdown report and
# writes ../BENCHMARKS.md and ratio-to-native.png. Extra arguments go to
# the harness (see `go run ./cmd/bench -h`).
set -euo pipefail
cd "$(dirname "$0")"
for tool in clang-14 go gcc; do
	command -v "$tool" >/dev/null || { echo "bench: $tool is required (see make deps)" >&2; exit 1; }
done
# wasmtime-go links a static library through cgo.
export CGO_ENABLED=1
exec go run ./cmd/bench "$@"
