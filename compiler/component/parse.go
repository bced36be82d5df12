// Package component decodes and validates WebAssembly component binaries
// (preamble 00 61 73 6d 0d 00 01 00) and flattens a valid component into
// the instance graph that rtlib/component instantiates. Malformed or
// invalid input is an *Error with the byte offset of the problem; the
// parser never panics on any input.
package component

import (
	"bytes"
	"fmt"

	"github.com/wasmaot/wasmaot/compiler/wasm"
	rt "github.com/wasmaot/wasmaot/rtlib/component"
)

// Preamble starts every component binary.
var Preamble = []byte{0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00}

// IsComponent reports whether bin starts with the component preamble
// (any layer-1 version), as opposed to a core module.
func IsComponent(bin []byte) bool {
	return len(bin) >= 8 && bytes.Equal(bin[:4], Preamble[:4]) && bin[6] == 1 && bin[7] == 0
}

// Limits on nesting and size that keep hostile input cheap.
const (
	maxDepth = 64 // nested components and types
	maxItems = 1 << 20
	// maxTypeNodes bounds the tree of a value type and of a function
	// type's parameters and result together.
	maxTypeNodes = 1 << 16
	// maxFuncNodes bounds the type nodes of all function types of a
	// component, which the instance graph writes out as trees.
	maxFuncNodes = 1 << 22
)

// Component is a validated component: its index spaces in definition order
// and where each entry came from, which Flatten follows.
type Component struct {
	scope
	// Modules are the core modules defined in this component (not nested
	// ones), in order; CoreModule entries of kind fromDef index them.
	Modules []*CoreModule
	// Nested are the components defined inside this one.
	Nested []*Component
	// Canons are the canonical definitions in order.
	Canons []Canon
	// Imports and Exports of this component.
	Imports, Exports []Named
	// Start is the start function, or -1.
	Start int
	// order lists core instances (SortCoreInstance) and component
	// instances (SortInstance) in definition order: instantiation order.
	order []coreRef
	ids   *int // next resource id, shared by the whole parse
}

// CoreModule is a core module defined inside a component.
type CoreModule struct {
	Bytes  []byte
	Module *wasm.Module
	Type   *ModuleType
	Offset int
}

// CanonKind is the kind of a canonical definition.
type CanonKind byte

// Canonical definition kinds, numbered by their opcode.
const (
	CanonLift         CanonKind = 0
	CanonLower        CanonKind = 1
	CanonResourceNew  CanonKind = 2
	CanonResourceDrop CanonKind = 3
	CanonResourceRep  CanonKind = 4
)

// Canon is a canonical definition.
type Canon struct {
	Kind     CanonKind
	Func     int // lift: core func; lower: component func
	Type     *rt.FuncType
	Resource int // resource.*: resource id
	Options  CanonOptions
}

// CanonOptions are canonical options as core func/memory indices (-1 absent).
type CanonOptions struct {
	Encoding                    rt.Encoding
	Memory, Realloc, PostReturn int
}

// origin says how an index-space entry was defined.
type originKind byte

const (
	fromDef             originKind = iota // a definition in this scope (Index: module/component/canon/instance list)
	fromImport                            // Index: import number
	fromAliasExport                       // export Name of instance Index
	fromAliasCoreExport                   // export Name of core instance Index
	fromAliasOuter                        // entry Index of the scope Count levels out
	fromExport                            // re-export of entry Index of the same space
	fromInstantiate                       // Index: the instantiated module/component
	fromInline                            // a bag of exports
	fromCanon                             // Index: canonical definition
)

type origin struct {
	Kind  originKind
	Index int
	Name  string
	Count int
}

type coreFuncEntry struct {
	origin
	Type *wasm.FuncType
}

type coreItemEntry struct {
	origin
	Type CoreExtern
}

type moduleEntry struct {
	origin
	Type *ModuleType
}

type coreInstanceEntry struct {
	origin
	Args    []coreArg    // fromInstantiate
	Inline  []coreInline // fromInline
	Exports map[string]CoreExtern
	items   map[string]coreRef // fromInline: where each export comes from
}

type coreArg struct {
	Name     string
	Instance int
}

type coreInline struct {
	Name  string
	Sort  Sort
	Index int
}

type coreRef struct {
	Sort  Sort
	Index int
}

type funcEntry struct {
	origin
	Type *rt.FuncType
}

type componentEntry struct {
	origin
	Type *ComponentType
}

type instanceEntry struct {
	origin
	Type   *InstanceType
	Args   []instArg // fromInstantiate
	Inline []instArg // fromInline
}

type instArg struct {
	Name  string
	Sort  Sort
	Index int
}

// scope holds index spaces. Components, component types and instance
// types are scopes; outer aliases reach enclosing ones.
type scope struct {
	parent        *scope
	coreFuncs     []coreFuncEntry
	coreTables    []coreItemEntry
	coreMemories  []coreItemEntry
	coreGlobals   []coreItemEntry
	coreTypes     []*coreTypeDef
	modules       []moduleEntry
	coreInstances []coreInstanceEntry
	funcs         []funcEntry
	types         []*TypeDef
	components    []componentEntry
	instances     []instanceEntry
	typeOnly      bool        // a component or instance type: declarations only
	resources     map[int]int // resources defined here → destructor core func (-1: none)
}

// coreTypeDef is a core type: a function type or a module type.
type coreTypeDef struct {
	Func   *wasm.FuncType
	Module *ModuleType
}

func (s *scope) size(sort Sort) int {
	switch sort {
	case SortCoreFunc:
		return len(s.coreFuncs)
	case SortCoreTable:
		return len(s.coreTables)
	case SortCoreMemory:
		return len(s.coreMemories)
	case SortCoreGlobal:
		return len(s.coreGlobals)
	case SortCoreType:
		return len(s.coreTypes)
	case SortCoreModule:
		return len(s.modules)
	case SortCoreInstance:
		return len(s.coreInstances)
	case SortFunc:
		return len(s.funcs)
	case SortType:
		return len(s.types)
	case SortComponent:
		return len(s.components)
	case SortInstance:
		return len(s.instances)
	}
	return 0
}

// Parse decodes and validates a component binary.
func Parse(bin []byte) (c *Component, err error) {
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bail)
			if !ok {
				panic(r)
			}
			c, err = nil, b.err
		}
	}()
	ids := 0
	p := &parser{ids: &ids, nodes: map[*rt.Type]int{}}
	return p.component(&reader{b: bin}, nil, 0), nil
}

type parser struct {
	ids   *int
	items int // definitions decoded so far, bounded by maxItems
	// nodes counts the nodes of each value type's tree, shared subtrees
	// counted every time they occur: what walking it (layout,
	// flattening, lifting) costs. Types may share subtrees, so a few
	// bytes can describe an exponentially large tree; maxTypeNodes
	// bounds it.
	nodes     map[*rt.Type]int
	funcNodes int // type nodes of all function types, bounded by maxFuncNodes
}

func (p *parser) fresh() int {
	*p.ids++
	return *p.ids
}

func (p *parser) count(r *reader) {
	p.items++
	if p.items > maxItems {
		r.fail("too many definitions")
	}
}

// component decodes one component (preamble included) spanning all of r.
func (p *parser) component(r *reader, parent *scope, depth int) *Component {
	if depth > maxDepth {
		r.fail("components nested too deeply")
	}
	pre := r.bytes(min(8, len(r.b)-r.i))
	if len(pre) < 8 || !bytes.Equal(pre[:4], Preamble[:4]) {
		r.i -= len(pre)
		r.fail("not a component: bad magic")
	}
	if pre[6] != 1 || pre[7] != 0 {
		r.i -= 2
		r.fail("not a component: layer %d (a core module?)", pre[6])
	}
	if pre[4] != Preamble[4] || pre[5] != Preamble[5] {
		r.i -= 4
		r.fail("unsupported component version %#x (wasmaot reads %#x)", int(pre[4])|int(pre[5])<<8, Preamble[4])
	}
	c := &Component{Start: -1, ids: p.ids}
	c.parent = parent
	names := map[string]bool{}
	exportNames := map[string]bool{}
	for !r.done() {
		idAt := r.i
		id := r.byte()
		size := r.u32()
		start := r.off()
		body := &reader{b: r.bytes(int(size)), base: start}
		switch id {
		case 0: // custom: a name, then anything
			body.name()
			body.i = len(body.b)
		case 1:
			p.coreModule(c, body)
			body.i = len(body.b)
		case 2:
			for n := body.count(); n > 0; n-- {
				p.count(body)
				p.coreInstance(c, body)
				c.order = append(c.order, coreRef{SortCoreInstance, len(c.coreInstances) - 1})
			}
		case 3:
			for n := body.count(); n > 0; n-- {
				p.count(body)
				c.coreTypes = append(c.coreTypes, p.coreType(&c.scope, body, depth))
			}
		case 4:
			p.count(body)
			nested := p.component(body, &c.scope, depth+1)
			c.Nested = append(c.Nested, nested)
			c.components = append(c.components, componentEntry{origin{Kind: fromDef, Index: len(c.Nested) - 1},
				&ComponentType{Imports: nested.Imports, Exports: nested.Exports}})
		case 5:
			for n := body.count(); n > 0; n-- {
				p.count(body)
				p.instance(c, body)
				c.order = append(c.order, coreRef{SortInstance, len(c.instances) - 1})
			}
		case 6:
			for n := body.count(); n > 0; n-- {
				p.count(body)
				p.alias(&c.scope, body)
			}
		case 7:
			for n := body.count(); n > 0; n-- {
				p.count(body)
				c.types = append(c.types, p.typeDef(&c.scope, body, depth))
			}
		case 8:
			for n := body.count(); n > 0; n-- {
				p.count(body)
				p.canon(c, body)
			}
		case 9:
			p.start(c, body)
		case 10:
			for n := body.count(); n > 0; n-- {
				p.count(body)
				at := body.off()
				name := p.externName(body)
				if names[name] {
					body.fail("duplicate import name %q", name)
				}
				names[name] = true
				et := p.externType(&c.scope, body)
				p.checkExternal(body, at, et)
				c.Imports = append(c.Imports, Named{name, et})
				c.addImport(len(c.Imports)-1, et)
			}
		case 11:
			for n := body.count(); n > 0; n-- {
				p.count(body)
				p.export(c, body, exportNames)
			}
		case 12:
			body.fail("value definitions are not supported")
		default:
			r.i = idAt
			r.fail("unknown section id %d", id)
		}
		if !body.done() {
			body.fail("section %d has %d bytes left over", id, len(body.b)-body.i)
		}
	}
	return c
}

// coreModule decodes and validates an embedded core module.
func (p *parser) coreModule(c *Component, r *reader) {
	p.count(r)
	m, err := wasm.Decode(r.b)
	if err == nil {
		err = wasm.Validate(m)
	}
	if err != nil {
		off := r.base
		if we, ok := err.(*wasm.Error); ok {
			off += int(we.Offset)
		}
		panic(bail{&Error{Offset: off, Msg: "core module: " + err.Error()}})
	}
	mt := moduleTypeOf(m)
	c.Modules = append(c.Modules, &CoreModule{Bytes: r.b, Module: m, Type: mt, Offset: r.base})
	c.modules = append(c.modules, moduleEntry{origin{Kind: fromDef, Index: len(c.Modules) - 1}, mt})
}

// moduleTypeOf describes a decoded module's imports and exports.
func moduleTypeOf(m *wasm.Module) *ModuleType {
	mt := &ModuleType{Exports: map[string]CoreExtern{}}
	for _, im := range m.Imports {
		ce := CoreExtern{Kind: im.Kind, Table: im.Table, Memory: im.Memory, Global: im.Global}
		if im.Kind == wasm.ExternFunc {
			ce.Func = &m.Types[im.Func]
		}
		mt.Imports = append(mt.Imports, CoreImport{im.Module, im.Name, ce})
	}
	for _, ex := range m.Exports {
		ce := CoreExtern{Kind: ex.Kind}
		switch ex.Kind {
		case wasm.ExternFunc:
			ce.Func = m.FuncTypeOf(ex.Index)
		case wasm.ExternTable:
			ce.Table = tableAt(m, ex.Index)
		case wasm.ExternMemory:
			ce.Memory = memoryAt(m, ex.Index)
		case wasm.ExternGlobal:
			ce.Global = *m.GlobalTypeOf(ex.Index)
		}
		mt.Exports[ex.Name] = ce
	}
	return mt
}

func tableAt(m *wasm.Module, i uint32) wasm.TableType {
	for _, im := range m.Imports {
		if im.Kind == wasm.ExternTable {
			if i == 0 {
				return im.Table
			}
			i--
		}
	}
	return m.Tables[i]
}

func memoryAt(m *wasm.Module, i uint32) wasm.MemoryType {
	for _, im := range m.Imports {
		if im.Kind == wasm.ExternMemory {
			if i == 0 {
				return im.Memory
			}
			i--
		}
	}
	return m.Memories[i]
}

func (p *parser) index(s *scope, r *reader, sort Sort) int {
	i := r.idx()
	if i >= s.size(sort) {
		r.i--
		r.fail("%s index %d out of range (%d defined)", sort, i, s.size(sort))
	}
	return i
}

// coreSort decodes a core:sort.
func coreSort(r *reader) Sort {
	switch c := r.byte(); c {
	case 0x00:
		return SortCoreFunc
	case 0x01:
		return SortCoreTable
	case 0x02:
		return SortCoreMemory
	case 0x03:
		return SortCoreGlobal
	case 0x10:
		return SortCoreType
	case 0x11:
		return SortCoreModule
	case 0x12:
		return SortCoreInstance
	default:
		r.i--
		r.fail("unknown core sort %#x", c)
	}
	return 0
}

// sort decodes a sort.
func sortOf(r *reader) Sort {
	switch c := r.byte(); c {
	case 0x00:
		return coreSort(r)
	case 0x01:
		return SortFunc
	case 0x02:
		r.i--
		r.fail("value definitions are not supported")
	case 0x03:
		return SortType
	case 0x04:
		return SortComponent
	case 0x05:
		return SortInstance
	default:
		r.i--
		r.fail("unknown sort %#x", c)
	}
	return 0
}

func coreKind(s Sort) (wasm.ExternKind, bool) {
	switch s {
	case SortCoreFunc:
		return wasm.ExternFunc, true
	case SortCoreTable:
		return wasm.ExternTable, true
	case SortCoreMemory:
		return wasm.ExternMemory, true
	case SortCoreGlobal:
		return wasm.ExternGlobal, true
	}
	return 0, false
}

// coreExternOf returns the type of core item (sort, i).
func (s *scope) coreExternOf(sort Sort, i int) CoreExtern {
	switch sort {
	case SortCoreFunc:
		return CoreExtern{Kind: wasm.ExternFunc, Func: s.coreFuncs[i].Type}
	case SortCoreTable:
		return s.coreTables[i].Type
	case SortCoreMemory:
		return s.coreMemories[i].Type
	}
	return s.coreGlobals[i].Type
}

func (p *parser) coreInstance(c *Component, r *reader) {
	switch op := r.byte(); op {
	case 0x00:
		mi := p.index(&c.scope, r, SortCoreModule)
		e := coreInstanceEntry{origin: origin{Kind: fromInstantiate, Index: mi}}
		args := map[string]int{}
		for n := r.count(); n > 0; n-- {
			name := r.name()
			if _, dup := args[name]; dup {
				r.fail("duplicate instantiation argument %q", name)
			}
			if k := r.byte(); k != 0x12 {
				r.i--
				r.fail("core instantiation argument must be an instance, got sort %#x", k)
			}
			args[name] = p.index(&c.scope, r, SortCoreInstance)
			e.Args = append(e.Args, coreArg{name, args[name]})
		}
		mt := c.modules[mi].Type
		for _, im := range mt.Imports {
			ai, ok := args[im.Module]
			if !ok {
				r.fail("module %d imports from %q, which is not an argument", mi, im.Module)
			}
			got, ok := c.coreInstances[ai].Exports[im.Name]
			if !ok {
				r.fail("import %q %q: core instance %d has no such export", im.Module, im.Name, ai)
			}
			if err := coreMatch(got, im.Type); err != "" {
				r.fail("import %q %q: %s", im.Module, im.Name, err)
			}
		}
		e.Exports = mt.Exports
		c.coreInstances = append(c.coreInstances, e)
	case 0x01:
		e := coreInstanceEntry{origin: origin{Kind: fromInline}, Exports: map[string]CoreExtern{}}
		for n := r.count(); n > 0; n-- {
			name := r.name()
			if _, dup := e.Exports[name]; dup {
				r.fail("duplicate export %q", name)
			}
			sort := coreSort(r)
			if _, ok := coreKind(sort); !ok {
				r.i--
				r.fail("a core instance cannot export a %s", sort)
			}
			i := p.index(&c.scope, r, sort)
			e.Inline = append(e.Inline, coreInline{name, sort, i})
			e.Exports[name] = c.coreExternOf(sort, i)
		}
		c.coreInstances = append(c.coreInstances, e)
	default:
		r.i--
		r.fail("unknown core instance form %#x", op)
	}
}

// coreMatch checks that a supplied core item fits an import ("" if so).
func coreMatch(got, want CoreExtern) string {
	if got.Kind != want.Kind {
		return fmt.Sprintf("expected a %s, got a %s", want.Kind, got.Kind)
	}
	switch want.Kind {
	case wasm.ExternFunc:
		if !sameFuncType(got.Func, want.Func) {
			return fmt.Sprintf("function type mismatch: expected %v, got %v", *want.Func, *got.Func)
		}
	case wasm.ExternTable:
		if got.Table.Elem != want.Table.Elem || !limitsFit(got.Table.Limits, want.Table.Limits) {
			return "table type mismatch"
		}
	case wasm.ExternMemory:
		if !limitsFit(got.Memory.Limits, want.Memory.Limits) {
			return "memory limits mismatch"
		}
	case wasm.ExternGlobal:
		if got.Global != want.Global {
			return "global type mismatch"
		}
	}
	return ""
}

func sameFuncType(a, b *wasm.FuncType) bool {
	if a == nil || b == nil {
		return a == b
	}
	if len(a.Params) != len(b.Params) || len(a.Results) != len(b.Results) {
		return false
	}
	for i := range a.Params {
		if a.Params[i] != b.Params[i] {
			return false
		}
	}
	for i := range a.Results {
		if a.Results[i] != b.Results[i] {
			return false
		}
	}
	return true
}

func limitsFit(got, want wasm.Limits) bool {
	if got.Min < want.Min {
		return false
	}
	if want.HasMax {
		return got.HasMax && got.Max <= want.Max
	}
	return true
}
