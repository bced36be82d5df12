package main

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoLLVM runs the CLI with a PATH that holds no LLVM tools: compile
// (for this machine and cross-compiling for arm64) and run work with the
// default (native) back end, and --backend llvm
// names what is missing. FindTools caches its answer per process, so the
// CLI runs in a child process (this test binary, re-executed).
func TestNoLLVM(t *testing.T) {
	if args := os.Getenv("WASMAOT_TEST_CLI_ARGS"); args != "" {
		os.Exit(runApp(newApp(), append([]string{"wasmaot"}, strings.Split(args, "\n")...)))
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "m.wat")
	os.WriteFile(src, []byte(`(module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))`), 0o644)
	emptyPath := t.TempDir()
	cli := func(args ...string) (string, error) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestNoLLVM$")
		cmd.Env = append(os.Environ(), "PATH="+emptyPath, "WASMAOT_TEST_CLI_ARGS="+strings.Join(args, "\n"))
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	obj := filepath.Join(dir, "m.o")
	if out, err := cli("compile", src, "-o", obj); err != nil {
		t.Fatalf("compile without LLVM: %v\n%s", err, out)
	}
	if out, err := cli("run", "--invoke", "add", obj, "40", "2"); err != nil || !strings.HasPrefix(out, "42\n") {
		t.Fatalf("run without LLVM: %v\n%s", err, out)
	}
	armObj := filepath.Join(dir, "m-arm64.o")
	if out, err := cli("compile", "--target", "arm64", src, "-o", armObj); err != nil {
		t.Fatalf("compile --target arm64 without LLVM: %v\n%s", err, out)
	}
	f, err := elf.Open(armObj)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if f.Machine != elf.EM_AARCH64 {
		t.Fatalf("compile --target arm64 wrote a %v object, want EM_AARCH64", f.Machine)
	}
	out, err := cli("compile", "--backend", "llvm", src, "-o", obj)
	if err == nil || !strings.Contains(out, "opt-14 (or opt) not found in PATH") || !strings.Contains(out, "llvm-14") {
		t.Fatalf("compile --backend llvm without LLVM: %v, want an error naming opt and the llvm-14 package:\n%s", err, out)
	}
}
