package wasm

import (
	"bytes"
	"io"
	"reflect"
	"testing"
)

// sampleInstr returns an instruction of opcode op with distinctive
// immediates of its kind.
func sampleInstr(op Opcode) Instr {
	in := Instr{Op: op}
	switch op.Info().Imm {
	case ImmBlock:
		in.Block = BlockType{Kind: BlockIndex, Index: 300}
	case ImmLabel, ImmFunc, ImmLocal, ImmGlobal, ImmTable, ImmData, ImmElem, ImmMeminit:
		in.Index = 129
	case ImmBrtable:
		in.Targets = []uint32{0, 7, 1 << 20, 3}
	case ImmCallind, ImmTableinit, ImmTablecopy:
		in.Index, in.Index2 = 5, 200
	case ImmMemarg:
		in.Mem = MemArg{Align: 2, Offset: 0xFFFF_FFFF}
	case ImmMemlane:
		in.Mem = MemArg{Align: 1, Offset: 128}
		in.Lane = 1
	case ImmLane:
		in.Lane = 3
	case ImmI32:
		in.Const = 0xFFFF_FFFF_8000_0000 // -2^31 sign-extended
	case ImmI64:
		in.Const = 0x8000_0000_0000_0001
	case ImmF32:
		in.Const = 0x7FC0_0001
	case ImmF64:
		in.Const = 0xFFF8_0000_0000_0001
	case ImmV128, ImmShuffle:
		in.Const, in.ConstHi = 0x0706050403020100, 0x1F0E0D0C0B0A0908
	case ImmSelectt:
		in.Type = V128
		in.Index = 1 // InstrReader records the arity here
	case ImmReftype:
		in.Type = ExternRef
	}
	return in
}

func TestAppendInstrEveryOpcode(t *testing.T) {
	for _, op := range Opcodes() {
		want := sampleInstr(op)
		bin := AppendInstr(nil, &want)
		var got Instr
		r := NewInstrReader(bin, 0)
		if err := r.Next(&got); err != nil {
			t.Errorf("%v: decoding % x: %v", op, bin, err)
			continue
		}
		if err := r.Next(&Instr{}); err != io.EOF {
			t.Errorf("%v: % x decodes to more than one instruction (%v)", op, bin, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%v: % x decodes to %+v, want %+v", op, bin, got, want)
		}
	}
}

func TestAppendInstrCanonicalLEB(t *testing.T) {
	tests := []struct {
		in   Instr
		want []byte
	}{
		{Instr{Op: OpI32Const, Const: 0xFFFF_FFFF_FFFF_FFFF}, []byte{0x41, 0x7F}},
		{Instr{Op: OpI32Const, Const: 64}, []byte{0x41, 0xC0, 0x00}},
		{Instr{Op: OpI32Const, Const: 0xFFFF_FFFF_FFFF_FFBF}, []byte{0x41, 0xBF, 0x7F}},
		{Instr{Op: OpI64Const, Const: 1 << 63}, []byte{0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7F}},
		{Instr{Op: OpLocalGet, Index: 128}, []byte{0x20, 0x80, 0x01}},
		{Instr{Op: OpBlock, Block: BlockType{Kind: BlockIndex, Index: 64}}, []byte{0x02, 0xC0, 0x00}},
		{Instr{Op: OpBlock, Block: BlockType{Kind: BlockValue, Value: F64}}, []byte{0x02, 0x7C}},
		{Instr{Op: OpLoop}, []byte{0x03, 0x40}},
		{Instr{Op: OpMemoryGrow}, []byte{0x40, 0x00}},
		{Instr{Op: OpI32TruncSatF32S}, []byte{0xFC, 0x00}},
		{Instr{Op: OpBrTable, Targets: []uint32{2}}, []byte{0x0E, 0x00, 0x02}},
	}
	for _, tt := range tests {
		if got := AppendInstr(nil, &tt.in); !bytes.Equal(got, tt.want) {
			t.Errorf("%v: got % x, want % x", tt.in.Op, got, tt.want)
		}
	}
}

func constI32(v int32) ConstExpr {
	return ConstExpr{Instrs: []Instr{{Op: OpI32Const, Const: uint64(int64(v))}}}
}

func refFunc(i uint32) ConstExpr {
	return ConstExpr{Instrs: []Instr{{Op: OpRefFunc, Index: i}}}
}

// sampleModule uses every section and every element segment encoding.
func sampleModule() *Module {
	start := uint32(1)
	dataCount := uint32(2)
	body := []byte{byte(OpLocalGet), 0, byte(OpEnd)}
	return &Module{
		Types: []FuncType{{Params: []ValType{I32}, Results: []ValType{I32}}, {}},
		Imports: []Import{
			{Module: "m", Name: "f", Kind: ExternFunc, Func: 1},
			{Module: "m", Name: "t", Kind: ExternTable, Table: TableType{Elem: ExternRef, Limits: Limits{Min: 1}}},
			{Module: "m", Name: "mem", Kind: ExternMemory, Memory: MemoryType{Limits: Limits{Min: 1, Max: 2, HasMax: true}}},
			{Module: "m", Name: "g", Kind: ExternGlobal, Global: GlobalType{Type: F64, Mutable: true}},
		},
		Funcs:    []uint32{0, 1},
		Tables:   []TableType{{Elem: FuncRef, Limits: Limits{Min: 3, Max: 300, HasMax: true}}},
		Memories: nil,
		Globals: []Global{
			{Type: GlobalType{Type: I32}, Init: constI32(-7)},
			{Type: GlobalType{Type: FuncRef, Mutable: true}, Init: ConstExpr{Instrs: []Instr{{Op: OpRefNull, Type: FuncRef}}}},
		},
		Exports: []Export{{Name: "f", Kind: ExternFunc, Index: 1}, {Name: "ünï", Kind: ExternGlobal, Index: 2}},
		Start:   &start,
		Elems: []Elem{
			{Mode: SegmentActive, Table: 1, Offset: constI32(0), Type: FuncRef, Init: []ConstExpr{refFunc(0), refFunc(2)}},
			{Mode: SegmentActive, Table: 0, Offset: constI32(1), Type: ExternRef, Init: []ConstExpr{{Instrs: []Instr{{Op: OpRefNull, Type: ExternRef}}}}},
			{Mode: SegmentActive, Table: 1, Offset: constI32(2), Type: FuncRef, Init: []ConstExpr{refFunc(1)}},
			{Mode: SegmentActive, Table: 1, Offset: constI32(2), Type: FuncRef, Init: []ConstExpr{{Instrs: []Instr{{Op: OpRefNull, Type: FuncRef}}}}},
			{Mode: SegmentPassive, Type: FuncRef, Init: []ConstExpr{refFunc(1)}},
			{Mode: SegmentPassive, Type: ExternRef, Init: []ConstExpr{}},
			{Mode: SegmentDeclarative, Type: FuncRef, Init: []ConstExpr{refFunc(2)}},
			{Mode: SegmentDeclarative, Type: FuncRef, Init: []ConstExpr{{Instrs: []Instr{{Op: OpRefNull, Type: FuncRef}}}}},
		},
		DataCount: &dataCount,
		Codes: []Code{
			{Locals: []LocalRun{{Count: 2, Type: I64}, {Count: 1, Type: V128}}, NumLocals: 3, Body: body},
			{Body: []byte{byte(OpEnd)}},
		},
		Datas: []Data{
			{Mode: SegmentActive, Offset: constI32(16), Init: []byte("hello")},
			{Mode: SegmentPassive, Init: []byte{}},
		},
		Names: Names{
			Module: "sample",
			Funcs:  map[uint32]string{1: "first", 2: "second"},
			Locals: map[uint32]map[uint32]string{1: {0: "p", 2: "x"}},
		},
		Customs:          []CustomSection{{Name: "extra", Data: []byte{1, 2, 3}}},
		NumImportedFuncs: 1, NumImportedTables: 1, NumImportedMemories: 1, NumImportedGlobals: 1,
	}
}

// clearOffsets zeroes every recorded byte offset, which Encode ignores.
func clearOffsets(m *Module) {
	clear := func(x *ConstExpr) {
		x.Offset = 0
		for i := range x.Instrs {
			x.Instrs[i].Offset = 0
		}
	}
	for i := range m.Globals {
		clear(&m.Globals[i].Init)
	}
	for i := range m.Elems {
		clear(&m.Elems[i].Offset)
		for j := range m.Elems[i].Init {
			clear(&m.Elems[i].Init[j])
		}
	}
	for i := range m.Datas {
		clear(&m.Datas[i].Offset)
	}
	for i := range m.Codes {
		m.Codes[i].Offset = 0
	}
	for i := range m.Customs {
		m.Customs[i].Offset = 0
	}
	for i := range m.Imports {
		m.Imports[i].Offset = 0
	}
	for i := range m.Exports {
		m.Exports[i].Offset = 0
	}
	m.SectionOffsets = [13]uint32{}
}

func TestEncodeRoundTrip(t *testing.T) {
	want := sampleModule()
	bin := Encode(want)
	got, err := Decode(bin)
	if err != nil {
		t.Fatalf("Decode(Encode(m)): %v", err)
	}
	clearOffsets(got)
	gv, wv := reflect.ValueOf(got).Elem(), reflect.ValueOf(want).Elem()
	for i := 0; i < gv.NumField(); i++ {
		if !reflect.DeepEqual(gv.Field(i).Interface(), wv.Field(i).Interface()) {
			t.Errorf("Decode(Encode(m)).%s = %+v, want %+v", gv.Type().Field(i).Name, gv.Field(i), wv.Field(i))
		}
	}
	if again := Encode(got); !bytes.Equal(again, bin) {
		t.Errorf("Encode(Decode(b)) != b:\n got % x\nwant % x", again, bin)
	}
}

func TestEncodeEmptyModule(t *testing.T) {
	want := []byte{0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00}
	if got := Encode(&Module{}); !bytes.Equal(got, want) {
		t.Errorf("Encode(empty) = % x, want % x", got, want)
	}
}

// TestEncodeLocalsMerged checks that adjacent local runs of one type are
// written as one declaration.
func TestEncodeLocalsMerged(t *testing.T) {
	m := &Module{
		Types: []FuncType{{}},
		Funcs: []uint32{0},
		Codes: []Code{{Locals: []LocalRun{{1, I32}, {2, I32}, {0, F32}, {1, I64}}, Body: []byte{byte(OpEnd)}}},
	}
	got, err := Decode(Encode(m))
	if err != nil {
		t.Fatal(err)
	}
	want := []LocalRun{{3, I32}, {1, I64}}
	if !reflect.DeepEqual(got.Codes[0].Locals, want) || got.Codes[0].NumLocals != 4 {
		t.Errorf("locals = %v (%d), want %v (4)", got.Codes[0].Locals, got.Codes[0].NumLocals, want)
	}
}
