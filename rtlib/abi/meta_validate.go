package abi

import (
	"fmt"
	"math"
	"slices"
)

// Limits on what the runtime accepts, whatever the object says.
const (
	MaxMemoryPages = 65536   // 4 GiB
	MaxTableSize   = 1 << 24 // elements
)

// Validate checks that m is internally consistent: every index in range,
// every type well-formed, every initialiser of the right type. The runtime
// relies on it and validates again nothing it checks.
func (m *Meta) Validate() error {
	v := validator{m: m}
	v.run()
	return v.err
}

type validator struct {
	m   *Meta
	err error
	// globalTypes lists the type of every global, imported ones first.
	globalTypes []GlobalType
	numFuncs    int
}

func (v *validator) fail(format string, args ...any) {
	if v.err == nil {
		v.err = fmt.Errorf("metadata: "+format, args...)
	}
}

func validValType(t ValType) bool {
	switch t {
	case I32, I64, F32, F64, V128, FuncRef, ExternRef:
		return true
	}
	return false
}

// subject names what a check is about. It is formatted only when a check
// fails: validating a large module must not format a name per item.
type subject struct {
	kind         string // "import", "function", "data segment", …
	index        int
	module, name string // imports
}

func (s subject) String() string {
	if s.kind == "import" {
		return fmt.Sprintf("import %d (%s.%s)", s.index, s.module, s.name)
	}
	return fmt.Sprintf("%s %d", s.kind, s.index)
}

func (v *validator) limits(what subject, l Limits, max uint32) {
	if l.Min > max || (l.HasMax && (l.Max > max || l.Max < l.Min)) {
		v.fail("%s: bad limits min %d max %d (has max %v)", what, l.Min, l.Max, l.HasMax)
	}
}

func (v *validator) tableType(what subject, t TableType) {
	if t.Elem != FuncRef && t.Elem != ExternRef {
		v.fail("%s: bad element type %#x", what, byte(t.Elem))
	}
	// A declared maximum may be any u32 (the runtime caps growth at
	// MaxTableSize); only the initial size must fit the implementation.
	if t.Limits.Min > MaxTableSize {
		v.fail("%s: initial size %d exceeds the implementation limit %d", what, t.Limits.Min, MaxTableSize)
	}
	v.limits(what, t.Limits, math.MaxUint32)
}

func (v *validator) typeIndex(what subject, i uint32) {
	if int(i) >= len(v.m.Types) {
		v.fail("%s: type index %d out of range", what, i)
	}
}

func (v *validator) run() {
	m := v.m
	if m.Arch != ArchAMD64 && m.Arch != ArchARM64 {
		v.fail("unknown architecture %d", m.Arch)
		return
	}
	for _, f := range m.Features {
		if !slices.Contains(KnownFeatures[m.Arch], f) {
			v.fail("unknown %s CPU feature %q", m.Arch, f)
		}
	}
	if m.Bounds != BoundsExplicit && m.Bounds != BoundsGuard {
		v.fail("unknown bounds-check mode %d", m.Bounds)
	}
	for i, t := range m.Types {
		for _, vt := range append(slices.Clip(t.Params), t.Results...) {
			if !validValType(vt) {
				v.fail("type %d: bad value type %#x", i, byte(vt))
			}
		}
	}
	for i, im := range m.Imports {
		what := subject{kind: "import", index: i, module: im.Module, name: im.Name}
		switch im.Kind {
		case ExternFunc:
			v.typeIndex(what, im.FuncType)
			if im.StubSymbol == "" {
				v.fail("%s: no host-import stub symbol", what)
			}
			v.numFuncs++
		case ExternTable:
			v.tableType(what, im.Table)
		case ExternMemory:
			v.limits(what, im.Memory.Limits, MaxMemoryPages)
		case ExternGlobal:
			if !validValType(im.Global.Type) {
				v.fail("%s: bad global type", what)
			}
			v.globalTypes = append(v.globalTypes, im.Global)
		default:
			v.fail("%s: bad kind %d", what, im.Kind)
		}
	}
	for i, f := range m.Funcs {
		v.typeIndex(subject{kind: "function", index: v.numFuncs + i}, f.Type)
		if f.Symbol == "" {
			v.fail("function %d: no symbol", v.numFuncs+i)
		}
	}
	v.numFuncs += len(m.Funcs)
	for i, t := range m.Tables {
		v.tableType(subject{kind: "table", index: i}, t)
	}
	for i, mem := range m.Memories {
		v.limits(subject{kind: "memory", index: i}, mem.Limits, MaxMemoryPages)
	}
	if m.NumImported(ExternMemory)+len(m.Memories) > 1 {
		v.fail("more than one memory")
	}
	importedGlobals := len(v.globalTypes)
	for i, g := range m.Globals {
		if !validValType(g.Type.Type) {
			v.fail("global %d: bad type", importedGlobals+i)
		}
		// Initialisers may read imported globals only.
		v.constExpr(subject{kind: "global", index: importedGlobals + i}, g.Init, g.Type.Type, importedGlobals)
		v.globalTypes = append(v.globalTypes, g.Type)
	}
	v.exports()
	if v.err != nil {
		return // the checks below index by type and function indices
	}
	if m.Start >= 0 {
		if m.Start >= int64(v.numFuncs) {
			v.fail("start function %d out of range", m.Start)
		} else if t := m.Types[m.FuncTypeIndex(int(m.Start))]; len(t.Params) != 0 || len(t.Results) != 0 {
			v.fail("start function %d has parameters or results", m.Start)
		}
	}
	numMemories := m.NumImported(ExternMemory) + len(m.Memories)
	for i, s := range m.Data {
		what := subject{kind: "data segment", index: i}
		switch s.Mode {
		case SegmentActive:
			if int(s.Memory) >= numMemories {
				v.fail("%s: memory %d out of range", what, s.Memory)
			}
			v.constExpr(what, s.Offset, I32, len(v.globalTypes))
		case SegmentPassive:
		default:
			v.fail("%s: bad mode %d", what, s.Mode)
		}
	}
	v.elems()
	for i, n := range m.FuncNames {
		if int(n.Index) >= v.numFuncs || (i > 0 && n.Index <= m.FuncNames[i-1].Index) {
			v.fail("function name %d: index %d out of range or out of order", i, n.Index)
		}
	}
}

func (v *validator) exports() {
	m := v.m
	seen := make(map[string]bool, len(m.Exports))
	for _, x := range m.Exports {
		if seen[x.Name] {
			v.fail("duplicate export %q", x.Name)
		}
		seen[x.Name] = true
		var n int
		switch x.Kind {
		case ExternFunc:
			n = v.numFuncs
		case ExternTable:
			n = m.NumImported(ExternTable) + len(m.Tables)
		case ExternMemory:
			n = m.NumImported(ExternMemory) + len(m.Memories)
		case ExternGlobal:
			n = len(v.globalTypes)
		default:
			v.fail("export %q: bad kind %d", x.Name, x.Kind)
			continue
		}
		if int(x.Index) >= n {
			v.fail("export %q: %s index %d out of range", x.Name, x.Kind, x.Index)
		}
	}
}

func (v *validator) elems() {
	m := v.m
	numTables := m.NumImported(ExternTable) + len(m.Tables)
	tableType := func(i uint32) ValType {
		if int(i) < m.NumImported(ExternTable) {
			n := 0
			for _, im := range m.Imports {
				if im.Kind == ExternTable {
					if n == int(i) {
						return im.Table.Elem
					}
					n++
				}
			}
		}
		return m.Tables[int(i)-m.NumImported(ExternTable)].Elem
	}
	for i, s := range m.Elems {
		what := subject{kind: "element segment", index: i}
		if s.Type != FuncRef && s.Type != ExternRef {
			v.fail("%s: bad element type", what)
		}
		switch s.Mode {
		case SegmentActive:
			if int(s.Table) >= numTables {
				v.fail("%s: table %d out of range", what, s.Table)
			} else if tableType(s.Table) != s.Type {
				v.fail("%s: element type does not match table %d", what, s.Table)
			}
			v.constExpr(what, s.Offset, I32, len(v.globalTypes))
		case SegmentPassive, SegmentDeclarative:
		default:
			v.fail("%s: bad mode %d", what, s.Mode)
		}
		for _, c := range s.Init {
			v.constExpr(what, c, s.Type, len(v.globalTypes))
		}
	}
}

// constExpr checks that c is a constant of type want, reading only globals
// below numGlobals.
func (v *validator) constExpr(what subject, c ConstExpr, want ValType, numGlobals int) {
	var got ValType
	switch c.Op {
	case ConstI32:
		got = I32
	case ConstI64:
		got = I64
	case ConstF32:
		got = F32
	case ConstF64:
		got = F64
	case ConstV128:
		got = V128
	case ConstRefNull:
		got = c.Type
	case ConstRefFunc:
		got = FuncRef
		if int(c.Index) >= v.numFuncs {
			v.fail("%s: ref.func %d out of range", what, c.Index)
			return
		}
	case ConstGlobalGet:
		if int(c.Index) >= numGlobals {
			v.fail("%s: global.get %d out of range", what, c.Index)
			return
		}
		got = v.globalTypes[c.Index].Type
	default:
		v.fail("%s: bad constant expression", what)
		return
	}
	if got != want {
		v.fail("%s: initialiser has type %#x, want %#x", what, byte(got), byte(want))
	}
}
