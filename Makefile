# wasmaot build, test and demo targets. `make test` is what CI runs.
SHELL := /bin/bash
GO ?= go
SUITE ?= ../shared/testsuite/wasm-2.0
BIN := bin
WASMAOT := $(BIN)/wasmaot
APT_PACKAGES := clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32 llvm-14 qemu-user-static wabt binaryen

.PHONY: all deps build test unit spec fuzz vet demo bench clean

all: build

# deps installs the Debian packages and Go modules wasmaot needs. Idempotent;
# apt runs only when something is missing (needs root or sudo then).
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
	$(GO) mod download

build:
	$(GO) build -o $(WASMAOT) ./cmd/wasmaot

vet:
	$(GO) vet ./...

unit:
	$(GO) test ./...

# spec runs the WebAssembly 2.0 suite through the IR interpreter (decode,
# validate, lower, passes, interpret).
spec: build
	$(WASMAOT) wast --backend interp $(SUITE)/*.wast

test: deps vet unit spec

# fuzz runs each fuzz target for FUZZTIME: the decoder, the text and script
# parsers, the object metadata decoder and (once it exists) the object loader.
FUZZTIME ?= 1m
FUZZ_TARGETS := ./compiler/wasm:FuzzDecode ./compiler/wat:FuzzParseWat \
	./compiler/wast:FuzzParseWast ./rtlib/abi:FuzzDecodeMeta
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "== $$name ($$pkg, $(FUZZTIME))"; \
		$(GO) test $$pkg -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME); \
	done

# demo compiles examples/demo/demo.c to wasm, then to amd64 and arm64
# objects, runs both (arm64 under qemu-aarch64-static) and compares output.
demo: deps
	examples/demo/run-demo.sh

# bench runs the benchmark harness (bench/, a separate module with cgo for
# wasmtime) and rewrites BENCHMARKS.md and its chart. Extra arguments:
# make bench BENCH_ARGS="-programs sieve,nbody -reps 1".
bench: deps
	bench/run.sh $(BENCH_ARGS)

clean:
	rm -rf $(BIN)
