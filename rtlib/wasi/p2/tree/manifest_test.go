package tree

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadChecks(t *testing.T) {
	dir := t.TempDir()
	for name, c := range map[string]struct{ json, err string }{
		"child host dir":  {`{"name":"a","module":"a.wasm","children":[{"name":"b","module":"b.wasm","grants":{"dirs":[{"host":"/","as":"/x"}]}}]}`, `a child's directory comes "from"`},
		"root from dir":   {`{"name":"a","module":"a.wasm","grants":{"dirs":[{"from":"/d","as":"/x"}]}}`, `the root's directories are host directories`},
		"duplicate names": {`{"name":"a","module":"a.wasm","children":[{"name":"a","module":"b.wasm"}]}`, `unique`},
		"child inherits":  {`{"name":"a","module":"a.wasm","children":[{"name":"b","module":"b.wasm","grants":{"stdout":"inherit"}}]}`, `only the root inherits`},
		"bad import key":  {`{"name":"a","module":"a.wasm","imports":{"send":{"node":"b","export":"send"}}}`, `want MODULE#NAME`},
		"bad param":       {`{"name":"a","module":"a.wasm","imports":{"m#f":{"node":"b","export":"f","params":["f32"]}}}`, `parameter kind "f32"`},
		"unknown field":   {`{"name":"a","module":"a.wasm","grant":{}}`, `unknown field`},
		"relative as":     {`{"name":"a","module":"a.wasm","grants":{"dirs":[{"host":"d","as":"x"}]}}`, `must be absolute`},
		"node and host":   {`{"name":"a","module":"a.wasm","imports":{"m#f":{"node":"b","export":"f","host":"h"}}}`, `names a node export or a host function`},
	} {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".json")
		os.WriteFile(path, []byte(c.json), 0o644)
		if _, err := Load(path); err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%s: error %v, want %q", name, err, c.err)
		}
	}
}

// FuzzManifest: any manifest text loads or is refused, and Describe never
// panics on what loads.
func FuzzManifest(f *testing.F) {
	for _, p := range []string{"../../../../examples/delegation/notify/tree.json", "../../../../examples/delegation/extract/tree.json"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(dir, "m.json")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if n, err := Load(path); err == nil {
			_ = n.Describe()
		}
	})
}
