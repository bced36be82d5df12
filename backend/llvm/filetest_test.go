package llvm

import (
	"regexp"
	"strings"
	"testing"

	"github.com/wasmaot/wasmaot/tests/filetest"
)

// Filetests (testdata/*.txt, format: tests/filetest) pin the LLVM text
// the tier writes for IR, and with it the guards the sandbox rests on: the
// shape of bounds checks, trap calls, stack-limit and interrupt checks,
// invariant loads. The test line is "llvm ARCH"; the input is
//
//	;; wasm: a WAT module giving the context (types, memories, tables…);
//	;; wasm: continued on more such lines
//	<IR text of every defined function of that module>
//
// and the output the LLVM definitions of the functions (wasm_func_*). The
// IR is verified against the module first. Every file's whole LLVM module
// must also be free of nsw, nuw and inbounds, flags that would let LLVM
// delete a guard.
func TestFiletests(t *testing.T) {
	filetest.Run(t, "testdata/*.txt", func(t *testing.T, kind, input string) string {
		arch, ok := strings.CutPrefix(kind, "llvm ")
		if !ok {
			t.Fatalf("test kind %q, want llvm ARCH", kind)
		}
		full, defs := runFiletest(t, arch, input)
		if bad := unsafeFlags.FindString(full); bad != "" {
			t.Errorf("the LLVM module contains %q", bad)
		}
		return defs
	})
}

// unsafeFlags are the LLVM flags that make overflow or out-of-bounds
// addresses undefined, which would license LLVM to drop checks.
var unsafeFlags = regexp.MustCompile(`\b(nsw|nuw|inbounds)\b`)

// runFiletest translates the input and returns the whole LLVM text and
// the definitions of the wasm functions.
func runFiletest(t *testing.T, arch, input string) (string, string) {
	t.Helper()
	m := filetest.Module(t, input)
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
