package wasi_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Rust programs are built with Debian's rustc (/usr/bin/rustc), which has
// the wasm32-wasi standard library; a rustup toolchain earlier on PATH
// usually has no wasm target, so the Debian binaries are named by path.
// Crates come from Debian's librust-*-dev packages through cargo in
// offline mode. `make deps` installs all of them.
const (
	debianRustc   = "/usr/bin/rustc"
	debianCargo   = "/usr/bin/cargo"
	rustWasmStd   = "/usr/lib/rustlib/wasm32-wasi"
	debianCrates  = "/usr/share/cargo/registry"
	rustSkipHint  = "make deps installs rustc and libstd-rust-dev-wasm32"
	cargoSkipHint = "make deps installs cargo, librust-crc32fast-dev and librust-hex-dev"
)

func needRust(t testing.TB) {
	t.Helper()
	for _, p := range []string{debianRustc, rustWasmStd} {
		if _, err := os.Stat(p); err != nil {
			t.Skipf("%s missing: Rust programs cannot be built (%s)", p, rustSkipHint)
		}
	}
}

// rustProgram builds testdata/rust/NAME.rs with rustc -O for wasm32-wasi.
func rustProgram(t testing.TB, name string) []byte {
	t.Helper()
	needRust(t)
	src, _ := filepath.Abs(filepath.Join("testdata", "rust", name+".rs"))
	out := filepath.Join(buildDir(), "rust-"+name+".wasm")
	wasm, err := buildOnce(out, func() *exec.Cmd {
		return exec.Command(debianRustc, "--edition", "2021", "--target", "wasm32-wasi", "-O", "-C", "strip=debuginfo", "-D", "warnings", "-o", out, src)
	})
	if err != nil {
		t.Fatal(err)
	}
	return wasm
}

// cargoProgram builds the cargo package testdata/rust/NAME offline, its
// dependencies resolved from Debian's vendored crates. The package is
// copied into the build directory first, so the Cargo.lock cargo writes
// stays out of the source tree.
func cargoProgram(t testing.TB, name string) []byte {
	t.Helper()
	needRust(t)
	for _, p := range []string{debianCargo, debianCrates} {
		if _, err := os.Stat(p); err != nil {
			t.Skipf("%s missing: the cargo program cannot be built (%s)", p, cargoSkipHint)
		}
	}
	dir := filepath.Join(buildDir(), "cargo-"+name)
	out := filepath.Join(dir, "target", "wasm32-wasi", "release", name+".wasm")
	wasm, err := buildOnceAfter(out, func() (*exec.Cmd, error) {
		if err := os.CopyFS(dir, os.DirFS(filepath.Join("testdata", "rust", name))); err != nil {
			return nil, err
		}
		home := filepath.Join(dir, "cargo-home")
		config := "[source.crates-io]\nreplace-with = \"debian\"\n\n[source.debian]\ndirectory = \"" + debianCrates + "\"\n"
		if err := os.MkdirAll(home, 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(home, "config.toml"), []byte(config), 0o644); err != nil {
			return nil, err
		}
		c := exec.Command(debianCargo, "build", "--offline", "--release", "--target", "wasm32-wasi")
		c.Dir = dir
		c.Env = append(os.Environ(), "CARGO_HOME="+home, "RUSTC="+debianRustc, "RUSTDOC=/usr/bin/rustdoc",
			"CARGO_TARGET_DIR="+filepath.Join(dir, "target"))
		return c, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return wasm
}
