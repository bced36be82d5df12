package component

import (
	"bytes"
	"testing"
)

// sampleGraph has one of everything the codec writes.
func sampleGraph() *Graph {
	str := Prim(String)
	rec := &Type{Kind: Record, Fields: []Field{{"x", Prim(S32)}, {"name", str}}}
	v := &Type{Kind: Variant, Fields: []Field{{"a", nil}, {"b", &Type{Kind: List, Elem: rec}}}}
	res := &Type{Kind: Result, Elem: &Type{Kind: Own, Resource: 0}, Err: &Type{Kind: Enum, Labels: []string{"e1", "e2"}}}
	ft := &FuncType{Params: []Field{{"s", str}, {"v", v}, {"h", &Type{Kind: Borrow, Resource: 1}}}, Result: res}
	mem := &CoreItem{Kind: ItemExport, Index: 1, Name: "memory"}
	return &Graph{
		Modules: 2, Components: 1,
		Resources: []Resource{{Name: "r", Owner: 0, Dtor: &CoreItem{Kind: ItemExport, Index: 1, Name: "dtor"}}, {Name: "h", Import: "host"}},
		Imports:   []Import{{Name: "host", Funcs: []NamedFunc{{"f", ft}}, Resources: []int{1}}, {Name: "g", Func: &FuncType{}}},
		Instances: []CoreInstance{{Module: -1, Exports: []CoreExport{{"f", CoreItem{Kind: ItemLower, Index: 0}}, {"new", CoreItem{Kind: ItemResourceNew, Index: 0}}}},
			{Module: 0, Args: []CoreArg{{"host", 0}}}},
		Lowers:  []Lower{{Callee: Callee{Import: 0, Name: "f", Lift: -1}, Type: ft, Options: Options{Encoding: UTF16, Memory: mem}}},
		Lifts:   []Lift{{Core: CoreItem{Kind: ItemExport, Index: 1, Name: "run"}, Type: ft, Options: Options{Memory: mem, Realloc: mem, PostReturn: mem}}},
		Exports: []Export{{Name: "run", Func: &Callee{Import: -1, Lift: 0}}, {Name: "api", Funcs: []ExportFunc{{"run", Callee{Import: -1, Lift: 0}}}, Resources: []int{0}}},
		Starts:  []Callee{{Import: 1, Lift: -1}},
	}
}

func TestGraphCodec(t *testing.T) {
	g := sampleGraph()
	enc := g.Encode()
	back, err := DecodeGraph(enc)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(back.Encode(), enc) {
		t.Fatal("decode(encode(g)) encodes differently")
	}
	for i := range enc {
		if _, err := DecodeGraph(enc[:i]); err == nil {
			t.Fatalf("a graph cut at byte %d of %d decoded", i, len(enc))
		}
	}
	bad := *g
	bad.Lifts = append([]Lift(nil), g.Lifts...)
	bad.Lifts[0].Core.Index = 7
	if _, err := DecodeGraph(bad.Encode()); err == nil {
		t.Fatal("a graph naming core instance 7 of 2 decoded")
	}
}

// FuzzDecodeGraph: no input panics the decoder, and what decodes
// re-encodes to the same bytes.
func FuzzDecodeGraph(f *testing.F) {
	f.Add(sampleGraph().Encode())
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := DecodeGraph(b)
		if err != nil {
			return
		}
		if g2, err := DecodeGraph(g.Encode()); err != nil || !bytes.Equal(g2.Encode(), g.Encode()) {
			t.Fatalf("re-encoding a decoded graph: %v", err)
		}
	})
}
