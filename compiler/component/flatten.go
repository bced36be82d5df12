package component

import (
	"fmt"

	rt "github.com/wasmaot/wasmaot/rtlib/component"
)

// Flatten evaluates the component's instantiation statically, inlining
// nested components, and returns the instance graph with the core modules
// it instantiates (Graph.Modules of them, each listed once however often
// it is instantiated).
func (c *Component) Flatten() (g *rt.Graph, modules []*CoreModule, err error) {
	defer func() {
		if r := recover(); r != nil {
			fe, ok := r.(flattenError)
			if !ok {
				panic(r)
			}
			g, modules, err = nil, nil, fe.error
		}
	}()
	fl := &flattener{g: &rt.Graph{}, indexOf: map[*CoreModule]int{}}
	root := fl.newFrame(c, nil)
	for k, im := range c.Imports {
		root.imports = append(root.imports, fl.rootImport(root, k, im))
	}
	fl.run(root)
	for _, ex := range c.Exports {
		fl.rootExport(root, ex)
	}
	fl.g.Modules = len(fl.modules)
	return fl.g, fl.modules, nil
}

type flattenError struct{ error }

func fail(format string, args ...any) { panic(flattenError{fmt.Errorf(format, args...)}) }

type flattener struct {
	g       *rt.Graph
	modules []*CoreModule
	indexOf map[*CoreModule]int
}

// value is a component-level item during flattening.
type value struct {
	sort     Sort
	callee   rt.Callee // SortFunc
	fnType   *rt.FuncType
	exports  map[string]value // SortInstance
	comp     *Component       // SortComponent: a definition and its lexical frame
	lexical  *frame
	module   *CoreModule // SortCoreModule
	resource int         // SortType: graph resource (0: not a resource)
}

// frame is one component instance being flattened.
type frame struct {
	c       *Component
	lexical *frame // the frame whose scope encloses c's definition
	id      int
	imports []value
	res     map[int]int // parse resource id → graph resource index + 1

	coreInstances []int // graph core instance, -1 until evaluated
	coreFuncs     []*rt.CoreItem
	canonLowers   map[int]int
	funcs         []*value
	instances     []*value
}

func (fl *flattener) newFrame(c *Component, lexical *frame) *frame {
	f := &frame{c: c, lexical: lexical, id: fl.g.Components, res: map[int]int{}, canonLowers: map[int]int{}}
	fl.g.Components++
	f.coreInstances = make([]int, len(c.coreInstances))
	for i := range f.coreInstances {
		f.coreInstances[i] = -1
	}
	f.coreFuncs = make([]*rt.CoreItem, len(c.coreFuncs))
	f.funcs = make([]*value, len(c.funcs))
	f.instances = make([]*value, len(c.instances))
	return f
}

// run instantiates f's core and component instances in definition order.
func (fl *flattener) run(f *frame) {
	for _, ref := range f.c.order {
		if ref.Sort == SortCoreInstance {
			fl.coreInstance(f, ref.Index)
		} else {
			fl.instance(f, ref.Index)
		}
	}
	if f.c.Start >= 0 {
		fl.g.Starts = append(fl.g.Starts, fl.fn(f, f.c.Start).callee)
	}
}

func (fl *flattener) rootImport(root *frame, k int, im Named) value {
	switch im.Extern.Sort {
	case SortFunc:
		fl.g.Imports = append(fl.g.Imports, rt.Import{Name: im.Name, Func: fl.funcType(root, im.Extern.Func)})
		return value{sort: SortFunc, callee: rt.Callee{Import: len(fl.g.Imports) - 1, Lift: -1}, fnType: im.Extern.Func}
	case SortInstance:
		gi := len(fl.g.Imports)
		fl.g.Imports = append(fl.g.Imports, rt.Import{Name: im.Name})
		v := value{sort: SortInstance, exports: map[string]value{}}
		for _, ex := range im.Extern.Instance.Exports {
			switch ex.Extern.Sort {
			case SortType:
				if id := ex.Extern.Type.Resource; id > 0 {
					if _, known := root.res[id]; !known {
						fl.g.Resources = append(fl.g.Resources, rt.Resource{Name: ex.Name, Import: im.Name})
						root.res[id] = len(fl.g.Resources)
					}
					fl.g.Imports[gi].Resources = append(fl.g.Imports[gi].Resources, root.res[id]-1)
					v.exports[ex.Name] = value{sort: SortType, resource: root.res[id]}
				} else {
					v.exports[ex.Name] = value{sort: SortType}
				}
			case SortFunc:
				ft := fl.funcType(root, ex.Extern.Func)
				fl.g.Imports[gi].Funcs = append(fl.g.Imports[gi].Funcs, rt.NamedFunc{Name: ex.Name, Type: ft})
				v.exports[ex.Name] = value{sort: SortFunc, callee: rt.Callee{Import: gi, Name: ex.Name, Lift: -1}, fnType: ex.Extern.Func}
			default:
				fail("import %q: instances exporting a %s are not supported", im.Name, ex.Extern.Sort)
			}
		}
		return v
	case SortType:
		if id := im.Extern.Type.Resource; id > 0 {
			fl.g.Resources = append(fl.g.Resources, rt.Resource{Name: im.Name, Import: im.Name})
			root.res[id] = len(fl.g.Resources)
			return value{sort: SortType, resource: root.res[id]}
		}
		return value{sort: SortType}
	}
	fail("import %q: importing a %s into the root component is not supported", im.Name, im.Extern.Sort)
	return value{}
}

func (fl *flattener) rootExport(root *frame, ex Named) {
	switch ex.Extern.Sort {
	case SortFunc:
		v := fl.exportValue(root, ex.Name)
		fl.g.Exports = append(fl.g.Exports, rt.Export{Name: ex.Name, Func: &v.callee})
	case SortInstance:
		v := fl.exportValue(root, ex.Name)
		e := rt.Export{Name: ex.Name}
		for _, ie := range ex.Extern.Instance.Exports {
			iv := v.exports[ie.Name]
			switch iv.sort {
			case SortFunc:
				e.Funcs = append(e.Funcs, rt.ExportFunc{Name: ie.Name, Callee: iv.callee})
			case SortType:
				if iv.resource > 0 {
					e.Resources = append(e.Resources, iv.resource-1)
					if r := &fl.g.Resources[iv.resource-1]; r.Import == "" {
						r.Name = ie.Name // a guest resource is known by its export name
					}
				}
			}
		}
		fl.g.Exports = append(fl.g.Exports, e)
	}
}

// exportValue finds the value exported as name from frame f.
func (fl *flattener) exportValue(f *frame, name string) value {
	// Exports re-index their item; find the entry whose origin is that export.
	k := -1
	for i, ex := range f.c.Exports {
		if ex.Name == name {
			k = i
		}
	}
	ext := f.c.Exports[k].Extern
	if ext.Sort == SortType {
		if id := ext.Type.Resource; id > 0 {
			return value{sort: SortType, resource: fl.resource(f, id) + 1}
		}
		return value{sort: SortType}
	}
	// The k-th export added one entry to its sort's space; find it.
	seen := 0
	for _, ex := range f.c.Exports[:k] {
		if ex.Extern.Sort == ext.Sort {
			seen++
		}
	}
	return fl.exported(f, ext.Sort, seen)
}

// exported returns the n-th export of sort in f.
func (fl *flattener) exported(f *frame, sort Sort, n int) value {
	switch sort {
	case SortFunc:
		for i, e := range f.c.funcs {
			if e.Kind == fromExport {
				if n == 0 {
					return *fl.fn(f, i)
				}
				n--
			}
		}
	case SortInstance:
		for i, e := range f.c.instances {
			if e.Kind == fromExport {
				if n == 0 {
					return *fl.instance(f, i)
				}
				n--
			}
		}
	}
	return fl.item(f, sort, -1)
}

// item returns item i of sort in f.
func (fl *flattener) item(f *frame, sort Sort, i int) value {
	if i < 0 {
		fail("export of a %s is not supported", sort)
	}
	switch sort {
	case SortFunc:
		return *fl.fn(f, i)
	case SortInstance:
		return *fl.instance(f, i)
	case SortComponent:
		return fl.component(f, i)
	case SortCoreModule:
		return value{sort: SortCoreModule, module: fl.module(f, i)}
	case SortType:
		if id := f.c.types[i].Resource; id > 0 {
			return value{sort: SortType, resource: fl.resource(f, id) + 1}
		}
		return value{sort: SortType}
	}
	fail("passing a %s is not supported", sort)
	return value{}
}

// resource maps a parse resource id to a graph resource in frame f,
// defining the resource when f's component defines it.
func (fl *flattener) resource(f *frame, id int) int {
	for fr := f; fr != nil; fr = fr.lexical {
		if g, ok := fr.res[id]; ok {
			return g - 1
		}
		if dtor, local := fr.c.resources[id]; local {
			r := rt.Resource{Name: fmt.Sprintf("resource%d", len(fl.g.Resources)), Owner: fr.id}
			if dtor >= 0 {
				d := fl.coreFunc(fr, dtor)
				r.Dtor = &d
			}
			fl.g.Resources = append(fl.g.Resources, r)
			fr.res[id] = len(fl.g.Resources)
			return len(fl.g.Resources) - 1
		}
	}
	fail("resource type %d is not known here", id)
	return 0
}

func (fl *flattener) valType(f *frame, t *rt.Type) *rt.Type {
	if t == nil || t.Kind.IsPrimitive() {
		return t
	}
	c := *t
	c.Elem, c.Err = fl.valType(f, t.Elem), fl.valType(f, t.Err)
	if t.Kind == rt.Own || t.Kind == rt.Borrow {
		c.Resource = fl.resource(f, t.Resource)
	}
	if t.Fields != nil {
		c.Fields = make([]rt.Field, len(t.Fields))
		for i, fd := range t.Fields {
			c.Fields[i] = rt.Field{Name: fd.Name, Type: fl.valType(f, fd.Type)}
		}
	}
	return &c
}

func (fl *flattener) funcType(f *frame, ft *rt.FuncType) *rt.FuncType {
	out := &rt.FuncType{Result: fl.valType(f, ft.Result)}
	for _, p := range ft.Params {
		out.Params = append(out.Params, rt.Field{Name: p.Name, Type: fl.valType(f, p.Type)})
	}
	return out
}

func (fl *flattener) moduleIndex(m *CoreModule) int {
	if i, ok := fl.indexOf[m]; ok {
		return i
	}
	fl.modules = append(fl.modules, m)
	fl.indexOf[m] = len(fl.modules) - 1
	return len(fl.modules) - 1
}

func (fl *flattener) module(f *frame, i int) *CoreModule {
	e := f.c.modules[i]
	switch e.Kind {
	case fromDef:
		return f.c.Modules[e.Index]
	case fromAliasOuter:
		return fl.module(ancestor(f, e.Count), e.Index)
	case fromExport:
		return fl.module(f, e.Index)
	case fromImport:
		return fl.argOf(f, e.Index, SortCoreModule).module
	case fromAliasExport:
		return fl.instance(f, e.Index).exports[e.Name].module
	}
	fail("core module %d cannot be resolved", i)
	return nil
}

func ancestor(f *frame, n int) *frame {
	for range n {
		f = f.lexical
	}
	return f
}

func (fl *flattener) component(f *frame, i int) value {
	e := f.c.components[i]
	switch e.Kind {
	case fromDef:
		return value{sort: SortComponent, comp: f.c.Nested[e.Index], lexical: f}
	case fromAliasOuter:
		return fl.component(ancestor(f, e.Count), e.Index)
	case fromExport:
		return fl.component(f, e.Index)
	case fromImport:
		return fl.argOf(f, e.Index, SortComponent)
	case fromAliasExport:
		return fl.instance(f, e.Index).exports[e.Name]
	}
	fail("component %d cannot be resolved", i)
	return value{}
}

// argOf returns what f's import k was given.
func (fl *flattener) argOf(f *frame, k int, sort Sort) value {
	if f.lexical == nil && f.id == 0 {
		v := f.imports[k]
		if v.sort != sort {
			fail("import %q is not a %s", f.c.Imports[k].Name, sort)
		}
		return v
	}
	return f.imports[k]
}

func (fl *flattener) coreInstance(f *frame, i int) int {
	if g := f.coreInstances[i]; g >= 0 {
		return g
	}
	e := f.c.coreInstances[i]
	var ci rt.CoreInstance
	switch e.Kind {
	case fromInstantiate:
		ci.Module = fl.moduleIndex(fl.module(f, e.Index))
		for _, a := range e.Args {
			ci.Args = append(ci.Args, rt.CoreArg{Name: a.Name, Instance: fl.coreInstance(f, a.Instance)})
		}
	case fromInline:
		ci.Module = -1
		for _, x := range e.Inline {
			ci.Exports = append(ci.Exports, rt.CoreExport{Name: x.Name, Item: fl.coreItem(f, x.Sort, x.Index)})
		}
	default:
		fail("core instance %d cannot be resolved", i)
	}
	fl.g.Instances = append(fl.g.Instances, ci)
	f.coreInstances[i] = len(fl.g.Instances) - 1
	return f.coreInstances[i]
}

// coreItem resolves a core func, table, memory or global to where it is
// defined: an export of a module instance, or a canonical function.
func (fl *flattener) coreItem(f *frame, sort Sort, i int) rt.CoreItem {
	if sort == SortCoreFunc {
		return fl.coreFunc(f, i)
	}
	var e coreItemEntry
	switch sort {
	case SortCoreTable:
		e = f.c.coreTables[i]
	case SortCoreMemory:
		e = f.c.coreMemories[i]
	default:
		e = f.c.coreGlobals[i]
	}
	return fl.coreExport(f, e.Index, e.Name)
}

// coreExport resolves export name of core instance i, looking through
// bag instances.
func (fl *flattener) coreExport(f *frame, i int, name string) rt.CoreItem {
	g := fl.coreInstance(f, i)
	ci := fl.g.Instances[g]
	if ci.Module < 0 {
		for _, x := range ci.Exports {
			if x.Name == name {
				return x.Item
			}
		}
	}
	return rt.CoreItem{Kind: rt.ItemExport, Index: g, Name: name}
}

func (fl *flattener) coreFunc(f *frame, i int) rt.CoreItem {
	if it := f.coreFuncs[i]; it != nil {
		return *it
	}
	e := f.c.coreFuncs[i]
	var it rt.CoreItem
	switch e.Kind {
	case fromAliasCoreExport:
		it = fl.coreExport(f, e.Index, e.Name)
	case fromCanon:
		cn := f.c.Canons[e.Index]
		switch cn.Kind {
		case CanonLower:
			callee := fl.fn(f, cn.Func)
			fl.g.Lowers = append(fl.g.Lowers, rt.Lower{Callee: callee.callee, Type: fl.funcType(f, cn.Type), Options: fl.options(f, cn.Options)})
			it = rt.CoreItem{Kind: rt.ItemLower, Index: len(fl.g.Lowers) - 1}
		case CanonResourceNew, CanonResourceDrop, CanonResourceRep:
			kind := map[CanonKind]rt.ItemKind{CanonResourceNew: rt.ItemResourceNew, CanonResourceDrop: rt.ItemResourceDrop, CanonResourceRep: rt.ItemResourceRep}[cn.Kind]
			it = rt.CoreItem{Kind: kind, Index: fl.resource(f, cn.Resource), Component: f.id}
		default:
			fail("canonical definition %d is not a core function", e.Index)
		}
	default:
		fail("core function %d cannot be resolved", i)
	}
	f.coreFuncs[i] = &it
	return it
}

func (fl *flattener) options(f *frame, o CanonOptions) rt.Options {
	out := rt.Options{Encoding: o.Encoding, Component: f.id}
	if o.Memory >= 0 {
		m := fl.coreItem(f, SortCoreMemory, o.Memory)
		out.Memory = &m
	}
	if o.Realloc >= 0 {
		r := fl.coreFunc(f, o.Realloc)
		out.Realloc = &r
	}
	if o.PostReturn >= 0 {
		p := fl.coreFunc(f, o.PostReturn)
		out.PostReturn = &p
	}
	return out
}

func (fl *flattener) fn(f *frame, i int) *value {
	if v := f.funcs[i]; v != nil {
		return v
	}
	e := f.c.funcs[i]
	var v value
	switch e.Kind {
	case fromImport:
		v = fl.argOf(f, e.Index, SortFunc)
	case fromAliasExport:
		v = fl.instance(f, e.Index).exports[e.Name]
	case fromExport:
		v = *fl.fn(f, e.Index)
	case fromCanon:
		cn := f.c.Canons[e.Index]
		fl.g.Lifts = append(fl.g.Lifts, rt.Lift{Core: fl.coreFunc(f, cn.Func), Type: fl.funcType(f, cn.Type), Options: fl.options(f, cn.Options)})
		v = value{sort: SortFunc, callee: rt.Callee{Import: -1, Lift: len(fl.g.Lifts) - 1}, fnType: cn.Type}
	default:
		fail("function %d cannot be resolved", i)
	}
	if v.sort != SortFunc {
		fail("function %d resolves to a %s", i, v.sort)
	}
	f.funcs[i] = &v
	return &v
}

func (fl *flattener) instance(f *frame, i int) *value {
	if v := f.instances[i]; v != nil {
		return v
	}
	e := f.c.instances[i]
	var v value
	switch e.Kind {
	case fromImport:
		v = fl.argOf(f, e.Index, SortInstance)
	case fromAliasExport:
		v = fl.instance(f, e.Index).exports[e.Name]
	case fromExport:
		v = *fl.instance(f, e.Index)
	case fromInline:
		v = value{sort: SortInstance, exports: map[string]value{}}
		for _, x := range e.Inline {
			v.exports[x.Name] = fl.item(f, x.Sort, x.Index)
		}
	case fromInstantiate:
		comp := fl.component(f, e.Index)
		child := fl.newFrame(comp.comp, comp.lexical)
		given := map[string]value{}
		for _, a := range e.Args {
			given[a.Name] = fl.item(f, a.Sort, a.Index)
		}
		for _, im := range comp.comp.Imports {
			arg := given[im.Name]
			fl.bindResources(child, im.Extern, arg)
			child.imports = append(child.imports, arg)
		}
		fl.run(child)
		v = value{sort: SortInstance, exports: map[string]value{}}
		for _, ex := range comp.comp.Exports {
			v.exports[ex.Name] = fl.exportValue(child, ex.Name)
		}
	default:
		fail("instance %d cannot be resolved", i)
	}
	if v.sort != SortInstance {
		fail("instance %d resolves to a %s", i, v.sort)
	}
	f.instances[i] = &v
	return &v
}

// bindResources maps the resource types a child imports to the graph
// resources its instantiation supplies.
func (fl *flattener) bindResources(child *frame, want Extern, got value) {
	switch want.Sort {
	case SortType:
		if want.Type.Resource > 0 && got.resource > 0 {
			child.res[want.Type.Resource] = got.resource
		}
	case SortInstance:
		for _, ex := range want.Instance.Exports {
			fl.bindResources(child, ex.Extern, got.exports[ex.Name])
		}
	}
}
