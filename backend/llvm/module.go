package llvm

import (
	"fmt"
	"strconv"

	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/lower/ir"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// LLVM types of the wasm value types. v128 is <2 x i64> (the calling
// convention's type); operations bitcast it to their lane shape.
// References are pointer-sized integers: a funcref is the address of a
// FuncRef record, an externref an opaque value, 0 is null in both.
var (
	v128Type = vecType(2, tI64)
	i64Ptr   = ptrTo(tI64)
)

// The module's metadata nodes, written at its end by finish. Two TBAA
// types under one root tell LLVM that linear memory and the runtime's
// state never alias (they are separate mappings), so a store to memory
// does not force the memory length or table descriptors to be reloaded.
const (
	mdEmpty     = "0" // !{} for !invariant.load
	mdMemTBAA   = "4" // access tag of linear memory
	mdStateTBAA = "5" // access tag of runtime state (VMContext, tables, globals, thread)
	mdSP        = "6" // the stack pointer's register name
)

// moduleBuilder builds one LLVM module: a part of the wasm module's
// functions plus declarations of everything they call. Definitions are
// written to out as each function is finished.
type moduleBuilder struct {
	t      *Target
	wm     *wasm.Module
	layout *abi.Layout
	out    []byte

	funcs      map[string]*function // declared or defined functions by name
	order      []*function          // funcs in order of creation
	sigs       []*llType            // function type of each wasm type index, once made
	vmctxAttrs string               // parameter attributes of a VMContext
}

func newModuleBuilder(t *Target, wm *wasm.Module, layout *abi.Layout) *moduleBuilder {
	m := &moduleBuilder{t: t, wm: wm, layout: layout, funcs: map[string]*function{},
		sigs: make([]*llType, len(wm.Types))}
	// The VMContext: LLVM may load its fields speculatively (so LICM
	// can hoist invariant loads out of loops, even past a branch).
	m.vmctxAttrs = " dereferenceable(" + strconv.Itoa(layout.Size) + ") nonnull align 16"
	m.out = append(m.out, "target datalayout = \""+t.DataLayout+"\"\ntarget triple = \""+t.Triple+"\"\n\n"...)
	return m
}

// finish writes the declarations of functions used but not defined, the
// function attributes and the metadata, and returns the module text.
//
// Every function (#0): no unwinding (so no .eh_frame), no calls to C
// library functions LLVM would invent (memcpy for a copy loop: the object
// may only reference what the runtime allows), and the target's CPU and
// features recorded per function. Tail calls stay calls (no
// tail-recursion elimination, no sibling calls), so deep recursion
// exhausts the stack as wasm semantics and the spec tests expect instead
// of silently becoming a loop.
func (m *moduleBuilder) finish() []byte {
	out := m.out
	for _, f := range m.order {
		if !f.defined {
			out = append(out, "declare "...)
			out = m.appendHeader(out, f, false)
			out = append(out, '\n')
		}
	}
	sp := "rsp"
	if m.t.Arch == "arm64" {
		sp = "sp"
	}
	out = append(out, "\nattributes #0 = { nounwind \"no-builtins\" \"disable-tail-calls\"=\"true\" \"target-cpu\"=\""+
		m.t.CPU+"\" \"target-features\"=\""+m.t.mattr()+"\" }\n\n"...)
	out = append(out, "!"+mdEmpty+" = !{}\n"+
		"!1 = !{!\"wasmaot\"}\n"+
		"!2 = !{!\"linear memory\", !1, i64 0}\n"+
		"!3 = !{!\"runtime state\", !1, i64 0}\n"+
		"!"+mdMemTBAA+" = !{!2, !2, i64 0}\n"+
		"!"+mdStateTBAA+" = !{!3, !3, i64 0}\n"+
		"!"+mdSP+" = !{!\""+sp+"\"}\n"...)
	m.out = nil
	return out
}

// valType is the LLVM type of a wasm value type.
func (m *moduleBuilder) valType(t ir.Type) *llType {
	switch t {
	case ir.I32:
		return tI32
	case ir.I64, ir.FuncRef, ir.ExternRef:
		return tI64
	case ir.F32:
		return tFloat
	case ir.F64:
		return tDouble
	case ir.V128:
		return v128Type
	}
	panic(fmt.Sprintf("llvm: no LLVM type for %v", t))
}

// sigType is the LLVM function type of a wasm signature under the
// calling convention: vmctx, [results area,] params; one result returned.
func (m *moduleBuilder) sigType(sig *wasm.FuncType) *llType {
	params := []*llType{tI8Ptr}
	if len(sig.Results) > 1 {
		params = append(params, i64Ptr)
	}
	for _, p := range sig.Params {
		params = append(params, m.valType(p))
	}
	ret := tVoid
	if len(sig.Results) == 1 {
		ret = m.valType(sig.Results[0])
	}
	return funcType(ret, params...)
}

// typeSig is sigType of wasm type index i, computed once per module.
func (m *moduleBuilder) typeSig(i uint32) *llType {
	if m.sigs[i] == nil {
		m.sigs[i] = m.sigType(&m.wm.Types[i])
	}
	return m.sigs[i]
}

// funcSig is the function type of wasm function idx.
func (m *moduleBuilder) funcSig(idx uint32) *llType {
	if idx < m.wm.NumImportedFuncs {
		return m.sigType(m.wm.FuncTypeOf(idx))
	}
	return m.typeSig(m.wm.Funcs[idx-m.wm.NumImportedFuncs])
}

// function returns the function named name with signature sig, declaring
// it (as a hidden external) if this module does not define it yet.
func (m *moduleBuilder) function(name string, sig *llType) *function {
	if f, ok := m.funcs[name]; ok {
		return f
	}
	f := &function{name: name, sig: sig}
	for _, t := range sig.params {
		f.params = append(f.params, f.newLocal(t))
	}
	f.vmctx = len(sig.params) > 0 && sig.params[0] == tI8Ptr
	m.funcs[name] = f
	m.order = append(m.order, f)
	return f
}

// intrinsic declares (once) and returns an LLVM intrinsic as a callee.
func (m *moduleBuilder) intrinsic(name string, ret *llType, params ...*llType) value {
	f, ok := m.funcs[name]
	if !ok {
		f = &function{name: name, sig: funcType(ret, params...), external: true}
		m.funcs[name] = f
		m.order = append(m.order, f)
	}
	return f.ref()
}

// readRegister returns llvm.read_register.i64.
func (m *moduleBuilder) readRegister() value {
	return m.intrinsic("llvm.read_register.i64", tI64, tMetadata)
}

// spName is the metadata argument naming the stack pointer register.
func (m *moduleBuilder) spName() value { return value{t: tMetadata, lit: "!" + mdSP} }
