package amd64

import (
	"encoding/binary"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/arch/x86/x86asm"

	"github.com/wasmaot/wasmaot/backend"
	"github.com/wasmaot/wasmaot/lower/ir"
	"github.com/wasmaot/wasmaot/rtlib/abi"
	"github.com/wasmaot/wasmaot/tests/filetest"
)

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
	filetest.Run(t, "testdata/*.txt", func(t *testing.T, kind, input string) string {
		if kind != "native amd64" {
			t.Fatalf("test kind %q, want native amd64", kind)
		}
		return runFiletest(t, input)
	})
}

// parseFiletest builds the IR module of a filetest input, verified
// against its wasm module.
func parseFiletest(t *testing.T, input string) (*ir.Module, *abi.Meta) {
	t.Helper()
	m := filetest.Module(t, input)
	tgt, err := backend.TargetFor("amd64")
	if err != nil {
		t.Fatal(err)
	}
	meta, err := backend.BuildMeta(m.Wasm, tgt, "wasmaot-test/native", [32]byte{})
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
		c, err := mod.compileFunc(f, nil)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&out, "%s:\n%s\n", abi.FuncSymbol(int(f.Index)), listing(t, c))
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

// listing disassembles a function's code, with its switch tables as
// 32-bit words, and lists its constant pool as 64-bit words.
func listing(t *testing.T, c *funcCode) string {
	s, pc := "", 0
	for _, sw := range c.switches {
		s += disassemble(t, c.code[:sw[0]], pc)
		for pc = sw[0]; pc < sw[0]+4*sw[1]; pc += 4 {
			s += fmt.Sprintf("%4x: .long %#x\n", pc, binary.LittleEndian.Uint32(c.code[pc:]))
		}
	}
	s += disassemble(t, c.code[:c.pool], pc)
	for pc := c.pool; pc+8 <= len(c.code); pc += 8 {
		s += fmt.Sprintf("%4x: .quad %#x\n", pc, binary.LittleEndian.Uint64(c.code[pc:]))
	}
	return s
}

// disassemble lists code[from:] one instruction a line, with offsets.
func disassemble(t *testing.T, code []byte, from int) string {
	var b strings.Builder
	for pc := from; pc < len(code); {
		inst, err := x86asm.Decode(code[pc:], 64)
		if err != nil {
			t.Fatalf("offset %#x: % x does not decode: %v", pc, code[pc:min(pc+15, len(code))], err)
		}
		fmt.Fprintf(&b, "%4x: %s\n", pc, x86asm.IntelSyntax(inst, uint64(pc), nil))
		pc += inst.Len
	}
	return b.String()
}
