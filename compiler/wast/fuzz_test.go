package wast

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParseWast checks that reading and running a script without an
// engine never panics, and that every command is counted exactly once.
func FuzzParseWast(f *testing.F) {
	f.Add([]byte(`(module (func (export "f") (result i32) (i32.const 1))) (assert_return (invoke "f") (i32.const 1))`))
	f.Add([]byte(`(assert_malformed (module quote "(func (i32.const 0x))") "unknown operator")`))
	f.Add([]byte(`(assert_invalid (module (func (result i32))) "type mismatch") (register "m")`))
	f.Add([]byte(`(assert_return (invoke $m "f" (v128.const f32x4 nan:canonical 1 2 nan:arithmetic)) (ref.extern 1) (ref.null func))`))
	files, _ := filepath.Glob(filepath.Join(suiteDir, "*.wast"))
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		// Seed with the first few commands of each script.
		parts := strings.SplitN(string(src), "\n(", 6)
		f.Add([]byte(strings.Join(parts[:len(parts)-1], "\n(")))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		cmds, err := ParseScript(src)
		res, runErr := Run(context.Background(), "fuzz.wast", src, nil, Options{})
		if (err == nil) != (runErr == nil) {
			t.Fatalf("ParseScript error %v but Run error %v", err, runErr)
		}
		if err == nil && res.Passed+res.Failed+res.Skipped != len(cmds) {
			t.Fatalf("%d commands but %d counted", len(cmds), res.Passed+res.Failed+res.Skipped)
		}
	})
}
