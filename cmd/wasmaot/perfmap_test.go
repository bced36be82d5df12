package main

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestRunPerfMap checks that run --perf-map appends the module's functions,
// by their export names, to this process's /tmp/perf-PID.map.
func TestRunPerfMap(t *testing.T) {
	src := writeFile(t, "sq.wat", `(module
  (func $square (export "square") (param i32) (result i32) local.get 0 local.get 0 i32.mul)
  (func (export "twice") (param i32) (result i32) local.get 0 call $square local.get 0 call $square i32.add))`)
	path := fmt.Sprintf("/tmp/perf-%d.map", os.Getpid())
	os.Remove(path)
	t.Cleanup(func() { os.Remove(path) })
	if code, out, errs := wasmaot(t, "run", "--cache-dir", "", "--perf-map", "--invoke", "twice", src, "3"); code != 0 || out != "18\n" {
		t.Fatalf("run --perf-map: exit %d, out %q, err %q", code, out, errs)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("run --perf-map wrote no map: %v", err)
	}
	for _, name := range []string{"square", "twice"} {
		if !strings.Contains(string(data), ":"+name+"\n") {
			t.Errorf("perf map lacks %s:\n%s", name, data)
		}
	}
}
