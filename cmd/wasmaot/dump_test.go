package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCompileDump checks the four --dump views and their errors.
func TestCompileDump(t *testing.T) {
	if _, err := exec.LookPath("llc-14"); err != nil {
		if _, err := exec.LookPath("llc"); err != nil {
			t.Skip("skipping: llc (LLVM 14) is not installed; `make deps` installs llvm-14")
		}
	}
	src := writeFile(t, "sum.wat", `(module (memory 1)
  (func (export "sum") (param $n i32) (result i32) (local $i i32) (local $s i32)
    (block (loop
      (br_if 1 (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $s (i32.add (local.get $s) (i32.load (i32.shl (local.get $i) (i32.const 2)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br 0)))
    (local.get $s)))`)
	out := filepath.Join(t.TempDir(), "sum.o")
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"--dump=ir", "--target=amd64", "--backend=llvm"}, []string{"; IR after the passes of -O2, for back end llvm, target amd64 x86-64-v2 +sse3,+ssse3,+sse4.1,+sse4.2,+popcnt", "func f0", "bounds_check memory=0", "interrupt_check"}},
		{[]string{"--dump=ir-after=copyprop", "-O1"}, []string{"; after copyprop (run 1), function 0", "; after copyprop (run 2), function 0"}},
		{[]string{"--dump=llvm", "--backend=llvm"}, []string{"; LLVM module part 1 of 1", "define dso_local hidden i32 @wasm_func_0", "target triple"}},
		{[]string{"--dump=asm", "--target=amd64", "--backend=llvm"}, []string{"wasm_func_0: ;", "wasm_entry_0: ;", "retq"}},
		{[]string{"--dump=asm", "--target=amd64", "--backend=native"}, []string{"wasm_func_0: ;", "wasm_entry_0: ;", "retq", "cmpl $0x0,(%rax)"}},
		{[]string{"--dump=asm", "--target=arm64", "--backend=llvm"}, []string{"wasm_func_0: ;", "RET X30"}},
	} {
		code, stdout, stderr := wasmaot(t, append(append([]string{"compile", "-o", out}, tc.args...), src)...)
		if code != 0 {
			t.Errorf("%v: exit %d: %s", tc.args, code, stderr)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(stdout, w) {
				t.Errorf("%v: no %q in output:\n%.2000s", tc.args, w, stdout)
			}
		}
	}
	for _, tc := range []struct{ arg, want string }{
		{"--dump=ir-after=nosuch", "no such pass"},
		{"--dump=ir-after", "needs a pass"},
		{"--dump=bogus", "unknown view"},
	} {
		if code, _, stderr := wasmaot(t, "compile", "-o", out, tc.arg, src); code == 0 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want an error with %q", tc.arg, code, stderr, tc.want)
		}
	}
	if code, _, stderr := wasmaot(t, "compile", "-o", out, "-O0", "--dump=ir-after=cse", src); code == 0 || !strings.Contains(stderr, "does not run at this -O level") {
		t.Errorf("-O0 --dump=ir-after=cse: exit %d, stderr %q", code, stderr)
	}
}
