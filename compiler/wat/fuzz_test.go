package wat

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wasmaot/wasmaot/compiler/wasm"
)

// FuzzParseWat checks that Parse never panics and that whatever it accepts
// is a well-formed binary module that re-encodes to the same bytes.
func FuzzParseWat(f *testing.F) {
	for _, s := range seedModules(f) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		bin, err := Parse(src)
		if err != nil {
			return
		}
		m, err := wasm.Decode(bin)
		if err != nil {
			t.Fatalf("Parse accepted %q but its binary does not decode: %v", src, err)
		}
		if again := wasm.Encode(m); !bytes.Equal(again, bin) {
			t.Fatalf("Encode(Decode(Parse(%q))) differs from Parse's binary", src)
		}
	})
}

// seedModules returns the top-level (module …) texts of the spec suite, cut
// at each line that starts a module, plus a few hand-written modules.
func seedModules(tb testing.TB) []string {
	seeds := []string{
		`(module (func (export "f") (param i32) (result i32) local.get 0 i32.const 1 i32.add))`,
		`(func $f (block $l (br_if $l (i32.const 1))) (call $f))`,
		`(memory (data "\00\ff\u{1F600}")) (table funcref (elem $g)) (func $g)`,
		`(func (result v128) (v128.const f64x2 -0x1.8p3 nan:0x4) (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 (v128.const i8x16 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0)))`,
	}
	files, _ := filepath.Glob("../../../shared/testsuite/wasm-2.0/*.wast")
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			tb.Fatal(err)
		}
		for _, part := range strings.Split(string(src), "\n(module")[1:] {
			if len(part) < 4000 {
				seeds = append(seeds, "(module"+part)
			}
		}
	}
	return seeds
}
