package amd64

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"golang.org/x/arch/x86/x86asm"

	"github.com/wasmaot/wasmaot/backend"
	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/compiler/wat"
	"github.com/wasmaot/wasmaot/lower/ir"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

var update = flag.Bool("update", false, "rewrite the expected output of the filetests")

// Filetests (testdata/*.txt) pin the machine code the back end emits for
// IR, and with it the guards the sandbox rests on: bounds checks, trap
// calls, the stack-limit prologue, interrupt polls and call_indirect's
// checks. Format:
//
//	;; test: native amd64
//	;; wasm: a WAT module giving the context (types, memories, tables…)
//	<IR text of every defined function of that module>
//	;; expect:
//	<the disassembly of each function>
//
// go test -update rewrites the expected parts; review the diff, since it
// is the sandbox's contract. Offsets are from the function's start; the
// trap stubs at the end load the trap code into ESI and call the trap
// builtin through the VMContext's table at [r15].
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
			input, want, ok2 := strings.Cut(rest, ";; expect:\n")
			if !ok || !ok2 || head != ";; test: native amd64" {
				t.Fatal("malformed filetest: want ';; test: native amd64', ';; wasm:' lines, IR, ';; expect:', output")
			}
			got := runFiletest(t, input)
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

// parseFiletest builds the IR module of a filetest input, verified
// against its wasm module.
func parseFiletest(t *testing.T, input string) (*ir.Module, *abi.Meta) {
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
	tgt, err := backend.TargetFor("amd64")
	if err != nil {
		t.Fatal(err)
	}
	meta, err := backend.BuildMeta(wm, tgt, "wasmaot-test/native", [32]byte{})
	if err != nil {
		t.Fatal(err)
	}
	return m, meta
}

func runFiletest(t *testing.T, input string) string {
	t.Helper()
	m, meta := parseFiletest(t, input)
	mod := newModuleForTest(t, m, meta)
	var out strings.Builder
	for _, f := range m.Funcs {
		c, err := mod.compileFunc(f)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&out, "%s:\n%s\n", abi.FuncSymbol(int(f.Index)), disassemble(t, c.code))
	}
	return out.String()
}

func newModuleForTest(t *testing.T, m *ir.Module, meta *abi.Meta) *module {
	t.Helper()
	mod := &module{wasm: m.Wasm, layout: meta.Layout()}
	for i := uint32(0); i < m.Wasm.NumFuncs(); i++ {
		mod.funcTypes = append(mod.funcTypes, m.Wasm.FuncTypeOf(i))
	}
	return mod
}

// disassemble lists code one instruction a line, with offsets.
func disassemble(t *testing.T, code []byte) string {
	var b strings.Builder
	for pc := 0; pc < len(code); {
		inst, err := x86asm.Decode(code[pc:], 64)
		if err != nil {
			t.Fatalf("offset %#x: % x does not decode: %v", pc, code[pc:min(pc+15, len(code))], err)
		}
		fmt.Fprintf(&b, "%4x: %s\n", pc, x86asm.IntelSyntax(inst, uint64(pc), nil))
		pc += inst.Len
	}
	return b.String()
}
