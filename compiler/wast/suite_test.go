package wast

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wasmaot/wasmaot/compiler/wasm"
)

// suiteDir is the WebAssembly 2.0 spec suite, beside the repository.
const suiteDir = "../../../shared/testsuite/wasm-2.0"

func suiteFiles(tb testing.TB) []string {
	tb.Helper()
	files, _ := filepath.Glob(filepath.Join(suiteDir, "*.wast"))
	if len(files) == 0 {
		tb.Skipf("spec suite not found at %s", suiteDir)
	}
	return files
}

// TestSuiteFrontEnd runs every script without an engine: modules must
// translate, decode and validate, assert_malformed and assert_invalid must
// hold, and everything else must be skipped, never passed.
func TestSuiteFrontEnd(t *testing.T) {
	var total Result
	for _, f := range suiteFiles(t) {
		res, err := RunFile(context.Background(), f, nil, Options{Verbose: true})
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		for _, d := range res.Details {
			if d.Status == Failed {
				t.Errorf("%v", d)
			} else if d.Reason != needsEngine {
				t.Errorf("skipped for an unexpected reason: %v", d)
			}
		}
		if res.Passed+res.Failed+res.Skipped == 0 {
			t.Errorf("%s: no commands counted", f)
		}
		total.Passed += res.Passed
		total.Failed += res.Failed
		total.Skipped += res.Skipped
	}
	t.Logf("%d passed, %d failed, %d skipped", total.Passed, total.Failed, total.Skipped)
	// The suite has ~53,600 commands, ~5,500 of which need no engine.
	if n := total.Passed + total.Failed + total.Skipped; n < 53000 {
		t.Errorf("only %d commands counted", n)
	}
	if total.Passed < 5500 {
		t.Errorf("only %d commands passed", total.Passed)
	}
}

// suiteModules returns every module of the suite that must be well-formed
// (module commands and the modules of assert_invalid, assert_unlinkable,
// assert_uninstantiable and assert_trap), keyed by file:line.
func suiteModules(tb testing.TB) (keys []string, defs map[string]*Command) {
	defs = map[string]*Command{}
	for _, f := range suiteFiles(tb) {
		src, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		cmds, err := ParseScript(src)
		if err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		for i := range cmds {
			c := &cmds[i]
			if c.Module == nil || c.Kind == CmdAssertMalformed {
				continue
			}
			key := filepath.Base(f) + ":" + itoa(c.Line)
			keys = append(keys, key)
			defs[key] = c
		}
	}
	return keys, defs
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}

// TestSuiteModulesDecode checks that every text module of the suite
// translates to a binary that decodes, validates (unless it is the subject
// of assert_invalid) and re-encodes to the same bytes.
func TestSuiteModulesDecode(t *testing.T) {
	keys, defs := suiteModules(t)
	text := 0
	for _, key := range keys {
		c := defs[key]
		if c.Module.Form == FormBinary {
			continue
		}
		text++
		bin, err := c.Module.Encode()
		if err != nil {
			t.Errorf("%s: %v", key, err)
			continue
		}
		m, err := wasm.Decode(bin)
		if err != nil {
			t.Errorf("%s: decoding our binary: %v", key, err)
			continue
		}
		err = wasm.Validate(m)
		var werr *wasm.Error
		switch {
		case c.Kind == CmdAssertInvalid && !(errors.As(err, &werr) && werr.Kind == wasm.Invalid):
			t.Errorf("%s: assert_invalid module validated with %v", key, err)
		case c.Kind != CmdAssertInvalid && err != nil:
			t.Errorf("%s: %v", key, err)
		}
		if again := wasm.Encode(m); !bytes.Equal(again, bin) {
			t.Errorf("%s: Encode(Decode(bin)) differs from bin", key)
		}
	}
	if text < 3000 {
		t.Errorf("only %d text modules found", text)
	}
}

func TestSpectestModule(t *testing.T) {
	m, _, err := SpectestModule()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range m.Exports {
		names = append(names, e.Name)
	}
	want := "print print_i32 print_i64 print_f32 print_f64 print_i32_f32 print_f64_f64 " +
		"global_i32 global_i64 global_f32 global_f64 table memory"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("exports = %s, want %s", got, want)
	}
	if m.Tables[0].Limits != (wasm.Limits{Min: 10, Max: 20, HasMax: true}) || m.Memories[0].Limits != (wasm.Limits{Min: 1, Max: 2, HasMax: true}) {
		t.Errorf("table %+v / memory %+v, want 10..20 / 1..2", m.Tables[0], m.Memories[0])
	}
	if got := m.Globals[2].Init.Instrs[0].Const; got != 0x4426_a666 { // 666.6f
		t.Errorf("global_f32 = %#x, want 0x4426a666", got)
	}
}
