package llvm

import (
	"context"
	"github.com/wasmaot/wasmaot/backend"
	"slices"
	"testing"

	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/lower/ir"
)

// opsModule builds one function per numeric, SIMD, load and store
// operation of the IR: parameters of the op's operand types (an i32
// address first for memory ops), the operation, and a return of its
// result. The module has one memory.
func opsModule() *ir.Module {
	wm := &wasm.Module{Memories: []wasm.MemoryType{{Limits: wasm.Limits{Min: 1}}}}
	m := &ir.Module{Wasm: wm}
	var ops []wasm.Opcode
	for _, op := range wasm.Opcodes() {
		if info := ir.Op(op).Info(); info != nil {
			switch info.Kind {
			case ir.KindConst, ir.KindPure, ir.KindLoad, ir.KindStore:
				ops = append(ops, op)
			}
		}
	}
	slices.Sort(ops)
	for i, op := range ops {
		info := ir.Op(op).Info()
		sig := wasm.FuncType{Params: info.Params, Results: info.Results}
		wm.Types = append(wm.Types, sig)
		wm.Funcs = append(wm.Funcs, uint32(i))
		f := &ir.Func{Index: uint32(i), Sig: sig}
		b := f.NewBlock()
		for _, t := range sig.Params {
			b.Params = append(b.Params, f.NewValue(t))
		}
		in := &ir.Instr{Op: ir.Op(op), Args: slices.Clone(b.Params), Const: 0x0706050403020100, ConstHi: 0x0f0e0d0c0b0a0908}
		if info.Kind == ir.KindLoad || info.Kind == ir.KindStore {
			b.Instrs = append(b.Instrs, &ir.Instr{Op: ir.OpBoundsCheck, Args: []ir.Value{b.Params[0]}, Const: 16})
			in.Offset = 8
		}
		ret := &ir.Instr{Op: ir.OpReturn}
		for _, t := range info.Results {
			v := f.NewValue(t)
			in.Results = append(in.Results, v)
			ret.Args = append(ret.Args, v)
		}
		b.Instrs = append(b.Instrs, in, ret)
		m.Funcs = append(m.Funcs, f)
	}
	return m
}

// TestEveryOperation translates and compiles every numeric, SIMD, load and
// store operation for both targets at -O0 (nothing folded away) and -O2,
// so that no operation lacks a translation and LLVM 14 can select
// instructions for every one.
func TestEveryOperation(t *testing.T) {
	m := opsModule()
	if len(m.Funcs) < 390 {
		t.Fatalf("only %d operations found", len(m.Funcs))
	}
	for _, f := range m.Funcs {
		if err := ir.VerifyFunc(m.Wasm, f); err != nil {
			t.Fatalf("test module: %v", err)
		}
	}
	needTools(t)
	for _, arch := range []string{"amd64", "arm64"} {
		for _, level := range []int{0, 2} {
			tgt, _ := TargetFor(arch)
			obj, err := Compile(context.Background(), m, withMeta(t, m, Options{Target: tgt, OptLevel: level}))
			if err != nil {
				t.Fatalf("%s -O%d: %v", arch, level, err)
			}
			if arch == "arm64" {
				if _, err := backend.CheckReservedRegisters(obj); err != nil {
					t.Errorf("-O%d: %v", level, err)
				}
			}
		}
	}
}
