#!/usr/bin/env bash
# run-demo.sh: what `make demo` runs. Compiles demo.c to wasm32-wasi, then
# to native objects for amd64 and arm64 from this one machine, through the
# LLVM tier and through the native back ends (no LLVM), runs the amd64
# objects natively and the arm64 ones under qemu-aarch64-static with an
# arm64 build of wasmaot, and checks that all four print the same thing.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=bin/demo
mkdir -p "$out"
go build -o bin/wasmaot ./cmd/wasmaot
GOOS=linux GOARCH=arm64 go build -o bin/wasmaot-arm64 ./cmd/wasmaot

echo "== clang-14 --target=wasm32-wasi -O2 examples/demo/demo.c"
clang-14 --target=wasm32-wasi -O2 -o "$out/demo.wasm" examples/demo/demo.c
for b in llvm native; do
	for t in amd64 arm64; do
		echo "== wasmaot compile --backend $b --target $t"
		bin/wasmaot compile -v --backend "$b" --target "$t" -o "$out/demo-$t-$b.o" "$out/demo.wasm"
	done
done
file "$out"/demo-*.o 2>/dev/null || true

for b in llvm native; do
	args=(--env GREETING=hi "$out/demo-amd64-$b.o" one two)
	echo "== amd64 ($b back end), native: wasmaot run ${args[*]}"
	bin/wasmaot run "${args[@]}" | tee "$out/amd64-$b.txt"
	args=(--env GREETING=hi "$out/demo-arm64-$b.o" one two)
	echo "== arm64 ($b back end), under qemu-aarch64-static: wasmaot run ${args[*]}"
	qemu-aarch64-static bin/wasmaot-arm64 run "${args[@]}" | tee "$out/arm64-$b.txt"
done

status=0
for f in amd64-native arm64-llvm arm64-native; do
	if ! cmp -s "$out/amd64-llvm.txt" "$out/$f.txt"; then
		echo "== OUTPUT DIFFERS between amd64-llvm and $f:" >&2
		diff "$out/amd64-llvm.txt" "$out/$f.txt" >&2 || true
		status=1
	fi
done
if [ "$status" = 0 ]; then
	echo "== same output on amd64 and arm64, through LLVM and through the native back ends"
fi
exit "$status"
