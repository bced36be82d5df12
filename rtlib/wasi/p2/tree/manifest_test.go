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

// TestAllows: WASI interfaces exist only with their grant; other imports
// only when the parent names them.
func TestAllows(t *testing.T) {
	n := &Node{Name: "n", Module: "n.wasm", Grants: Grants{Stdout: "parent:stderr"},
		Imports: map[string]Import{"dep#f": {Node: "dep", Export: "f"}}}
	for _, c := range []struct {
		module, name string
		ok           bool
	}{
		{"wasi:cli/stdout@0.2.0", "get-stdout", true},
		{"wasi:io/streams@0.2.3", "[method]output-stream.write", true},
		{"wasi:clocks/monotonic-clock@0.2.0", "now", true},
		{"wasi:cli/stdin@0.2.0", "get-stdin", false},
		{"wasi:cli/stderr@0.2.0", "get-stderr", false},
		{"wasi:filesystem/preopens@0.2.0", "get-directories", false},
		{"wasi:sockets/tcp-create-socket@0.2.0", "create-tcp-socket", false},
		{"wasi:http/outgoing-handler@0.2.0", "handle", false},
		{"dep", "f", true},
		{"dep", "g", false},
	} {
		if got := n.Allows(c.module, c.name); got != c.ok {
			t.Errorf("Allows(%s, %s) = %v, want %v", c.module, c.name, got, c.ok)
		}
	}
	n.Grants.Dirs = []Dir{{From: "/d", As: "/x"}}
	if !n.Allows("wasi:filesystem/types@0.2.0", "[method]descriptor.open-at") {
		t.Error("a directory grant does not open wasi:filesystem")
	}
}
