package component

import (
	"github.com/wasmaot/wasmaot/compiler/wasm"
	rt "github.com/wasmaot/wasmaot/rtlib/component"
)

// Sort is the kind of a component-level index space.
type Sort byte

// Sorts.
const (
	SortCoreFunc Sort = iota
	SortCoreTable
	SortCoreMemory
	SortCoreGlobal
	SortCoreType
	SortCoreModule
	SortCoreInstance
	SortFunc
	SortValue
	SortType
	SortComponent
	SortInstance
)

var sortNames = [...]string{"core func", "core table", "core memory", "core global", "core type", "core module",
	"core instance", "func", "value", "type", "component", "instance"}

func (s Sort) String() string {
	if int(s) < len(sortNames) {
		return sortNames[s]
	}
	return "sort?"
}

// Extern is the type of an item that can be imported, exported or passed
// to an instantiation.
type Extern struct {
	Sort      Sort
	Func      *rt.FuncType   // SortFunc
	Instance  *InstanceType  // SortInstance
	Component *ComponentType // SortComponent
	Type      *TypeDef       // SortType
	Module    *ModuleType    // SortCoreModule
}

// Named is a named extern (an import or export declaration).
type Named struct {
	Name   string
	Extern Extern
}

// InstanceType lists the exports of an instance.
type InstanceType struct{ Exports []Named }

// ComponentType lists a component's imports and exports.
type ComponentType struct{ Imports, Exports []Named }

// TypeDef is an entry of the type index space: a value type, function,
// component or instance type, or a resource type (Resource > 0, a
// parse-wide unique id).
type TypeDef struct {
	Val       *rt.Type
	Func      *rt.FuncType
	Component *ComponentType
	Instance  *InstanceType
	Resource  int
}

// ModuleType lists a core module's imports and exports.
type ModuleType struct {
	Imports []CoreImport
	Exports map[string]CoreExtern
}

// CoreImport is an import of a core module.
type CoreImport struct {
	Module, Name string
	Type         CoreExtern
}

// CoreExtern is the type of a core item.
type CoreExtern struct {
	Kind   wasm.ExternKind
	Func   *wasm.FuncType
	Table  wasm.TableType
	Memory wasm.MemoryType
	Global wasm.GlobalType
}

func (e Extern) find(name string) *Extern {
	if e.Instance == nil {
		return nil
	}
	for i := range e.Instance.Exports {
		if e.Instance.Exports[i].Name == name {
			return &e.Instance.Exports[i].Extern
		}
	}
	return nil
}

// subst maps resource ids to others: the resources an instantiation
// supplies for a component's resource imports.
type subst map[int]int

func (m subst) res(id int) int {
	if to, ok := m[id]; ok {
		return to
	}
	return id
}

func (m subst) val(t *rt.Type) *rt.Type {
	if t == nil || len(m) == 0 {
		return t
	}
	if t.Kind.IsPrimitive() {
		return t
	}
	c := *t
	c.Elem, c.Err = m.val(t.Elem), m.val(t.Err)
	if t.Kind == rt.Own || t.Kind == rt.Borrow {
		c.Resource = m.res(t.Resource)
	}
	if t.Fields != nil {
		c.Fields = make([]rt.Field, len(t.Fields))
		for i, f := range t.Fields {
			c.Fields[i] = rt.Field{Name: f.Name, Type: m.val(f.Type)}
		}
	}
	return &c
}

func (m subst) fn(f *rt.FuncType) *rt.FuncType {
	if f == nil || len(m) == 0 {
		return f
	}
	c := &rt.FuncType{Result: m.val(f.Result)}
	for _, p := range f.Params {
		c.Params = append(c.Params, rt.Field{Name: p.Name, Type: m.val(p.Type)})
	}
	return c
}

func (m subst) typedef(d *TypeDef) *TypeDef {
	if d == nil || len(m) == 0 {
		return d
	}
	return &TypeDef{Val: m.val(d.Val), Func: m.fn(d.Func), Component: m.component(d.Component), Instance: m.instance(d.Instance), Resource: m.res(d.Resource)}
}

func (m subst) instance(it *InstanceType) *InstanceType {
	if it == nil || len(m) == 0 {
		return it
	}
	return &InstanceType{Exports: m.named(it.Exports)}
}

func (m subst) component(ct *ComponentType) *ComponentType {
	if ct == nil || len(m) == 0 {
		return ct
	}
	return &ComponentType{Imports: m.named(ct.Imports), Exports: m.named(ct.Exports)}
}

func (m subst) named(ns []Named) []Named {
	out := make([]Named, len(ns))
	for i, n := range ns {
		out[i] = Named{Name: n.Name, Extern: m.extern(n.Extern)}
	}
	return out
}

func (m subst) extern(e Extern) Extern {
	return Extern{Sort: e.Sort, Func: m.fn(e.Func), Instance: m.instance(e.Instance), Component: m.component(e.Component),
		Type: m.typedef(e.Type), Module: e.Module}
}
