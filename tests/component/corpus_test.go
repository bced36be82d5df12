package component_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.bytecodealliance.org/wit"

	comp "github.com/wasmaot/wasmaot/compiler/component"
	rc "github.com/wasmaot/wasmaot/rtlib/component"
)

// The differential corpus: one component exporting echo functions for
// every WIT type plus functions that take flat arguments, spill 17
// parameters, return tuples through memory and return invalid values
// (which must trap). The same calls run under wasmaot and under Node on
// jco-transpile's output, for each string encoding; results must match.

// corpusTypes are the types of the echo functions: echo-NAME takes
// (x: TYPE, pad: pad) and returns x. pad makes the parameters spill to
// memory, so the core function returns the argument area itself (or
// loads x from it when x flattens to one value).
var corpusTypes = [][2]string{
	{"bool", "bool"}, {"s8", "s8"}, {"u8", "u8"}, {"s16", "s16"}, {"u16", "u16"}, {"s32", "s32"},
	{"u32", "u32"}, {"s64", "s64"}, {"u64", "u64"}, {"f32", "f32"}, {"f64", "f64"}, {"char", "char"},
	{"string", "string"}, {"list-u8", "list<u8>"}, {"list-string", "list<string>"},
	{"list-list", "list<list<u32>>"}, {"list-f64", "list<f64>"}, {"tuple", "tuple<u8, string, f64, s64>"},
	{"point", "point"}, {"mixed", "mixed"}, {"shape", "shape"}, {"tree", "tree"}, {"color", "color"},
	{"perms", "perms"}, {"wide", "wide"}, {"option", "option<u32>"}, {"option-option", "option<option<string>>"},
	{"result", "result<u32, string>"}, {"result-err-only", "result<_, color>"}, {"result-ok-only", "result<string>"},
	{"result-unit", "result"}, {"list-shape", "list<shape>"}, {"list-tuple", "list<tuple<char, bool>>"},
}

func corpusWIT() string {
	var b strings.Builder
	b.WriteString(`package test:corpus;

interface api {
  record point { x: s32, y: s32 }
  record mixed { a: u8, b: u64, c: string, d: list<u16>, e: option<f32>, f: char }
  variant shape { circle(f64), rect(point), empty, named(string), big(u64), small(f32) }
  variant tree { leaf(u32), node(tuple<shape, option<shape>>), text(list<string>) }
  enum color { red, green, blue }
  flags perms { read, write, exec }
  flags wide { `)
	for i := range 32 {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "f%d", i)
	}
	b.WriteString(" }\n  type pad = tuple<" + strings.Repeat("u64, ", 15) + "u64>;\n")
	for _, ct := range corpusTypes {
		fmt.Fprintf(&b, "  echo-%s: func(x: %s, pad: pad) -> %s;\n", ct[0], ct[1], ct[1])
	}
	b.WriteString(`  add-point: func(a: point, b: point) -> point;
  sum17: func(` + params17() + `) -> u32;
  pick: func(s: shape) -> f64;
  divmod: func(a: u32, b: u32) -> tuple<u32, u32>;
  len: func(s: string) -> u32;
  bad-char: func() -> char;
  bad-string: func() -> string;
  bad-disc: func() -> option<u8>;
  oob-string: func() -> string;
  misaligned: func() -> tuple<u32, u32>;
  bad-enum: func() -> color;
  bad-list-align: func() -> list<u32>;
}

world corpus {
  export api;
}
`)
	return b.String()
}

func params17() string {
	var ps []string
	for i := 1; i <= 17; i++ {
		ps = append(ps, fmt.Sprintf("a%d: u32", i))
	}
	return strings.Join(ps, ", ")
}

// layout is a type's canonical-ABI layout as go.bytecodealliance.org/wit
// computes it: core types of its flattening, size and alignment.
type layout struct {
	flat        []string
	size, align uint32
	signed      bool // s8 or s16: loaded sign-extended, as compilers do
}

func witLayout(t wit.Type) layout {
	l := layout{size: uint32(t.Size()), align: uint32(t.Align())}
	switch t.(type) {
	case wit.S8, wit.S16:
		l.signed = true
	}
	for _, f := range t.Flat() {
		switch f.(type) {
		case wit.U64, wit.S64:
			l.flat = append(l.flat, "i64")
		case wit.F32:
			l.flat = append(l.flat, "f32")
		case wit.F64:
			l.flat = append(l.flat, "f64")
		default:
			l.flat = append(l.flat, "i32")
		}
	}
	return l
}

// corpusLayouts loads the corpus WIT with go.bytecodealliance.org/wit and
// returns every function of the api interface.
func corpusFuncs(t *testing.T, dir string) map[string]*wit.Function {
	t.Helper()
	res, err := wit.LoadWIT(filepath.Join(dir, "wit"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*wit.Function{}
	for _, iface := range res.Interfaces {
		if iface.Name != nil && *iface.Name == "api" {
			iface.Functions.All()(func(name string, f *wit.Function) bool {
				out[name] = f
				return true
			})
		}
	}
	if len(out) == 0 {
		t.Fatal("the corpus WIT has no api functions")
	}
	return out
}

// corpusWAT is the core module. The echo functions are generated from
// their result type's layout as go.bytecodealliance.org/wit computes it.
func corpusWAT(funcs map[string]*wit.Function) string {
	var b strings.Builder
	b.WriteString(`(module
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 4096))
  (data (i32.const 64) "\ff\fe\00\d8")
  ;; a bump allocator that grows memory
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $p i32) (local $end i32)
    (local.set $p (i32.and (i32.add (global.get $heap) (i32.sub (local.get 2) (i32.const 1)))
                           (i32.xor (i32.sub (local.get 2) (i32.const 1)) (i32.const -1))))
    (local.set $end (i32.add (local.get $p) (local.get 3)))
    (if (i32.gt_u (local.get $end) (i32.mul (memory.size) (i32.const 65536)))
      (then (if (i32.lt_s (memory.grow (i32.add (i32.shr_u (i32.sub (local.get $end) (i32.mul (memory.size) (i32.const 65536))) (i32.const 16)) (i32.const 1))) (i32.const 0))
        (then unreachable))))
    (global.set $heap (local.get $end))
    (local.get $p))
`)
	const pfx = "test:corpus/api#"
	for _, ct := range corpusTypes {
		l := witLayout(funcs["echo-"+ct[0]].Results[0].Type)
		if len(l.flat) > 1 {
			fmt.Fprintf(&b, "  (func (export %q) (param i32) (result i32) (local.get 0))\n", pfx+"echo-"+ct[0])
			continue
		}
		load := map[uint32]string{1: "i32.load8_u", 2: "i32.load16_u", 4: "i32.load", 8: "i64.load"}[l.size]
		if l.signed {
			load = strings.Replace(load, "_u", "_s", 1)
		}
		res := "i32"
		switch l.flat[0] {
		case "f32":
			load, res = "f32.load", "f32"
		case "f64":
			load, res = "f64.load", "f64"
		case "i64":
			res = "i64"
		}
		fmt.Fprintf(&b, "  (func (export %q) (param i32) (result %s) (%s (local.get 0)))\n", pfx+"echo-"+ct[0], res, load)
	}
	b.WriteString(`  (func (export "` + pfx + `add-point") (param i32 i32 i32 i32) (result i32)
    (i32.store (i32.const 32) (i32.add (local.get 0) (local.get 2)))
    (i32.store (i32.const 36) (i32.add (local.get 1) (local.get 3)))
    (i32.const 32))
  (func (export "` + pfx + `sum17") (param $p i32) (result i32)
    (local $i i32) (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s) (i32.load (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2))))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 17))))
    (local.get $s))
  ;; shape flattens to (i32 disc, i64 joined, i32 joined)
  (func (export "` + pfx + `pick") (param $d i32) (param $a i64) (param $b i32) (result f64)
    (block $named (block $empty (block $rect (block $circle (block $big (block $small
      (br_table $circle $rect $empty $named $big $small (local.get $d)))
      ;; small(f32): the low 32 bits
      (return (f64.promote_f32 (f32.reinterpret_i32 (i32.wrap_i64 (local.get $a))))))
      ;; big(u64)
      (return (f64.convert_i64_u (local.get $a))))
      (return (f64.reinterpret_i64 (local.get $a))))
      ;; rect(point): x in the low half of the i64 slot, y in the i32 slot
      (return (f64.convert_i32_s (i32.add (i32.wrap_i64 (local.get $a)) (local.get $b)))))
      (return (f64.const -1)))
    ;; named(string): pointer in the i64 slot, length in the i32 slot
    (f64.convert_i32_u (local.get $b)))
  (func (export "` + pfx + `divmod") (param i32 i32) (result i32)
    (i32.store (i32.const 40) (i32.div_u (local.get 0) (local.get 1)))
    (i32.store (i32.const 44) (i32.rem_u (local.get 0) (local.get 1)))
    (i32.const 40))
  (func (export "` + pfx + `len") (param i32 i32) (result i32) (local.get 1))
  (func (export "` + pfx + `bad-char") (result i32) (i32.const 0xd800))
  (func (export "` + pfx + `bad-string") (result i32)
    (i32.store (i32.const 48) (i32.const 64))
    (i32.store (i32.const 52) (i32.const 2))
    (i32.const 48))
  (func (export "` + pfx + `bad-disc") (result i32)
    (i32.store8 (i32.const 56) (i32.const 5))
    (i32.const 56))
  (func (export "` + pfx + `oob-string") (result i32)
    (i32.store (i32.const 48) (i32.const 0xfffffff0))
    (i32.store (i32.const 52) (i32.const 100))
    (i32.const 48))
  (func (export "` + pfx + `misaligned") (result i32) (i32.const 2))
  (func (export "` + pfx + `bad-enum") (result i32) (i32.const 7))
  (func (export "` + pfx + `bad-list-align") (result i32)
    (i32.store (i32.const 48) (i32.const 66))
    (i32.store (i32.const 52) (i32.const 1))
    (i32.const 48))
)`)
	return b.String()
}

// TestLayoutMatchesWIT checks rtlib/component's canonical-ABI layout
// (size, alignment, flattening) of every parameter and result type of the
// corpus against go.bytecodealliance.org/wit's.
func TestLayoutMatchesWIT(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "wit"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "wit", "world.wit"), []byte(corpusWIT()))
	funcs := corpusFuncs(t, dir)
	c, err := comp.Parse(buildComponentEncoding(t, corpusWIT(), "corpus", []byte(corpusWAT(funcs)), "utf8"))
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, ex := range c.Exports {
		for _, f := range ex.Extern.Instance.Exports {
			wf := funcs[f.Name]
			if f.Extern.Func == nil || wf == nil {
				continue
			}
			pairs := [][2]any{}
			for i, p := range f.Extern.Func.Params {
				pairs = append(pairs, [2]any{p.Type, wf.Params[i].Type})
			}
			if r := f.Extern.Func.Result; r != nil {
				pairs = append(pairs, [2]any{r, wf.Results[0].Type})
			}
			for _, p := range pairs {
				ours, theirs := p[0].(*rc.Type), witLayout(p[1].(wit.Type))
				var flat []string
				for _, v := range rc.Flatten(nil, ours) {
					flat = append(flat, v.String())
				}
				if rc.Size(ours) != theirs.size || rc.Align(ours) != theirs.align || strings.Join(flat, " ") != strings.Join(theirs.flat, " ") {
					t.Errorf("%s: %s: size %d align %d flat %v; wit: size %d align %d flat %v", f.Name, ours,
						rc.Size(ours), rc.Align(ours), flat, theirs.size, theirs.align, theirs.flat)
				}
				checked++
			}
		}
	}
	if checked < len(corpusTypes)*3 {
		t.Fatalf("only %d types checked", checked)
	}
	t.Logf("%d parameter and result types have the same layout as go.bytecodealliance.org/wit computes", checked)
}
