// Package wat translates the WebAssembly 2.0 text format into the binary
// format.
//
// Parse is the entry point: it reads a module written as `(module …)` or as
// a bare sequence of module fields, resolves identifiers, expands every
// abbreviation of the text format (inline imports and exports, inline type
// uses, folded instructions, table and memory shorthands, …) and returns the
// module's binary encoding. The text layer only checks what the binary
// format cannot express (syntax, identifiers, literal ranges, inline type
// uses that contradict their explicit type); everything else is left to
// wasm.Decode and wasm.Validate, so semantic rules live in one place.
//
// ReadAll and EncodeModule expose the two halves of Parse for the WAST
// script layer, which reads a whole script as S-expressions first.
package wat

import (
	"strings"
	"unicode/utf8"

	"github.com/wasmaot/wasmaot/compiler/wasm"
)

// Parse translates a text-format module to its binary encoding. src holds
// either one `(module …)` form or the module's fields alone.
func Parse(src []byte) ([]byte, error) {
	nodes, err := ReadAll(src)
	if err != nil {
		return nil, err
	}
	if len(nodes) == 1 && nodes[0].Head() == "module" {
		return EncodeModule(nodes[0])
	}
	return encodeFields(nodes, "")
}

// EncodeModule translates a `(module $id? field*)` node to binary.
func EncodeModule(n *Node) ([]byte, error) {
	if n.Head() != "module" {
		return nil, errorf(n.Pos, "expected (module …), found %s", n.describe())
	}
	fields := n.List[1:]
	name := ""
	if len(fields) > 0 && fields[0].Kind == ID {
		name = fields[0].Text[1:]
		fields = fields[1:]
	}
	return encodeFields(fields, name)
}

func encodeFields(fields []*Node, name string) ([]byte, error) {
	b := newBuilder()
	b.m.Names.Module = name
	if err := b.declare(fields); err != nil {
		return nil, err
	}
	for _, resolve := range b.pending {
		if err := resolve(); err != nil {
			return nil, err
		}
	}
	if b.usesDataCount {
		n := uint32(len(b.m.Datas))
		b.m.DataCount = &n
	}
	return wasm.Encode(&b.m), nil
}

// space is one index space (functions, tables, …) with its identifiers.
type space struct {
	kind string
	ids  map[string]uint32
	n    uint32
}

func newSpace(kind string) *space { return &space{kind: kind, ids: map[string]uint32{}} }

// add allocates the next index, binding id (an ID node or nil) to it.
func (s *space) add(id *Node) (uint32, error) {
	idx := s.n
	if id != nil {
		if _, dup := s.ids[id.Text]; dup {
			return 0, errorf(id.Pos, "duplicate %s %s", s.kind, id.Text)
		}
		s.ids[id.Text] = idx
	}
	s.n++
	return idx, nil
}

// resolve turns an index token (a number or an identifier) into an index.
func (s *space) resolve(n *Node) (uint32, error) {
	switch n.Kind {
	case ID:
		if idx, ok := s.ids[n.Text]; ok {
			return idx, nil
		}
		return 0, errorf(n.Pos, "unknown %s %s", s.kind, n.Text)
	case Reserved:
		v, err := ParseU32(n.Text)
		if err != nil {
			return 0, errorf(n.Pos, "malformed %s index %q: %v", s.kind, n.Text, err)
		}
		return v, nil
	}
	return 0, errorf(n.Pos, "unexpected token %s, expected a %s index", n.describe(), s.kind)
}

// isIndex reports whether n can be an index (a number or an identifier).
func isIndex(n *Node) bool {
	return n.Kind == ID || (n.Kind == Reserved && n.Text[0] >= '0' && n.Text[0] <= '9')
}

type builder struct {
	m                                                 wasm.Module
	types, funcs, tables, mems, globals, elems, datas *space
	definedKind                                       string // first kind defined (not imported), for the import-order rule
	hasStart                                          bool
	usesDataCount                                     bool
	// pending holds the second pass: work that needs every identifier of
	// the module, run in field order after declare.
	pending []func() error
}

func newBuilder() *builder {
	return &builder{
		types:   newSpace("type"),
		funcs:   newSpace("function"),
		tables:  newSpace("table"),
		mems:    newSpace("memory"),
		globals: newSpace("global"),
		elems:   newSpace("elem segment"),
		datas:   newSpace("data segment"),
	}
}

// cursor walks the children of a list node.
type cursor struct {
	parent *Node
	nodes  []*Node
	i      int
}

func (c *cursor) done() bool  { return c.i >= len(c.nodes) }
func (c *cursor) peek() *Node { return c.nodes[c.i] }
func (c *cursor) next() *Node { n := c.nodes[c.i]; c.i++; return n }

// endPos is where a missing token would have been.
func (c *cursor) endPos() Pos {
	if c.i < len(c.nodes) {
		return c.nodes[c.i].Pos
	}
	if c.parent != nil {
		return c.parent.Pos
	}
	return Pos{1, 1}
}

func (c *cursor) optID() *Node {
	if !c.done() && c.peek().Kind == ID {
		return c.next()
	}
	return nil
}

func (c *cursor) peekHead(h string) bool { return !c.done() && c.peek().Head() == h }

func (c *cursor) expectEnd() error {
	if !c.done() {
		return errorf(c.peek().Pos, "unexpected token %s", c.peek().describe())
	}
	return nil
}

func (c *cursor) u32(what string) (uint32, error) {
	if c.done() || c.peek().Kind != Reserved {
		return 0, errorf(c.endPos(), "expected %s", what)
	}
	n := c.next()
	v, err := ParseU32(n.Text)
	if err != nil {
		return 0, errorf(n.Pos, "malformed %s %q: %v", what, n.Text, err)
	}
	return v, nil
}

func (c *cursor) str(what string) (*Node, error) {
	if c.done() || c.peek().Kind != String {
		return nil, errorf(c.endPos(), "expected %s string", what)
	}
	return c.next(), nil
}

func (c *cursor) name(what string) (string, error) {
	n, err := c.str(what)
	if err != nil {
		return "", err
	}
	if !utf8.ValidString(n.Text) {
		return "", errorf(n.Pos, "malformed UTF-8 encoding")
	}
	return n.Text, nil
}

func listCursor(n *Node) *cursor { return &cursor{parent: n, nodes: n.List, i: 1} }

// declare is the first pass: it allocates every index and identifier in
// field order and queues the rest of each field's translation.
func (b *builder) declare(fields []*Node) error {
	for _, f := range fields {
		var err error
		switch f.Head() {
		case "type":
			err = b.typeField(f)
		case "import":
			err = b.importField(f)
		case "func":
			err = b.funcField(f)
		case "table":
			err = b.tableField(f)
		case "memory":
			err = b.memoryField(f)
		case "global":
			err = b.globalField(f)
		case "export":
			err = b.exportField(f)
		case "start":
			err = b.startField(f)
		case "elem":
			err = b.elemField(f)
		case "data":
			err = b.dataField(f)
		default:
			if f.Kind == List && f.Head() != "" {
				err = errorf(f.Pos, "unknown module field %q (unexpected token)", f.Head())
			} else {
				err = errorf(f.Pos, "unexpected token %s, expected a module field", f.describe())
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// define notes the definition of a function, table, memory or global, after
// which imports are no longer allowed.
func (b *builder) define(kind string) {
	if b.definedKind == "" {
		b.definedKind = kind
	}
}

func (b *builder) checkImportOrder(at Pos) error {
	if b.definedKind != "" {
		return errorf(at, "import after %s definition", b.definedKind)
	}
	return nil
}

func (b *builder) typeField(f *Node) error {
	c := listCursor(f)
	id := c.optID()
	if c.done() || c.peek().Head() != "func" {
		return errorf(c.endPos(), "expected (func …) in type definition")
	}
	fn := c.next()
	fc := listCursor(fn)
	ft, _, err := b.inlineSig(fc, true)
	if err != nil {
		return err
	}
	if err := fc.expectEnd(); err != nil {
		return err
	}
	if err := c.expectEnd(); err != nil {
		return err
	}
	if _, err := b.types.add(id); err != nil {
		return err
	}
	b.m.Types = append(b.m.Types, ft)
	return nil
}

// exportsAndImport reads the inline `(export "n")*` and `(import "m" "n")?`
// abbreviations of a func, table, memory or global field. The exports are
// added once the index is known (addExports).
func (b *builder) exportsAndImport(c *cursor) (exports []string, imp *wasm.Import, err error) {
	for c.peekHead("export") {
		ec := listCursor(c.next())
		name, err := ec.name("export name")
		if err != nil {
			return nil, nil, err
		}
		if err := ec.expectEnd(); err != nil {
			return nil, nil, err
		}
		exports = append(exports, name)
	}
	if c.peekHead("import") {
		n := c.next()
		if err := b.checkImportOrder(n.Pos); err != nil {
			return nil, nil, err
		}
		ic := listCursor(n)
		mod, err := ic.name("module name")
		if err != nil {
			return nil, nil, err
		}
		name, err := ic.name("import name")
		if err != nil {
			return nil, nil, err
		}
		if err := ic.expectEnd(); err != nil {
			return nil, nil, err
		}
		imp = &wasm.Import{Module: mod, Name: name}
	}
	return exports, imp, nil
}

func (b *builder) addExports(names []string, kind wasm.ExternKind, idx uint32) {
	for _, n := range names {
		b.m.Exports = append(b.m.Exports, wasm.Export{Name: n, Kind: kind, Index: idx})
	}
}

func (b *builder) importField(f *Node) error {
	if err := b.checkImportOrder(f.Pos); err != nil {
		return err
	}
	c := listCursor(f)
	mod, err := c.name("module name")
	if err != nil {
		return err
	}
	name, err := c.name("import name")
	if err != nil {
		return err
	}
	if c.done() || c.peek().Kind != List {
		return errorf(c.endPos(), "expected an import description")
	}
	desc := c.next()
	if err := c.expectEnd(); err != nil {
		return err
	}
	dc := listCursor(desc)
	id := dc.optID()
	imp := &wasm.Import{Module: mod, Name: name}
	switch desc.Head() {
	case "func":
		return b.importFunc(dc, id, imp, nil)
	case "table":
		return b.importTable(dc, id, imp, nil)
	case "memory":
		return b.importMemory(dc, id, imp, nil)
	case "global":
		return b.importGlobal(dc, id, imp, nil)
	}
	return errorf(desc.Pos, "unexpected token %s, expected an import description", desc.describe())
}

func (b *builder) importFunc(c *cursor, id *Node, imp *wasm.Import, exports []string) error {
	idx, err := b.funcs.add(id)
	if err != nil {
		return err
	}
	imp.Kind = wasm.ExternFunc
	b.setFuncName(idx, id)
	b.m.Imports = append(b.m.Imports, *imp)
	b.m.NumImportedFuncs++
	b.addExports(exports, wasm.ExternFunc, idx)
	slot := len(b.m.Imports) - 1
	b.pending = append(b.pending, func() error {
		t, _, err := b.typeUse(c, true) // parameter names are allowed, and unused
		if err != nil {
			return err
		}
		b.m.Imports[slot].Func = t
		return c.expectEnd()
	})
	return nil
}

func (b *builder) importTable(c *cursor, id *Node, imp *wasm.Import, exports []string) error {
	tt, err := tableType(c)
	if err != nil {
		return err
	}
	if err := c.expectEnd(); err != nil {
		return err
	}
	idx, err := b.tables.add(id)
	if err != nil {
		return err
	}
	imp.Kind, imp.Table = wasm.ExternTable, tt
	b.m.Imports = append(b.m.Imports, *imp)
	b.m.NumImportedTables++
	b.addExports(exports, wasm.ExternTable, idx)
	return nil
}

func (b *builder) importMemory(c *cursor, id *Node, imp *wasm.Import, exports []string) error {
	lim, err := limits(c)
	if err != nil {
		return err
	}
	if err := c.expectEnd(); err != nil {
		return err
	}
	idx, err := b.mems.add(id)
	if err != nil {
		return err
	}
	imp.Kind, imp.Memory = wasm.ExternMemory, wasm.MemoryType{Limits: lim}
	b.m.Imports = append(b.m.Imports, *imp)
	b.m.NumImportedMemories++
	b.addExports(exports, wasm.ExternMemory, idx)
	return nil
}

func (b *builder) importGlobal(c *cursor, id *Node, imp *wasm.Import, exports []string) error {
	gt, err := globalType(c)
	if err != nil {
		return err
	}
	if err := c.expectEnd(); err != nil {
		return err
	}
	idx, err := b.globals.add(id)
	if err != nil {
		return err
	}
	imp.Kind, imp.Global = wasm.ExternGlobal, gt
	b.m.Imports = append(b.m.Imports, *imp)
	b.m.NumImportedGlobals++
	b.addExports(exports, wasm.ExternGlobal, idx)
	return nil
}

func (b *builder) setFuncName(idx uint32, id *Node) {
	if id == nil {
		return
	}
	if b.m.Names.Funcs == nil {
		b.m.Names.Funcs = map[uint32]string{}
	}
	b.m.Names.Funcs[idx] = id.Text[1:]
}

func (b *builder) funcField(f *Node) error {
	c := listCursor(f)
	id := c.optID()
	exports, imp, err := b.exportsAndImport(c)
	if err != nil {
		return err
	}
	if imp != nil {
		return b.importFunc(c, id, imp, exports)
	}
	b.define("function")
	idx, err := b.funcs.add(id)
	if err != nil {
		return err
	}
	b.setFuncName(idx, id)
	b.addExports(exports, wasm.ExternFunc, idx)
	slot := len(b.m.Funcs)
	b.m.Funcs = append(b.m.Funcs, 0)
	b.m.Codes = append(b.m.Codes, wasm.Code{})
	b.pending = append(b.pending, func() error {
		return b.funcBody(c, idx, slot)
	})
	return nil
}

func (b *builder) tableField(f *Node) error {
	c := listCursor(f)
	id := c.optID()
	exports, imp, err := b.exportsAndImport(c)
	if err != nil {
		return err
	}
	if imp != nil {
		return b.importTable(c, id, imp, exports)
	}
	b.define("table")
	idx, err := b.tables.add(id)
	if err != nil {
		return err
	}
	b.addExports(exports, wasm.ExternTable, idx)
	if !c.done() && c.peek().Kind == Keyword {
		// Abbreviation: reftype (elem …) defines a table sized to fit an
		// active element segment at offset 0.
		rt, err := refType(c.next())
		if err != nil {
			return err
		}
		if !c.peekHead("elem") {
			return errorf(c.endPos(), "expected (elem …) after the table's element type")
		}
		elemNode := c.next()
		if err := c.expectEnd(); err != nil {
			return err
		}
		slot := len(b.m.Tables)
		b.m.Tables = append(b.m.Tables, wasm.TableType{Elem: rt})
		if _, err := b.elems.add(nil); err != nil {
			return err
		}
		eslot := len(b.m.Elems)
		b.m.Elems = append(b.m.Elems, wasm.Elem{})
		b.pending = append(b.pending, func() error {
			ec := listCursor(elemNode)
			var items []wasm.ConstExpr
			var err error
			if !ec.done() && ec.peek().Kind == List {
				items, err = b.elemExprs(ec)
			} else {
				items, err = b.funcIndexItems(ec)
			}
			if err != nil {
				return err
			}
			n := uint32(len(items))
			b.m.Tables[slot].Limits = wasm.Limits{Min: n, Max: n, HasMax: true}
			b.m.Elems[eslot] = wasm.Elem{
				Mode: wasm.SegmentActive, Table: idx, Type: rt, Init: items,
				Offset: wasm.ConstExpr{Instrs: []wasm.Instr{{Op: wasm.OpI32Const}}},
			}
			return nil
		})
		return nil
	}
	tt, err := tableType(c)
	if err != nil {
		return err
	}
	if err := c.expectEnd(); err != nil {
		return err
	}
	b.m.Tables = append(b.m.Tables, tt)
	return nil
}

func (b *builder) memoryField(f *Node) error {
	c := listCursor(f)
	id := c.optID()
	exports, imp, err := b.exportsAndImport(c)
	if err != nil {
		return err
	}
	if imp != nil {
		return b.importMemory(c, id, imp, exports)
	}
	b.define("memory")
	idx, err := b.mems.add(id)
	if err != nil {
		return err
	}
	b.addExports(exports, wasm.ExternMemory, idx)
	if c.peekHead("data") {
		// Abbreviation: (data "…"*) defines a memory just large enough
		// for an active data segment at offset 0.
		dc := listCursor(c.next())
		if err := c.expectEnd(); err != nil {
			return err
		}
		init, err := dataStrings(dc)
		if err != nil {
			return err
		}
		pages := uint32((uint64(len(init)) + 0xFFFF) / 0x10000)
		b.m.Memories = append(b.m.Memories, wasm.MemoryType{Limits: wasm.Limits{Min: pages, Max: pages, HasMax: true}})
		if _, err := b.datas.add(nil); err != nil {
			return err
		}
		b.m.Datas = append(b.m.Datas, wasm.Data{
			Mode: wasm.SegmentActive, Memory: idx, Init: init,
			Offset: wasm.ConstExpr{Instrs: []wasm.Instr{{Op: wasm.OpI32Const}}},
		})
		return nil
	}
	lim, err := limits(c)
	if err != nil {
		return err
	}
	if err := c.expectEnd(); err != nil {
		return err
	}
	b.m.Memories = append(b.m.Memories, wasm.MemoryType{Limits: lim})
	return nil
}

func (b *builder) globalField(f *Node) error {
	c := listCursor(f)
	id := c.optID()
	exports, imp, err := b.exportsAndImport(c)
	if err != nil {
		return err
	}
	if imp != nil {
		return b.importGlobal(c, id, imp, exports)
	}
	b.define("global")
	idx, err := b.globals.add(id)
	if err != nil {
		return err
	}
	b.addExports(exports, wasm.ExternGlobal, idx)
	gt, err := globalType(c)
	if err != nil {
		return err
	}
	slot := len(b.m.Globals)
	b.m.Globals = append(b.m.Globals, wasm.Global{Type: gt})
	b.pending = append(b.pending, func() error {
		init, err := b.constExpr(c.nodes[c.i:])
		if err != nil {
			return err
		}
		b.m.Globals[slot].Init = init
		return nil
	})
	return nil
}

func (b *builder) exportField(f *Node) error {
	c := listCursor(f)
	name, err := c.name("export name")
	if err != nil {
		return err
	}
	if c.done() || c.peek().Kind != List {
		return errorf(c.endPos(), "expected an export description")
	}
	desc := c.next()
	if err := c.expectEnd(); err != nil {
		return err
	}
	dc := listCursor(desc)
	var kind wasm.ExternKind
	var sp *space
	switch desc.Head() {
	case "func":
		kind, sp = wasm.ExternFunc, b.funcs
	case "table":
		kind, sp = wasm.ExternTable, b.tables
	case "memory":
		kind, sp = wasm.ExternMemory, b.mems
	case "global":
		kind, sp = wasm.ExternGlobal, b.globals
	default:
		return errorf(desc.Pos, "unexpected token %s, expected an export description", desc.describe())
	}
	if dc.done() {
		return errorf(dc.endPos(), "expected a %s index", sp.kind)
	}
	slot := len(b.m.Exports)
	b.m.Exports = append(b.m.Exports, wasm.Export{Name: name, Kind: kind})
	b.pending = append(b.pending, func() error {
		idx, err := sp.resolve(dc.next())
		if err != nil {
			return err
		}
		b.m.Exports[slot].Index = idx
		return dc.expectEnd()
	})
	return nil
}

func (b *builder) startField(f *Node) error {
	if b.hasStart {
		return errorf(f.Pos, "multiple start sections")
	}
	b.hasStart = true
	c := listCursor(f)
	if c.done() {
		return errorf(c.endPos(), "expected a function index")
	}
	b.pending = append(b.pending, func() error {
		idx, err := b.funcs.resolve(c.next())
		if err != nil {
			return err
		}
		b.m.Start = &idx
		return c.expectEnd()
	})
	return nil
}

func (b *builder) elemField(f *Node) error {
	c := listCursor(f)
	id := c.optID()
	if _, err := b.elems.add(id); err != nil {
		return err
	}
	slot := len(b.m.Elems)
	b.m.Elems = append(b.m.Elems, wasm.Elem{})
	b.pending = append(b.pending, func() error {
		e, err := b.elemSegment(c)
		if err != nil {
			return err
		}
		b.m.Elems[slot] = e
		return nil
	})
	return nil
}

// elemSegment translates an element segment after its identifier:
// `declare`? or (table x)? offset, then the element list.
func (b *builder) elemSegment(c *cursor) (wasm.Elem, error) {
	e := wasm.Elem{Mode: wasm.SegmentPassive, Type: wasm.FuncRef}
	explicitTable := false
	switch {
	case !c.done() && c.peek().IsAtom(Keyword, "declare"):
		c.next()
		e.Mode = wasm.SegmentDeclarative
	case c.peekHead("table"):
		tc := listCursor(c.next())
		if tc.done() {
			return e, errorf(tc.endPos(), "expected a table index")
		}
		t, err := b.tables.resolve(tc.next())
		if err != nil {
			return e, err
		}
		if err := tc.expectEnd(); err != nil {
			return e, err
		}
		e.Table = t
		explicitTable = true
		fallthrough
	case !c.done() && c.peek().Kind == List:
		if c.done() || c.peek().Kind != List {
			return e, errorf(c.endPos(), "expected an offset expression")
		}
		off, err := b.offset(c.next())
		if err != nil {
			return e, err
		}
		e.Mode, e.Offset = wasm.SegmentActive, off
	}
	var err error
	switch {
	case !c.done() && c.peek().IsAtom(Keyword, "func"):
		c.next()
		e.Init, err = b.funcIndexItems(c)
	case !c.done() && c.peek().Kind == Keyword:
		if e.Type, err = refType(c.next()); err != nil {
			return e, err
		}
		e.Init, err = b.elemExprs(c)
	case e.Mode == wasm.SegmentActive && !explicitTable:
		// Abbreviation: a bare function index list.
		e.Init, err = b.funcIndexItems(c)
	default:
		err = errorf(c.endPos(), "expected an element list (func or a reference type)")
	}
	return e, err
}

// offset translates `(offset instr*)` or its abbreviation, one folded instruction.
func (b *builder) offset(n *Node) (wasm.ConstExpr, error) {
	if n.Head() == "offset" {
		return b.constExpr(n.List[1:])
	}
	return b.constExpr([]*Node{n})
}

func (b *builder) funcIndexItems(c *cursor) ([]wasm.ConstExpr, error) {
	var items []wasm.ConstExpr
	for !c.done() {
		idx, err := b.funcs.resolve(c.next())
		if err != nil {
			return nil, err
		}
		items = append(items, wasm.ConstExpr{Instrs: []wasm.Instr{{Op: wasm.OpRefFunc, Index: idx}}})
	}
	return items, nil
}

// elemExprs translates element expressions: `(item instr*)` or one folded instruction.
func (b *builder) elemExprs(c *cursor) ([]wasm.ConstExpr, error) {
	var items []wasm.ConstExpr
	for !c.done() {
		n := c.next()
		if n.Kind != List {
			return nil, errorf(n.Pos, "unexpected token %s, expected an element expression", n.describe())
		}
		var x wasm.ConstExpr
		var err error
		if n.Head() == "item" {
			x, err = b.constExpr(n.List[1:])
		} else {
			x, err = b.constExpr([]*Node{n})
		}
		if err != nil {
			return nil, err
		}
		items = append(items, x)
	}
	return items, nil
}

func (b *builder) dataField(f *Node) error {
	c := listCursor(f)
	id := c.optID()
	if _, err := b.datas.add(id); err != nil {
		return err
	}
	slot := len(b.m.Datas)
	b.m.Datas = append(b.m.Datas, wasm.Data{})
	b.pending = append(b.pending, func() error {
		d := wasm.Data{Mode: wasm.SegmentPassive}
		explicitMem := c.peekHead("memory")
		if explicitMem {
			mc := listCursor(c.next())
			if mc.done() {
				return errorf(mc.endPos(), "expected a memory index")
			}
			m, err := b.mems.resolve(mc.next())
			if err != nil {
				return err
			}
			if err := mc.expectEnd(); err != nil {
				return err
			}
			d.Memory = m
		}
		if explicitMem || (!c.done() && c.peek().Kind == List) {
			if c.done() || c.peek().Kind != List {
				return errorf(c.endPos(), "expected an offset expression")
			}
			off, err := b.offset(c.next())
			if err != nil {
				return err
			}
			d.Mode, d.Offset = wasm.SegmentActive, off
		}
		init, err := dataStrings(c)
		if err != nil {
			return err
		}
		d.Init = init
		b.m.Datas[slot] = d
		return nil
	})
	return nil
}

func dataStrings(c *cursor) ([]byte, error) {
	var out []byte
	for !c.done() {
		n, err := c.str("data")
		if err != nil {
			return nil, err
		}
		out = append(out, n.Text...)
	}
	if out == nil {
		out = []byte{}
	}
	return out, nil
}

// funcBody translates a defined function's type use, locals and body.
func (b *builder) funcBody(c *cursor, funcIdx uint32, slot int) error {
	typeIdx, paramIDs, err := b.typeUse(c, true)
	if err != nil {
		return err
	}
	b.m.Funcs[slot] = typeIdx
	locals := newSpace("local")
	for _, id := range paramIDs {
		if _, err := locals.add(id); err != nil {
			return err
		}
	}
	var runs []wasm.LocalRun
	var total uint64
	for c.peekHead("local") {
		lc := listCursor(c.next())
		if id := lc.optID(); id != nil {
			t, err := valType(lc, "local type")
			if err != nil {
				return err
			}
			if err := lc.expectEnd(); err != nil {
				return err
			}
			if _, err := locals.add(id); err != nil {
				return err
			}
			runs = append(runs, wasm.LocalRun{Count: 1, Type: t})
			total++
			continue
		}
		for !lc.done() {
			t, err := valType(lc, "local type")
			if err != nil {
				return err
			}
			if _, err := locals.add(nil); err != nil {
				return err
			}
			runs = append(runs, wasm.LocalRun{Count: 1, Type: t})
			total++
		}
	}
	if len(locals.ids) > 0 {
		if b.m.Names.Locals == nil {
			b.m.Names.Locals = map[uint32]map[uint32]string{}
		}
		names := map[uint32]string{}
		for id, i := range locals.ids {
			names[i] = id[1:]
		}
		b.m.Names.Locals[funcIdx] = names
	}
	e := &exprParser{b: b, locals: locals}
	if err := e.seq(c.nodes[c.i:]); err != nil {
		return err
	}
	body := append(e.code, byte(wasm.OpEnd))
	b.m.Codes[slot] = wasm.Code{Locals: runs, NumLocals: uint32(min(total, 1<<32-1)), Body: body}
	return nil
}

// constExpr translates the instructions of a constant expression.
func (b *builder) constExpr(nodes []*Node) (wasm.ConstExpr, error) {
	e := &exprParser{b: b}
	if err := e.seq(nodes); err != nil {
		return wasm.ConstExpr{}, err
	}
	return wasm.ConstExpr{Instrs: e.instrs}, nil
}

// keywordValue splits a `key=value` keyword such as offset=16.
func keywordValue(n *Node, key string) (string, bool) {
	if n.Kind == Keyword && strings.HasPrefix(n.Text, key+"=") {
		return n.Text[len(key)+1:], true
	}
	return "", false
}
