package rtlib

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// TestWritePerfMap checks that the perf map lists every defined function
// once, with a range the loader attributes to that function, in order and
// without overlap.
func TestWritePerfMap(t *testing.T) {
	m, err := Load(basicObject(t))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := m.WritePerfMap(&buf); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != len(m.meta.Funcs) {
		t.Fatalf("perf map has %d lines, want %d (one per defined function):\n%s", len(lines), len(m.meta.Funcs), buf.String())
	}
	var prevEnd uint64
	seen := map[string]bool{}
	for _, line := range lines {
		var start, size uint64
		var name string
		if _, err := fmt.Sscanf(line, "%x %x %s", &start, &size, &name); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		if size == 0 || start < prevEnd {
			t.Errorf("line %q: empty or overlapping the previous function (ends %#x)", line, prevEnd)
		}
		prevEnd = start + size
		fn := m.img.funcAt(start)
		if want := "wasm:module:" + m.names[fn]; fn < 0 || name != want {
			t.Errorf("line %q: the loader puts function %d (%q) there", line, fn, want)
		}
		seen[name] = true
	}
	for _, want := range []string{"wasm:module:add", "wasm:module:move", "wasm:module:set"} {
		if !seen[want] {
			t.Errorf("perf map lacks %s:\n%s", want, buf.String())
		}
	}
	m.Close()
	if err := m.WritePerfMap(&buf); err == nil {
		t.Error("WritePerfMap of a closed module succeeded")
	}
}
