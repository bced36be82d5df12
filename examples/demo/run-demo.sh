#!/usr/bin/env bash
# run-demo.sh: what `make demo` runs. Compiles demo.c to wasm32-wasi, then
# to native objects for amd64 and arm64 from this one machine, runs the
# amd64 object natively and the arm64 object under qemu-aarch64-static with
# an arm64 build of wasmaot, and checks that both print the same thing.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=bin/demo
mkdir -p "$out"
go build -o bin/wasmaot ./cmd/wasmaot
GOOS=linux GOARCH=arm64 go build -o bin/wasmaot-arm64 ./cmd/wasmaot

echo "== clang-14 --target=wasm32-wasi -O2 examples/demo/demo.c"
clang-14 --target=wasm32-wasi -O2 -o "$out/demo.wasm" examples/demo/demo.c
for t in amd64 arm64; do
	echo "== wasmaot compile --target $t"
	bin/wasmaot compile -v --target "$t" -o "$out/demo-$t.o" "$out/demo.wasm"
done
file "$out"/demo-*.o 2>/dev/null || true

args=(--env GREETING=hi "$out/demo-amd64.o" one two)
echo "== amd64, native: wasmaot run ${args[*]}"
bin/wasmaot run "${args[@]}" | tee "$out/amd64.txt"
args=(--env GREETING=hi "$out/demo-arm64.o" one two)
echo "== arm64, under qemu-aarch64-static: wasmaot run ${args[*]}"
qemu-aarch64-static bin/wasmaot-arm64 run "${args[@]}" | tee "$out/arm64.txt"

if cmp -s "$out/amd64.txt" "$out/arm64.txt"; then
	echo "== same output on amd64 and arm64"
else
	echo "== OUTPUT DIFFERS between amd64 and arm64:" >&2
	diff "$out/amd64.txt" "$out/arm64.txt" >&2
	exit 1
fi
