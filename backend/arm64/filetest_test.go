package arm64

import (
	"bytes"
	"context"
	"debug/elf"
	"fmt"
	"sort"
	"strings"
	"testing"

	"golang.org/x/arch/arm64/arm64asm"

	"github.com/wasmaot/wasmaot/backend"
	"github.com/wasmaot/wasmaot/rtlib/abi"
	"github.com/wasmaot/wasmaot/tests/filetest"
)

// Filetests (testdata/*.txt, format: tests/filetest) pin the machine code
// the back end emits for IR, and with it the guards the sandbox rests on:
// bounds checks, trap paths, the stack-limit check, interrupt polls and
// call_indirect's checks. The test line is "arm64"; the input is
//
//	;; wasm: a WAT module giving the context (types, memories, tables…)
//	<IR text of every defined function of that module>
//
// and the output the disassembly (arm64asm, GNU syntax) of every
// wasm_func_* symbol, one instruction a line with its offset.
func TestFiletests(t *testing.T) {
	filetest.Run(t, "testdata/*.txt", func(t *testing.T, kind, input string) string {
		if kind != "arm64" {
			t.Fatalf("test kind %q, want arm64", kind)
		}
		return disassemble(t, compileIR(t, input))
	})
}

// compileIR compiles the ";; wasm:" module with the given IR functions.
func compileIR(t *testing.T, input string) []byte {
	t.Helper()
	m := filetest.Module(t, input)
	tgt, err := backend.TargetFor("arm64")
	if err != nil {
		t.Fatal(err)
	}
	meta, err := backend.BuildMeta(m.Wasm, tgt, "wasmaot-test/native", [32]byte{})
	if err != nil {
		t.Fatal(err)
	}
	obj, err := Compile(context.Background(), &backend.Input{Module: m, Meta: meta, Target: tgt}, backend.Options{Jobs: 1})
	if err != nil {
		t.Fatal(err)
	}
	return obj
}

// disassemble lists the instructions of every wasm_func_* symbol.
func disassemble(t *testing.T, obj []byte) string {
	t.Helper()
	f, err := elf.NewFile(bytes.NewReader(obj))
	if err != nil {
		t.Fatal(err)
	}
	syms, err := f.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	text, err := f.Section(".text").Data()
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(syms, func(i, j int) bool { return syms[i].Value < syms[j].Value })
	var out strings.Builder
	for _, s := range syms {
		if !strings.HasPrefix(s.Name, abi.FuncSymbolPrefix) {
			continue
		}
		fmt.Fprintf(&out, "%s:\n", s.Name)
		code := text[s.Value : s.Value+s.Size]
		for pc := 0; pc+4 <= len(code); pc += 4 {
			inst, err := arm64asm.Decode(code[pc:])
			if err != nil {
				t.Fatalf("%s+%#x: %v", s.Name, pc, err)
			}
			fmt.Fprintf(&out, "  %4x  %s\n", pc, arm64asm.GNUSyntax(inst))
		}
		out.WriteString("\n")
	}
	return out.String()
}
