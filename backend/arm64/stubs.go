package arm64

import (
	"github.com/wasmaot/wasmaot/backend"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// This file emits the code every module has besides its functions: the
// array-call entry trampolines and host-import stubs that package backend
// describes.

// yieldStub emits the slow path of a function's interrupt polls, which
// call it (BL) when the flag is set, with the VMContext in x19. It saves
// every register a function may hold a value in that the call could
// clobber — x0–x13 and all of v0–v31 (whole 128 bits) — calls the yield
// builtin and restores them. Polls thus cost a load and a branch on the
// fast path and need nothing from the register allocator. Each function
// has its own copy, so that the builtin's return address lies inside the
// function and a trap it raises (interrupted, out of fuel) names it.
func yieldStub(a *Asm) {
	const frame = 16 + 7*16 + 16*32
	a.AddImm(SUB, true, SP, SP, frame)
	a.Pair(false, 8, FP, LR, SP, 0, PairOffset)
	for i := 0; i < 7; i++ {
		a.Pair(false, 8, X0+Reg(2*i), X0+Reg(2*i+1), SP, int32(16+16*i), PairOffset)
	}
	for i := 0; i < 16; i++ {
		a.Pair(false, 16, V0+Reg(2*i), V0+Reg(2*i+1), SP, int32(128+32*i), PairOffset)
	}
	a.Mov(true, X0, regVMCtx)
	a.LoadStore(LoadZX, 8, regTmp0, M(regVMCtx, abi.VMCtxBuiltins))
	a.LoadStore(LoadZX, 8, regTmp0, M(regTmp0, int64(abi.BuiltinYield)*8))
	a.Blr(regTmp0)
	for i := 0; i < 16; i++ {
		a.Pair(true, 16, V0+Reg(2*i), V0+Reg(2*i+1), SP, int32(128+32*i), PairOffset)
	}
	for i := 0; i < 7; i++ {
		a.Pair(true, 8, X0+Reg(2*i), X0+Reg(2*i+1), SP, int32(16+16*i), PairOffset)
	}
	a.Pair(true, 8, FP, LR, SP, 0, PairOffset)
	a.AddImm(ADD, true, SP, SP, frame)
	a.Ret()
}

// slotReg is the scratch register that carries a value of type t through
// memory.
func slotReg(t abi.ValType) Reg {
	if isFloat(t) {
		return vTmp0
	}
	return regMove
}

// entryTrampoline emits void e(vmctx x0, code x1, slots x2): load the
// parameters from slots, call code, store a single result back (a
// multi-result callee writes slots itself). It never reads the VMContext.
func entryTrampoline(e backend.Entry) *Asm {
	var a Asm
	fixed := 1
	if e.ResultsArea {
		fixed = 2
	}
	places, stack := assignArgs(e.Sig.Params, fixed)
	a.Pair(false, 8, FP, LR, SP, -32, PairPre)
	a.MovSP(FP, SP)
	a.LoadStore(Store, 8, regVMCtx, M(SP, 16))
	a.Mov(true, regVMCtx, X2)
	a.Mov(true, regTmp0, X1)
	if stack > 0 {
		subSP(&a, stack)
	}
	for i, p := range e.Params {
		size := valSize(p.Type)
		if places[i].Reg != ZR {
			a.LoadStore(LoadZX, size, places[i].Reg, bigOff(&a, regVMCtx, p.Offset(), size))
			continue
		}
		r := slotReg(p.Type)
		a.LoadStore(LoadZX, size, r, bigOff(&a, regVMCtx, p.Offset(), size))
		a.LoadStore(Store, size, r, bigOff(&a, SP, places[i].Stack, size))
	}
	if e.ResultsArea {
		a.Mov(true, X1, regVMCtx)
	}
	a.Blr(regTmp0)
	if len(e.Results) == 1 && !e.ResultsArea {
		r := e.Results[0]
		out := X0
		if isFloat(r.Type) {
			out = V0
		}
		a.LoadStore(Store, valSize(r.Type), out, bigOff(&a, regVMCtx, r.Offset(), valSize(r.Type)))
	}
	a.MovSP(SP, FP)
	a.LoadStore(LoadZX, 8, regVMCtx, M(SP, 16))
	a.Pair(true, 8, FP, LR, SP, 32, PairPost)
	a.Ret()
	return &a
}

// importStub emits the stub of an imported function: it has the import's
// own signature, spills the parameters into a slots array on its stack,
// calls host_call(vmctx, func, slots) and returns the results from it.
func importStub(s backend.ImportStub) *Asm {
	var a Asm
	fixed := 1
	if s.ResultsArea {
		fixed = 2
	}
	places, _ := assignArgs(s.Sig.Params, fixed)
	slotsBytes := align16(8 * s.SlotCount)
	frame := slotsBytes + 16 // + the caller's results-area pointer
	a.Pair(false, 8, FP, LR, SP, -16, PairPre)
	a.MovSP(FP, SP)
	subSP(&a, frame)
	if s.ResultsArea {
		a.LoadStore(Store, 8, X1, bigOff(&a, SP, slotsBytes, 8))
	}
	for i, p := range s.Params {
		size := valSize(p.Type)
		r := places[i].Reg
		if r == ZR {
			r = slotReg(p.Type)
			a.LoadStore(LoadZX, size, r, bigOff(&a, FP, 16+places[i].Stack, size))
		}
		a.LoadStore(Store, size, r, bigOff(&a, SP, p.Offset(), size))
	}
	a.MovImm(false, X1, uint64(s.Func))
	a.AddImm(ADD, true, X2, SP, 0)
	a.LoadStore(LoadZX, 8, regTmp0, M(X0, abi.VMCtxBuiltins))
	a.LoadStore(LoadZX, 8, regTmp0, M(regTmp0, int64(s.Builtin)*8))
	a.Blr(regTmp0)
	switch {
	case s.ResultsArea:
		a.LoadStore(LoadZX, 8, regTmp1, bigOff(&a, SP, slotsBytes, 8))
		n := 0
		for _, r := range s.Results {
			n = max(n, r.Index+int(valSize(r.Type)+7)/8)
		}
		for i := 0; i < n; i++ {
			a.LoadStore(LoadZX, 8, regMove, bigOff(&a, SP, 8*i, 8))
			a.LoadStore(Store, 8, regMove, bigOff(&a, regTmp1, 8*i, 8))
		}
	case len(s.Results) == 1:
		r := s.Results[0]
		out := X0
		if isFloat(r.Type) {
			out = V0
		}
		a.LoadStore(LoadZX, valSize(r.Type), out, bigOff(&a, SP, r.Offset(), valSize(r.Type)))
	}
	a.MovSP(SP, FP)
	a.Pair(true, 8, FP, LR, SP, 16, PairPost)
	a.Ret()
	return &a
}

// subSP lowers the stack pointer by n bytes (a multiple of 16).
func subSP(a *Asm, n int) {
	if ImmAddEncodable(uint64(n)) {
		a.AddImm(SUB, true, SP, SP, uint32(n))
		return
	}
	a.MovImm(true, regAddr, uint64(n))
	a.AddExt(SUB, true, SP, SP, regAddr, UXTX, 0)
}

// bigOff addresses [base + off] for an access of size bytes, through
// regAddr when off does not fit the instruction.
func bigOff(a *Asm, base Reg, off int, size Size) Mem {
	m := M(base, int64(off))
	if m.Encodable(size) {
		return m
	}
	a.MovImm(true, regAddr, uint64(off))
	a.AddExt(ADD, true, regAddr, base, regAddr, UXTX, 0)
	return M(regAddr, 0)
}
