package rtlib

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"sync"
	"testing"

	"github.com/wasmaot/wasmaot/backend"
	"github.com/wasmaot/wasmaot/backend/amd64"
	"github.com/wasmaot/wasmaot/backend/arm64"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// Machine code the runtime supports but no back end emits, written with
// the back ends' own assemblers into native objects:
//
//   - fuel metering: charge subtracts one unit from the thread's fuel
//     (abi.ThreadFuel) and calls yield when the count goes negative, the
//     sequence the contract asks of metered code;
//   - calls of the runtime's memmove and memset (abi.RuntimeSymbols),
//     which LLVM-compiled code makes for memory.copy and memory.fill.
//
// They follow the C ABI at their boundaries, as every generated function.

// craftedObjectFor is basic.wat compiled for arch with charge, move and set
// replaced: charge meters one unit of fuel, move(dst, src, n) and
// set(dst, val, n) call the runtime's memmove and memset on memory 0
// without bounds checks and return 1 when it returned its destination.
// The object says it meters fuel.
func craftedObjectFor(t testing.TB, arch abi.Arch) []byte {
	t.Helper()
	v, _ := craftedObjects.LoadOrStore(arch, &compiled{})
	c := v.(*compiled)
	c.once.Do(func() {
		o := decodeObject(t, basicObjectFor(t, arch))
		l := o.Meta.Layout()
		sym := func(name string) string { return funcSymbol(t, o.Meta, name) }
		code, relocs := chargeCode(arch)
		replaceFunc(t, o, sym("charge"), code, relocs)
		code, relocs = memCallCode(arch, l, "memmove")
		replaceFunc(t, o, sym("move"), code, relocs)
		code, relocs = memCallCode(arch, l, "memset")
		replaceFunc(t, o, sym("set"), code, relocs)
		o.Meta.FuelMetered = true
		c.obj = encodeObject(t, o)
	})
	if c.obj == nil {
		t.Fatal("building the crafted object failed in another test")
	}
	return c.obj
}

var craftedObjects sync.Map // abi.Arch → *compiled

func craftedObject(t testing.TB) []byte { return craftedObjectFor(t, hostArch) }

// undefinedObjectFor is undefined.wat compiled for arch, its function
// replaced by one that calls memmove, renamed to system: a symbol the
// runtime does not provide.
func undefinedObjectFor(t testing.TB, arch abi.Arch) []byte {
	t.Helper()
	o := decodeObject(t, nativeObject(t, testdataWat(t, "undefined.wat", "", ""), arch))
	code, relocs := memCallCode(arch, o.Meta.Layout(), "memmove")
	replaceFunc(t, o, o.Meta.Funcs[0].Symbol, code, relocs)
	obj, err := o.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return sealed(t, renameUndefined(t, obj, "memmove", "system"))
}

// chargeCode is charge(vmctx): fuel -= 1; if fuel < 0 { yield(vmctx) }.
func chargeCode(arch abi.Arch) ([]byte, []backend.Reloc) {
	if arch == abi.ArchARM64 {
		var a arm64.Asm
		done := a.NewLabel()
		a.MovSP(arm64.X9, arm64.SP)
		a.LogicImm(arm64.AND, true, arm64.X9, arm64.X9, uint64(abi.NativeStackMask))
		a.LoadStore(arm64.LoadZX, 8, arm64.X10, arm64.M(arm64.X9, abi.ThreadFuel))
		a.AddImm(arm64.SUBS, true, arm64.X10, arm64.X10, 1)
		a.LoadStore(arm64.Store, 8, arm64.X10, arm64.M(arm64.X9, abi.ThreadFuel))
		a.BCond(arm64.PL, done)
		a.Pair(false, 8, arm64.FP, arm64.LR, arm64.SP, -16, arm64.PairPre)
		a.MovSP(arm64.FP, arm64.SP)
		a.LoadStore(arm64.LoadZX, 8, arm64.X9, arm64.M(arm64.X0, abi.VMCtxBuiltins))
		a.LoadStore(arm64.LoadZX, 8, arm64.X9, arm64.M(arm64.X9, int64(abi.BuiltinYield)*8))
		a.Blr(arm64.X9)
		a.Pair(true, 8, arm64.FP, arm64.LR, arm64.SP, 16, arm64.PairPost)
		a.Bind(done)
		a.Ret()
		return finishARM64(&a), nil
	}
	var a amd64.Asm
	a.MovRR(true, amd64.RAX, amd64.RSP)
	a.ALURI(amd64.AND, true, amd64.RAX, -int32(abi.NativeStackSize))
	a.ALUMI(amd64.SUB, true, amd64.M(amd64.RAX, abi.ThreadFuel), 1)
	skip := a.Jcc32(amd64.CondNS, 0)
	from := a.Len()
	a.Push(amd64.RAX) // 16-byte alignment at the call
	a.Load(8, amd64.RAX, amd64.M(amd64.RDI, abi.VMCtxBuiltins))
	a.CallM(amd64.M(amd64.RAX, int32(abi.BuiltinYield)*8))
	a.Pop(amd64.RAX)
	binary.LittleEndian.PutUint32(a.Code[skip:], uint32(a.Len()-from))
	a.Ret()
	return a.Code, nil
}

// memCallCode is f(vmctx, dst, x, n) → i32 calling fn (memmove: x is the
// source offset; memset: x is the byte value) on memory 0 and returning
// whether it returned the destination pointer.
func memCallCode(arch abi.Arch, l *abi.Layout, fn string) ([]byte, []backend.Reloc) {
	memPtr := int64(l.MemoryPtr(0))
	if arch == abi.ArchARM64 {
		var a arm64.Asm
		a.Pair(false, 8, arm64.FP, arm64.LR, arm64.SP, -32, arm64.PairPre)
		a.MovSP(arm64.FP, arm64.SP)
		a.LoadStore(arm64.Store, 8, arm64.X19, arm64.M(arm64.SP, 16))
		a.LoadStore(arm64.LoadZX, 8, arm64.X8, arm64.M(arm64.X0, memPtr))
		a.LoadStore(arm64.LoadZX, 8, arm64.X8, arm64.M(arm64.X8, abi.MemoryDefBase))
		a.AddExt(arm64.ADD, true, arm64.X0, arm64.X8, arm64.X1, arm64.UXTW, 0)
		a.Mov(true, arm64.X19, arm64.X0)
		if fn == "memmove" {
			a.AddExt(arm64.ADD, true, arm64.X1, arm64.X8, arm64.X2, arm64.UXTW, 0)
		} else {
			a.Mov(false, arm64.X1, arm64.X2)
		}
		a.Mov(false, arm64.X2, arm64.X3)
		at := 4 * a.Len()
		a.Emit(0x94000000) // bl fn
		a.AddSub(arm64.SUBS, true, arm64.ZR, arm64.X0, arm64.X19, arm64.LSL, 0)
		a.Cset(false, arm64.X0, arm64.EQ)
		a.LoadStore(arm64.LoadZX, 8, arm64.X19, arm64.M(arm64.SP, 16))
		a.Pair(true, 8, arm64.FP, arm64.LR, arm64.SP, 32, arm64.PairPost)
		a.Ret()
		return finishARM64(&a), []backend.Reloc{{Offset: uint64(at), Type: uint32(elf.R_AARCH64_CALL26), Symbol: fn}}
	}
	var a amd64.Asm
	a.Push(amd64.RBX) // also aligns the stack for the call
	a.Load(8, amd64.RAX, amd64.M(amd64.RDI, int32(memPtr)))
	a.Load(8, amd64.RAX, amd64.M(amd64.RAX, abi.MemoryDefBase))
	a.MovRR(false, amd64.RSI, amd64.RSI) // zero-extend the i32 arguments
	a.MovRR(false, amd64.RDX, amd64.RDX)
	a.MovRR(false, amd64.RCX, amd64.RCX)
	a.Lea(amd64.RDI, amd64.MI(amd64.RAX, amd64.RSI, 1, 0))
	a.MovRR(true, amd64.RBX, amd64.RDI)
	if fn == "memmove" {
		a.Lea(amd64.RSI, amd64.MI(amd64.RAX, amd64.RDX, 1, 0))
	} else {
		a.MovRR(false, amd64.RSI, amd64.RDX)
	}
	a.MovRR(true, amd64.RDX, amd64.RCX)
	at := a.Call32(0)
	a.ALURR(amd64.CMP, true, amd64.RAX, amd64.RBX)
	a.Setcc(amd64.CondE, amd64.RAX)
	a.Extend(1, false, false, amd64.RAX, amd64.RAX)
	a.Pop(amd64.RBX)
	a.Ret()
	return a.Code, []backend.Reloc{{Offset: uint64(at), Type: uint32(elf.R_X86_64_PLT32), Symbol: fn, Addend: -4}}
}

func finishARM64(a *arm64.Asm) []byte {
	l, err := a.Finish()
	if err != nil {
		panic(err) // short forward branches only
	}
	return l.Code
}

// TestObjectEdits checks the editing the crafted objects rely on: a
// compiled object decoded and encoded again is the same bytes, and the
// crafted object keeps every function but the replaced ones as compiled.
func TestObjectEdits(t *testing.T) {
	for _, arch := range []abi.Arch{abi.ArchAMD64, abi.ArchARM64} {
		for _, obj := range [][]byte{basicObjectFor(t, arch), externsObjectFor(t, arch)} {
			if again := encodeObject(t, decodeObject(t, obj)); !bytes.Equal(again, obj) {
				t.Errorf("%v: an object decoded and encoded again differs", arch)
			}
		}
		basic, crafted := decodeObject(t, basicObjectFor(t, arch)), decodeObject(t, craftedObjectFor(t, arch))
		replaced := map[string]bool{}
		for _, name := range []string{"charge", "move", "set"} {
			replaced[funcSymbol(t, basic.Meta, name)] = true
		}
		for _, s := range basic.Symbols {
			c := symbol(t, crafted, s.Name)
			code, craftedCode := basic.Text[s.Offset:s.Offset+s.Size], crafted.Text[c.Offset:c.Offset+c.Size]
			if replaced[s.Name] == bytes.Equal(code, craftedCode) {
				t.Errorf("%v: %s replaced %v, code differs %v", arch, s.Name, replaced[s.Name], !bytes.Equal(code, craftedCode))
			}
		}
	}
}
