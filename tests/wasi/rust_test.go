package wasi_test

import (
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wasmaot/wasmaot/rtlib/wasi"
)

// The Rust programs of testdata/rust, each on every engine.

func TestRustHello(t *testing.T) {
	wasm := rustProgram(t, "hello")
	env := []string{"GREETING=hi there", "EMPTY=", "NOT_UTF8=\xff\xfe"}
	want := func(args ...string) string {
		var b strings.Builder
		fmt.Fprintf(&b, "argc=%d\n", len(args))
		for i, a := range args {
			fmt.Fprintf(&b, "argv[%d]=%s\n", i, a)
		}
		// The program lists env::vars_os() lossily (env::vars() would
		// panic on the entry that is not UTF-8).
		b.WriteString("environ entries=3\nEMPTY=\nGREETING=hi there\nNOT_UTF8=\ufffd\ufffd\nHOME=(unset)\nNOT_UTF8 is not unicode\n")
		return b.String()
	}
	for _, eng := range engines {
		t.Run(eng.Name(), func(t *testing.T) {
			res := runProgram(t, eng, wasm, wasi.Config{Args: []string{"hello", "one", "two words"}, Env: env}, time.Minute)
			expect(t, res, 0, want("hello", "one", "two words"), "to stderr\n")
			res = runProgram(t, eng, wasm, wasi.Config{Args: []string{"hello", "exit", "3"}, Env: env}, time.Minute)
			expect(t, res, 3, want("hello", "exit", "3"), "to stderr\n")
			res = runProgram(t, eng, wasm, wasi.Config{Args: []string{"hello", "panic"}, Env: env}, time.Minute)
			if res.err == nil {
				t.Errorf("panic: run ended without a trap (exit %d)", res.exit)
			}
			if !strings.Contains(res.stderr, "asked to panic") {
				t.Errorf("panic: stderr %q lacks the panic message", res.stderr)
			}
		})
	}
}

func TestRustStdin(t *testing.T) {
	wasm := rustProgram(t, "stdin")
	in := strings.Repeat("hello, rust\n", 1000) + "no newline"
	want := strings.ToUpper(in) + "bytes=12010 lines=1000\n"
	for _, eng := range engines {
		t.Run(eng.Name(), func(t *testing.T) {
			res := runProgram(t, eng, wasm, wasi.Config{Args: []string{"stdin"}, Stdin: strings.NewReader(in)}, time.Minute)
			expect(t, res, 0, want, "")
		})
	}
}

func TestRustClockRandom(t *testing.T) {
	wasm := rustProgram(t, "clockrand")
	fixed := time.Unix(1_000_000_000, 123_456_789)
	for _, eng := range engines {
		t.Run(eng.Name(), func(t *testing.T) {
			res := runProgram(t, eng, wasm, wasi.Config{
				Args:   []string{"clockrand"},
				Now:    func() time.Time { return fixed },
				Random: &countingReader{},
			}, time.Minute)
			expect(t, res, 0, "realtime=1000000000.123456789\nslept at least 20ms: yes\nmonotonic: ok\n"+
				"random_get=0 000102030405060708090a0b0c0d0e0f\nhashmap sum=328350\n", "")
		})
	}
}

func TestRustThreads(t *testing.T) {
	wasm := rustProgram(t, "threads")
	want := golden(t, "rust/threads.out")
	for _, eng := range engines {
		t.Run(eng.Name(), func(t *testing.T) {
			res := runProgram(t, eng, wasm, wasi.Config{Args: []string{"threads"}}, time.Minute)
			expect(t, res, 0, want, "")
		})
	}
}

func TestRustFiles(t *testing.T) {
	wasm := rustProgram(t, "files")
	want := golden(t, "rust/files.out")
	for _, eng := range engines {
		t.Run(eng.Name(), func(t *testing.T) {
			dir := t.TempDir()
			res := runProgram(t, eng, wasm, wasi.Config{
				Args:     []string{"files"},
				Preopens: []wasi.Preopen{{HostPath: dir, GuestPath: "/sandbox"}},
			}, time.Minute)
			expect(t, res, 0, want, "")
			if b, err := os.ReadFile(filepath.Join(dir, "a", "moved.txt")); err != nil || string(b) != "via hard link" {
				t.Errorf("host a/moved.txt = %q, %v", b, err)
			}
			if _, err := os.Stat(filepath.Join(dir, "a", "b")); !os.IsNotExist(err) {
				t.Errorf("host a/b still exists: %v", err)
			}
		})
	}
}

// TestRustConformance runs the rights, directory-descriptor and
// trailing-slash cases; conformance.out holds wasmtime's errnos.
func TestRustConformance(t *testing.T) {
	wasm := rustProgram(t, "conformance")
	want := golden(t, "rust/conformance.out")
	for _, eng := range engines {
		t.Run(eng.Name(), func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "file"), []byte("abcdef"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Mkdir(filepath.Join(dir, "dir"), 0o755); err != nil {
				t.Fatal(err)
			}
			res := runProgram(t, eng, wasm, wasi.Config{
				Args:     []string{"conformance"},
				Preopens: []wasi.Preopen{{HostPath: dir, GuestPath: "/scratch"}},
			}, time.Minute)
			expect(t, res, 0, want, "")
			if b, err := os.ReadFile(filepath.Join(dir, "file")); err != nil || string(b) != "abcdef" {
				t.Errorf("host file = %q, %v; refused calls must not change it", b, err)
			}
			entries, _ := os.ReadDir(dir)
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			if got := strings.Join(names, " "); got != "dir file" {
				t.Errorf("scratch directory holds %q, want only dir and file", got)
			}
		})
	}
}

// TestRustCargo runs crcsum, built by cargo offline against Debian's
// crc32fast and hex crates; Go's hash/crc32 is the oracle.
func TestRustCargo(t *testing.T) {
	wasm := cargoProgram(t, "crcsum")
	in := strings.Repeat("checksum me\n", 500)
	data := []byte("\x00\x01binary\xff data in a file")
	line := func(name string, b []byte) string {
		return fmt.Sprintf("%s %08x %d %x\n", name, crc32.ChecksumIEEE(b), len(b), b[:min(len(b), 8)])
	}
	want := line("-", []byte(in)) + line("/in/data.bin", data)
	for _, eng := range engines {
		t.Run(eng.Name(), func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "data.bin"), data, 0o644); err != nil {
				t.Fatal(err)
			}
			res := runProgram(t, eng, wasm, wasi.Config{
				Args:     []string{"crcsum", "/in/data.bin"},
				Stdin:    strings.NewReader(in),
				Preopens: []wasi.Preopen{{HostPath: dir, GuestPath: "/in", ReadOnly: true}},
			}, time.Minute)
			expect(t, res, 0, want, "")
			res = runProgram(t, eng, wasm, wasi.Config{
				Args:     []string{"crcsum", "/in/missing"},
				Preopens: []wasi.Preopen{{HostPath: dir, GuestPath: "/in", ReadOnly: true}},
			}, time.Minute)
			if res.exit != 2 || !strings.Contains(res.stderr, "/in/missing") {
				t.Errorf("missing file: exit %d, stderr %q; want exit 2 naming the file", res.exit, res.stderr)
			}
		})
	}
}
