// Package component runs WebAssembly components: the canonical ABI (lifting
// and lowering every WIT value type between Go and a core instance's
// memory), per-instance resource handle tables, and a Go API to
// instantiate a component's instance graph (Graph, produced by
// compiler/component) from loaded core modules, call its exports with Go
// values and provide its imports as Go functions. It never imports the
// compiler.
package component

import (
	"fmt"
	"strings"
)

// Kind is the kind of a component value type.
type Kind byte

// Value type kinds. The primitive kinds are numbered by their binary
// encoding (primvaltype); the others by their defvaltype opcode.
const (
	Bool   Kind = 0x7f
	S8     Kind = 0x7e
	U8     Kind = 0x7d
	S16    Kind = 0x7c
	U16    Kind = 0x7b
	S32    Kind = 0x7a
	U32    Kind = 0x79
	S64    Kind = 0x78
	U64    Kind = 0x77
	F32    Kind = 0x76
	F64    Kind = 0x75
	Char   Kind = 0x74
	String Kind = 0x73

	Record  Kind = 0x72
	Variant Kind = 0x71
	List    Kind = 0x70
	Tuple   Kind = 0x6f
	Flags   Kind = 0x6e
	Enum    Kind = 0x6d
	Option  Kind = 0x6b
	Result  Kind = 0x6a
	Own     Kind = 0x69
	Borrow  Kind = 0x68
)

// IsPrimitive reports whether k is a primitive value type (bool … string).
func (k Kind) IsPrimitive() bool { return k >= String && k <= Bool }

var kindNames = map[Kind]string{
	Bool: "bool", S8: "s8", U8: "u8", S16: "s16", U16: "u16", S32: "s32", U32: "u32",
	S64: "s64", U64: "u64", F32: "f32", F64: "f64", Char: "char", String: "string",
	Record: "record", Variant: "variant", List: "list", Tuple: "tuple", Flags: "flags",
	Enum: "enum", Option: "option", Result: "result", Own: "own", Borrow: "borrow",
}

func (k Kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return fmt.Sprintf("kind(%#x)", byte(k))
}

// Type is a component value type. Which fields are meaningful depends on
// Kind:
//
//   - List, Option: Elem.
//   - Result: Elem (ok) and Err, either may be nil (no payload).
//   - Record: Fields with names; Tuple: Fields without names; Variant:
//     Fields as cases, a case's Type nil when it has no payload.
//   - Enum, Flags: Labels.
//   - Own, Borrow: Resource, an index into Graph.Resources.
//
// Types form trees (component value types cannot be recursive).
type Type struct {
	Kind     Kind
	Elem     *Type
	Err      *Type
	Fields   []Field
	Labels   []string
	Resource int
}

// Field is a record field, tuple element, variant case or parameter.
type Field struct {
	Name string
	Type *Type
}

// FuncType is a component function type: named parameters and at most
// one result (nil when there is none).
type FuncType struct {
	Params []Field
	Result *Type
}

var primitives = func() map[Kind]*Type {
	m := map[Kind]*Type{}
	for k := String; k <= Bool; k++ {
		m[k] = &Type{Kind: k}
	}
	return m
}()

// Prim returns the shared type of primitive kind k.
func Prim(k Kind) *Type { return primitives[k] }

// Equal reports whether a and b are the same type structurally (names
// included, as the component model's type equality requires).
func Equal(a, b *Type) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.Kind != b.Kind || a.Resource != b.Resource || len(a.Fields) != len(b.Fields) || len(a.Labels) != len(b.Labels) {
		return false
	}
	if !Equal(a.Elem, b.Elem) || !Equal(a.Err, b.Err) {
		return false
	}
	for i := range a.Fields {
		if a.Fields[i].Name != b.Fields[i].Name || !Equal(a.Fields[i].Type, b.Fields[i].Type) {
			return false
		}
	}
	for i := range a.Labels {
		if a.Labels[i] != b.Labels[i] {
			return false
		}
	}
	return true
}

// EqualFunc reports whether two function types are equal.
func EqualFunc(a, b *FuncType) bool {
	if len(a.Params) != len(b.Params) || !Equal(a.Result, b.Result) {
		return false
	}
	for i := range a.Params {
		if a.Params[i].Name != b.Params[i].Name || !Equal(a.Params[i].Type, b.Params[i].Type) {
			return false
		}
	}
	return true
}

// ContainsBorrow reports whether t uses borrow anywhere.
func ContainsBorrow(t *Type) bool {
	if t == nil {
		return false
	}
	if t.Kind == Borrow {
		return true
	}
	if ContainsBorrow(t.Elem) || ContainsBorrow(t.Err) {
		return true
	}
	for _, f := range t.Fields {
		if ContainsBorrow(f.Type) {
			return true
		}
	}
	return false
}

// String renders t in WIT syntax (resources by index).
func (t *Type) String() string {
	var b strings.Builder
	t.write(&b)
	return b.String()
}

func (t *Type) write(b *strings.Builder) {
	if t == nil {
		b.WriteString("_")
		return
	}
	switch t.Kind {
	case List, Option:
		b.WriteString(t.Kind.String() + "<")
		t.Elem.write(b)
		b.WriteString(">")
	case Result:
		b.WriteString("result<")
		t.Elem.write(b)
		b.WriteString(", ")
		t.Err.write(b)
		b.WriteString(">")
	case Tuple:
		b.WriteString("tuple<")
		for i, f := range t.Fields {
			if i > 0 {
				b.WriteString(", ")
			}
			f.Type.write(b)
		}
		b.WriteString(">")
	case Record, Variant:
		b.WriteString(t.Kind.String() + " { ")
		for i, f := range t.Fields {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(f.Name)
			if f.Type != nil {
				if t.Kind == Record {
					b.WriteString(": ")
					f.Type.write(b)
				} else {
					b.WriteString("(")
					f.Type.write(b)
					b.WriteString(")")
				}
			}
		}
		b.WriteString(" }")
	case Enum, Flags:
		b.WriteString(t.Kind.String() + " { " + strings.Join(t.Labels, ", ") + " }")
	case Own:
		fmt.Fprintf(b, "own<resource%d>", t.Resource)
	case Borrow:
		fmt.Fprintf(b, "borrow<resource%d>", t.Resource)
	default:
		b.WriteString(t.Kind.String())
	}
}

// String renders f in WIT syntax.
func (f *FuncType) String() string {
	var b strings.Builder
	b.WriteString("func(")
	for i, p := range f.Params {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(p.Name + ": ")
		p.Type.write(&b)
	}
	b.WriteString(")")
	if f.Result != nil {
		b.WriteString(" -> ")
		f.Result.write(&b)
	}
	return b.String()
}
