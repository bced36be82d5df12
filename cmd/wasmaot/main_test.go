package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// wasmaot runs the CLI in-process and returns its exit status and output.
func wasmaot(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	app := newApp()
	app.Writer, app.ErrWriter = &stdout, &stderr
	oldStderr := os.Stderr
	r, w, _ := os.Pipe()
	os.Stderr = w
	code := runApp(app, append([]string{"wasmaot"}, args...))
	w.Close()
	os.Stderr = oldStderr
	var errOut bytes.Buffer
	errOut.ReadFrom(r)
	return code, stdout.String(), stderr.String() + errOut.String()
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const mathWat = `(module
  (import "env" "log" (func $log (param i32)))
  (memory (export "memory") 1 4)
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
  (func (export "pair") (result i64 f64) i64.const -7 f64.const 2.5))`

func TestValidate(t *testing.T) {
	good := writeFile(t, "good.wat", mathWat)
	if code, out, errs := wasmaot(t, "validate", good); code != 0 || !strings.Contains(out, "valid") {
		t.Fatalf("validate good: exit %d, out %q, err %q", code, out, errs)
	}
	bad := writeFile(t, "bad.wasm", "\x00asm\x01\x00\x00\x00\x01\x05")
	code, _, errs := wasmaot(t, "validate", bad)
	if code == 0 || !strings.Contains(errs, "bad.wasm") || !strings.Contains(errs, "0x") {
		t.Fatalf("validate truncated module: exit %d, stderr %q (want the file and a byte offset)", code, errs)
	}
	invalid := writeFile(t, "invalid.wat", `(module (func (result i32) f64.const 1))`)
	code, _, errs = wasmaot(t, "validate", invalid)
	if code == 0 || !strings.Contains(errs, "type mismatch") || !strings.Contains(errs, "func 0") {
		t.Fatalf("validate ill-typed module: exit %d, stderr %q (want type mismatch in func 0)", code, errs)
	}
	if code, _, _ := wasmaot(t, "validate", filepath.Join(t.TempDir(), "missing.wasm")); code == 0 {
		t.Fatal("validate of a missing file succeeded")
	}
}

func TestInspectModule(t *testing.T) {
	path := writeFile(t, "m.wat", mathWat)
	code, out, errs := wasmaot(t, "inspect", path)
	if code != 0 {
		t.Fatalf("inspect: exit %d: %s", code, errs)
	}
	for _, want := range []string{"env (1):", "func   log (i32) -> ()", "func   add (i32, i32) -> (i32)", "memory 0: min 1 pages", "max 4", "functions: 3 defined, 1 imported"} {
		if !strings.Contains(out, want) {
			t.Errorf("inspect output lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = wasmaot(t, "inspect", "--json", path)
	if code != 0 || !strings.Contains(out, `"module": "env"`) {
		t.Errorf("inspect --json: exit %d:\n%s", code, out)
	}
}

func TestReorderFlags(t *testing.T) {
	app := newApp()
	got := reorderFlags(app, []string{"wasmaot", "compile", "in.wasm", "-o", "out.o", "--target=arm64", "-v"})
	want := []string{"wasmaot", "compile", "-o", "out.o", "--target=arm64", "-v", "in.wasm"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("compile: got %v, want %v", got, want)
	}
	run := []string{"wasmaot", "run", "app.o", "-v", "--dir", "x"}
	if got := reorderFlags(app, run); strings.Join(got, " ") != strings.Join(run, " ") {
		t.Errorf("run arguments after the module must go to the guest unchanged, got %v", got)
	}
	got = reorderFlags(app, []string{"wasmaot", "run", "-O1", "--dir", "x", "app.wasm", "-O2", "a"})
	want = []string{"wasmaot", "run", "-O=1", "--dir", "x", "app.wasm", "-O2", "a"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("run: got %v, want %v", got, want)
	}
	got = reorderFlags(app, []string{"wasmaot", "compile", "in.wasm", "-O0"})
	want = []string{"wasmaot", "compile", "-O=0", "in.wasm"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("compile -O0: got %v, want %v", got, want)
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]uint64{"65536": 65536, "64KiB": 65536, "2MiB": 2 << 20, "1G": 1e9} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "x", "-1", "99999999999999GiB"} {
		if _, err := parseSize(bad); err == nil {
			t.Errorf("parseSize(%q) accepted", bad)
		}
	}
}

// TestSignAndVerify goes through keygen, sign, inspect and run
// --verify-key: a signed object runs, and one that is unsigned, signed by
// another key or altered after signing is refused.
func TestSignAndVerify(t *testing.T) {
	if _, err := exec.LookPath("llc-14"); err != nil {
		if _, err := exec.LookPath("llc"); err != nil {
			t.Skip("skipping: llc (LLVM 14) is not installed; `make deps` installs llvm-14")
		}
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "m.wat")
	os.WriteFile(src, []byte(`(module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))`), 0o644)
	obj, signed := filepath.Join(dir, "m.o"), filepath.Join(dir, "signed.o")
	if code, _, errs := wasmaot(t, "compile", src, "-o", obj); code != 0 {
		t.Fatalf("compile: exit %d: %s", code, errs)
	}
	for _, name := range []string{"alice", "mallory"} {
		if code, out, errs := wasmaot(t, "keygen", filepath.Join(dir, name)); code != 0 || !strings.Contains(out, "key ") {
			t.Fatalf("keygen: exit %d, %q %q", code, out, errs)
		}
	}
	if code, _, _ := wasmaot(t, "keygen", filepath.Join(dir, "alice")); code == 0 {
		t.Error("keygen overwrote an existing key")
	}
	key := func(name, ext string) string { return filepath.Join(dir, name+"."+ext) }
	if code, _, errs := wasmaot(t, "sign", "--key", key("alice", "key"), "-o", signed, obj); code != 0 {
		t.Fatalf("sign: exit %d: %s", code, errs)
	}
	if code, out, _ := wasmaot(t, "inspect", signed); code != 0 || !strings.Contains(out, "seal: intact") || !strings.Contains(out, "signed by key") {
		t.Errorf("inspect signed object: exit %d\n%s", code, out)
	}
	run := func(path, pub string) (int, string, string) {
		return wasmaot(t, "run", "--verify-key", pub, "--invoke", "add", path, "40", "2")
	}
	if code, out, errs := run(signed, key("alice", "pub")); code != 0 || out != "42\n" {
		t.Errorf("run signed object: exit %d, out %q, err %q", code, out, errs)
	}
	data, _ := os.ReadFile(signed)
	altered := filepath.Join(dir, "altered.o")
	data[len(data)/3] ^= 0x10
	os.WriteFile(altered, data, 0o644)
	for _, c := range []struct{ obj, pub, want string }{
		{obj, key("alice", "pub"), "not signed"},
		{signed, key("mallory", "pub"), "signed by key"},
		{altered, key("alice", "pub"), "corrupt or tampered"},
		{signed, key("alice", "key"), "not a wasmaot ed25519 public key"},
	} {
		if code, out, errs := run(c.obj, c.pub); code == 0 || !strings.Contains(errs, c.want) {
			t.Errorf("run %s --verify-key %s: exit %d, out %q, err %q; want an error containing %q",
				filepath.Base(c.obj), filepath.Base(c.pub), code, out, errs, c.want)
		}
	}
}

// TestMemoryCap checks --max-memory's conversion to pages; 0 is refused
// (it used to become rtlib's "no cap").
func TestMemoryCap(t *testing.T) {
	for in, want := range map[string]uint32{"1": 1, "64KiB": 1, "65537": 2, "1MiB": 16, "8GiB": 65536} {
		if got, err := memoryCap(in); err != nil || got != want {
			t.Errorf("memoryCap(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, zero := range []string{"0", "0KiB", "0B"} {
		if pages, err := memoryCap(zero); err == nil || !strings.Contains(err.Error(), "0 bytes") {
			t.Errorf("memoryCap(%q) = %d, %v; want a refusal", zero, pages, err)
		}
	}
}

// TestCompileAndRun goes through LLVM: compile, inspect the object, run
// exports, and check exit statuses of traps.
func TestCompileAndRun(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "m.wat")
	os.WriteFile(src, []byte(`(module
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
  (func (export "pair") (result i64 f64) i64.const -7 f64.const 2.5))`), 0o644)
	obj := filepath.Join(dir, "m.o")
	if code, _, errs := wasmaot(t, "compile", src, "-o", obj); code != 0 {
		t.Fatalf("compile: exit %d: %s", code, errs)
	}
	code, out, errs := wasmaot(t, "inspect", obj)
	if code != 0 || !strings.Contains(out, "runs here: yes") || !strings.Contains(out, "func   add") {
		t.Fatalf("inspect object: exit %d, %s\n%s", code, errs, out)
	}
	if code, out, errs := wasmaot(t, "run", "--invoke", "add", obj, "40", "2"); code != 0 || out != "42\n" {
		t.Errorf("run add: exit %d, out %q, err %q", code, out, errs)
	}
	if code, out, errs := wasmaot(t, "run", "--invoke", "pair", obj); code != 0 || out != "-7\n2.5\n" {
		t.Errorf("run pair: exit %d, out %q, err %q", code, out, errs)
	}
	code, _, errs = wasmaot(t, "run", "--invoke", "div", obj, "1", "0")
	if code != trapExitCode || !strings.Contains(errs, "integer divide by zero") {
		t.Errorf("run div by zero: exit %d, stderr %q", code, errs)
	}
	if code, _, _ := wasmaot(t, "run", "--invoke", "add", obj, "1"); code != 2 {
		t.Errorf("run with too few arguments: exit %d, want 2", code)
	}
	// The .wat itself runs too, compiled through the cache.
	cache := filepath.Join(dir, "cache")
	for i := 0; i < 2; i++ {
		if code, out, errs := wasmaot(t, "run", "--cache-dir", cache, "--invoke", "add", src, "1", "2"); code != 0 || out != "3\n" {
			t.Fatalf("run .wat (pass %d): exit %d, out %q, err %q", i, code, out, errs)
		}
	}
	if entries, _ := os.ReadDir(cache); len(entries) != 1 {
		t.Errorf("cache holds %d entries, want 1", len(entries))
	}
	// A corrupt object is refused with an error, not a crash.
	data, _ := os.ReadFile(obj)
	bad := filepath.Join(dir, "bad.o")
	os.WriteFile(bad, data[:len(data)/2], 0o644)
	if code, _, errs := wasmaot(t, "run", "--invoke", "add", bad, "1", "2"); code != 1 || errs == "" {
		t.Errorf("run truncated object: exit %d, stderr %q", code, errs)
	}
}
