package component

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	rt "github.com/wasmaot/wasmaot/rtlib/component"
)

// testdata/basic.wasm is wit-component's output for tests/component's
// basic fixture (a host import taking a string, exports add and greet).
func seed(t testing.TB) []byte {
	b, err := os.ReadFile("testdata/basic.wasm")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseBasic(t *testing.T) {
	c, err := Parse(seed(t))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ex := range c.Exports {
		got = append(got, ex.Name+" "+ex.Extern.Func.String())
	}
	want := []string{"add func(a: u32, b: u32) -> u32", "greet func(name: string) -> string"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("exports %q, want %q", got, want)
	}
	if len(c.Imports) != 1 || c.Imports[0].Name != "test:basic/host" || c.Imports[0].Extern.Sort != SortInstance {
		t.Fatalf("imports %+v", c.Imports)
	}
	g, mods, err := c.Flatten()
	if err != nil {
		t.Fatal(err)
	}
	if len(mods) != 3 || g.Modules != 3 || len(g.Lifts) != 2 || len(g.Lowers) != 1 {
		t.Fatalf("graph: %d modules, %d lifts, %d lowers", len(mods), len(g.Lifts), len(g.Lowers))
	}
	back, err := rt.DecodeGraph(g.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, g) {
		t.Fatalf("graph codec round trip differs:\n%+v\n%+v", back, g)
	}
}

// TestMalformed checks that broken input is an *Error at the right byte.
func TestMalformed(t *testing.T) {
	good := seed(t)
	cases := []struct {
		name string
		bin  []byte
		msg  string
		off  int
	}{
		{"empty", nil, "bad magic", 0},
		{"core module", []byte("\x00asm\x01\x00\x00\x00"), "layer 0", 6},
		{"old version", []byte("\x00asm\x0a\x00\x01\x00"), "unsupported component version 0xa", 4},
		{"unknown section", []byte("\x00asm\x0d\x00\x01\x00\x0d\x00"), "unknown section id 13", 8},
		{"truncated section", []byte("\x00asm\x0d\x00\x01\x00\x07\x05\x01"), "unexpected end", 10},
		{"type index out of range", []byte("\x00asm\x0d\x00\x01\x00\x07\x03\x01\x70\x05"), "type index 5 out of range", 12},
		{"flags over 32", append([]byte("\x00asm\x0d\x00\x01\x00\x07\x66\x01\x6e\x21"), flagLabels(33)...), "at most 32", 0},
		{"export of missing func", []byte("\x00asm\x0d\x00\x01\x00\x0b\x06\x01\x00\x01a\x01\x00"), "func index 0 out of range", 15},
		{"truncated", good[:len(good)/2], "", -1},
		{"bad core module", []byte("\x00asm\x0d\x00\x01\x00\x01\x0c\x00asm\x01\x00\x00\x00\x01\x03\x01\x60"), "core module", 0x14},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.bin)
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not an *Error", err)
			}
			if !strings.Contains(pe.Msg, tc.msg) {
				t.Fatalf("error %q does not say %q", pe.Msg, tc.msg)
			}
			if tc.off > 0 && pe.Offset != tc.off {
				t.Fatalf("error %q at %#x, want %#x", pe.Msg, pe.Offset, tc.off)
			}
		})
	}
}

func flagLabels(n int) []byte {
	var out []byte
	for i := range n {
		out = append(out, 2, 'a'+byte(i/26), 'a'+byte(i%26))
	}
	return out
}

// FuzzParse: no input panics the parser or the flattener, and a graph
// survives its codec.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.wasm")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:len(b)/3])
	}
	f.Fuzz(func(t *testing.T, bin []byte) {
		c, err := Parse(bin)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		g, _, err := c.Flatten()
		if err != nil {
			return
		}
		if _, err := rt.DecodeGraph(g.Encode()); err != nil {
			t.Fatalf("graph of a valid component does not decode: %v", err)
		}
	})
}

// TestTypeBomb: types that share subtrees describe a tree far larger than
// their bytes; the parser refuses it at once instead of walking it.
func TestTypeBomb(t *testing.T) {
	body := []byte{}
	const levels = 8
	body = append(body, levels)
	// type 0 = record { 200 × u8 }, type i = record { 200 × type i-1 }
	for i := range levels {
		body = append(body, 0x72, 0xc8, 0x01) // record, 200 fields
		for f := range 200 {
			body = append(body, 2, 'a'+byte(f/26), 'a'+byte(f%26))
			if i == 0 {
				body = append(body, 0x7d)
			} else {
				body = append(body, byte(i-1))
			}
		}
	}
	bin := append([]byte("\x00asm\x0d\x00\x01\x00\x07"), uleb(len(body))...)
	bin = append(bin, body...)
	done := make(chan error, 1)
	go func() { _, err := Parse(bin); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "too complex") {
			t.Fatalf("Parse: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Parse of a type bomb did not return within 10 s")
	}
}

func uleb(v int) []byte {
	var out []byte
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v == 0 {
			return append(out, c)
		}
		out = append(out, c|0x80)
	}
}
