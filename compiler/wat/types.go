package wat

import (
	"slices"

	"github.com/wasmaot/wasmaot/compiler/wasm"
)

// inlineSig reads `(param …)* (result …)*`. With named set, a param may
// bind one identifier; the returned slice has one entry (or nil) per
// parameter.
func (b *builder) inlineSig(c *cursor, named bool) (wasm.FuncType, []*Node, error) {
	var ft wasm.FuncType
	var ids []*Node
	for c.peekHead("param") {
		pc := listCursor(c.next())
		if id := pc.optID(); id != nil {
			if !named {
				return ft, nil, errorf(id.Pos, "unexpected token %s: parameters here cannot be named", id.Text)
			}
			t, err := valType(pc, "parameter type")
			if err != nil {
				return ft, nil, err
			}
			if err := pc.expectEnd(); err != nil {
				return ft, nil, err
			}
			ft.Params = append(ft.Params, t)
			ids = append(ids, id)
			continue
		}
		for !pc.done() {
			t, err := valType(pc, "parameter type")
			if err != nil {
				return ft, nil, err
			}
			ft.Params = append(ft.Params, t)
			ids = append(ids, nil)
		}
	}
	for c.peekHead("result") {
		rc := listCursor(c.next())
		for !rc.done() {
			t, err := valType(rc, "result type")
			if err != nil {
				return ft, nil, err
			}
			ft.Results = append(ft.Results, t)
		}
	}
	if c.peekHead("param") {
		return ft, nil, errorf(c.peek().Pos, "unexpected token: (param …) after (result …)")
	}
	return ft, ids, nil
}

// typeUse reads `(type x)? (param …)* (result …)*` and returns the type
// index it denotes: x (whose definition must match any inline signature),
// or else the first type equal to the inline signature, appended to the
// type section if there is none.
func (b *builder) typeUse(c *cursor, named bool) (uint32, []*Node, error) {
	var explicit *Node
	if c.peekHead("type") {
		tc := listCursor(c.next())
		if tc.done() {
			return 0, nil, errorf(tc.endPos(), "expected a type index")
		}
		explicit = tc.next()
		if err := tc.expectEnd(); err != nil {
			return 0, nil, err
		}
	}
	sigStart := c.i
	ft, ids, err := b.inlineSig(c, named)
	if err != nil {
		return 0, nil, err
	}
	hasInline := c.i > sigStart
	if explicit == nil {
		return b.implicitType(ft), ids, nil
	}
	idx, err := b.types.resolve(explicit)
	if err != nil {
		return 0, nil, err
	}
	if int(idx) >= len(b.m.Types) {
		if hasInline {
			return 0, nil, errorf(explicit.Pos, "unknown type %s", explicit.Text)
		}
		return idx, nil, nil // left for validation to reject
	}
	def := b.m.Types[idx]
	if !hasInline {
		return idx, make([]*Node, len(def.Params)), nil
	}
	if !slices.Equal(def.Params, ft.Params) || !slices.Equal(def.Results, ft.Results) {
		return 0, nil, errorf(explicit.Pos, "inline function type does not match type %s", explicit.Text)
	}
	return idx, ids, nil
}

// implicitType returns the index of the first type equal to ft, appending
// ft to the type section if there is none.
func (b *builder) implicitType(ft wasm.FuncType) uint32 {
	for i, t := range b.m.Types {
		if slices.Equal(t.Params, ft.Params) && slices.Equal(t.Results, ft.Results) {
			return uint32(i)
		}
	}
	b.m.Types = append(b.m.Types, ft)
	return uint32(len(b.m.Types) - 1)
}

var valTypes = map[string]wasm.ValType{
	"i32": wasm.I32, "i64": wasm.I64, "f32": wasm.F32, "f64": wasm.F64, "v128": wasm.V128,
	"funcref": wasm.FuncRef, "externref": wasm.ExternRef,
}

func valType(c *cursor, what string) (wasm.ValType, error) {
	if c.done() {
		return 0, errorf(c.endPos(), "expected %s", what)
	}
	n := c.next()
	if t, ok := valTypes[n.Text]; ok && n.Kind == Keyword {
		return t, nil
	}
	return 0, errorf(n.Pos, "unexpected token %s, expected %s", n.describe(), what)
}

func refType(n *Node) (wasm.ValType, error) {
	if n.Kind == Keyword {
		switch n.Text {
		case "funcref":
			return wasm.FuncRef, nil
		case "externref":
			return wasm.ExternRef, nil
		}
	}
	return 0, errorf(n.Pos, "unexpected token %s, expected funcref or externref", n.describe())
}

func limits(c *cursor) (wasm.Limits, error) {
	min, err := c.u32("minimum size")
	if err != nil {
		return wasm.Limits{}, err
	}
	lim := wasm.Limits{Min: min}
	if !c.done() && c.peek().Kind == Reserved {
		max, err := c.u32("maximum size")
		if err != nil {
			return wasm.Limits{}, err
		}
		lim.Max, lim.HasMax = max, true
	}
	return lim, nil
}

func tableType(c *cursor) (wasm.TableType, error) {
	lim, err := limits(c)
	if err != nil {
		return wasm.TableType{}, err
	}
	if c.done() {
		return wasm.TableType{}, errorf(c.endPos(), "expected the table's element type")
	}
	rt, err := refType(c.next())
	return wasm.TableType{Elem: rt, Limits: lim}, err
}

func globalType(c *cursor) (wasm.GlobalType, error) {
	if c.peekHead("mut") {
		mc := listCursor(c.next())
		t, err := valType(mc, "global type")
		if err != nil {
			return wasm.GlobalType{}, err
		}
		return wasm.GlobalType{Type: t, Mutable: true}, mc.expectEnd()
	}
	t, err := valType(c, "global type")
	return wasm.GlobalType{Type: t}, err
}
