package numeric

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// The spec-suite test checks Eval against the assertions of the official
// WebAssembly test suite. Every exported function whose body is
// straight-line pure code (local.get, constants and pure instructions) is
// evaluated with Eval; functions that need anything else (memory, calls,
// control flow) are skipped and counted.

const specSuiteDir = "../../../shared/testsuite/wasm-2.0"

// specFile reports whether a suite file is about numeric instructions.
func specFile(name string) bool {
	for _, prefix := range []string{"i32", "i64", "f32", "f64", "conversions", "float_", "int_", "const", "simd_"} {
		if strings.HasPrefix(name, prefix) {
			return true
		}
	}
	return false
}

type specValue struct {
	Type     string          `json:"type"`
	LaneType string          `json:"lane_type"`
	Value    json.RawMessage `json:"value"`
}

type specCommand struct {
	Type     string `json:"type"`
	Line     int    `json:"line"`
	Filename string `json:"filename"`
	Text     string `json:"text"`
	Action   struct {
		Type   string      `json:"type"`
		Module string      `json:"module"`
		Field  string      `json:"field"`
		Args   []specValue `json:"args"`
	} `json:"action"`
	Expected []specValue `json:"expected"`
}

type specStats struct{ checked, skippedFuncs, skippedAsserts int }

func TestSpecSuite(t *testing.T) {
	if _, err := exec.LookPath("wast2json"); err != nil {
		t.Skip("wast2json (wabt) is not installed; skipping the spec-suite check")
	}
	files, _ := filepath.Glob(filepath.Join(specSuiteDir, "*.wast"))
	if len(files) == 0 {
		t.Skipf("no spec suite at %s; skipping the spec-suite check", specSuiteDir)
	}
	var bases []string
	for _, wast := range files {
		if base := strings.TrimSuffix(filepath.Base(wast), ".wast"); specFile(base) {
			bases = append(bases, base)
		}
	}
	// wast2json runs in a few parallel workers: its cost is mostly process
	// start-up, which overlaps well.
	tmp := t.TempDir()
	converted := make([]chan error, len(bases))
	for i := range converted {
		converted[i] = make(chan error, 1)
	}
	next := make(chan int, len(bases))
	for i := range bases {
		next <- i
	}
	close(next)
	for range 4 {
		go func() {
			for i := range next {
				out, err := exec.Command("wast2json", filepath.Join(specSuiteDir, bases[i]+".wast"),
					"-o", filepath.Join(tmp, bases[i]+".json")).CombinedOutput()
				if err != nil {
					err = errors.New(strings.TrimSpace(string(out)))
				}
				converted[i] <- err
			}
		}()
	}
	var st specStats
	for i, base := range bases {
		if err := <-converted[i]; err != nil {
			t.Errorf("%s: wast2json: %v", base, err)
			continue
		}
		runSpecFile(t, tmp, filepath.Join(tmp, base+".json"), base, &st)
	}
	t.Logf("%d suite files: %d assertions checked, %d skipped (%d exported functions are not straight-line pure code)",
		len(bases), st.checked, st.skippedAsserts, st.skippedFuncs)
	if st.checked < 10000 {
		t.Errorf("only %d assertions checked; the suite or the matcher has changed", st.checked)
	}
}

func runSpecFile(t *testing.T, dir, jsonPath, base string, st *specStats) {
	data, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	var script struct{ Commands []specCommand }
	if err := json.Unmarshal(data, &script); err != nil {
		t.Fatalf("%s: %v", jsonPath, err)
	}
	var mod *wasm.Module
	for _, c := range script.Commands {
		switch c.Type {
		case "module":
			bin, err := os.ReadFile(filepath.Join(dir, c.Filename))
			if err != nil {
				t.Fatal(err)
			}
			if mod, err = wasm.Decode(bin); err != nil {
				t.Errorf("%s:%d: decode: %v", base, c.Line, err)
				mod = nil
			}
			if mod != nil {
				st.skippedFuncs += countImpure(mod)
			}
		case "assert_return", "assert_trap":
			if mod == nil || c.Action.Type != "invoke" || c.Action.Module != "" {
				st.skippedAsserts++
				continue
			}
			if err := checkSpecAssertion(mod, &c); err != nil {
				if errors.Is(err, errNotPure) {
					st.skippedAsserts++
					continue
				}
				t.Errorf("%s:%d: %s: %v", base, c.Line, c.Action.Field, err)
			}
			st.checked++
		}
	}
}

var errNotPure = errors.New("not straight-line pure code")

func countImpure(m *wasm.Module) int {
	n := 0
	for _, e := range m.Exports {
		if e.Kind == wasm.ExternFunc && e.Index >= m.NumImportedFuncs {
			if _, _, err := runStraightLine(m, e.Index, nil, true); errors.Is(err, errNotPure) {
				n++
			}
		}
	}
	return n
}

// runStraightLine evaluates function fn on args if its body is
// straight-line pure code; with dry set it only checks that it is.
func runStraightLine(m *wasm.Module, fn uint32, args []Value, dry bool) ([]Value, abi.TrapCode, error) {
	code := &m.Codes[fn-m.NumImportedFuncs]
	if code.NumLocals != 0 {
		return nil, 0, errNotPure
	}
	r := code.Instrs()
	var stack []Value
	var in wasm.Instr
	for {
		if err := r.Next(&in); err != nil {
			return nil, 0, err
		}
		switch op := in.Op; {
		case op == wasm.OpEnd:
			return stack, abi.TrapNone, nil
		case op == wasm.OpLocalGet && !dry:
			stack = append(stack, args[in.Index])
		case op == wasm.OpI32Const || op == wasm.OpF32Const:
			stack = append(stack, Value{Lo: in.Const & 0xFFFFFFFF})
		case op == wasm.OpI64Const || op == wasm.OpF64Const:
			stack = append(stack, Value{Lo: in.Const})
		case op == wasm.OpV128Const:
			stack = append(stack, Value{in.Const, in.ConstHi})
		case IsPure(op) && !dry:
			n := len(op.Info().Params)
			res, trap := Eval(&in, stack[len(stack)-n:])
			if trap != abi.TrapNone {
				return nil, trap, nil
			}
			stack = append(stack[:len(stack)-n], res)
		case op == wasm.OpLocalGet || IsPure(op):
		default:
			return nil, 0, errNotPure
		}
	}
}

func checkSpecAssertion(m *wasm.Module, c *specCommand) error {
	fn, ok := m.ExportedFunc(c.Action.Field)
	if !ok || fn < m.NumImportedFuncs {
		return errNotPure
	}
	args := make([]Value, len(c.Action.Args))
	for i, a := range c.Action.Args {
		var err error
		if a.Type == "v128" {
			args[i], err = specVector(a)
			if err != nil {
				return err
			}
			continue
		}
		v, nan, err := parseSpecValue(a)
		if err != nil {
			return err
		}
		if nan != "" {
			return errNotPure // reference arguments
		}
		args[i] = v
	}
	results, trap, err := runStraightLine(m, fn, args, false)
	if err != nil {
		return err
	}
	if c.Type == "assert_trap" {
		if trap == abi.TrapNone {
			return errors.New("no trap, want " + c.Text)
		}
		if !strings.HasPrefix(c.Text, trap.String()) {
			return errors.New("trap " + trap.String() + ", want " + c.Text)
		}
		return nil
	}
	if trap != abi.TrapNone {
		return errors.New("unexpected trap " + trap.String())
	}
	if len(results) != len(c.Expected) {
		return errors.New("result count differs")
	}
	for i, want := range c.Expected {
		if err := matchSpecValue(results[i], want); err != nil {
			return err
		}
	}
	return nil
}

// parseSpecValue decodes a wast2json scalar. nan is "" for exact values,
// the NaN class ("nan:canonical", "nan:arithmetic") the value stands for,
// or the type of a reference.
func parseSpecValue(v specValue) (Value, string, error) {
	var s string
	if err := json.Unmarshal(v.Value, &s); err != nil {
		return Value{}, "", err
	}
	switch v.Type {
	case "i32", "i64", "f32", "f64":
	default:
		return Value{}, v.Type, nil
	}
	if strings.HasPrefix(s, "nan:") {
		return Value{}, s, nil
	}
	x, err := strconv.ParseUint(s, 10, 64)
	return Value{Lo: x}, "", err
}

// specLanes decodes a v128 value into lane width and per-lane strings.
func specLanes(v specValue) (int, []string, error) {
	var lanes []string
	if err := json.Unmarshal(v.Value, &lanes); err != nil {
		return 0, nil, err
	}
	width, err := strconv.Atoi(v.LaneType[1:])
	return width, lanes, err
}

// specVector decodes a v128 operand.
func specVector(v specValue) (Value, error) {
	width, lanes, err := specLanes(v)
	if err != nil {
		return Value{}, err
	}
	var r Value
	for i, s := range lanes {
		x, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return Value{}, err
		}
		switch width {
		case 8:
			r = setLane(r, i, uint8(x))
		case 16:
			r = setLane(r, i, uint16(x))
		case 32:
			r = setLane(r, i, uint32(x))
		default:
			r = setLane(r, i, x)
		}
	}
	return r, nil
}

func matchSpecValue(got Value, want specValue) error {
	if want.Type != "v128" {
		w, nan, err := parseSpecValue(want)
		if err != nil {
			return err
		}
		width := 64
		if want.Type == "i32" || want.Type == "f32" {
			width = 32
		}
		return matchLane(got.Lo, w.Lo, nan, width)
	}
	width, lanes, err := specLanes(want)
	if err != nil {
		return err
	}
	for i, s := range lanes {
		var g uint64
		switch width {
		case 8:
			g = uint64(getLane[uint8](got, i))
		case 16:
			g = uint64(getLane[uint16](got, i))
		case 32:
			g = uint64(getLane[uint32](got, i))
		default:
			g = getLane[uint64](got, i)
		}
		nan, w := "", uint64(0)
		if strings.HasPrefix(s, "nan:") {
			nan = s
		} else if w, err = strconv.ParseUint(s, 10, 64); err != nil {
			return err
		}
		if err := matchLane(g, w, nan, width); err != nil {
			return errors.New("lane " + strconv.Itoa(i) + ": " + err.Error())
		}
	}
	return nil
}

// matchLane checks one scalar or lane: exact bits, or a NaN of the class
// nan ("nan:canonical": quiet bit only; "nan:arithmetic": quiet bit set).
func matchLane(got, want uint64, nan string, width int) error {
	if width < 64 {
		got &= 1<<width - 1
	}
	fmt := func(x uint64) string { return "0x" + strconv.FormatUint(x, 16) }
	if nan == "" {
		if got != want {
			return errors.New("got " + fmt(got) + ", want " + fmt(want))
		}
		return nil
	}
	quiet, payload := uint64(1)<<51, uint64(1)<<52-1
	exp := uint64(0x7FF) << 52
	if width == 32 {
		quiet, payload, exp = 1<<22, 1<<23-1, 0xFF<<23
	}
	isNaN := got&exp == exp && got&payload != 0
	switch {
	case !isNaN:
		return errors.New("got " + fmt(got) + ", want " + nan)
	case nan == "nan:canonical" && got&payload != quiet:
		return errors.New("got non-canonical NaN " + fmt(got))
	case nan == "nan:arithmetic" && got&quiet == 0:
		return errors.New("got signaling NaN " + fmt(got))
	}
	return nil
}
