package llvm

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/compiler/wat"
	"github.com/wasmaot/wasmaot/lower/ir"
)

var update = flag.Bool("update", false, "rewrite the expected output of the filetests")

// Filetests (testdata/*.txt) pin the LLVM text the tier writes for IR, and
// with it the guards the sandbox rests on: the shape of bounds checks,
// trap calls, stack-limit and interrupt checks, invariant loads. Format:
//
//	;; test: llvm ARCH
//	;; wasm: a WAT module giving the context (types, memories, tables…);
//	;; wasm: continued on more such lines
//	<IR text of every defined function of that module>
//	;; expect:
//	<the LLVM definitions of the functions (wasm_func_*)>
//
// The IR is verified against the module first. go test -update rewrites
// the expected parts; review the diff, since it is the sandbox's contract.
// Every file's whole LLVM module must also be free of nsw, nuw and
// inbounds, flags that would let LLVM delete a guard.
func TestFiletests(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatal("no filetests in testdata")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			head, rest, ok := strings.Cut(string(src), "\n")
			arch, ok2 := strings.CutPrefix(head, ";; test: llvm ")
			input, want, ok3 := strings.Cut(rest, ";; expect:\n")
			if !ok || !ok2 || !ok3 {
				t.Fatal("malformed filetest: want ';; test: llvm ARCH', ';; wasm:' lines, IR, ';; expect:', output")
			}
			full, got := runFiletest(t, strings.TrimSpace(arch), input)
			if bad := unsafeFlags.FindString(full); bad != "" {
				t.Errorf("the LLVM module contains %q", bad)
			}
			if *update {
				if err := os.WriteFile(file, []byte(head+"\n"+input+";; expect:\n"+got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if got != want {
				t.Errorf("output differs; got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// unsafeFlags are the LLVM flags that make overflow or out-of-bounds
// addresses undefined, which would license LLVM to drop checks.
var unsafeFlags = regexp.MustCompile(`\b(nsw|nuw|inbounds)\b`)

// runFiletest translates the input and returns the whole LLVM text and
// the definitions of the wasm functions.
func runFiletest(t *testing.T, arch, input string) (string, string) {
	t.Helper()
	var wasmSrc, irSrc strings.Builder
	for _, line := range strings.SplitAfter(input, "\n") {
		if w, ok := strings.CutPrefix(line, ";; wasm:"); ok {
			wasmSrc.WriteString(w)
		} else {
			irSrc.WriteString(line)
		}
	}
	bin, err := wat.Parse([]byte(wasmSrc.String()))
	if err != nil {
		t.Fatalf("wasm: %v", err)
	}
	wm, err := wasm.Decode(bin)
	if err == nil {
		err = wasm.Validate(wm)
	}
	if err != nil {
		t.Fatalf("wasm: %v", err)
	}
	m, err := ir.Parse(irSrc.String())
	if err != nil {
		t.Fatalf("IR: %v", err)
	}
	m.Wasm = wm
	sort.Slice(m.Funcs, func(i, j int) bool { return m.Funcs[i].Index < m.Funcs[j].Index })
	for _, f := range m.Funcs {
		if err := ir.VerifyFunc(wm, f); err != nil {
			t.Fatalf("IR: %v", err)
		}
	}
	tgt, err := TargetFor(arch)
	if err != nil {
		t.Fatal(err)
	}
	mods, err := Translate(m, withMeta(t, m, Options{Target: tgt}))
	if err != nil {
		t.Fatal(err)
	}
	full := string(mods[0])
	var defs strings.Builder
	for _, block := range strings.SplitAfter(full, "\n}\n") {
		if i := strings.Index(block, "define "); i >= 0 && strings.Contains(block[i:strings.IndexByte(block[i:], '\n')+i], "@wasm_func_") {
			defs.WriteString(block[i:])
			defs.WriteString("\n")
		}
	}
	return full, defs.String()
}
