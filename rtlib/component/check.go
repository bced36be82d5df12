package component

import "fmt"

// Check verifies that every index in g is in range and every type is
// well formed, so that instantiating and calling cannot index out of
// bounds whatever a (corrupt) object says.
func (g *Graph) Check() error {
	ck := &checker{g: g}
	if g.Components < 1 {
		ck.fail("no component instances")
	}
	for i, r := range g.Resources {
		ck.at = fmt.Sprintf("resource %d", i)
		ck.index(r.Owner, g.Components, "component instance")
		ck.item(r.Dtor, len(g.Instances))
	}
	for i, im := range g.Imports {
		ck.at = fmt.Sprintf("import %q", im.Name)
		if (im.Func == nil) == (len(im.Funcs) == 0 && len(im.Resources) == 0) && im.Func != nil {
			ck.fail("both a function and an instance")
		}
		ck.fn(im.Func)
		for _, f := range im.Funcs {
			if f.Type == nil {
				ck.fail("function %q has no type", f.Name)
			}
			ck.fn(f.Type)
		}
		for _, r := range im.Resources {
			ck.index(r, len(g.Resources), "resource")
		}
		_ = i
	}
	for i, ci := range g.Instances {
		ck.at = fmt.Sprintf("core instance %d", i)
		if ci.Module >= g.Modules || ci.Module < -1 {
			ck.fail("module %d out of range", ci.Module)
		}
		for _, a := range ci.Args {
			ck.index(a.Instance, i, "earlier core instance")
		}
		for _, x := range ci.Exports {
			ck.item(&x.Item, i)
		}
	}
	for i, l := range g.Lowers {
		ck.at = fmt.Sprintf("lowering %d", i)
		ck.callee(l.Callee)
		if l.Type == nil {
			ck.fail("no type")
		}
		ck.fn(l.Type)
		ck.options(l.Options)
	}
	for i, l := range g.Lifts {
		ck.at = fmt.Sprintf("lifting %d", i)
		ck.item(&l.Core, len(g.Instances))
		if l.Type == nil {
			ck.fail("no type")
		}
		ck.fn(l.Type)
		ck.options(l.Options)
	}
	for _, x := range g.Exports {
		ck.at = fmt.Sprintf("export %q", x.Name)
		if x.Func != nil {
			ck.callee(*x.Func)
		}
		for _, f := range x.Funcs {
			ck.callee(f.Callee)
		}
		for _, r := range x.Resources {
			ck.index(r, len(g.Resources), "resource")
		}
	}
	for _, s := range g.Starts {
		ck.at = "start"
		ck.callee(s)
	}
	return ck.err
}

type checker struct {
	g   *Graph
	at  string
	err error
}

func (ck *checker) fail(format string, args ...any) {
	if ck.err == nil {
		ck.err = fmt.Errorf("component graph: %s: %s", ck.at, fmt.Sprintf(format, args...))
	}
}

func (ck *checker) index(i, n int, what string) {
	if i < 0 || i >= n {
		ck.fail("%s %d out of range (%d)", what, i, n)
	}
}

func (ck *checker) item(it *CoreItem, instances int) {
	if it == nil {
		return
	}
	switch it.Kind {
	case ItemExport:
		ck.index(it.Index, instances, "core instance")
	case ItemLower:
		ck.index(it.Index, len(ck.g.Lowers), "lowering")
	case ItemResourceNew, ItemResourceDrop, ItemResourceRep:
		ck.index(it.Index, len(ck.g.Resources), "resource")
		ck.index(it.Component, ck.g.Components, "component instance")
	default:
		ck.fail("unknown core item kind %d", it.Kind)
	}
}

func (ck *checker) callee(c Callee) {
	if c.Lift >= 0 {
		ck.index(c.Lift, len(ck.g.Lifts), "lifting")
		return
	}
	ck.index(c.Import, len(ck.g.Imports), "import")
	if ck.err != nil {
		return
	}
	im := ck.g.Imports[c.Import]
	if c.Name == "" {
		if im.Func == nil {
			ck.fail("import %q is not a function", im.Name)
		}
		return
	}
	for _, f := range im.Funcs {
		if f.Name == c.Name {
			return
		}
	}
	ck.fail("import %q has no function %q", im.Name, c.Name)
}

func (ck *checker) options(o Options) {
	if o.Encoding > Latin1UTF16 {
		ck.fail("unknown string encoding %d", o.Encoding)
	}
	ck.item(o.Memory, len(ck.g.Instances))
	ck.item(o.Realloc, len(ck.g.Instances))
	ck.item(o.PostReturn, len(ck.g.Instances))
	ck.index(o.Component, ck.g.Components, "component instance")
}

func (ck *checker) fn(f *FuncType) {
	if f == nil {
		return
	}
	for _, p := range f.Params {
		ck.typ(p.Type)
	}
	if f.Result != nil {
		ck.typ(f.Result)
	}
}

// typ checks that every kind has what it needs and sizes stay bounded.
func (ck *checker) typ(t *Type) {
	if t == nil {
		ck.fail("missing type")
		return
	}
	switch t.Kind {
	case List, Option:
		if t.Elem == nil {
			ck.fail("%s without element type", t.Kind)
			return
		}
		ck.typ(t.Elem)
	case Result:
		if t.Elem != nil {
			ck.typ(t.Elem)
		}
		if t.Err != nil {
			ck.typ(t.Err)
		}
	case Record, Tuple, Variant:
		if len(t.Fields) == 0 {
			ck.fail("empty %s", t.Kind)
		}
		for _, f := range t.Fields {
			if f.Type == nil && t.Kind == Variant {
				continue
			}
			ck.typ(f.Type)
		}
	case Enum:
		if len(t.Labels) == 0 {
			ck.fail("empty enum")
		}
	case Flags:
		if len(t.Labels) == 0 || len(t.Labels) > 32 {
			ck.fail("flags with %d labels", len(t.Labels))
		}
	case Own, Borrow:
		ck.index(t.Resource, len(ck.g.Resources), "resource")
	}
	if ck.err == nil && t.Kind != Own && t.Kind != Borrow && Size(t) >= 1<<28 {
		ck.fail("type too large")
	}
}
