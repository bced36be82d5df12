package wast

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/wasmaot/wasmaot/compiler/wasm"
)

// wabtBroken lists the suite files Debian's wabt 1.0.32 cannot parse (see
// the suite's README).
var wabtBroken = map[string]bool{
	"comments.wast": true, "if.wast": true, "table_fill.wast": true, "table_get.wast": true,
	"table_grow.wast": true, "table_set.wast": true, "table_size.wast": true,
}

// TestCrossCheckWabt translates the suite's text modules with wabt's
// wast2json and with this package, and checks that both binaries decode to
// the same module. Names and custom sections are not compared (wabt writes
// no name section by default), nor is the data count section, which wabt
// writes only when code needs it, as we do.
func TestCrossCheckWabt(t *testing.T) {
	if testing.Short() {
		t.Skip("the wabt cross-check runs wast2json on the whole suite; skipped in -short mode")
	}
	if _, err := exec.LookPath("wast2json"); err != nil {
		t.Skip("wast2json (wabt) is not installed; skipping the cross-check")
	}
	_, defs := suiteModules(t)
	dir := t.TempDir()
	compared := 0
	for _, f := range suiteFiles(t) {
		base := filepath.Base(f)
		if wabtBroken[base] {
			t.Logf("skipping %s: wabt cannot parse it", base)
			continue
		}
		jsonPath := filepath.Join(dir, strings.TrimSuffix(base, ".wast")+".json")
		if out, err := exec.Command("wast2json", f, "-o", jsonPath).CombinedOutput(); err != nil {
			t.Errorf("wast2json %s: %v\n%s", base, err, out)
			continue
		}
		raw, err := os.ReadFile(jsonPath)
		if err != nil {
			t.Fatal(err)
		}
		var script struct {
			Commands []struct {
				Type       string `json:"type"`
				Line       int    `json:"line"`
				Filename   string `json:"filename"`
				ModuleType string `json:"module_type"`
			}
		}
		if err := json.Unmarshal(raw, &script); err != nil {
			t.Fatal(err)
		}
		for _, c := range script.Commands {
			if c.Filename == "" || !strings.HasSuffix(c.Filename, ".wasm") {
				continue
			}
			key := base + ":" + itoa(c.Line)
			cmd := defs[key]
			if cmd == nil || cmd.Module.Form == FormBinary {
				continue
			}
			theirs, err := os.ReadFile(filepath.Join(dir, c.Filename))
			if err != nil {
				t.Fatal(err)
			}
			ours, err := cmd.Module.Encode()
			if err != nil {
				t.Errorf("%s: %v", key, err)
				continue
			}
			if diff := compareBinaries(ours, theirs); diff != "" {
				t.Errorf("%s: %s", key, diff)
			}
			compared++
		}
	}
	t.Logf("compared %d modules with wabt", compared)
	if compared < 1900 {
		t.Errorf("only %d modules compared", compared)
	}
}

// compareBinaries decodes two binaries and describes the first difference
// between the modules, or returns "".
func compareBinaries(ours, theirs []byte) string {
	a, err := wasm.Decode(ours)
	if err != nil {
		return "decoding ours: " + err.Error()
	}
	b, err := wasm.Decode(theirs)
	if err != nil {
		return "decoding wabt's: " + err.Error()
	}
	for _, m := range []*wasm.Module{a, b} {
		normalize(m)
	}
	av, bv := reflect.ValueOf(a).Elem(), reflect.ValueOf(b).Elem()
	for i := 0; i < av.NumField(); i++ {
		if !reflect.DeepEqual(av.Field(i).Interface(), bv.Field(i).Interface()) {
			return "modules differ in " + av.Type().Field(i).Name
		}
	}
	return ""
}

// normalize clears what legitimately differs between two encoders: byte
// offsets, names, custom sections and the data count section.
func normalize(m *wasm.Module) {
	m.Names, m.Customs, m.DataCount = wasm.Names{}, nil, nil
	clear := func(x *wasm.ConstExpr) {
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
	for i := range m.Imports {
		m.Imports[i].Offset = 0
	}
	for i := range m.Exports {
		m.Exports[i].Offset = 0
	}
	m.SectionOffsets = [13]uint32{}
}
