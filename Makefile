# wasmaot build, test and demo targets. `make test` is what CI runs.
SHELL := /bin/bash
GO ?= go
SUITE ?= ../shared/testsuite/wasm-2.0
BIN := bin
WASMAOT := $(BIN)/wasmaot
WASMAOT_ARM64 := $(BIN)/wasmaot-arm64
# Spec-suite objects, cached by module hash, target and compiler build.
SPEC_CACHE ?= $(BIN)/spec-objects
QEMU_ARM64 ?= qemu-aarch64-static
# BUILD_ID hashes the compiler's and runtime's sources (not tests). Both the host and the arm64 build
# carry it, so objects cross-compiled on the host are found in the cache by
# the arm64 build running under emulation.
BUILD_ID := $(shell git ls-files -co --exclude-standard -- '*.go' '*.s' '*.h' go.mod go.sum 2>/dev/null | grep -v -e '^bench/' -e '^tests/' -e '_test\.go$$' | sort | xargs cat 2>/dev/null | sha256sum | cut -c1-16)
LDFLAGS := -X github.com/wasmaot/wasmaot/compiler.Build=$(BUILD_ID)
# rustc (Debian's, /usr/bin/rustc: it has the wasm32-wasi standard library)
# and cargo with Debian's vendored crates build the Rust programs of tests/wasi offline.
APT_PACKAGES := clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32 llvm-14 qemu-user-static wabt binaryen \
	rustc libstd-rust-dev-wasm32 cargo librust-crc32fast-dev librust-hex-dev

.PHONY: all deps build build-arm64 test unit unit-arm64 spec spec-llvm spec-native spec-arm64 spec-arm64-llvm wasi-arm64 diff-arm64 fuzz vet demo bench clean

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
	@if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then npm ci --no-audit --no-fund; fi

build:
	$(GO) build -ldflags '$(LDFLAGS)' -o $(WASMAOT) ./cmd/wasmaot

build-arm64:
	GOOS=linux GOARCH=arm64 $(GO) build -ldflags '$(LDFLAGS)' -o $(WASMAOT_ARM64) ./cmd/wasmaot

vet:
	$(GO) vet ./...

unit:
	$(GO) test -timeout 30m ./...

# unit-arm64 runs the runtime's tests as an arm64 binary under qemu. Their
# test objects are compiled inside the emulated process by backend/arm64
# (rtlib/harness_test.go), with a PATH that holds only go and qemu: no
# LLVM tool can be found, and the run fails if a test skips for want of
# one. It prints the package results and every skip with its reason.
unit-arm64:
	@bin=$$(mktemp -d) && trap 'rm -rf "$$bin"' EXIT && \
	ln -s "$$(command -v $(GO))" "$$(command -v $(QEMU_ARM64))" "$$bin"/ && \
	PATH="$$bin" WASMAOT_EMULATED=1 GOARCH=arm64 $(GO) test -v -exec $(QEMU_ARM64) ./rtlib/... >"$$bin/log" 2>&1; \
	rc=$$?; grep -E '^(ok|FAIL|panic)|^--- FAIL' "$$bin/log"; grep -B1 -- '--- SKIP' "$$bin/log"; \
	echo "rtlib under qemu: $$(grep -c -- '--- PASS' "$$bin/log") passed, $$(grep -c -- '--- SKIP' "$$bin/log") skipped"; \
	if grep -B1 -- '--- SKIP' "$$bin/log" | grep -qiE 'llc|llvm'; then echo "a test skipped for want of LLVM"; exit 1; fi; \
	[ $$rc = 0 ] || { tail -50 "$$bin/log"; exit $$rc; }
	GOARCH=arm64 $(GO) test -short -exec $(QEMU_ARM64) ./backend/arm64

# wasi-arm64 runs the C programs of tests/wasi (and the deep-recursion
# check) as an arm64 test binary under qemu: each program is compiled there
# by the default back end (backend/arm64, no LLVM) and run through
# rtlib/wasi on the wasmaot-native engine alone.
WASI_ARM64_TESTS := ^(TestC(Hello|Stdin|ClockRandom|Files|Escape)|TestRecursionDepth)$$
wasi-arm64:
	WASI_ENGINES=wasmaot-native GOARCH=arm64 $(GO) test -count=1 -v -exec $(QEMU_ARM64) -run '$(WASI_ARM64_TESTS)' ./tests/wasi

# diff-arm64 runs the differential harness as an arm64 test binary under
# qemu: random modules (SIMD included) through the interpreter, the native
# back end (backend/arm64, compiling inside the emulated process), the LLVM
# tier (the host's opt and llc, exec'd from it) and wazero must agree.
diff-arm64:
	GOARCH=arm64 $(GO) test -count=1 -v -exec $(QEMU_ARM64) -run '^(TestRandomModulesNative|TestRandomModulesLLVM)$$' ./tests/spec/diff

# spec runs the WebAssembly 2.0 suite through the IR interpreter (decode,
# validate, lower, passes, interpret).
spec: build
	$(WASMAOT) wast --backend interp $(SUITE)/*.wast

# spec-llvm runs the suite natively through the LLVM tier on this machine.
spec-llvm: build
	$(WASMAOT) wast --backend llvm --cache-dir $(SPEC_CACHE) $(SUITE)/*.wast

# spec-native runs the suite through the native back end (backend/amd64,
# no LLVM), compiling every module afresh (a few seconds in all).
spec-native: build
	$(WASMAOT) wast --backend native --cache-dir "" $(SUITE)/*.wast

# spec-arm64 is the build-machine-to-device path through the native
# AArch64 back end (no LLVM): this machine cross-compiles every suite module
# for arm64, and the arm64 build of wasmaot runs the suite under qemu,
# finding the objects in the cache (a module missing from it would be
# compiled there, by backend/arm64 running under emulation).
spec-arm64: build build-arm64
	$(WASMAOT) wast --backend native --target arm64 --compile-only --cache-dir $(SPEC_CACHE) $(SUITE)/*.wast
	$(QEMU_ARM64) $(WASMAOT_ARM64) wast --backend native --cache-dir $(SPEC_CACHE) $(SUITE)/*.wast

# spec-arm64-llvm is the same path through the LLVM tier (llc cross-compiles;
# not part of make test, whose unit step compiles a sample for arm64 by LLVM).
spec-arm64-llvm: build build-arm64
	$(WASMAOT) wast --backend llvm --target arm64 --compile-only --cache-dir $(SPEC_CACHE) $(SUITE)/*.wast
	$(QEMU_ARM64) $(WASMAOT_ARM64) wast --backend llvm --cache-dir $(SPEC_CACHE) $(SUITE)/*.wast

test: deps vet unit spec spec-llvm spec-native unit-arm64 wasi-arm64 diff-arm64 spec-arm64

# fuzz runs each fuzz target for FUZZTIME: the decoder, the text and script
# parsers, the object metadata decoder, the object loader, and differential
# runs of random modules (interpreter, LLVM tier, wazero). Minimising is
# capped so that large seeds (objects) do not stall a short run.
FUZZTIME ?= 1m
FUZZ_TARGETS := ./compiler/wasm:FuzzDecode ./compiler/wat:FuzzParseWat \
	./compiler/wast:FuzzParseWast ./rtlib/abi:FuzzDecodeMeta ./rtlib:FuzzLoad \
	./compiler/component:FuzzParse ./compiler/component:FuzzReadObject ./rtlib/component:FuzzDecodeGraph \
	./rtlib/wasi/p2/adapter:FuzzSplit ./rtlib/wasi/p2/tree:FuzzManifest \
	./tests/spec/diff:FuzzDiff ./tests/spec/diff:FuzzDiffLLVM
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "== $$name ($$pkg, $(FUZZTIME))"; \
		$(GO) test $$pkg -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 5s; \
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
