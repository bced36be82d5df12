package component

import (
	"reflect"
	"testing"
)

func TestTypedHelpers(t *testing.T) {
	l := ListValue([]uint32{1, 2, 3})
	back, err := ListOf[uint32](l)
	if err != nil || !reflect.DeepEqual(back, []uint32{1, 2, 3}) {
		t.Fatalf("ListOf(ListValue) = %v, %v", back, err)
	}
	if _, err := ListOf[string](l); err == nil {
		t.Fatal("ListOf[string] of u32s succeeded")
	}
	if x, some, err := OptionOf[string](Some("a")); err != nil || !some || x != "a" {
		t.Fatalf("OptionOf(some) = %q, %v, %v", x, some, err)
	}
	if _, some, err := OptionOf[string](None()); err != nil || some {
		t.Fatalf("OptionOf(none) = %v, %v", some, err)
	}
	if _, e, isErr, err := ResultOf[uint32, string](Err("bad")); err != nil || !isErr || e != "bad" {
		t.Fatalf("ResultOf(err) = %q, %v, %v", e, isErr, err)
	}
	if v, _, isErr, err := ResultOf[uint32, string](Ok(uint32(7))); err != nil || isErr || v != 7 {
		t.Fatalf("ResultOf(ok) = %v, %v, %v", v, isErr, err)
	}
	if _, _, _, err := ResultOf[uint32, string](uint32(1)); err == nil {
		t.Fatal("ResultOf of a u32 succeeded")
	}
}

// TestWAVE: values of every kind print and parse back.
func TestWAVE(t *testing.T) {
	point := &Type{Kind: Record, Fields: []Field{{"x", Prim(S32)}, {"y", Prim(S32)}}}
	shape := &Type{Kind: Variant, Fields: []Field{{"circle", Prim(F64)}, {"none", nil}}}
	cases := []struct {
		t    *Type
		v    Value
		text string
	}{
		{Prim(String), "a \"q\"\n😀", `"a \"q\"\n😀"`},
		{Prim(Char), '\'', `'\''`},
		{Prim(S64), int64(-9), "-9"},
		{Prim(F32), float32(1.5), "1.5"},
		{&Type{Kind: List, Elem: Prim(U8)}, []Value{uint8(1), uint8(2)}, "[1, 2]"},
		{point, []Value{int32(1), int32(-2)}, "{x: 1, y: -2}"},
		{&Type{Kind: Tuple, Fields: []Field{{"", Prim(Bool)}, {"", Prim(U16)}}}, []Value{true, uint16(3)}, "(true, 3)"},
		{&Type{Kind: Option, Elem: Prim(U32)}, Some(uint32(3)), "some(3)"},
		{&Type{Kind: Result, Elem: Prim(String), Err: Prim(U8)}, Ok("…"), `ok("…")`},
		{&Type{Kind: Result}, Err(nil), "err"},
		{shape, Case{Index: 0, Value: 2.5}, "circle(2.5)"},
		{shape, Case{Index: 1}, "%none"},
		{&Type{Kind: Enum, Labels: []string{"red", "green"}}, Case{Index: 1}, "green"},
		{&Type{Kind: Flags, Labels: []string{"a", "b", "c"}}, uint32(5), "{a, c}"},
	}
	for _, c := range cases {
		if got := FormatWAVE(c.v, c.t); got != c.text {
			t.Errorf("FormatWAVE(%v: %s) = %s, want %s", c.v, c.t, got, c.text)
		}
		back, err := ParseWAVE(c.text, c.t)
		if err != nil || !reflect.DeepEqual(back, c.v) {
			t.Errorf("ParseWAVE(%s: %s) = %#v, %v; want %#v", c.text, c.t, back, err, c.v)
		}
	}
	for _, bad := range []struct {
		t    *Type
		text string
	}{{Prim(U8), "256"}, {Prim(Char), "'ab'"}, {point, "{x: 1}"}, {Prim(String), `"open`}, {shape, "square"}} {
		if _, err := ParseWAVE(bad.text, bad.t); err == nil {
			t.Errorf("ParseWAVE(%s: %s) succeeded", bad.text, bad.t)
		}
	}
}
