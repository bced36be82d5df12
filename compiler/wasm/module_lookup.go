package wasm

// Lookups over the index spaces, where imports come before definitions.
// They return nil for an index out of range.

// importAt returns the i-th import of the given kind. It scans the
// imports, which are few in practice; Validate builds its own tables.
func (m *Module) importAt(kind ExternKind, i uint32) *Import {
	for k := range m.Imports {
		if m.Imports[k].Kind == kind {
			if i == 0 {
				return &m.Imports[k]
			}
			i--
		}
	}
	return nil
}

// NumFuncs returns the size of the function index space.
func (m *Module) NumFuncs() uint32 { return m.NumImportedFuncs + uint32(len(m.Funcs)) }

// NumGlobals returns the size of the global index space.
func (m *Module) NumGlobals() uint32 { return m.NumImportedGlobals + uint32(len(m.Globals)) }

// NumTables returns the size of the table index space.
func (m *Module) NumTables() uint32 { return m.NumImportedTables + uint32(len(m.Tables)) }

// NumMemories returns the size of the memory index space.
func (m *Module) NumMemories() uint32 { return m.NumImportedMemories + uint32(len(m.Memories)) }

// FuncTypeOf returns the type of function funcIdx, or nil if the function
// or its type index does not exist.
func (m *Module) FuncTypeOf(funcIdx uint32) *FuncType {
	var t uint32
	if funcIdx < m.NumImportedFuncs {
		im := m.importAt(ExternFunc, funcIdx)
		if im == nil {
			return nil
		}
		t = im.Func
	} else if i := funcIdx - m.NumImportedFuncs; i < uint32(len(m.Funcs)) {
		t = m.Funcs[i]
	} else {
		return nil
	}
	if t >= uint32(len(m.Types)) {
		return nil
	}
	return &m.Types[t]
}

// GlobalTypeOf returns the type of global idx, or nil.
func (m *Module) GlobalTypeOf(idx uint32) *GlobalType {
	if idx < m.NumImportedGlobals {
		if im := m.importAt(ExternGlobal, idx); im != nil {
			return &im.Global
		}
		return nil
	}
	if i := idx - m.NumImportedGlobals; i < uint32(len(m.Globals)) {
		return &m.Globals[i].Type
	}
	return nil
}

// TableTypeOf returns the type of table idx, or nil.
func (m *Module) TableTypeOf(idx uint32) *TableType {
	if idx < m.NumImportedTables {
		if im := m.importAt(ExternTable, idx); im != nil {
			return &im.Table
		}
		return nil
	}
	if i := idx - m.NumImportedTables; i < uint32(len(m.Tables)) {
		return &m.Tables[i]
	}
	return nil
}

// MemoryTypeOf returns the type of memory idx, or nil.
func (m *Module) MemoryTypeOf(idx uint32) *MemoryType {
	if idx < m.NumImportedMemories {
		if im := m.importAt(ExternMemory, idx); im != nil {
			return &im.Memory
		}
		return nil
	}
	if i := idx - m.NumImportedMemories; i < uint32(len(m.Memories)) {
		return &m.Memories[i]
	}
	return nil
}

// singleTypes backs the one-element result lists of BlockValue blocks.
var singleTypes = [...]ValType{I32, I64, F32, F64, V128, FuncRef, ExternRef}

// BlockSig returns the parameter and result types of a block type. The
// slices must not be modified. A BlockIndex with an unknown type index
// yields nil, nil (Validate rejects it).
func (m *Module) BlockSig(bt BlockType) (params, results []ValType) {
	switch bt.Kind {
	case BlockValue:
		for i, t := range singleTypes {
			if t == bt.Value {
				return nil, singleTypes[i : i+1 : i+1]
			}
		}
	case BlockIndex:
		if bt.Index < uint32(len(m.Types)) {
			t := &m.Types[bt.Index]
			return t.Params, t.Results
		}
	}
	return nil, nil
}

// ExportedFunc returns the index of the function exported as name.
func (m *Module) ExportedFunc(name string) (uint32, bool) {
	for _, e := range m.Exports {
		if e.Kind == ExternFunc && e.Name == name {
			return e.Index, true
		}
	}
	return 0, false
}
