package abi

import (
	"bytes"
	"math"
	"reflect"
	"strings"
	"testing"
)

// sampleMeta uses every kind of field.
func sampleMeta() *Meta {
	return &Meta{
		CompilerVersion: "wasmaot test",
		Arch:            ArchAMD64,
		Features:        []string{"sse4.1", "popcnt"},
		FuelMetered:     true,
		SourceSHA256:    [32]byte{1, 2, 3},
		ModuleName:      "m",
		Types: []FuncType{
			{Params: []ValType{I32, I64}, Results: []ValType{F32}, EntrySymbol: EntrySymbol(0)},
			{Params: []ValType{}, Results: []ValType{}, EntrySymbol: EntrySymbol(1)},
		},
		Imports: []Import{
			{Module: "env", Name: "f", Kind: ExternFunc, FuncType: 0, StubSymbol: ImportSymbol(0)},
			{Module: "env", Name: "t", Kind: ExternTable, Table: TableType{Elem: FuncRef, Limits: Limits{Min: 1, Max: 10, HasMax: true}}},
			{Module: "env", Name: "g", Kind: ExternGlobal, Global: GlobalType{Type: I32}},
		},
		Funcs:    []Func{{Type: 1, Symbol: FuncSymbol(1)}},
		Tables:   []TableType{{Elem: ExternRef, Limits: Limits{Min: 2}}},
		Memories: []MemoryType{{Limits: Limits{Min: 1, Max: 2, HasMax: true}}},
		Globals: []Global{
			{Type: GlobalType{Type: I32, Mutable: true}, Init: ConstExpr{Op: ConstGlobalGet, Index: 0}},
			{Type: GlobalType{Type: V128}, Init: ConstExpr{Op: ConstV128, Bits: [2]uint64{5, 6}}},
			{Type: GlobalType{Type: FuncRef}, Init: ConstExpr{Op: ConstRefFunc, Index: 1}},
		},
		Exports: []Export{{Name: "run", Kind: ExternFunc, Index: 1}, {Name: "memory", Kind: ExternMemory}},
		Start:   1,
		Data: []DataSegment{
			{Mode: SegmentActive, Offset: ConstExpr{Op: ConstI32, Bits: [2]uint64{16}}, Bytes: []byte("hello")},
			{Mode: SegmentPassive, Bytes: []byte{}},
		},
		Elems: []ElemSegment{
			{Mode: SegmentActive, Table: 0, Offset: ConstExpr{Op: ConstGlobalGet, Index: 0}, Type: FuncRef,
				Init: []ConstExpr{{Op: ConstRefFunc, Index: 0}, {Op: ConstRefNull, Type: FuncRef}}},
			{Mode: SegmentDeclarative, Type: FuncRef, Init: []ConstExpr{{Op: ConstRefFunc, Index: 1}}},
		},
		FuncNames: []FuncName{{Index: 0, Name: "f"}, {Index: 1, Name: "run"}},
	}
}

func TestMetaRoundTrip(t *testing.T) {
	m := sampleMeta()
	enc := m.Encode()
	got, err := DecodeMeta(enc)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, m) {
		t.Errorf("round trip changed the metadata:\n got %+v\nwant %+v", got, m)
	}
	if !bytes.Equal(got.Encode(), enc) {
		t.Error("re-encoding differs")
	}
}

func TestMetaRejects(t *testing.T) {
	good := sampleMeta().Encode()
	cases := map[string]struct {
		data []byte
		want string
	}{
		"empty":     {nil, "bad magic"},
		"magic":     {append([]byte("XAOTMETA"), good[8:]...), "bad magic"},
		"version":   {append(append([]byte(MetaMagic), 9, 0, 0, 0), good[12:]...), "version 9"},
		"truncated": {good[:len(good)-3], "metadata"},
		"trailing":  {append(append([]byte{}, good...), 0), "trailing"},
	}
	// The fuel flag is the first byte where encodings with and without
	// metering differ; a value other than 0 or 1 is rejected.
	unmetered := sampleMeta()
	unmetered.FuelMetered = false
	for i, b := range unmetered.Encode() {
		if b != good[i] {
			bad := append([]byte{}, good...)
			bad[i] = 2
			cases["fuel flag"] = struct {
				data []byte
				want string
			}{bad, "bad flag"}
			break
		}
	}
	if _, ok := cases["fuel flag"]; !ok {
		t.Fatal("FuelMetered does not change the encoding")
	}
	for name, c := range cases {
		_, err := DecodeMeta(c.data)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", name, err, c.want)
		}
	}
	semantic := map[string]func(m *Meta){
		"arch":        func(m *Meta) { m.Arch = 7 },
		"feature":     func(m *Meta) { m.Features = []string{"avx512-bogus"} },
		"type index":  func(m *Meta) { m.Funcs[0].Type = 9 },
		"start":       func(m *Meta) { m.Start = 0 }, // type 0 has params
		"export":      func(m *Meta) { m.Exports[0].Index = 99 },
		"dup export":  func(m *Meta) { m.Exports[1].Name = "run" },
		"init type":   func(m *Meta) { m.Globals[0].Init = ConstExpr{Op: ConstI64} },
		"init global": func(m *Meta) { m.Globals[0].Init = ConstExpr{Op: ConstGlobalGet, Index: 1} },
		"elem table":  func(m *Meta) { m.Elems[0].Table = 1 }, // externref table
		"limits":      func(m *Meta) { m.Memories[0].Limits = Limits{Min: 3, Max: 2, HasMax: true} },
		"names":       func(m *Meta) { m.FuncNames[1].Index = 0 },
	}
	for name, mutate := range semantic {
		m := sampleMeta()
		mutate(m)
		if _, err := DecodeMeta(m.Encode()); err == nil {
			t.Errorf("%s: accepted an invalid module", name)
		}
	}
}

func FuzzDecodeMeta(f *testing.F) {
	f.Add(sampleMeta().Encode())
	f.Add((&Meta{Arch: ArchARM64, Start: -1}).Encode())
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := DecodeMeta(data)
		if err != nil {
			return
		}
		// Anything accepted must round-trip and produce a usable layout.
		if _, err := DecodeMeta(m.Encode()); err != nil {
			t.Fatalf("re-decoding accepted metadata: %v", err)
		}
		m.Layout()
	})
}

// A table may declare any u32 maximum (the spec's table.wast does); only
// its initial size is bounded by the implementation.
func TestMetaTableLimits(t *testing.T) {
	m := sampleMeta()
	m.Tables = []TableType{{Elem: FuncRef, Limits: Limits{Min: 0, Max: math.MaxUint32, HasMax: true}}}
	if _, err := DecodeMeta(m.Encode()); err != nil {
		t.Fatalf("table with max 2^32-1 rejected: %v", err)
	}
	m.Tables[0].Limits = Limits{Min: MaxTableSize + 1}
	if _, err := DecodeMeta(m.Encode()); err == nil {
		t.Fatal("table with an initial size beyond MaxTableSize accepted")
	}
}
