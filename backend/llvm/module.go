package llvm

import (
	"fmt"

	llir "github.com/llir/llvm/ir"
	"github.com/llir/llvm/ir/constant"
	"github.com/llir/llvm/ir/enum"
	"github.com/llir/llvm/ir/metadata"
	"github.com/llir/llvm/ir/types"
	"github.com/llir/llvm/ir/value"

	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/lower/ir"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// LLVM types of the wasm value types. v128 is <2 x i64> (the calling
// convention's type); operations bitcast it to their lane shape.
// References are pointer-sized integers: a funcref is the address of a
// FuncRef record, an externref an opaque value, 0 is null in both.
var (
	v128Type = types.NewVector(2, types.I64)
	i64Ptr   = types.NewPointer(types.I64)
)

// moduleBuilder builds one LLVM module: a part of the wasm module's
// functions plus declarations of everything they call.
type moduleBuilder struct {
	t      *Target
	wm     *wasm.Module
	layout *abi.Layout
	mod    *llir.Module

	funcs      map[string]*llir.Func // declared or defined functions by name
	emptyMD    *metadata.Tuple       // !{} for !invariant.load
	memTBAA    *metadata.Tuple       // access tag of linear memory
	stateTBAA  *metadata.Tuple       // access tag of runtime state (VMContext, tables, globals, thread)
	spMD       *metadata.Tuple       // !{!"rsp"} or !{!"sp"}
	fnAttrs    []llir.FuncAttribute
	nextMetaID metadata.MetadataID
}

func newModuleBuilder(t *Target, wm *wasm.Module, layout *abi.Layout) *moduleBuilder {
	m := &moduleBuilder{t: t, wm: wm, layout: layout, mod: llir.NewModule(), funcs: map[string]*llir.Func{}}
	m.mod.TargetTriple = t.Triple
	m.mod.DataLayout = t.DataLayout
	m.emptyMD = m.newMD()
	// Two TBAA types under one root tell LLVM that linear memory and the
	// runtime's state never alias (they are separate mappings), so a
	// store to memory does not force the memory length or table
	// descriptors to be reloaded.
	root := m.newMD(&metadata.String{Value: "wasmaot"})
	memType := m.newMD(&metadata.String{Value: "linear memory"}, root, i64c(0))
	stateType := m.newMD(&metadata.String{Value: "runtime state"}, root, i64c(0))
	m.memTBAA = m.newMD(memType, memType, i64c(0))
	m.stateTBAA = m.newMD(stateType, stateType, i64c(0))
	sp := "rsp"
	if t.Arch == "arm64" {
		sp = "sp"
	}
	m.spMD = m.newMD(&metadata.String{Value: sp})
	// Every function: no unwinding (so no .eh_frame), no calls to C
	// library functions LLVM would invent (memcpy for a copy loop: the
	// object may only reference what the runtime allows), and the
	// target's CPU and features recorded per function. Tail calls stay
	// calls (no tail-recursion elimination, no sibling calls), so deep
	// recursion exhausts the stack as wasm semantics and the spec tests
	// expect instead of silently becoming a loop.
	m.fnAttrs = []llir.FuncAttribute{enum.FuncAttrNoUnwind, llir.AttrString("no-builtins"),
		llir.AttrPair{Key: "disable-tail-calls", Value: "true"},
		llir.AttrPair{Key: "target-cpu", Value: t.CPU}, llir.AttrPair{Key: "target-features", Value: t.mattr()}}
	return m
}

func (m *moduleBuilder) newMD(fields ...metadata.Field) *metadata.Tuple {
	md := &metadata.Tuple{MetadataID: m.nextMetaID, Fields: fields}
	m.nextMetaID++
	m.mod.MetadataDefs = append(m.mod.MetadataDefs, md)
	return md
}

// valType is the LLVM type of a wasm value type.
func (m *moduleBuilder) valType(t ir.Type) types.Type {
	switch t {
	case ir.I32:
		return types.I32
	case ir.I64, ir.FuncRef, ir.ExternRef:
		return types.I64
	case ir.F32:
		return types.Float
	case ir.F64:
		return types.Double
	case ir.V128:
		return v128Type
	}
	panic(fmt.Sprintf("llvm: no LLVM type for %v", t))
}

// sigType is the LLVM function type of a wasm signature under the
// calling convention: vmctx, [results area,] params; one result returned.
func (m *moduleBuilder) sigType(sig *wasm.FuncType) *types.FuncType {
	params := []types.Type{types.I8Ptr}
	if len(sig.Results) > 1 {
		params = append(params, i64Ptr)
	}
	for _, p := range sig.Params {
		params = append(params, m.valType(p))
	}
	var ret types.Type = types.Void
	if len(sig.Results) == 1 {
		ret = m.valType(sig.Results[0])
	}
	return types.NewFunc(ret, params...)
}

// function returns the function named name with signature sig, declaring
// it (as a hidden external) if this module does not define it yet.
func (m *moduleBuilder) function(name string, sig *types.FuncType) *llir.Func {
	if f, ok := m.funcs[name]; ok {
		return f
	}
	params := make([]*llir.Param, len(sig.Params))
	for i, t := range sig.Params {
		params[i] = llir.NewParam("", t)
	}
	if len(params) > 0 && params[0].Typ.Equal(types.I8Ptr) {
		// The VMContext: LLVM may load its fields speculatively (so LICM
		// can hoist invariant loads out of loops, even past a branch).
		params[0].Attrs = append(params[0].Attrs, llir.Dereferenceable{N: uint64(m.layout.Size)}, enum.ParamAttrNonNull, llir.Align(16))
	}
	f := m.mod.NewFunc(name, sig.RetType, params...)
	f.Visibility = enum.VisibilityHidden
	f.Preemption = enum.PreemptionDSOLocal
	f.FuncAttrs = append(f.FuncAttrs, m.fnAttrs...)
	m.funcs[name] = f
	return f
}

// intrinsic declares (once) and returns an LLVM intrinsic.
func (m *moduleBuilder) intrinsic(name string, ret types.Type, params ...types.Type) *llir.Func {
	if f, ok := m.funcs[name]; ok {
		return f
	}
	ps := make([]*llir.Param, len(params))
	for i, t := range params {
		ps[i] = llir.NewParam("", t)
	}
	f := m.mod.NewFunc(name, ret, ps...)
	m.funcs[name] = f
	return f
}

// readRegister returns llvm.read_register.i64.
func (m *moduleBuilder) readRegister() *llir.Func {
	return m.intrinsic("llvm.read_register.i64", types.I64, types.Metadata)
}

// spName is the metadata argument naming the stack pointer register.
func (m *moduleBuilder) spName() value.Value { return &metadata.Value{Value: m.spMD} }

// i32c, i64c and friends make constants.
func i32c(v int64) constant.Constant { return constant.NewInt(types.I32, int64(int32(v))) }
func i64c(v int64) constant.Constant { return constant.NewInt(types.I64, v) }
