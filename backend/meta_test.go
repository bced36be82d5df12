package backend

import (
	"testing"

	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// TestEnumsMatchABI pins the enums BuildMeta converts with plain casts:
// compiler/wasm and rtlib/abi number value types, extern kinds and segment
// modes alike (by their binary encoding), since rtlib must not import
// compiler/wasm.
func TestEnumsMatchABI(t *testing.T) {
	for _, p := range []struct {
		w wasm.ValType
		a abi.ValType
	}{{wasm.I32, abi.I32}, {wasm.I64, abi.I64}, {wasm.F32, abi.F32}, {wasm.F64, abi.F64},
		{wasm.V128, abi.V128}, {wasm.FuncRef, abi.FuncRef}, {wasm.ExternRef, abi.ExternRef}} {
		if abi.ValType(p.w) != p.a {
			t.Errorf("value type %v is %#x in wasm, %#x in abi", p.a, byte(p.w), byte(p.a))
		}
	}
	for _, p := range []struct {
		w wasm.ExternKind
		a abi.ExternKind
	}{{wasm.ExternFunc, abi.ExternFunc}, {wasm.ExternTable, abi.ExternTable},
		{wasm.ExternMemory, abi.ExternMemory}, {wasm.ExternGlobal, abi.ExternGlobal}} {
		if abi.ExternKind(p.w) != p.a {
			t.Errorf("extern kind %v is %d in wasm, %d in abi", p.a, p.w, p.a)
		}
	}
	for _, p := range []struct {
		w wasm.SegmentMode
		a abi.SegmentMode
	}{{wasm.SegmentActive, abi.SegmentActive}, {wasm.SegmentPassive, abi.SegmentPassive},
		{wasm.SegmentDeclarative, abi.SegmentDeclarative}} {
		if abi.SegmentMode(p.w) != p.a {
			t.Errorf("segment mode %d in wasm, %d in abi", p.w, p.a)
		}
	}
}
