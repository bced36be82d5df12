package ir

import (
	"os"
	"strings"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	src, err := os.ReadFile("testdata/example.ir")
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(string(src))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Verify(); err != nil {
		t.Fatal(err)
	}
	if got := m.String(); got != string(src) {
		t.Errorf("round trip changed the text:\n%s", got)
	}
}

func TestVerifyRejects(t *testing.T) {
	cases := map[string]string{
		"no terminator":  "func f0 () -> () {\nb0:\n    interrupt_check\n}\n",
		"type mismatch":  "func f0 (i32) -> (i32) {\nb0(v0:i32):\n    v1:i64 = i64.const 1\n    v2:i32 = i32.add v0, v1\n    return v2\n}\n",
		"arity":          "func f0 (i32) -> () {\nb0(v0:i32):\n    jump b1\nb1(v1:i32):\n    return\n}\n",
		"dominance":      "func f0 (i32) -> (i32) {\nb0(v0:i32):\n    brif v0, b1, b2\nb1:\n    v1:i32 = i32.const 1\n    jump b2\nb2:\n    return v1\n}\n",
		"bad return":     "func f0 () -> (i32) {\nb0:\n    return\n}\n",
		"mid terminator": "func f0 () -> () {\nb0:\n    return\n    return\n}\n",
	}
	for name, src := range cases {
		m, err := Parse(src)
		if err != nil {
			t.Errorf("%s: parse: %v", name, err)
			continue
		}
		if err := m.Verify(); err == nil {
			t.Errorf("%s: verifier accepted\n%s", name, src)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, src := range []string{
		"func f0 () -> () {\nb0:\n    frob v1\n}\n",
		"func f0 () -> () {\nb0:\n    jump b7\n}\n",
		"func f0 () -> () {\nb0:\n    v1:i32 = i32.const\n    return\n}\n",
		"func f0 () -> () {\nb0:\n",
		"func f0 (i33) -> () {\n}\n",
	} {
		if _, err := Parse(src); err == nil {
			t.Errorf("Parse accepted %q", src)
		} else if !strings.HasPrefix(err.Error(), "line ") {
			t.Errorf("error without a line number: %v", err)
		}
	}
}

func TestParseRejectsHugeValueNumber(t *testing.T) {
	if _, err := Parse("func f0 () -> () {\nb0:\n    v4000000000:i32 = i32.const 1\n    return\n}\n"); err == nil {
		t.Error("Parse accepted a value number beyond the limit")
	}
}

// TestIsTerminator checks the terminator bitmap against the op table.
func TestIsTerminator(t *testing.T) {
	n := 0
	for op := Op(0); op < opIREnd+16; op++ {
		info := op.Info()
		want := info != nil && info.Terminator
		if op.IsTerminator() != want {
			t.Errorf("%v: IsTerminator() = %v, table says %v", op, !want, want)
		}
		if want {
			n++
		}
	}
	if n != 5 {
		t.Errorf("%d terminators, want 5 (jump, brif, switch, return, trap)", n)
	}
}
