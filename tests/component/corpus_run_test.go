package component_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	rc "github.com/wasmaot/wasmaot/rtlib/component"
)

// call is one call of the corpus.
type call struct {
	fn   string
	args []rc.Value
}

func u32s(n int) []rc.Value {
	out := make([]rc.Value, n)
	for i := range out {
		out[i] = uint32(i + 1)
	}
	return out
}

var (
	pad = func() []rc.Value {
		p := make([]rc.Value, 16)
		for i := range p {
			p[i] = uint64(0)
		}
		return p
	}()
	circle  = func(f float64) rc.Case { return rc.Case{Index: 0, Value: f} }
	rect    = rc.Case{Index: 1, Value: []rc.Value{int32(1), int32(-2)}}
	empty   = rc.Case{Index: 2}
	named   = func(s string) rc.Case { return rc.Case{Index: 3, Value: s} }
	big     = rc.Case{Index: 4, Value: uint64(math.MaxUint64)}
	small   = rc.Case{Index: 5, Value: float32(0.5)}
	strs    = []rc.Value{"", "hello", "héllo wörld", "日本語テキスト", "😀 emoji", "latin1 ÿ only", "nul\x00inside", strings.Repeat("abc", 30000), strings.Repeat("ü", 1000), strings.Repeat("😀", 5000)}
	floats  = []float64{0, math.Copysign(0, -1), 1.5, -2.25, math.MaxFloat32, math.SmallestNonzeroFloat32, math.Inf(1), math.Inf(-1), math.NaN()}
	doubles = []float64{0, math.Copysign(0, -1), 1.5, math.Pi, math.MaxFloat64, math.SmallestNonzeroFloat64, math.Inf(1), math.Inf(-1), math.NaN()}
)

func corpusValues(name string) []rc.Value {
	switch name {
	case "bool":
		return []rc.Value{true, false}
	case "s8":
		return []rc.Value{int8(0), int8(math.MinInt8), int8(math.MaxInt8), int8(-1)}
	case "u8":
		return []rc.Value{uint8(0), uint8(math.MaxUint8), uint8(7)}
	case "s16":
		return []rc.Value{int16(math.MinInt16), int16(math.MaxInt16), int16(0)}
	case "u16":
		return []rc.Value{uint16(0), uint16(math.MaxUint16)}
	case "s32":
		return []rc.Value{int32(math.MinInt32), int32(math.MaxInt32), int32(-1), int32(0)}
	case "u32":
		return []rc.Value{uint32(0), uint32(math.MaxUint32), uint32(1)}
	case "s64":
		return []rc.Value{int64(math.MinInt64), int64(math.MaxInt64), int64(-1)}
	case "u64":
		return []rc.Value{uint64(0), uint64(math.MaxUint64), uint64(1) << 63}
	case "f32":
		var out []rc.Value
		for _, f := range floats {
			out = append(out, float32(f))
		}
		return out
	case "f64":
		var out []rc.Value
		for _, f := range doubles {
			out = append(out, f)
		}
		return out
	case "char":
		return []rc.Value{'a', 'é', '😀', rune(0x10ffff), rune(0), rune(0xd7ff), rune(0xe000)}
	case "string":
		return strs
	case "list-u8":
		long := make([]rc.Value, 1000)
		for i := range long {
			long[i] = uint8(i)
		}
		return []rc.Value{[]rc.Value{}, []rc.Value{uint8(1), uint8(2), uint8(255)}, long}
	case "list-string":
		return []rc.Value{[]rc.Value{}, strs}
	case "list-list":
		return []rc.Value{[]rc.Value{}, []rc.Value{[]rc.Value{}}, []rc.Value{[]rc.Value{uint32(1), uint32(2)}, []rc.Value{uint32(math.MaxUint32)}, []rc.Value{}}}
	case "list-f64":
		return []rc.Value{[]rc.Value{1.5, math.NaN(), math.Inf(-1), 0.0}}
	case "tuple":
		return []rc.Value{[]rc.Value{uint8(7), "x", 2.5, int64(-9)}, []rc.Value{uint8(0), "", math.NaN(), int64(math.MinInt64)}}
	case "point":
		return []rc.Value{[]rc.Value{int32(1), int32(-2)}}
	case "mixed":
		return []rc.Value{
			[]rc.Value{uint8(1), uint64(math.MaxUint64), "str", []rc.Value{uint16(1), uint16(65535)}, rc.Some(float32(1.25)), 'z'},
			[]rc.Value{uint8(0), uint64(0), "", []rc.Value{}, rc.None(), '😀'},
		}
	case "shape":
		return []rc.Value{circle(3.5), rect, empty, named("n"), named(""), big, small, circle(math.NaN())}
	case "tree":
		return []rc.Value{rc.Case{Index: 0, Value: uint32(5)}, rc.Case{Index: 1, Value: []rc.Value{rect, rc.Some(circle(1))}},
			rc.Case{Index: 1, Value: []rc.Value{empty, rc.None()}}, rc.Case{Index: 2, Value: []rc.Value{"a", "ü"}}}
	case "color":
		return []rc.Value{rc.Case{Index: 0}, rc.Case{Index: 2}}
	case "perms":
		return []rc.Value{uint32(0), uint32(5), uint32(7)}
	case "wide":
		return []rc.Value{uint32(0), uint32(math.MaxUint32), uint32(0x80000001)}
	case "option":
		return []rc.Value{rc.None(), rc.Some(uint32(0)), rc.Some(uint32(math.MaxUint32))}
	case "option-option":
		return []rc.Value{rc.None(), rc.Some(rc.None()), rc.Some(rc.Some("x"))}
	case "result":
		return []rc.Value{rc.Ok(uint32(1)), rc.Err("bad")}
	case "result-err-only":
		return []rc.Value{rc.Ok(nil), rc.Err(rc.Case{Index: 1})}
	case "result-ok-only":
		return []rc.Value{rc.Ok("fine"), rc.Err(nil)}
	case "result-unit":
		return []rc.Value{rc.Ok(nil), rc.Err(nil)}
	case "list-shape":
		return []rc.Value{[]rc.Value{circle(1), empty, named("q"), big}}
	case "list-tuple":
		return []rc.Value{[]rc.Value{[]rc.Value{'a', true}, []rc.Value{'😀', false}}}
	}
	panic("no values for " + name)
}

func corpusCalls() []call {
	var calls []call
	for _, ct := range corpusTypes {
		for _, v := range corpusValues(ct[0]) {
			calls = append(calls, call{"echo-" + ct[0], []rc.Value{v, pad}})
		}
	}
	max17 := make([]rc.Value, 17)
	for i := range max17 {
		max17[i] = uint32(math.MaxUint32)
	}
	calls = append(calls,
		call{"add-point", []rc.Value{[]rc.Value{int32(1), int32(2)}, []rc.Value{int32(3), int32(4)}}},
		call{"add-point", []rc.Value{[]rc.Value{int32(math.MaxInt32), int32(0)}, []rc.Value{int32(1), int32(-1)}}},
		call{"sum17", u32s(17)},
		call{"sum17", max17},
		call{"divmod", []rc.Value{uint32(17), uint32(5)}},
		call{"divmod", []rc.Value{uint32(7), uint32(0)}},
		call{"len", []rc.Value{"héllo"}},
		call{"len", []rc.Value{""}},
		call{"len", []rc.Value{"😀ÿ"}},
	)
	for _, s := range []rc.Value{circle(3.5), rect, empty, named("four"), big, small} {
		calls = append(calls, call{"pick", []rc.Value{s}})
	}
	for _, f := range []string{"bad-char", "bad-string", "bad-disc", "oob-string", "misaligned", "bad-enum", "bad-list-align"} {
		calls = append(calls, call{f, nil})
	}
	return calls
}

// canon renders a value in the canonical JSON the runner also prints.
func canon(v rc.Value, t *rc.Type) any {
	switch t.Kind {
	case rc.S64, rc.U64:
		return fmt.Sprint(v)
	case rc.F32:
		f := v.(float32)
		if f != f {
			return "nan"
		}
		return fmt.Sprintf("0x%08x", math.Float32bits(f))
	case rc.F64:
		f := v.(float64)
		if f != f {
			return "nan"
		}
		return fmt.Sprintf("0x%016x", math.Float64bits(f))
	case rc.Char:
		return string(v.(rune))
	case rc.List:
		out := []any{}
		for _, x := range v.([]rc.Value) {
			out = append(out, canon(x, t.Elem))
		}
		return out
	case rc.Tuple, rc.Record:
		out := []any{}
		for i, x := range v.([]rc.Value) {
			out = append(out, canon(x, t.Fields[i].Type))
		}
		return out
	case rc.Variant, rc.Enum, rc.Option, rc.Result:
		c := v.(rc.Case)
		m := map[string]any{"c": c.Index}
		var p *rc.Type
		switch t.Kind {
		case rc.Variant:
			p = t.Fields[c.Index].Type
		case rc.Option:
			if c.Index == 1 {
				p = t.Elem
			}
		case rc.Result:
			p = [2]*rc.Type{t.Elem, t.Err}[c.Index]
		}
		if p != nil {
			m["v"] = canon(c.Value, p)
		}
		return m
	}
	return v
}

func typeJSON(t *rc.Type) any {
	if t == nil {
		return nil
	}
	m := map[string]any{"k": t.Kind.String()}
	if t.Elem != nil {
		m["e"] = typeJSON(t.Elem)
	}
	if t.Err != nil {
		m["r"] = typeJSON(t.Err)
	}
	if t.Fields != nil {
		var fs []any
		for _, f := range t.Fields {
			fs = append(fs, map[string]any{"n": f.Name, "t": typeJSON(f.Type)})
		}
		m["f"] = fs
	}
	if t.Labels != nil {
		m["l"] = t.Labels
	}
	return m
}

// outcome is a call's result as compared: canonical JSON, or "trap".
func outcome(v rc.Value, err error, t *rc.Type) string {
	if err != nil {
		return "trap"
	}
	if t == nil {
		return "null"
	}
	b, _ := json.Marshal(canon(v, t))
	return string(b)
}

func nodeOutcome(line string) string {
	var m map[string]any
	if json.Unmarshal([]byte(line), &m) == nil {
		if _, ok := m["trap"]; ok {
			return "trap"
		}
	}
	// Re-marshal so that key order and number forms match Go's.
	var v any
	if err := json.Unmarshal([]byte(line), &v); err != nil {
		return "unparsable: " + line
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func needNode(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Skipf("skipping: node is not installed (make deps)")
	}
	if _, err := os.Stat("../../node_modules/@bytecodealliance/jco-transpile/package.json"); err != nil {
		t.Skipf("skipping: jco-transpile is not installed (make deps runs npm ci): %v", err)
	}
}

// runJCO runs the calls under Node on jco's transpilation of bin.
func runJCO(t *testing.T, bin []byte, iface string, calls []call, types []*rc.FuncType) []string {
	t.Helper()
	dir := t.TempDir()
	compPath := filepath.Join(dir, "comp.wasm")
	write(t, compPath, bin)
	type jcall struct {
		Fn     string `json:"fn"`
		Params []any  `json:"params"`
		Result any    `json:"result"`
		Args   []any  `json:"args"`
	}
	job := struct {
		Component string  `json:"component"`
		Dir       string  `json:"dir"`
		Iface     string  `json:"iface"`
		Calls     []jcall `json:"calls"`
	}{compPath, dir, iface, nil}
	for i, c := range calls {
		jc := jcall{Fn: c.fn, Result: typeJSON(types[i].Result), Params: []any{}, Args: []any{}}
		for k, p := range types[i].Params {
			jc.Params = append(jc.Params, typeJSON(p.Type))
			jc.Args = append(jc.Args, canon(c.args[k], p.Type))
		}
		job.Calls = append(job.Calls, jc)
	}
	in, err := json.Marshal(job)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", "jco_runner.mjs")
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node jco_runner.mjs: %v\n%s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimRight(stdout.String(), "\n"), "\n")
	if len(lines) != len(calls) {
		t.Fatalf("jco runner printed %d lines for %d calls\n%s", len(lines), len(calls), stderr.String())
	}
	return lines
}

// jcoDeviations are calls where the canonical ABI requires a trap and jco
// (0.15.0) returns a value instead.
var jcoDeviations = map[string]string{
	"bad-string": "invalid UTF-8 / unpaired UTF-16 surrogate must trap; jco decodes with U+FFFD",
	"misaligned": "a result pointer not aligned to its type must trap; jco does not check",
}

// TestCorpusAgainstJCO is the differential test: every call of the
// corpus, for each string encoding, gives the same result (or a trap)
// under wasmaot as under Node running jco-transpile's output.
func TestCorpusAgainstJCO(t *testing.T) {
	needLLVM(t)
	needNode(t)
	dir := t.TempDir()
	write(t, filepath.Join(dir, "world.wit"), []byte(corpusWIT()))
	if err := os.Mkdir(filepath.Join(dir, "wit"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "wit", "world.wit"), []byte(corpusWIT()))
	wat := corpusWAT(corpusFuncs(t, dir))
	calls := corpusCalls()
	total, mismatches := 0, 0
	reference := map[string][]string{}
	deviations := 0
	for _, enc := range []string{"utf8", "utf16", "compact-utf16"} {
		t.Run(enc, func(t *testing.T) {
			bin := buildComponentEncoding(t, corpusWIT(), "corpus", []byte(wat), enc)
			obj := compileComponent(t, bin)
			inst := instantiateObject(t, obj, rc.Config{})
			types := make([]*rc.FuncType, len(calls))
			ours := make([]string, len(calls))
			ctx := context.Background()
			for i, c := range calls {
				f, err := inst.Func("test:corpus/api#" + c.fn)
				if err != nil {
					t.Fatal(err)
				}
				types[i] = f.Type()
				v, err := f.Call(ctx, c.args...)
				ours[i] = outcome(v, err, f.Type().Result)
				if err != nil { // a trapped instance cannot be entered again
					inst = instantiateObject(t, obj, rc.Config{})
				}
			}
			if enc == "compact-utf16" {
				// jco's bindgen does not implement latin1+utf16 (it
				// asserts utf8 or utf16): compare with jco's utf16 run,
				// whose values are the same except for string lengths
				// seen by core code (latin1 bytes, or utf16 units
				// tagged with bit 31).
				compactLens := map[string]string{"héllo": "5", "": "0", "😀ÿ": fmt.Sprint(uint32(3 | 1<<31))}
				compactSpec := map[string]string{"bad-string": `"ÿþ"`, "misaligned": "trap"} // latin1 bytes cannot be invalid
				theirs := reference["utf16"]
				for i, c := range calls {
					total++
					want := nodeOutcome(theirs[i])
					if c.fn == "len" {
						want = compactLens[c.args[0].(string)]
					}
					if w, ok := compactSpec[c.fn]; ok {
						want = w
					}
					if ours[i] != want {
						mismatches++
						t.Errorf("%s %s%s: wasmaot %s, want %s (jco utf16)", enc, c.fn, short(c.args), clip(ours[i]), clip(want))
					}
				}
				return
			}
			theirs := runJCO(t, bin, "test:corpus/api", calls, types)
			reference[enc] = theirs
			for i := range calls {
				total++
				got := nodeOutcome(theirs[i])
				if reason, ok := jcoDeviations[calls[i].fn]; ok && got != "trap" {
					// The spec traps here and jco does not: wasmaot must trap.
					deviations++
					t.Logf("%s %s: jco gives %s where the spec traps (%s); wasmaot: %s", enc, calls[i].fn, clip(got), reason, ours[i])
					if ours[i] != "trap" {
						mismatches++
						t.Errorf("%s %s: wasmaot %s, the spec traps (%s)", enc, calls[i].fn, ours[i], reason)
					}
					continue
				}
				if got != ours[i] {
					mismatches++
					t.Errorf("%s %s%s: wasmaot %s, jco %s", enc, calls[i].fn, short(calls[i].args), clip(ours[i]), clip(theirs[i]))
				}
			}
		})
	}
	t.Logf("corpus: %d calls (%d per encoding), %d mismatches, %d calls where jco deviates from the spec", total, len(calls), mismatches, deviations)
}

func short(args []rc.Value) string { return clip(fmt.Sprint(args)) }

func clip(s string) string {
	if len(s) > 160 {
		return s[:160] + "…"
	}
	return s
}

// buildComponentEncoding is buildComponent with a string encoding.
func buildComponentEncoding(t testing.TB, wit, world string, core []byte, enc string) []byte {
	t.Helper()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "wit"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "wit", "world.wit"), []byte(wit))
	write(t, filepath.Join(dir, "core.wat"), core)
	embedded := runTool(t, dir, "component", "embed", "wit", "core.wat", "--world", world, "--encoding", enc)
	write(t, filepath.Join(dir, "embedded.wasm"), embedded)
	return runTool(t, dir, "component", "new", "embedded.wasm")
}
