package wat

import (
	"bytes"
	"strings"
	"testing"

	"github.com/wasmaot/wasmaot/compiler/wasm"
)

// TestAbbreviations checks that each abbreviation of the text format
// translates exactly like the form it abbreviates.
func TestAbbreviations(t *testing.T) {
	tests := []struct{ name, short, long string }{
		{"inline export",
			`(func (export "f") (export "g"))`,
			`(func) (export "f" (func 0)) (export "g" (func 0))`},
		{"inline import",
			`(func (import "m" "f") (param i32)) (memory (import "m" "mem") 1) (global (import "m" "g") (mut f32)) (table (import "m" "t") 1 funcref)`,
			`(type (func (param i32))) (import "m" "f" (func (type 0))) (import "m" "mem" (memory 1)) (import "m" "g" (global (mut f32))) (import "m" "t" (table 1 funcref))`},
		{"implicit types are appended after explicit ones",
			`(func (param i64)) (type (func)) (func (param i64))`,
			`(type (func)) (type (func (param i64))) (func (type 1)) (func (type 1))`},
		{"inline type use reuses a matching explicit type",
			`(type (func)) (type (func (param i32))) (func (param i32))`,
			`(type (func)) (type (func (param i32))) (func (type 1))`},
		{"named parameters in an import",
			`(import "m" "f" (func (param $x i32) (param f32)))`,
			`(import "m" "f" (func (param i32 f32)))`},
		{"type use with matching inline signature",
			`(type $t (func (param i32) (result i32))) (func (type $t) (param $x i32) (result i32) (local.get $x))`,
			`(type (func (param i32) (result i32))) (func (type 0) (local.get 0))`},
		{"folded and flat instructions",
			`(func (result i32) (i32.add (i32.const 1) (i32.const 2)))`,
			`(func (result i32) i32.const 1 i32.const 2 i32.add)`},
		{"folded if",
			`(func (param i32) (result i32) (if (result i32) (local.get 0) (then (i32.const 1)) (else (i32.const 2))))`,
			`(func (param i32) (result i32) local.get 0 if (result i32) i32.const 1 else i32.const 2 end)`},
		{"labels by name and depth",
			`(func (block $a (loop $b (br $a) (br $b) (block $a (br $a)))))`,
			`(func block loop br 1 br 0 block br 0 end end end)`},
		{"multi-value block type",
			`(func (block (param) (result i32 i64) (i32.const 1) (i64.const 2)) drop drop)`,
			`(type (func)) (type (func (result i32 i64))) (func (type 0) (block (type 1) (i32.const 1) (i64.const 2)) drop drop)`},
		{"table with inline elements",
			`(table $t funcref (elem $f $f)) (func $f)`,
			`(table 2 2 funcref) (elem (table 0) (i32.const 0) func 0 0) (func)`},
		{"memory with inline data",
			`(memory (data "ab" "c"))`,
			`(memory 1 1) (data (memory 0) (i32.const 0) "abc")`},
		{"offset abbreviation and bare function list",
			`(table 1 funcref) (func) (elem (i32.const 0) 0) (memory 1) (data (i32.const 1) "x")`,
			`(table 1 funcref) (func) (elem (table 0) (offset (i32.const 0)) func 0) (memory 1) (data (memory 0) (offset (i32.const 1)) "x")`},
		{"item abbreviation",
			`(table 1 funcref) (func) (elem (i32.const 0) funcref (ref.func 0) (ref.null func))`,
			`(table 1 funcref) (func) (elem (i32.const 0) funcref (item ref.func 0) (item (ref.null func)))`},
		{"default memarg and table operands",
			`(memory 1) (table 1 funcref) (func (drop (i64.load (i32.const 0))) (drop (table.size)) (table.copy (i32.const 0) (i32.const 0) (i32.const 0)))`,
			`(memory 1) (table 1 funcref) (func (drop (i64.load offset=0 align=8 (i32.const 0))) (drop (table.size 0)) (table.copy 0 0 (i32.const 0) (i32.const 0) (i32.const 0)))`},
		{"call_indirect defaults to table 0",
			`(table 1 funcref) (func (call_indirect (param i32) (i32.const 0) (i32.const 0)))`,
			`(table 1 funcref) (type (func)) (type (func (param i32))) (func (type 0) (call_indirect 0 (type 1) (i32.const 0) (i32.const 0)))`},
		{"table.init with one index",
			`(table 1 funcref) (elem funcref) (func (table.init 0 (i32.const 0) (i32.const 0) (i32.const 0)))`,
			`(table 1 funcref) (elem funcref) (func (table.init 0 0 (i32.const 0) (i32.const 0) (i32.const 0)))`},
		{"number syntax",
			`(func (result f64) (drop (i32.const 0xff_ff)) (f64.const 0x1.8p1))`,
			`(func (result f64) (drop (i32.const 65535)) (f64.const 3.0))`},
		{"comments",
			"(func (; a (; nested ;) comment ;) nop ;; line comment\n)",
			`(func nop)`},
		{"a line comment ends at a carriage return",
			"(func (result i32) (i32.const 1) ;; comment\r (return (i32.const 2)))",
			"(func (result i32) (i32.const 1) (return (i32.const 2)))"},
		{"module wrapper",
			`(module (func))`,
			`(func)`},
	}
	for _, tt := range tests {
		short, err := Parse([]byte(tt.short))
		if err != nil {
			t.Errorf("%s: %s: %v", tt.name, tt.short, err)
			continue
		}
		long, err := Parse([]byte(tt.long))
		if err != nil {
			t.Errorf("%s: %s: %v", tt.name, tt.long, err)
			continue
		}
		if !bytes.Equal(stripNames(t, short), stripNames(t, long)) {
			t.Errorf("%s: translations differ:\n%s\n% x\n%s\n% x", tt.name, tt.short, short, tt.long, long)
		}
	}
}

// stripNames re-encodes a binary without its name section.
func stripNames(t *testing.T, bin []byte) []byte {
	m, err := wasm.Decode(bin)
	if err != nil {
		t.Fatalf("decoding % x: %v", bin, err)
	}
	m.Names = wasm.Names{}
	return wasm.Encode(m)
}

func TestNames(t *testing.T) {
	bin, err := Parse([]byte(`(module $mod (import "m" "f" (func $imp)) (func $f (param $p i32) (local $l i64)))`))
	if err != nil {
		t.Fatal(err)
	}
	m, err := wasm.Decode(bin)
	if err != nil {
		t.Fatal(err)
	}
	if m.Names.Module != "mod" || m.Names.Funcs[0] != "imp" || m.Names.Funcs[1] != "f" ||
		m.Names.Locals[1][0] != "p" || m.Names.Locals[1][1] != "l" {
		t.Errorf("names = %+v", m.Names)
	}
}

func TestStrings(t *testing.T) {
	bin, err := Parse([]byte(`(memory 1) (data (i32.const 0) "a\n\t\\\'\"\7f\u{0}\u{1F600}\u{10_FFFF}")`))
	if err != nil {
		t.Fatal(err)
	}
	m, err := wasm.Decode(bin)
	if err != nil {
		t.Fatal(err)
	}
	want := "a\n\t\\'\"\x7f\x00\U0001F600\U0010FFFF"
	if got := string(m.Datas[0].Init); got != want {
		t.Errorf("data = %q, want %q", got, want)
	}
}

// TestErrors checks that text the format forbids is rejected, with a
// message and position that point at the problem.
func TestErrors(t *testing.T) {
	tests := []struct{ src, pos, msg string }{
		{"(func (i32.const0))", "1:8", "unknown operator i32.const0"},
		{"(func\n  (br $nowhere))", "2:7", "unknown label $nowhere"},
		{"(func $f) (func $f)", "1:17", "duplicate function $f"},
		{"(func (param $x i32) (local $x i32))", "1:29", "duplicate local $x"},
		{"(func (call $g))", "1:13", "unknown function $g"},
		{"(type $t (func (param i32))) (func (type $t) (param i64))", "1:42", "inline function type does not match"},
		{"(func) (import \"m\" \"f\" (func))", "1:8", "import after function"},
		{"(memory 1) (func (import \"m\" \"f\"))", "1:18", "import after memory"},
		{"(func (i32.const 4294967296))", "1:18", "i32 constant out of range"},
		{"(func (f32.const 1e39))", "1:18", "f32 constant out of range"},
		{"(memory 1) (func (drop (i32.load align=3 (i32.const 0))))", "1:34", "power of two"},
		{"(func block $a end $b)", "1:20", "mismatching label $b"},
		{"(func block)", "1:7", "without end"},
		{"(func end)", "1:7", "unexpected token end"},
		{"(data \"\\q\")", "1:8", "illegal escape"},
		{"(data \"\\u{D800}\")", "1:8", "not a Unicode scalar value"},
		{"(func (export \"\\ff\"))", "1:15", "malformed UTF-8"},
		{"(func (; unclosed", "1:7", "unclosed block comment"},
		{"(func", "1:1", "unclosed parenthesis"},
		{"(func))", "1:7", "unexpected token \")\""},
		{"(data $l\"a\")", "1:7", "expected data string"},
		{"(start 0) (start 0) (func)", "1:11", "multiple start sections"},
		{"(func (result i32) (param i32))", "1:20", "(param …) after (result …)"},
		{"(func (v128.const i32x4 1 2 3))", "1:19", "expected 4 lanes"},
		{"(func (i8x16.extract_lane_s 256 (v128.const i64x2 0 0)))", "1:29", "malformed lane index"},
		{"(func (block (param $x i32)))", "1:21", "cannot be named"},
		{"(global i32 (i32.const 0)) (table funcref)", "1:28", "expected (elem …)"},
		{"(foo)", "1:1", "unknown module field"},
	}
	deep := "(func " + strings.Repeat("(i32.eqz ", MaxNesting) + "(i32.const 0)" + strings.Repeat(")", MaxNesting) + " drop)"
	tests = append(tests, struct{ src, pos, msg string }{deep, "1:179998", "nested more than"})
	for _, tt := range tests {
		_, err := Parse([]byte(tt.src))
		if err == nil {
			t.Errorf("%.80s: accepted", tt.src)
			continue
		}
		if !strings.HasPrefix(err.Error(), tt.pos+": ") || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%.80s: error %q, want %s: …%s…", tt.src, err, tt.pos, tt.msg)
		}
	}
}
