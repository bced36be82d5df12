package llvm

import (
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// llType is an LLVM type (LLVM 14, typed pointers). Types are interned:
// two llTypes are the same type exactly when they are the same pointer.
type llType struct {
	kind   typeKind
	bits   uint64    // integer width
	n      uint64    // vector or array length
	elem   *llType   // vector, array or pointer element
	ret    *llType   // function result
	params []*llType // function parameters
	str    string    // as LLVM text spells it

	ptr atomic.Pointer[llType] // the pointer type to this one, once made
}

type typeKind uint8

const (
	kindVoid typeKind = iota
	kindInt
	kindFloat
	kindDouble
	kindVector
	kindArray
	kindPointer
	kindFunc
	kindMetadata
)

func (t *llType) String() string { return t.str }

// isFloat reports whether t is float or double.
func (t *llType) isFloat() bool { return t.kind == kindFloat || t.kind == kindDouble }

// typeKey identifies a composite type for interning; function types are
// identified by their text.
type typeKey struct {
	kind typeKind
	bits uint64
	n    uint64
	elem *llType
	sig  string
}

var (
	typeMu  sync.Mutex
	typeTab = map[typeKey]*llType{}
)

func intern(k typeKey, mk func() *llType) *llType {
	typeMu.Lock()
	defer typeMu.Unlock()
	if t, ok := typeTab[k]; ok {
		return t
	}
	t := mk()
	typeTab[k] = t
	return t
}

// The scalar types.
var (
	tVoid     = &llType{kind: kindVoid, str: "void"}
	tI1       = intType(1)
	tI8       = intType(8)
	tI16      = intType(16)
	tI32      = intType(32)
	tI64      = intType(64)
	tI128     = intType(128)
	tFloat    = &llType{kind: kindFloat, str: "float"}
	tDouble   = &llType{kind: kindDouble, str: "double"}
	tMetadata = &llType{kind: kindMetadata, str: "metadata"}
	tI8Ptr    = ptrTo(tI8)
)

func intType(bits uint64) *llType {
	return intern(typeKey{kind: kindInt, bits: bits}, func() *llType {
		return &llType{kind: kindInt, bits: bits, str: "i" + strconv.FormatUint(bits, 10)}
	})
}

func vecType(n uint64, elem *llType) *llType {
	return intern(typeKey{kind: kindVector, n: n, elem: elem}, func() *llType {
		return &llType{kind: kindVector, n: n, elem: elem, str: "<" + strconv.FormatUint(n, 10) + " x " + elem.str + ">"}
	})
}

func ptrTo(elem *llType) *llType {
	if p := elem.ptr.Load(); p != nil {
		return p
	}
	p := intern(typeKey{kind: kindPointer, elem: elem}, func() *llType {
		return &llType{kind: kindPointer, elem: elem, str: elem.str + "*"}
	})
	elem.ptr.Store(p)
	return p
}

func funcType(ret *llType, params ...*llType) *llType {
	var sb strings.Builder
	sb.WriteString(ret.str)
	sb.WriteString(" (")
	for i, p := range params {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(p.str)
	}
	sb.WriteByte(')')
	s := sb.String()
	return intern(typeKey{kind: kindFunc, sig: s}, func() *llType {
		return &llType{kind: kindFunc, ret: ret, params: params, str: s}
	})
}
