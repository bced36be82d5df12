package component

import "github.com/wasmaot/wasmaot/rtlib/abi"

// Canonical ABI layout: memory size and alignment of every value type, and
// flattening into core values. Memory is 32-bit: pointers and lengths are
// i32.

// Flattening limits of a synchronous function: more parameters than
// MaxFlatParams pass through memory (one pointer), more results than
// MaxFlatResults return through memory.
const (
	MaxFlatParams  = 16
	MaxFlatResults = 1
)

// discSize is the byte size of the discriminant of a variant with n cases.
func discSize(n int) uint32 {
	switch {
	case n <= 1<<8:
		return 1
	case n <= 1<<16:
		return 2
	}
	return 4
}

func alignTo(n, a uint32) uint32 { return (n + a - 1) / a * a }

// Align returns t's alignment in memory.
func Align(t *Type) uint32 {
	switch t.Kind {
	case Bool, S8, U8:
		return 1
	case S16, U16:
		return 2
	case S32, U32, F32, Char, Own, Borrow, String, List:
		return 4
	case S64, U64, F64:
		return 8
	case Record, Tuple:
		a := uint32(1)
		for _, f := range t.Fields {
			a = max(a, Align(f.Type))
		}
		return a
	case Variant, Enum, Option, Result:
		return variantAlign(t)
	case Flags:
		return flagsSize(len(t.Labels), true)
	}
	panic("component: Align of " + t.Kind.String())
}

// cases returns the payload types of a variant-like type (nil entries for
// cases without payload).
func cases(t *Type) []*Type {
	switch t.Kind {
	case Variant:
		out := make([]*Type, len(t.Fields))
		for i, f := range t.Fields {
			out[i] = f.Type
		}
		return out
	case Enum:
		return make([]*Type, len(t.Labels))
	case Option:
		return []*Type{nil, t.Elem}
	case Result:
		return []*Type{t.Elem, t.Err}
	}
	panic("component: cases of " + t.Kind.String())
}

func variantAlign(t *Type) uint32 {
	cs := cases(t)
	a := discSize(len(cs))
	for _, c := range cs {
		if c != nil {
			a = max(a, Align(c))
		}
	}
	return a
}

// payloadAlign is the maximum alignment of the cases' payloads.
func payloadAlign(cs []*Type) uint32 {
	a := uint32(1)
	for _, c := range cs {
		if c != nil {
			a = max(a, Align(c))
		}
	}
	return a
}

func flagsSize(n int, align bool) uint32 {
	switch {
	case n == 0:
		if align {
			return 1
		}
		return 0
	case n <= 8:
		return 1
	case n <= 16:
		return 2
	}
	if align {
		return 4
	}
	return 4 * uint32((n+31)/32)
}

// Size returns t's size in memory.
func Size(t *Type) uint32 {
	switch t.Kind {
	case Bool, S8, U8:
		return 1
	case S16, U16:
		return 2
	case S32, U32, F32, Char, Own, Borrow:
		return 4
	case S64, U64, F64, String, List:
		return 8
	case Record, Tuple:
		var s uint32
		for _, f := range t.Fields {
			s = alignTo(s, Align(f.Type)) + Size(f.Type)
		}
		return alignTo(s, Align(t))
	case Variant, Enum, Option, Result:
		cs := cases(t)
		s := alignTo(discSize(len(cs)), payloadAlign(cs))
		var m uint32
		for _, c := range cs {
			if c != nil {
				m = max(m, Size(c))
			}
		}
		return alignTo(s+m, Align(t))
	case Flags:
		return flagsSize(len(t.Labels), false)
	}
	panic("component: Size of " + t.Kind.String())
}

// payloadOffset is the offset of a variant's payload from its start.
func payloadOffset(t *Type) uint32 {
	cs := cases(t)
	return alignTo(discSize(len(cs)), payloadAlign(cs))
}

// Flatten appends t's core value types to dst.
func Flatten(dst []abi.ValType, t *Type) []abi.ValType {
	switch t.Kind {
	case Bool, S8, U8, S16, U16, S32, U32, Char, Own, Borrow, Enum:
		return append(dst, abi.I32)
	case S64, U64:
		return append(dst, abi.I64)
	case F32:
		return append(dst, abi.F32)
	case F64:
		return append(dst, abi.F64)
	case String, List:
		return append(dst, abi.I32, abi.I32)
	case Record, Tuple:
		for _, f := range t.Fields {
			dst = Flatten(dst, f.Type)
		}
		return dst
	case Flags:
		for range (len(t.Labels) + 31) / 32 {
			dst = append(dst, abi.I32)
		}
		return dst
	case Variant, Option, Result:
		return append(append(dst, abi.I32), joinedPayload(cases(t))...)
	}
	panic("component: Flatten of " + t.Kind.String())
}

// joinedPayload is the flattening of a variant's payload: position by
// position, the widest of the cases' core types.
func joinedPayload(cs []*Type) []abi.ValType {
	var flat []abi.ValType
	for _, c := range cs {
		if c == nil {
			continue
		}
		for i, ft := range Flatten(nil, c) {
			if i < len(flat) {
				flat[i] = join(flat[i], ft)
			} else {
				flat = append(flat, ft)
			}
		}
	}
	return flat
}

func join(a, b abi.ValType) abi.ValType {
	if a == b {
		return a
	}
	if (a == abi.I32 && b == abi.F32) || (a == abi.F32 && b == abi.I32) {
		return abi.I32
	}
	return abi.I64
}

// CoreSignature is the core function type of a component function type:
// what `canon lift` expects of the core function (lift true) and what
// `canon lower` produces (lift false).
func CoreSignature(ft *FuncType, lift bool) (params, results []abi.ValType) {
	for _, p := range ft.Params {
		params = Flatten(params, p.Type)
	}
	if len(params) > MaxFlatParams {
		params = []abi.ValType{abi.I32}
	}
	if ft.Result != nil {
		results = Flatten(nil, ft.Result)
	}
	if len(results) > MaxFlatResults {
		if lift {
			results = []abi.ValType{abi.I32}
		} else {
			params = append(params, abi.I32)
			results = nil
		}
	}
	return params, results
}

// NeedsMemory reports whether lifting or lowering values of the function
// type reaches into linear memory (strings, lists or flattening spill),
// and NeedsRealloc whether it allocates there, in the direction given:
// lowering arguments into a callee (lift side) or lowering results into a
// caller (lower side).
func NeedsMemory(ft *FuncType) bool {
	p, r := CoreSignature(ft, true)
	var flat []abi.ValType
	for _, x := range ft.Params {
		flat = Flatten(flat, x.Type)
	}
	if len(flat) != len(p) {
		return true
	}
	if ft.Result != nil && len(Flatten(nil, ft.Result)) != len(r) {
		return true
	}
	for _, x := range ft.Params {
		if usesMemory(x.Type) {
			return true
		}
	}
	return usesMemory(ft.Result)
}

func usesMemory(t *Type) bool {
	if t == nil {
		return false
	}
	if t.Kind == String || t.Kind == List {
		return true
	}
	if usesMemory(t.Elem) || usesMemory(t.Err) {
		return true
	}
	for _, f := range t.Fields {
		if usesMemory(f.Type) {
			return true
		}
	}
	return false
}
