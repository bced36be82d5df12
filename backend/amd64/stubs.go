package amd64

import (
	"github.com/wasmaot/wasmaot/backend"
	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// The entry trampolines and import stubs the seam describes
// (backend.Entry, backend.ImportStub), emitted for x86-64.

func wasmSig(s abi.FuncType) *wasm.FuncType {
	ft := &wasm.FuncType{}
	for _, t := range s.Params {
		ft.Params = append(ft.Params, wasm.ValType(t))
	}
	for _, t := range s.Results {
		ft.Results = append(ft.Results, wasm.ValType(t))
	}
	return ft
}

// loadValue loads a value of type t from m into r (a GPR or XMM).
func (a *Asm) loadValue(t wasm.ValType, r Reg, m Mem) {
	switch t {
	case wasm.F32:
		a.LoadXMM(4, r, m)
	case wasm.F64:
		a.LoadXMM(8, r, m)
	case wasm.V128:
		a.LoadXMM(16, r, m)
	default:
		a.Load(8, r, m)
	}
}

// storeValue stores a value of type t from r to m (4 bytes for i32 and
// f32).
func (a *Asm) storeValue(t wasm.ValType, m Mem, r Reg) {
	switch t {
	case wasm.I32:
		a.Store(4, m, r)
	case wasm.F32:
		a.StoreXMM(4, m, r)
	case wasm.F64:
		a.StoreXMM(8, m, r)
	case wasm.V128:
		a.StoreXMM(16, m, r)
	default:
		a.Store(8, m, r)
	}
}

// entryTrampoline: wasm_entry_t(vmctx RDI, code RSI, slots RDX).
//
//	push rbx ; push r12 ; mov rbx, rdx ; mov r12, rsi ; sub rsp, S
//	stack arguments, then register arguments, from the slots
//	[mov rsi, rbx]                 ; several results: slots is the area
//	call r12
//	[store the single result to slot 0]
//	add rsp, S ; pop r12 ; pop rbx ; ret
func entryTrampoline(e backend.Entry) []byte {
	var a Asm
	sig := wasmSig(e.Sig)
	locs, stack := classifyArgs(sig)
	frame := stack + 8 // rsp = 8 mod 16 after two pushes
	a.Push(RBX)
	a.Push(R12)
	a.MovRR(true, RBX, RDX)
	a.MovRR(true, R12, RSI)
	a.ALURI(SUB, true, RSP, frame)
	for i, l := range locs {
		t := sig.Params[i]
		src := M(RBX, int32(e.Params[i].Offset()))
		if l.onStack {
			tmp := tmpR
			if isXMM(t) {
				tmp = xcycle
			}
			a.loadValue(t, tmp, src)
			a.storeValue(t, M(RSP, l.off), tmp)
		}
	}
	for i, l := range locs {
		if !l.onStack {
			a.loadValue(sig.Params[i], l.reg, M(RBX, int32(e.Params[i].Offset())))
		}
	}
	if e.ResultsArea {
		a.MovRR(true, RSI, RBX)
	}
	a.CallR(R12)
	if len(sig.Results) == 1 {
		a.storeValue(sig.Results[0], M(RBX, 0), resultReg(sig.Results[0]))
	}
	a.ALURI(ADD, true, RSP, frame)
	a.Pop(R12)
	a.Pop(RBX)
	a.Ret()
	return a.Code
}

// importStub: wasm_import_k(vmctx, [results,] params...) spills the
// parameters into slots on its stack and calls host_call(vmctx, k, slots).
//
//	push rbx ; sub rsp, S ; [mov rbx, rsi]
//	store the parameters to [rsp+8*slot]
//	mov esi, k ; mov rdx, rsp ; mov rax, [rdi] ; call [rax+8*host_call]
//	load the result into RAX/XMM0, or copy the results to [rbx]
//	add rsp, S ; pop rbx ; ret
func importStub(s backend.ImportStub) []byte {
	var a Asm
	sig := wasmSig(s.Sig)
	locs, _ := classifyArgs(sig)
	frame := int32(8*s.SlotCount+15) &^ 15 // rsp = 0 mod 16 after one push
	incoming := frame + 16                 // past rbx and the return address
	a.Push(RBX)
	a.ALURI(SUB, true, RSP, frame)
	if s.ResultsArea {
		a.MovRR(true, RBX, RSI)
	}
	for i, l := range locs {
		t := sig.Params[i]
		dst := M(RSP, int32(s.Params[i].Offset()))
		if l.onStack {
			tmp := tmpR
			if isXMM(t) {
				tmp = xcycle
			}
			a.loadValue(t, tmp, M(RSP, incoming+l.off))
			a.storeValue(t, dst, tmp)
			continue
		}
		a.storeValue(t, dst, l.reg)
	}
	a.MovRI32(RSI, uint32(s.Func))
	a.MovRR(true, RDX, RSP)
	a.Load(8, RAX, M(RDI, abi.VMCtxBuiltins))
	a.CallM(M(RAX, int32(8*s.Builtin)))
	switch {
	case s.ResultsArea:
		_, n := backend.SlotLayout(s.Sig.Results)
		for k := 0; k < n; k++ {
			a.Load(8, RAX, M(RSP, int32(8*k)))
			a.Store(8, M(RBX, int32(8*k)), RAX)
		}
	case len(sig.Results) == 1:
		a.loadValue(sig.Results[0], resultReg(sig.Results[0]), M(RSP, 0))
	}
	a.ALURI(ADD, true, RSP, frame)
	a.Pop(RBX)
	a.Ret()
	return a.Code
}
