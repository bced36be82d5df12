package component

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// The graph codec: the `.wasmaot.component` section of a component object.
// A magic and version, then the graph as unsigned LEB128 numbers and
// length-prefixed strings, types as trees. Decode checks every index
// (Graph.Check), so a corrupt section is an error, never a panic.

var graphMagic = []byte("WACG\x01")

// maxTypeDepth bounds type nesting in a decoded graph.
const maxTypeDepth = 100

type encoder struct{ b []byte }

func (e *encoder) u(v int)      { e.b = binary.AppendUvarint(e.b, uint64(v)) }
func (e *encoder) s(v string)   { e.u(len(v)); e.b = append(e.b, v...) }
func (e *encoder) flag(b bool)  { e.u(map[bool]int{false: 0, true: 1}[b]) }
func (e *encoder) signed(v int) { e.u(v + 1) } // -1 … as 0 …
func (e *encoder) typ(t *Type) {
	if t == nil {
		e.u(0)
		return
	}
	e.u(int(t.Kind))
	e.typ(t.Elem)
	e.typ(t.Err)
	e.u(len(t.Fields))
	for _, f := range t.Fields {
		e.s(f.Name)
		e.typ(f.Type)
	}
	e.u(len(t.Labels))
	for _, l := range t.Labels {
		e.s(l)
	}
	e.u(t.Resource)
}

func (e *encoder) fn(f *FuncType) {
	e.flag(f != nil)
	if f == nil {
		return
	}
	e.u(len(f.Params))
	for _, p := range f.Params {
		e.s(p.Name)
		e.typ(p.Type)
	}
	e.typ(f.Result)
}

func (e *encoder) item(it *CoreItem) {
	e.flag(it != nil)
	if it == nil {
		return
	}
	e.u(int(it.Kind))
	e.u(it.Index)
	e.s(it.Name)
	e.u(it.Component)
}

func (e *encoder) callee(c Callee) {
	e.signed(c.Import)
	e.s(c.Name)
	e.signed(c.Lift)
}

func (e *encoder) options(o Options) {
	e.u(int(o.Encoding))
	e.item(o.Memory)
	e.item(o.Realloc)
	e.item(o.PostReturn)
	e.u(o.Component)
}

// Encode serialises g.
func (g *Graph) Encode() []byte {
	e := &encoder{b: append([]byte(nil), graphMagic...)}
	e.u(g.Modules)
	e.u(g.Components)
	e.u(len(g.Resources))
	for _, r := range g.Resources {
		e.s(r.Name)
		e.s(r.Import)
		e.u(r.Owner)
		e.item(r.Dtor)
	}
	e.u(len(g.Imports))
	for _, im := range g.Imports {
		e.s(im.Name)
		e.fn(im.Func)
		e.u(len(im.Funcs))
		for _, f := range im.Funcs {
			e.s(f.Name)
			e.fn(f.Type)
		}
		e.u(len(im.Resources))
		for _, r := range im.Resources {
			e.u(r)
		}
	}
	e.u(len(g.Instances))
	for _, ci := range g.Instances {
		e.signed(ci.Module)
		e.u(len(ci.Args))
		for _, a := range ci.Args {
			e.s(a.Name)
			e.u(a.Instance)
		}
		e.u(len(ci.Exports))
		for _, x := range ci.Exports {
			e.s(x.Name)
			e.item(&x.Item)
		}
	}
	e.u(len(g.Lowers))
	for _, l := range g.Lowers {
		e.callee(l.Callee)
		e.fn(l.Type)
		e.options(l.Options)
	}
	e.u(len(g.Lifts))
	for _, l := range g.Lifts {
		e.item(&l.Core)
		e.fn(l.Type)
		e.options(l.Options)
	}
	e.u(len(g.Exports))
	for _, x := range g.Exports {
		e.s(x.Name)
		e.flag(x.Func != nil)
		if x.Func != nil {
			e.callee(*x.Func)
		}
		e.u(len(x.Funcs))
		for _, f := range x.Funcs {
			e.s(f.Name)
			e.callee(f.Callee)
		}
		e.u(len(x.Resources))
		for _, r := range x.Resources {
			e.u(r)
		}
	}
	e.u(len(g.Starts))
	for _, s := range g.Starts {
		e.callee(s)
	}
	return e.b
}

type decoder struct {
	b   []byte
	i   int
	err error
}

func (d *decoder) u() int {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b[d.i:])
	if n <= 0 || v > 1<<31 {
		d.err = fmt.Errorf("malformed number at byte %d", d.i)
		return 0
	}
	d.i += n
	return int(v)
}

// count reads a length no larger than the bytes left.
func (d *decoder) count() int {
	n := d.u()
	if n > len(d.b)-d.i {
		if d.err == nil {
			d.err = fmt.Errorf("length %d at byte %d exceeds the section", n, d.i)
		}
		return 0
	}
	return n
}

func (d *decoder) s() string {
	n := d.count()
	if d.err != nil {
		return ""
	}
	s := string(d.b[d.i : d.i+n])
	d.i += n
	return s
}

func (d *decoder) flag() bool  { return d.u() == 1 }
func (d *decoder) signed() int { return d.u() - 1 }

func (d *decoder) typ(depth int) *Type {
	k := d.u()
	if k == 0 || d.err != nil {
		return nil
	}
	if depth > maxTypeDepth {
		d.err = errors.New("types nested too deeply")
		return nil
	}
	kind := Kind(k)
	if _, ok := kindNames[kind]; !ok || k > 0xff {
		d.err = fmt.Errorf("unknown type kind %d", k)
		return nil
	}
	if kind.IsPrimitive() {
		d.typ(depth + 1)
		d.typ(depth + 1)
		if d.count() != 0 || d.count() != 0 || d.u() != 0 {
			d.err = errors.New("malformed primitive type")
		}
		return Prim(kind)
	}
	t := &Type{Kind: kind, Elem: d.typ(depth + 1), Err: d.typ(depth + 1)}
	for n := d.count(); n > 0 && d.err == nil; n-- {
		t.Fields = append(t.Fields, Field{Name: d.s(), Type: d.typ(depth + 1)})
	}
	for n := d.count(); n > 0 && d.err == nil; n-- {
		t.Labels = append(t.Labels, d.s())
	}
	t.Resource = d.u()
	return t
}

func (d *decoder) fn() *FuncType {
	if !d.flag() {
		return nil
	}
	f := &FuncType{}
	for n := d.count(); n > 0 && d.err == nil; n-- {
		f.Params = append(f.Params, Field{Name: d.s(), Type: d.typ(0)})
	}
	f.Result = d.typ(0)
	return f
}

func (d *decoder) item() *CoreItem {
	if !d.flag() {
		return nil
	}
	return &CoreItem{Kind: ItemKind(d.u()), Index: d.u(), Name: d.s(), Component: d.u()}
}

func (d *decoder) callee() Callee { return Callee{Import: d.signed(), Name: d.s(), Lift: d.signed()} }

func (d *decoder) options() Options {
	return Options{Encoding: Encoding(d.u()), Memory: d.item(), Realloc: d.item(), PostReturn: d.item(), Component: d.u()}
}

// DecodeGraph parses and checks an encoded graph.
func DecodeGraph(b []byte) (*Graph, error) {
	if len(b) < len(graphMagic) || string(b[:len(graphMagic)]) != string(graphMagic) {
		return nil, errors.New("component graph: bad magic or version")
	}
	d := &decoder{b: b, i: len(graphMagic)}
	g := &Graph{Modules: d.u(), Components: d.u()}
	for n := d.count(); n > 0 && d.err == nil; n-- {
		g.Resources = append(g.Resources, Resource{Name: d.s(), Import: d.s(), Owner: d.u(), Dtor: d.item()})
	}
	for n := d.count(); n > 0 && d.err == nil; n-- {
		im := Import{Name: d.s(), Func: d.fn()}
		for k := d.count(); k > 0 && d.err == nil; k-- {
			im.Funcs = append(im.Funcs, NamedFunc{Name: d.s(), Type: d.fn()})
		}
		for k := d.count(); k > 0 && d.err == nil; k-- {
			im.Resources = append(im.Resources, d.u())
		}
		g.Imports = append(g.Imports, im)
	}
	for n := d.count(); n > 0 && d.err == nil; n-- {
		ci := CoreInstance{Module: d.signed()}
		for k := d.count(); k > 0 && d.err == nil; k-- {
			ci.Args = append(ci.Args, CoreArg{Name: d.s(), Instance: d.u()})
		}
		for k := d.count(); k > 0 && d.err == nil; k-- {
			name := d.s()
			it := d.item()
			if it == nil {
				d.err = errors.New("missing core export item")
				break
			}
			ci.Exports = append(ci.Exports, CoreExport{Name: name, Item: *it})
		}
		g.Instances = append(g.Instances, ci)
	}
	for n := d.count(); n > 0 && d.err == nil; n-- {
		g.Lowers = append(g.Lowers, Lower{Callee: d.callee(), Type: d.fn(), Options: d.options()})
	}
	for n := d.count(); n > 0 && d.err == nil; n-- {
		it := d.item()
		l := Lift{Type: d.fn(), Options: d.options()}
		if it == nil {
			d.err = errors.New("missing lifted core function")
			break
		}
		l.Core = *it
		g.Lifts = append(g.Lifts, l)
	}
	for n := d.count(); n > 0 && d.err == nil; n-- {
		x := Export{Name: d.s()}
		if d.flag() {
			c := d.callee()
			x.Func = &c
		}
		for k := d.count(); k > 0 && d.err == nil; k-- {
			x.Funcs = append(x.Funcs, ExportFunc{Name: d.s(), Callee: d.callee()})
		}
		for k := d.count(); k > 0 && d.err == nil; k-- {
			x.Resources = append(x.Resources, d.u())
		}
		g.Exports = append(g.Exports, x)
	}
	for n := d.count(); n > 0 && d.err == nil; n-- {
		g.Starts = append(g.Starts, d.callee())
	}
	if d.err == nil && d.i != len(d.b) {
		d.err = fmt.Errorf("%d bytes left over", len(d.b)-d.i)
	}
	if d.err != nil {
		return nil, fmt.Errorf("component graph: %w", d.err)
	}
	if err := g.Check(); err != nil {
		return nil, err
	}
	return g, nil
}
