package ir

import (
	"os"
	"testing"
)

// FuzzParse checks that any text either fails to parse with an error or
// parses, verifies or not without panicking, and prints to text that
// parses back to the same print.
func FuzzParse(f *testing.F) {
	if src, err := os.ReadFile("testdata/example.ir"); err == nil {
		f.Add(string(src))
	}
	f.Add("func f0 (i32) -> (i32) {\nb0(v0:i32):\n    v1:i32 = call_indirect type=0 table2=0\n    return v1\n}\n")
	f.Fuzz(func(t *testing.T, src string) {
		m, err := Parse(src)
		if err != nil {
			return
		}
		_ = m.Verify()
		text := m.String()
		m2, err := Parse(text)
		if err != nil {
			t.Fatalf("printed text does not parse: %v\n%s", err, text)
		}
		if m2.String() != text {
			t.Fatalf("print is not stable:\n%s\nvs\n%s", text, m2.String())
		}
	})
}
