package wasm

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// suiteDir is the WebAssembly 2.0 spec suite, beside the repository.
const suiteDir = "../../../shared/testsuite/wasm-2.0"

// wast2jsonBroken lists the suite files Debian's wabt 1.0.32 cannot parse
// (see the suite's README).
var wast2jsonBroken = map[string]bool{
	"comments": true, "if": true, "table_fill": true, "table_get": true,
	"table_grow": true, "table_set": true, "table_size": true,
}

// wastCommand is the part of a wast2json command this package checks.
type wastCommand struct {
	Type       string `json:"type"`
	Line       int    `json:"line"`
	Filename   string `json:"filename"`
	Text       string `json:"text"`
	ModuleType string `json:"module_type"`
}

// suiteModule is one binary module of the suite with its expectation.
type suiteModule struct {
	bin    []byte
	where  string // file.wast:line
	expect ErrorKind
	text   string // expected message, for assert_invalid/assert_malformed
}

// suiteModule's bytes are read once per test binary: both TestSpecSuite
// and FuzzDecode (for its seed corpus) use them.
var suite struct {
	once    sync.Once
	modules []suiteModule
	skip    string   // why the suite is unavailable
	errs    []string // wast2json failures on files expected to parse
	notes   []string // files skipped on purpose
}

// loadSuite runs wast2json on every suite file and returns the binary
// modules it wrote. It skips the test if the tool or the suite is missing.
func loadSuite(tb testing.TB) []suiteModule {
	tb.Helper()
	suite.once.Do(splitSuite)
	if suite.skip != "" {
		tb.Skip(suite.skip)
	}
	for _, n := range suite.notes {
		tb.Log(n)
	}
	for _, e := range suite.errs {
		tb.Error(e)
	}
	return suite.modules
}

func splitSuite() {
	if _, err := exec.LookPath("wast2json"); err != nil {
		suite.skip = "wast2json (wabt) is not installed; skipping the spec suite"
		return
	}
	files, _ := filepath.Glob(filepath.Join(suiteDir, "*.wast"))
	if len(files) == 0 {
		suite.skip = "spec suite not found at " + suiteDir
		return
	}
	dir, err := os.MkdirTemp("", "wasm-spec-")
	if err != nil {
		suite.skip = err.Error()
		return
	}
	defer os.RemoveAll(dir)
	var (
		mu  sync.Mutex
		wg  sync.WaitGroup
		sem = make(chan struct{}, 2)
	)
	for _, f := range files {
		base := strings.TrimSuffix(filepath.Base(f), ".wast")
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			split := splitWast
			if wast2jsonBroken[base] {
				split = splitWastByForm
			}
			mods, note, err := split(f, filepath.Join(dir, base))
			mu.Lock()
			defer mu.Unlock()
			if note != "" {
				suite.notes = append(suite.notes, note)
			}
			if err != nil {
				suite.errs = append(suite.errs, base+": "+err.Error())
				return
			}
			suite.modules = append(suite.modules, mods...)
		}()
	}
	wg.Wait()
	slices.SortFunc(suite.modules, func(a, b suiteModule) int { return strings.Compare(a.where, b.where) })
}

func splitWast(wast, outDir string) ([]suiteModule, string, error) {
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return nil, "", err
	}
	base := strings.TrimSuffix(filepath.Base(wast), ".wast")
	jsonPath := filepath.Join(outDir, base+".json")
	if out, err := exec.Command("wast2json", wast, "-o", jsonPath).CombinedOutput(); err != nil {
		return nil, "", errors.New("wast2json: " + strings.TrimSpace(string(out)))
	}
	raw, err := os.ReadFile(jsonPath)
	if err != nil {
		return nil, "", err
	}
	var script struct{ Commands []wastCommand }
	if err := json.Unmarshal(raw, &script); err != nil {
		return nil, "", err
	}
	var mods []suiteModule
	for _, c := range script.Commands {
		if c.Filename == "" || (c.ModuleType != "" && c.ModuleType != "binary") {
			continue // actions, and text modules (the text parser's business)
		}
		m := suiteModule{where: base + ".wast:" + itoa(c.Line), text: c.Text}
		switch c.Type {
		case "module", "assert_unlinkable", "assert_uninstantiable":
		case "assert_invalid":
			m.expect = Invalid
		case "assert_malformed":
			m.expect = Malformed
		default:
			continue
		}
		if m.bin, err = os.ReadFile(filepath.Join(outDir, c.Filename)); err != nil {
			return nil, "", err
		}
		mods = append(mods, m)
	}
	return mods, "", nil
}

// splitWastByForm handles a file wast2json cannot parse whole: it keeps the
// top-level modules and module assertions, and bisects them down to the
// forms wast2json can parse. The note says how many it had to skip.
func splitWastByForm(wast, outDir string) ([]suiteModule, string, error) {
	src, err := os.ReadFile(wast)
	if err != nil {
		return nil, "", err
	}
	base := strings.TrimSuffix(filepath.Base(wast), ".wast")
	var forms []wastForm
	for _, form := range topLevelForms(string(src)) {
		switch strings.Fields(form.text[1:] + " ")[0] {
		case "module", "assert_invalid", "assert_malformed", "assert_unlinkable", "assert_uninstantiable":
			forms = append(forms, form)
		}
	}
	var mods []suiteModule
	skipped, chunks := 0, 0
	var try func(forms []wastForm) error
	try = func(forms []wastForm) error {
		if len(forms) == 0 {
			return nil
		}
		// Blank lines keep line numbers equal to the original file's.
		var chunk strings.Builder
		line := 1
		for _, f := range forms {
			chunk.WriteString(strings.Repeat("\n", f.line-line))
			chunk.WriteString(f.text)
			line = f.line + strings.Count(f.text, "\n")
		}
		chunks++
		dir := filepath.Join(outDir, itoa(chunks))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		path := filepath.Join(dir, base+".wast")
		if err := os.WriteFile(path, []byte(chunk.String()), 0o644); err != nil {
			return err
		}
		ms, _, err := splitWast(path, dir)
		switch {
		case err == nil:
			mods = append(mods, ms...)
		case len(forms) == 1:
			skipped++
		default:
			if err := try(forms[:len(forms)/2]); err != nil {
				return err
			}
			return try(forms[len(forms)/2:])
		}
		return nil
	}
	if err := try(forms); err != nil {
		return nil, "", err
	}
	note := base + ".wast: wabt 1.0.32's wast2json cannot parse it whole; checked its module forms apart, skipping the " +
		itoa(skipped) + " it cannot parse"
	return mods, note, nil
}

// wastForm is one top-level S-expression of a .wast file.
type wastForm struct {
	text string
	line int // 1-based line of its opening parenthesis
}

// topLevelForms splits a .wast script into its top-level S-expressions,
// skipping comments and respecting strings.
func topLevelForms(src string) []wastForm {
	var forms []wastForm
	depth, start, line, startLine := 0, 0, 1, 0
	for i := 0; i < len(src); i++ {
		switch c := src[i]; {
		case c == '\n':
			line++
		case c == ';' && i+1 < len(src) && src[i+1] == ';':
			for i < len(src) && src[i] != '\n' {
				i++
			}
			line++
		case c == '(' && i+1 < len(src) && src[i+1] == ';':
			nest := 0
			for ; i+1 < len(src); i++ {
				if src[i] == '\n' {
					line++
				}
				if src[i] == '(' && src[i+1] == ';' {
					nest++
					i++
				} else if src[i] == ';' && src[i+1] == ')' {
					i++
					if nest--; nest == 0 {
						break
					}
				}
			}
		case c == '"':
			for i++; i < len(src) && src[i] != '"'; i++ {
				if src[i] == '\\' {
					i++
				} else if src[i] == '\n' {
					line++
				}
			}
		case c == '(':
			if depth == 0 {
				start, startLine = i, line
			}
			depth++
		case c == ')':
			if depth--; depth == 0 {
				forms = append(forms, wastForm{text: src[start : i+1], line: startLine})
			}
		}
	}
	return forms
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		if n /= 10; n == 0 {
			return string(b[i:])
		}
	}
}

// check decodes and validates bin and returns the first error.
func check(bin []byte) error {
	m, err := Decode(bin)
	if err != nil {
		return err
	}
	return Validate(m)
}

// TestSpecSuite checks every binary module of the spec suite: valid ones
// must decode and validate, assert_invalid ones must fail validation and
// assert_malformed ones must fail decoding.
func TestSpecSuite(t *testing.T) {
	modules := loadSuite(t)
	var passed, failed, msgDiffs int
	for _, sm := range modules {
		err := check(sm.bin)
		var werr *Error
		if err != nil && !errors.As(err, &werr) {
			t.Fatalf("%s: error of type %T: %v", sm.where, err, err)
		}
		switch {
		case sm.expect == 0 && err != nil:
			t.Errorf("%s: valid module rejected: %v", sm.where, err)
			failed++
		case sm.expect != 0 && err == nil:
			t.Errorf("%s: %s module (%q) accepted", sm.where, sm.expect, sm.text)
			failed++
		case sm.expect != 0 && werr.Kind != sm.expect:
			t.Errorf("%s: want %s (%q), got %s error: %v", sm.where, sm.expect, sm.text, werr.Kind, err)
			failed++
		default:
			passed++
			if werr != nil && !strings.HasPrefix(werr.Msg, sm.text) {
				msgDiffs++
				if testing.Verbose() {
					t.Logf("%s: message %q, suite expects %q", sm.where, werr.Msg, sm.text)
				}
			}
		}
	}
	t.Logf("spec suite: %d binary modules, %d passed, %d failed (%d messages differ from the suite's wording)",
		len(modules), passed, failed, msgDiffs)
}
