package component

import (
	"strings"

	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/rtlib/abi"
	rt "github.com/wasmaot/wasmaot/rtlib/component"
)

// coreType decodes a core:type: a function type or a module type.
func (p *parser) coreType(s *scope, r *reader, depth int) *coreTypeDef {
	switch c := r.byte(); c {
	case 0x60:
		return &coreTypeDef{Func: coreFuncType(r)}
	case 0x50:
		if depth > maxDepth {
			r.fail("types nested too deeply")
		}
		return &coreTypeDef{Module: p.moduleType(s, r)}
	default:
		r.i--
		r.fail("unsupported core type form %#x (only functions and modules)", c)
	}
	return nil
}

func coreValType(r *reader) wasm.ValType {
	switch t := wasm.ValType(r.byte()); t {
	case wasm.I32, wasm.I64, wasm.F32, wasm.F64, wasm.V128, wasm.FuncRef, wasm.ExternRef:
		return t
	default:
		r.i--
		r.fail("unknown core value type %#x", byte(t))
	}
	return 0
}

func coreFuncType(r *reader) *wasm.FuncType {
	ft := &wasm.FuncType{}
	for n := r.count(); n > 0; n-- {
		ft.Params = append(ft.Params, coreValType(r))
	}
	for n := r.count(); n > 0; n-- {
		ft.Results = append(ft.Results, coreValType(r))
	}
	return ft
}

func limits(r *reader) wasm.Limits {
	switch f := r.byte(); f {
	case 0:
		return wasm.Limits{Min: r.u32()}
	case 1:
		l := wasm.Limits{Min: r.u32(), HasMax: true}
		l.Max = r.u32()
		return l
	default:
		r.i--
		r.fail("unsupported limits flag %#x", f)
	}
	return wasm.Limits{}
}

// importDesc decodes a core import description, function types from
// types.
func importDesc(r *reader, types []*coreTypeDef) CoreExtern {
	switch k := r.byte(); k {
	case 0x00:
		i := r.idx()
		if i >= len(types) || types[i].Func == nil {
			r.fail("core function type %d out of range", i)
		}
		return CoreExtern{Kind: wasm.ExternFunc, Func: types[i].Func}
	case 0x01:
		elem := coreValType(r)
		if elem != wasm.FuncRef && elem != wasm.ExternRef {
			r.fail("table element type must be a reference")
		}
		return CoreExtern{Kind: wasm.ExternTable, Table: wasm.TableType{Elem: elem, Limits: limits(r)}}
	case 0x02:
		return CoreExtern{Kind: wasm.ExternMemory, Memory: wasm.MemoryType{Limits: limits(r)}}
	case 0x03:
		g := wasm.GlobalType{Type: coreValType(r)}
		switch m := r.byte(); m {
		case 0:
		case 1:
			g.Mutable = true
		default:
			r.i--
			r.fail("malformed mutability %#x", m)
		}
		return CoreExtern{Kind: wasm.ExternGlobal, Global: g}
	default:
		r.i--
		r.fail("unknown core import kind %#x", k)
	}
	return CoreExtern{}
}

func (p *parser) moduleType(s *scope, r *reader) *ModuleType {
	mt := &ModuleType{Exports: map[string]CoreExtern{}}
	var types []*coreTypeDef
	for n := r.count(); n > 0; n-- {
		p.count(r)
		switch d := r.byte(); d {
		case 0x00:
			mod, name := r.name(), r.name()
			mt.Imports = append(mt.Imports, CoreImport{mod, name, importDesc(r, types)})
		case 0x01:
			if r.byte() != 0x60 {
				r.i--
				r.fail("a module type may only declare function types")
			}
			types = append(types, &coreTypeDef{Func: coreFuncType(r)})
		case 0x02:
			if r.byte() != 0x10 || r.byte() != 0x01 {
				r.i--
				r.fail("a module type may only alias outer core types")
			}
			ct, i := r.idx(), r.idx()
			if ct != 1 || i >= len(s.coreTypes) || s.coreTypes[i].Func == nil {
				r.fail("outer core type alias (%d, %d) out of range", ct, i)
			}
			types = append(types, s.coreTypes[i])
		case 0x03:
			name := r.name()
			if _, dup := mt.Exports[name]; dup {
				r.fail("duplicate export %q", name)
			}
			mt.Exports[name] = importDesc(r, types)
		default:
			r.i--
			r.fail("unknown module declaration %#x", d)
		}
	}
	return mt
}

// coreFuncTypeOf converts rtlib ABI value types to a wasm function type.
func coreFuncTypeOf(params, results []abi.ValType) *wasm.FuncType {
	ft := &wasm.FuncType{}
	for _, t := range params {
		ft.Params = append(ft.Params, wasm.ValType(t))
	}
	for _, t := range results {
		ft.Results = append(ft.Results, wasm.ValType(t))
	}
	return ft
}

var (
	reallocType = &wasm.FuncType{Params: []wasm.ValType{wasm.I32, wasm.I32, wasm.I32, wasm.I32}, Results: []wasm.ValType{wasm.I32}}
	i32ToI32    = &wasm.FuncType{Params: []wasm.ValType{wasm.I32}, Results: []wasm.ValType{wasm.I32}}
	i32ToNone   = &wasm.FuncType{Params: []wasm.ValType{wasm.I32}}
)

func (p *parser) canonOptions(c *Component, r *reader) CanonOptions {
	o := CanonOptions{Memory: -1, Realloc: -1, PostReturn: -1}
	seen := map[byte]bool{}
	for n := r.count(); n > 0; n-- {
		op := r.byte()
		key := op
		if op <= 2 {
			key = 0
		}
		if seen[key] {
			r.i--
			r.fail("duplicate or conflicting canonical option %#x", op)
		}
		seen[key] = true
		switch op {
		case 0, 1, 2:
			o.Encoding = rt.Encoding(op)
		case 3:
			o.Memory = p.index(&c.scope, r, SortCoreMemory)
		case 4:
			o.Realloc = p.index(&c.scope, r, SortCoreFunc)
			if !sameFuncType(c.coreFuncs[o.Realloc].Type, reallocType) {
				r.fail("realloc must have type [i32 i32 i32 i32] -> [i32]")
			}
		case 5:
			o.PostReturn = p.index(&c.scope, r, SortCoreFunc)
		default:
			r.i--
			r.fail("unsupported canonical option %#x (async is not supported)", op)
		}
	}
	return o
}

func (p *parser) canon(c *Component, r *reader) {
	at := r.i
	switch op := r.byte(); op {
	case 0x00:
		if r.byte() != 0x00 {
			r.i--
			r.fail("canon lift must lift a core func")
		}
		f := p.index(&c.scope, r, SortCoreFunc)
		opts := p.canonOptions(c, r)
		ti := p.index(&c.scope, r, SortType)
		ft := c.types[ti].Func
		if ft == nil {
			r.fail("type %d is not a function type", ti)
		}
		params, results := rt.CoreSignature(ft, true)
		want := coreFuncTypeOf(params, results)
		if !sameFuncType(c.coreFuncs[f].Type, want) {
			r.i = at
			r.fail("canon lift: core function %d has type %v, the component type needs %v", f, *c.coreFuncs[f].Type, *want)
		}
		if rt.NeedsMemory(ft) && opts.Memory < 0 {
			r.i = at
			r.fail("canon lift: the function type needs a memory option")
		}
		if liftNeedsRealloc(ft) && opts.Realloc < 0 {
			r.i = at
			r.fail("canon lift: the function type needs a realloc option")
		}
		if opts.PostReturn >= 0 && !sameFuncType(c.coreFuncs[opts.PostReturn].Type, &wasm.FuncType{Params: want.Results}) {
			r.i = at
			r.fail("canon lift: post-return must take the core results and return nothing")
		}
		c.Canons = append(c.Canons, Canon{Kind: CanonLift, Func: f, Type: ft, Options: opts})
		c.funcs = append(c.funcs, funcEntry{origin{Kind: fromCanon, Index: len(c.Canons) - 1}, ft})
	case 0x01:
		if r.byte() != 0x00 {
			r.i--
			r.fail("canon lower must lower a func")
		}
		f := p.index(&c.scope, r, SortFunc)
		opts := p.canonOptions(c, r)
		ft := c.funcs[f].Type
		if opts.PostReturn >= 0 {
			r.i = at
			r.fail("canon lower cannot have a post-return option")
		}
		if rt.NeedsMemory(ft) && opts.Memory < 0 {
			r.i = at
			r.fail("canon lower: the function type needs a memory option")
		}
		if lowerNeedsRealloc(ft) && opts.Realloc < 0 {
			r.i = at
			r.fail("canon lower: the function type needs a realloc option")
		}
		params, results := rt.CoreSignature(ft, false)
		c.Canons = append(c.Canons, Canon{Kind: CanonLower, Func: f, Type: ft, Options: opts})
		c.coreFuncs = append(c.coreFuncs, coreFuncEntry{origin{Kind: fromCanon, Index: len(c.Canons) - 1}, coreFuncTypeOf(params, results)})
	case 0x02, 0x03, 0x04:
		ti := p.index(&c.scope, r, SortType)
		id := c.types[ti].Resource
		if id == 0 {
			r.fail("type %d is not a resource", ti)
		}
		if _, local := c.resources[id]; !local && op != 0x03 {
			r.fail("resource.new and resource.rep need a resource defined in this component")
		}
		ft := map[byte]*wasm.FuncType{0x02: i32ToI32, 0x03: i32ToNone, 0x04: i32ToI32}[op]
		c.Canons = append(c.Canons, Canon{Kind: CanonKind(op), Resource: id, Func: -1})
		c.coreFuncs = append(c.coreFuncs, coreFuncEntry{origin{Kind: fromCanon, Index: len(c.Canons) - 1}, ft})
	default:
		r.i--
		r.fail("unsupported canonical definition %#x (async, streams and threads are not supported)", op)
	}
}

// liftNeedsRealloc: lowering the arguments into the callee allocates.
func liftNeedsRealloc(ft *rt.FuncType) bool {
	var flat []abi.ValType
	for _, p := range ft.Params {
		flat = rt.Flatten(flat, p.Type)
		if allocates(p.Type) {
			return true
		}
	}
	return len(flat) > rt.MaxFlatParams
}

// lowerNeedsRealloc: lowering the result into the caller allocates.
func lowerNeedsRealloc(ft *rt.FuncType) bool { return allocates(ft.Result) }

func allocates(t *rt.Type) bool {
	if t == nil {
		return false
	}
	if t.Kind == rt.String || t.Kind == rt.List {
		return true
	}
	if allocates(t.Elem) || allocates(t.Err) {
		return true
	}
	for _, f := range t.Fields {
		if allocates(f.Type) {
			return true
		}
	}
	return false
}

func (p *parser) start(c *Component, r *reader) {
	if c.Start >= 0 {
		r.fail("more than one start section")
	}
	f := p.index(&c.scope, r, SortFunc)
	if n := r.count(); n != 0 {
		r.fail("start arguments (values) are not supported")
	}
	if n := r.u32(); n != 0 {
		r.fail("start results (values) are not supported")
	}
	if len(c.funcs[f].Type.Params) != 0 || c.funcs[f].Type.Result != nil {
		r.fail("start function %d must take and return nothing", f)
	}
	c.Start = f
}

func (p *parser) export(c *Component, r *reader, seen map[string]bool) {
	at := r.off()
	name := p.externName(r)
	if seen[strings.ToLower(name)] {
		r.fail("duplicate export name %q", name)
	}
	seen[strings.ToLower(name)] = true
	sort := sortOf(r)
	i := p.index(&c.scope, r, sort)
	e := c.externOf(sort, i)
	p.checkExternal(r, at, e)
	if r.opt() {
		want := p.externType(&c.scope, r)
		if msg := matchExtern(e, want, subst{}); msg != "" {
			r.fail("export %q: %s", name, msg)
		}
	}
	c.Exports = append(c.Exports, Named{name, e})
	c.add(origin{Kind: fromExport, Index: i}, e)
}
