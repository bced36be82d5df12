package component

import (
	"strings"

	"github.com/wasmaot/wasmaot/compiler/wasm"
	rt "github.com/wasmaot/wasmaot/rtlib/component"
)

// externName decodes nameattributes: a name with optional attributes
// (implements, version suffix, external id), which are skipped.
func (p *parser) externName(r *reader) string {
	switch c := r.byte(); c {
	case 0x00, 0x01:
		return p.plainName(r)
	case 0x02:
		name := p.plainName(r)
		for n := r.count(); n > 0; n-- {
			switch k := r.byte(); k {
			case 0x00, 0x01, 0x02:
				r.name()
			default:
				r.i--
				r.fail("unknown name attribute %#x", k)
			}
		}
		return name
	default:
		r.i--
		r.fail("unknown extern name form %#x", c)
	}
	return ""
}

func (p *parser) plainName(r *reader) string {
	at := r.i
	n := r.name()
	if n == "" {
		r.i = at
		r.fail("empty name")
	}
	return n
}

func (p *parser) checkExternal(r *reader, at int, e Extern) {
	if e.Sort == SortCoreModule || e.Sort == SortFunc || e.Sort == SortInstance || e.Sort == SortComponent || e.Sort == SortType {
		return
	}
	r.i = at - r.base
	r.fail("a %s cannot be imported or exported", e.Sort)
}

// addImport puts an imported or exported-declared item into its index
// space; a type bound of (sub resource) makes a fresh resource type.
func (s *scope) addImport(i int, e Extern) {
	o := origin{Kind: fromImport, Index: i}
	s.add(o, e)
}

// add puts an item of type e into the index space of e.Sort.
func (s *scope) add(o origin, e Extern) {
	switch e.Sort {
	case SortFunc:
		s.funcs = append(s.funcs, funcEntry{o, e.Func})
	case SortInstance:
		s.instances = append(s.instances, instanceEntry{origin: o, Type: e.Instance})
	case SortComponent:
		s.components = append(s.components, componentEntry{o, e.Component})
	case SortType:
		s.types = append(s.types, e.Type)
	case SortCoreModule:
		s.modules = append(s.modules, moduleEntry{o, e.Module})
	}
}

// externOf returns the type of item i of sort in s.
func (s *scope) externOf(sort Sort, i int) Extern {
	switch sort {
	case SortFunc:
		return Extern{Sort: sort, Func: s.funcs[i].Type}
	case SortInstance:
		return Extern{Sort: sort, Instance: s.instances[i].Type}
	case SortComponent:
		return Extern{Sort: sort, Component: s.components[i].Type}
	case SortType:
		return Extern{Sort: sort, Type: s.types[i]}
	case SortCoreModule:
		return Extern{Sort: sort, Module: s.modules[i].Type}
	}
	return Extern{Sort: sort}
}

func (p *parser) instance(c *Component, r *reader) {
	switch op := r.byte(); op {
	case 0x00:
		ci := p.index(&c.scope, r, SortComponent)
		ct := c.components[ci].Type
		e := instanceEntry{origin: origin{Kind: fromInstantiate, Index: ci}}
		given := map[string]Extern{}
		for n := r.count(); n > 0; n-- {
			name := r.name()
			if _, dup := given[name]; dup {
				r.fail("duplicate instantiation argument %q", name)
			}
			sort := sortOf(r)
			i := p.index(&c.scope, r, sort)
			given[name] = c.externOf(sort, i)
			e.Args = append(e.Args, instArg{name, sort, i})
		}
		m := subst{}
		for _, im := range ct.Imports {
			got, ok := given[im.Name]
			if !ok {
				r.fail("component %d import %q is not given", ci, im.Name)
			}
			if msg := matchExtern(got, m.extern(im.Extern), m); msg != "" {
				r.fail("component %d import %q: %s", ci, im.Name, msg)
			}
		}
		e.Type = m.instance(&InstanceType{Exports: ct.Exports})
		c.instances = append(c.instances, e)
	case 0x01:
		e := instanceEntry{origin: origin{Kind: fromInline}, Type: &InstanceType{}}
		seen := map[string]bool{}
		for n := r.count(); n > 0; n-- {
			name := p.externName(r)
			if seen[strings.ToLower(name)] {
				r.fail("duplicate export %q", name)
			}
			seen[strings.ToLower(name)] = true
			sort := sortOf(r)
			if sort < SortFunc && sort != SortCoreModule {
				r.fail("an instance cannot export a %s", sort)
			}
			i := p.index(&c.scope, r, sort)
			e.Inline = append(e.Inline, instArg{name, sort, i})
			e.Type.Exports = append(e.Type.Exports, Named{name, c.externOf(sort, i)})
		}
		c.instances = append(c.instances, e)
	default:
		r.i--
		r.fail("unknown instance form %#x", op)
	}
}

// matchExtern checks that got can satisfy an import of type want, learning
// resource substitutions into m ("" if it fits).
func matchExtern(got, want Extern, m subst) string {
	if got.Sort != want.Sort {
		return "expected a " + want.Sort.String() + ", got a " + got.Sort.String()
	}
	switch want.Sort {
	case SortFunc:
		if !rt.EqualFunc(got.Func, m.fn(want.Func)) {
			return "function type mismatch: expected " + want.Func.String() + ", got " + got.Func.String()
		}
	case SortType:
		if want.Type.Resource > 0 {
			if got.Type.Resource == 0 {
				return "expected a resource type"
			}
			m[want.Type.Resource] = got.Type.Resource
		} else if want.Type.Val != nil && (got.Type.Val == nil || !rt.Equal(got.Type.Val, m.val(want.Type.Val))) {
			return "type mismatch"
		}
	case SortInstance:
		for _, ex := range want.Instance.Exports {
			g := got.find(ex.Name)
			if g == nil {
				return "instance has no export " + ex.Name
			}
			if msg := matchExtern(*g, m.extern(ex.Extern), m); msg != "" {
				return "export " + ex.Name + ": " + msg
			}
		}
	case SortComponent:
		for _, ex := range want.Component.Exports {
			found := false
			for _, g := range got.Component.Exports {
				if g.Name == ex.Name && g.Extern.Sort == ex.Extern.Sort {
					found = true
				}
			}
			if !found {
				return "component has no export " + ex.Name
			}
		}
	case SortCoreModule:
		for name := range want.Module.Exports {
			if _, ok := got.Module.Exports[name]; !ok {
				return "module has no export " + name
			}
		}
	}
	return ""
}

func (p *parser) alias(s *scope, r *reader) {
	sort := sortOf(r)
	switch kind := r.byte(); kind {
	case 0x00: // export of an instance
		if s.typeOnly && sort != SortInstance && sort != SortType {
			r.fail("a type may only alias instance and type exports")
		}
		i := p.index(s, r, SortInstance)
		name := r.name()
		e := Extern{Instance: s.instances[i].Type}.find(name)
		if e == nil || e.Sort != sort {
			r.fail("instance %d has no %s export %q", i, sort, name)
		}
		s.add(origin{Kind: fromAliasExport, Index: i, Name: name}, *e)
	case 0x01: // export of a core instance
		k, ok := coreKind(sort)
		if !ok || s.typeOnly {
			r.fail("a core export alias cannot be a %s here", sort)
		}
		i := p.index(s, r, SortCoreInstance)
		name := r.name()
		ce, found := s.coreInstances[i].Exports[name]
		if !found || ce.Kind != k {
			r.fail("core instance %d has no %s export %q", i, sort, name)
		}
		o := origin{Kind: fromAliasCoreExport, Index: i, Name: name}
		switch sort {
		case SortCoreFunc:
			s.coreFuncs = append(s.coreFuncs, coreFuncEntry{o, ce.Func})
		case SortCoreTable:
			s.coreTables = append(s.coreTables, coreItemEntry{o, ce})
		case SortCoreMemory:
			s.coreMemories = append(s.coreMemories, coreItemEntry{o, ce})
		default:
			s.coreGlobals = append(s.coreGlobals, coreItemEntry{o, ce})
		}
	case 0x02: // outer
		ct := r.idx()
		target := s
		for range ct {
			if target.parent == nil {
				r.fail("outer alias count %d exceeds the enclosing scopes", ct)
			}
			target = target.parent
		}
		switch sort {
		case SortType, SortCoreType, SortCoreModule, SortComponent:
		default:
			r.fail("an outer alias cannot be a %s", sort)
		}
		if s.typeOnly && sort != SortType && sort != SortCoreType {
			r.fail("a type may only alias outer types")
		}
		i := p.index(target, r, sort)
		o := origin{Kind: fromAliasOuter, Index: i, Count: ct}
		if sort == SortCoreType {
			s.coreTypes = append(s.coreTypes, target.coreTypes[i])
			return
		}
		s.add(o, target.externOf(sort, i))
	default:
		r.i--
		r.fail("unknown alias target %#x", kind)
	}
}

// valType decodes a valtype: a primitive or the index of a defined value
// type.
func (p *parser) valType(s *scope, r *reader) *rt.Type {
	b := r.peek()
	if b >= 0x40 && b <= 0x7f {
		r.i++
		if k := rt.Kind(b); k.IsPrimitive() {
			return rt.Prim(k)
		}
		r.i--
		r.fail("unsupported value type %#x", b)
	}
	i := p.index(s, r, SortType)
	if s.types[i].Val == nil {
		r.fail("type %d is not a value type", i)
	}
	return s.types[i].Val
}

func (p *parser) optValType(s *scope, r *reader) *rt.Type {
	if r.opt() {
		return p.valType(s, r)
	}
	return nil
}

func (p *parser) labels(r *reader, what string) []string {
	n := r.count()
	if n == 0 {
		r.fail("%s with no labels", what)
	}
	out := make([]string, 0, n)
	seen := map[string]bool{}
	for range n {
		l := p.plainName(r)
		if seen[strings.ToLower(l)] {
			r.fail("duplicate %s label %q", what, l)
		}
		seen[strings.ToLower(l)] = true
		out = append(out, l)
	}
	return out
}

func (p *parser) fields(s *scope, r *reader, what string, named bool) []rt.Field {
	n := r.count()
	out := make([]rt.Field, 0, n)
	seen := map[string]bool{}
	for range n {
		var f rt.Field
		if named {
			f.Name = p.plainName(r)
			if seen[strings.ToLower(f.Name)] {
				r.fail("duplicate %s name %q", what, f.Name)
			}
			seen[strings.ToLower(f.Name)] = true
		}
		f.Type = p.valType(s, r)
		out = append(out, f)
	}
	return out
}

// typeDef decodes a type definition of the type index space.
func (p *parser) typeDef(s *scope, r *reader, depth int) *TypeDef {
	if depth > maxDepth {
		r.fail("types nested too deeply")
	}
	op := r.byte()
	t := &rt.Type{Kind: rt.Kind(op)}
	switch {
	case rt.Kind(op).IsPrimitive():
		return &TypeDef{Val: rt.Prim(rt.Kind(op))}
	case op == 0x72:
		t.Fields = p.fields(s, r, "record field", true)
		if len(t.Fields) == 0 {
			r.fail("record with no fields")
		}
	case op == 0x71:
		n := r.count()
		if n == 0 {
			r.fail("variant with no cases")
		}
		seen := map[string]bool{}
		for range n {
			name := p.plainName(r)
			if seen[strings.ToLower(name)] {
				r.fail("duplicate variant case %q", name)
			}
			seen[strings.ToLower(name)] = true
			ct := p.optValType(s, r)
			if r.byte() != 0 {
				r.i--
				r.fail("variant case refinements are not supported")
			}
			t.Fields = append(t.Fields, rt.Field{Name: name, Type: ct})
		}
	case op == 0x70, op == 0x6b:
		t.Elem = p.valType(s, r)
	case op == 0x6f:
		t.Fields = p.fields(s, r, "tuple", false)
		if len(t.Fields) == 0 {
			r.fail("tuple with no elements")
		}
	case op == 0x6e:
		t.Labels = p.labels(r, "flags")
		if len(t.Labels) > 32 {
			r.fail("flags with %d labels (at most 32)", len(t.Labels))
		}
	case op == 0x6d:
		t.Labels = p.labels(r, "enum")
	case op == 0x6a:
		t.Elem = p.optValType(s, r)
		t.Err = p.optValType(s, r)
	case op == 0x69, op == 0x68:
		i := p.index(s, r, SortType)
		if s.types[i].Resource == 0 {
			r.fail("type %d is not a resource", i)
		}
		t.Resource = s.types[i].Resource
	case op == 0x40:
		return &TypeDef{Func: p.funcType(s, r)}
	case op == 0x41, op == 0x42:
		return p.declType(s, r, op == 0x41, depth)
	case op == 0x3f:
		if s.typeOnly {
			r.i--
			r.fail("a resource type cannot be defined inside a component or instance type")
		}
		if rep := r.byte(); rep != 0x7f {
			r.i--
			r.fail("resource representation must be i32")
		}
		d := &TypeDef{Resource: p.fresh()}
		if r.opt() {
			f := p.index(s, r, SortCoreFunc)
			if !sameFuncType(s.coreFuncs[f].Type, &wasm.FuncType{Params: []wasm.ValType{wasm.I32}}) {
				r.fail("resource destructor must have type [i32] -> []")
			}
			rememberDtor(s, d.Resource, f)
		} else {
			rememberDtor(s, d.Resource, -1)
		}
		return d
	case op == 0x43, op == 0x66, op == 0x65, op == 0x64:
		r.i--
		r.fail("async types (%#x) are not supported", op)
	default:
		r.i--
		r.fail("unknown type form %#x", op)
	}
	if p.treeNodes(t) > maxTypeNodes {
		r.fail("type too complex (more than %d nodes)", maxTypeNodes)
	}
	checkSize(r, t)
	return &TypeDef{Val: t}
}

// treeNodes returns the size of t's tree, from its children's (already
// counted when they were defined).
func (p *parser) treeNodes(t *rt.Type) int {
	if t == nil || t.Kind.IsPrimitive() {
		return 1
	}
	if n, ok := p.nodes[t]; ok {
		return n
	}
	n := 1 + p.treeNodes(t.Elem) + p.treeNodes(t.Err)
	for _, f := range t.Fields {
		n += p.treeNodes(f.Type)
		if n > maxTypeNodes {
			break
		}
	}
	p.nodes[t] = n
	return n
}

// rememberDtor records a resource defined in a component scope.
func rememberDtor(s *scope, id, dtor int) {
	if s.resources == nil {
		s.resources = map[int]int{}
	}
	s.resources[id] = dtor
}

// checkSize bounds a type's memory size (the spec's 2^28 limit), which
// also bounds how deep a valid type nests.
func checkSize(r *reader, t *rt.Type) {
	if t.Kind == rt.Own || t.Kind == rt.Borrow {
		return
	}
	if rt.Size(t) >= 1<<28 {
		r.fail("type too large")
	}
}

func (p *parser) funcType(s *scope, r *reader) *rt.FuncType {
	ft := &rt.FuncType{Params: p.fields(s, r, "parameter", true)}
	switch c := r.byte(); c {
	case 0x00:
		ft.Result = p.valType(s, r)
	case 0x01:
		if r.byte() != 0 {
			r.i--
			r.fail("named results are not supported")
		}
	default:
		r.i--
		r.fail("malformed result list %#x", c)
	}
	n := p.treeNodes(ft.Result)
	for _, x := range ft.Params {
		n += p.treeNodes(x.Type)
	}
	if n > maxTypeNodes {
		r.fail("function type too complex (more than %d type nodes)", maxTypeNodes)
	}
	if p.funcNodes += n; p.funcNodes > maxFuncNodes {
		r.fail("function types too complex altogether (more than %d type nodes)", maxFuncNodes)
	}
	if rt.ContainsBorrow(ft.Result) {
		r.fail("a function result cannot contain a borrow")
	}
	return ft
}

// declType decodes a component (component true) or instance type.
func (p *parser) declType(s *scope, r *reader, component bool, depth int) *TypeDef {
	inner := &scope{parent: s, typeOnly: true}
	var imports, exports []Named
	seenIm, seenEx := map[string]bool{}, map[string]bool{}
	for n := r.count(); n > 0; n-- {
		p.count(r)
		switch d := r.byte(); d {
		case 0x00:
			inner.coreTypes = append(inner.coreTypes, p.coreType(inner, r, depth+1))
		case 0x01:
			inner.types = append(inner.types, p.typeDef(inner, r, depth+1))
		case 0x02:
			p.alias(inner, r)
		case 0x03, 0x04:
			if d == 0x03 && !component {
				r.i--
				r.fail("an instance type cannot declare imports")
			}
			at := r.off()
			name := p.externName(r)
			seen := seenEx
			if d == 0x03 {
				seen = seenIm
			}
			if seen[strings.ToLower(name)] {
				r.fail("duplicate declaration %q", name)
			}
			seen[strings.ToLower(name)] = true
			e := p.externType(inner, r)
			p.checkExternal(r, at, e)
			if d == 0x03 {
				imports = append(imports, Named{name, e})
			} else {
				exports = append(exports, Named{name, e})
			}
			inner.addImport(0, e)
		default:
			r.i--
			r.fail("unknown declaration %#x", d)
		}
	}
	if component {
		return &TypeDef{Component: &ComponentType{Imports: imports, Exports: exports}}
	}
	return &TypeDef{Instance: &InstanceType{Exports: exports}}
}

// externType decodes an externtype in scope s.
func (p *parser) externType(s *scope, r *reader) Extern {
	switch c := r.byte(); c {
	case 0x00:
		if r.byte() != 0x11 {
			r.i--
			r.fail("core extern type must be a module")
		}
		i := p.index(s, r, SortCoreType)
		if s.coreTypes[i].Module == nil {
			r.fail("core type %d is not a module type", i)
		}
		return Extern{Sort: SortCoreModule, Module: s.coreTypes[i].Module}
	case 0x01:
		i := p.index(s, r, SortType)
		if s.types[i].Func == nil {
			r.fail("type %d is not a function type", i)
		}
		return Extern{Sort: SortFunc, Func: s.types[i].Func}
	case 0x02:
		r.i--
		r.fail("value imports are not supported")
	case 0x03:
		switch b := r.byte(); b {
		case 0x00:
			i := p.index(s, r, SortType)
			return Extern{Sort: SortType, Type: s.types[i]}
		case 0x01:
			return Extern{Sort: SortType, Type: &TypeDef{Resource: p.fresh()}}
		default:
			r.i--
			r.fail("unknown type bound %#x", b)
		}
	case 0x04:
		i := p.index(s, r, SortType)
		if s.types[i].Component == nil {
			r.fail("type %d is not a component type", i)
		}
		return Extern{Sort: SortComponent, Component: s.types[i].Component}
	case 0x05:
		i := p.index(s, r, SortType)
		if s.types[i].Instance == nil {
			r.fail("type %d is not an instance type", i)
		}
		return Extern{Sort: SortInstance, Instance: s.types[i].Instance}
	default:
		r.i--
		r.fail("unknown extern type %#x", c)
	}
	return Extern{}
}
