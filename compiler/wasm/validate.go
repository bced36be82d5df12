package wasm

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Validate checks m against the validation rules of WebAssembly 2.0: index
// spaces, limits, constant expressions, export names, declared function
// references, and the typing of every function body. It reports the first
// problem as an *Error of kind Invalid (or Malformed for a body whose block
// structure is broken, which Decode never lets through).
func Validate(m *Module) (err error) {
	if m == nil {
		return invalid(0, "no module")
	}
	v := &validator{m: m}
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(*Error)
			if !ok {
				panic(r)
			}
			err = e
		}
	}()
	v.module()
	return nil
}

// MaxMemoryPages is the largest memory size of WebAssembly 2.0 (4 GiB).
const MaxMemoryPages = 65536

// validator holds the module's index spaces and the scratch state of the
// function-body checker. Its methods report errors by panicking with an
// *Error, which Validate recovers.
type validator struct {
	m         *Module
	funcTypes []*FuncType   // by function index
	globals   []*GlobalType // by global index
	tables    []*TableType  // by table index
	numMems   uint32
	declared  []uint64 // bit set of function indices that ref.func may name

	code codeState // scratch of the function-body checker
}

func (v *validator) fail(off uint32, format string, args ...any) {
	panic(invalid(off, format, args...))
}

func (v *validator) module() {
	m := v.m
	// Decode only produces known value types; a Module built by hand may not.
	for _, t := range m.Types {
		v.valTypes(t.Params, v.sec(secType))
		v.valTypes(t.Results, v.sec(secType))
	}
	for i := range m.Imports {
		im := &m.Imports[i]
		switch im.Kind {
		case ExternFunc:
			v.funcTypes = append(v.funcTypes, v.typeAt(im.Func, im.Offset))
		case ExternTable:
			v.tableType(&im.Table, im.Offset)
			v.tables = append(v.tables, &im.Table)
		case ExternMemory:
			v.memoryType(&im.Memory, im.Offset)
			v.numMems++
		case ExternGlobal:
			v.valTypes([]ValType{im.Global.Type}, im.Offset)
			v.globals = append(v.globals, &im.Global)
		}
	}
	numImportedGlobals := uint32(len(v.globals))
	for _, t := range m.Funcs {
		v.funcTypes = append(v.funcTypes, v.typeAt(t, v.sec(secFunction)))
	}
	for i := range m.Tables {
		v.tableType(&m.Tables[i], v.sec(secTable))
		v.tables = append(v.tables, &m.Tables[i])
	}
	for i := range m.Memories {
		v.memoryType(&m.Memories[i], v.sec(secMemory))
		v.numMems++
	}
	if v.numMems > 1 {
		v.fail(v.sec(secMemory), "multiple memories")
	}

	v.declared = make([]uint64, (len(v.funcTypes)+63)/64)
	for i := range m.Globals {
		g := &m.Globals[i]
		v.valTypes([]ValType{g.Type.Type}, v.sec(secGlobal))
		v.constExpr(&g.Init, g.Type.Type, numImportedGlobals)
		v.globals = append(v.globals, &g.Type)
	}
	for i := range m.Elems {
		e := &m.Elems[i]
		if e.Type != FuncRef && e.Type != ExternRef {
			v.fail(v.sec(secElement), "malformed reference type")
		}
		for j := range e.Init {
			v.constExpr(&e.Init[j], e.Type, numImportedGlobals)
		}
		if e.Mode == SegmentActive {
			t := v.table(e.Table, e.Offset.Offset)
			if t.Elem != e.Type {
				v.fail(e.Offset.Offset, "type mismatch: element segment of %s in table of %s", e.Type, t.Elem)
			}
			v.constExpr(&e.Offset, I32, numImportedGlobals)
		}
	}
	for i := range m.Datas {
		d := &m.Datas[i]
		if d.Mode == SegmentActive {
			v.memory(d.Memory, d.Offset.Offset)
			v.constExpr(&d.Offset, I32, numImportedGlobals)
		}
	}
	if m.Start != nil {
		ft := v.funcType(*m.Start, v.sec(secStart))
		if len(ft.Params) != 0 || len(ft.Results) != 0 {
			v.fail(v.sec(secStart), "start function must have type [] -> []")
		}
	}
	v.exports()
	if len(m.Codes) != len(m.Funcs) {
		v.fail(v.sec(secCode), "function and code section have inconsistent lengths")
	}
	v.functions()
}

// parallelBodyBytes is the total body size from which functions checks
// the bodies on several goroutines.
var parallelBodyBytes = 256 << 10

// functions checks every function body. Checking a body writes nothing
// but the checker's scratch state (v.code), so a large module's bodies
// are checked on up to GOMAXPROCS goroutines, each with a validator of
// its own over the same index spaces; the error reported is the one of
// the lowest function index, the one checking them in order would find.
func (v *validator) functions() {
	m := v.m
	size := 0
	for i := range m.Codes {
		size += len(m.Codes[i].Body)
	}
	workers := min(runtime.GOMAXPROCS(0), len(m.Codes))
	if workers < 2 || size < parallelBodyBytes {
		for i := range m.Codes {
			v.function(m.NumImportedFuncs+uint32(i), &m.Codes[i])
		}
		return
	}
	errs := make([]*Error, len(m.Codes))
	var next, firstErr atomic.Int64 // next body to check; lowest failing index
	firstErr.Store(int64(len(m.Codes)))
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := &validator{m: m, funcTypes: v.funcTypes, globals: v.globals, tables: v.tables,
				numMems: v.numMems, declared: v.declared}
			for {
				// Bodies are handed out in order, so once one fails, every
				// body before it is checked by the time all workers stop.
				i := next.Add(1) - 1
				if i >= int64(len(m.Codes)) || i > firstErr.Load() {
					return
				}
				if errs[i] = w.functionErr(m.NumImportedFuncs+uint32(i), &m.Codes[i]); errs[i] != nil {
					for f := firstErr.Load(); i < f && !firstErr.CompareAndSwap(f, i); f = firstErr.Load() {
					}
				}
			}
		}()
	}
	wg.Wait()
	if f := firstErr.Load(); f < int64(len(m.Codes)) {
		panic(errs[f])
	}
}

// functionErr checks one body and returns its error, if any.
func (v *validator) functionErr(funcIdx uint32, code *Code) (err *Error) {
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(*Error)
			if !ok {
				panic(r)
			}
			err = e
		}
	}()
	v.function(funcIdx, code)
	return nil
}

// sec returns the offset of section id's contents (0 if absent).
func (v *validator) sec(id byte) uint32 { return v.m.SectionOffsets[id] }

func (v *validator) valTypes(ts []ValType, off uint32) {
	for _, t := range ts {
		if !isValType(byte(t)) {
			v.fail(off, "malformed value type %#x", byte(t))
		}
	}
}

func (v *validator) exports() {
	m := v.m
	names := make(map[string]struct{}, len(m.Exports))
	for _, e := range m.Exports {
		switch e.Kind {
		case ExternFunc:
			v.funcType(e.Index, e.Offset)
			v.declare(e.Index)
		case ExternTable:
			v.table(e.Index, e.Offset)
		case ExternMemory:
			v.memory(e.Index, e.Offset)
		case ExternGlobal:
			v.global(e.Index, e.Offset)
		default:
			v.fail(e.Offset, "malformed export kind")
		}
		if _, dup := names[e.Name]; dup {
			v.fail(e.Offset, "duplicate export name %q", e.Name)
		}
		names[e.Name] = struct{}{}
	}
}

func (v *validator) declare(funcIdx uint32) {
	if funcIdx < uint32(len(v.funcTypes)) {
		v.declared[funcIdx/64] |= 1 << (funcIdx % 64)
	}
}

func (v *validator) isDeclared(funcIdx uint32) bool {
	return v.declared[funcIdx/64]&(1<<(funcIdx%64)) != 0
}

func (v *validator) limits(l *Limits, bound uint64, boundMsg string, off uint32) {
	if uint64(l.Min) > bound || (l.HasMax && uint64(l.Max) > bound) {
		v.fail(off, boundMsg)
	}
	if l.HasMax && l.Min > l.Max {
		v.fail(off, "size minimum must not be greater than maximum")
	}
}

func (v *validator) tableType(t *TableType, off uint32) {
	if !t.Elem.IsRef() {
		v.fail(off, "malformed reference type")
	}
	v.limits(&t.Limits, 1<<32-1, "table size must be at most 2^32-1", off)
}

func (v *validator) memoryType(t *MemoryType, off uint32) {
	v.limits(&t.Limits, MaxMemoryPages, "memory size must be at most 65536 pages (4GiB)", off)
}

// typeAt returns type idx, failing with "unknown type" at offset off.
func (v *validator) typeAt(idx uint32, off uint32) *FuncType {
	if idx >= uint32(len(v.m.Types)) {
		v.fail(off, "unknown type %d", idx)
	}
	return &v.m.Types[idx]
}

func (v *validator) funcType(idx uint32, off uint32) *FuncType {
	if idx >= uint32(len(v.funcTypes)) {
		v.fail(off, "unknown function %d", idx)
	}
	return v.funcTypes[idx]
}

func (v *validator) table(idx uint32, off uint32) *TableType {
	if idx >= uint32(len(v.tables)) {
		v.fail(off, "unknown table %d", idx)
	}
	return v.tables[idx]
}

func (v *validator) global(idx uint32, off uint32) *GlobalType {
	if idx >= uint32(len(v.globals)) {
		v.fail(off, "unknown global %d", idx)
	}
	return v.globals[idx]
}

func (v *validator) memory(idx uint32, off uint32) {
	if idx >= v.numMems {
		v.fail(off, "unknown memory %d", idx)
	}
}

// constExpr checks a constant expression of type want. As in WebAssembly
// 2.0, global.get may name only the first numGlobals (imported) globals,
// and only immutable ones. Every ref.func it names becomes declared.
func (v *validator) constExpr(e *ConstExpr, want ValType, numGlobals uint32) {
	var got ValType
	for i := range e.Instrs {
		in := &e.Instrs[i]
		switch in.Op {
		case OpI32Const:
			got = I32
		case OpI64Const:
			got = I64
		case OpF32Const:
			got = F32
		case OpF64Const:
			got = F64
		case OpV128Const:
			got = V128
		case OpRefNull:
			got = in.Type
		case OpRefFunc:
			v.funcType(in.Index, in.Offset)
			v.declare(in.Index)
			got = FuncRef
		case OpGlobalGet:
			if in.Index >= numGlobals {
				v.fail(in.Offset, "unknown global %d", in.Index)
			}
			g := v.globals[in.Index]
			if g.Mutable {
				v.fail(in.Offset, "constant expression required")
			}
			got = g.Type
		default:
			v.fail(in.Offset, "constant expression required")
		}
	}
	if len(e.Instrs) != 1 || got != want {
		v.fail(e.Offset, "type mismatch: constant expression must produce one %s", want)
	}
}
