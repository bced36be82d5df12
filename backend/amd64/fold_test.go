package amd64_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// TestFoldedLoads runs integer compares and ALU ops with a load as either
// operand (folded into a memory operand, swapped and mirrored when it is
// operand 0), both as values and fused with a branch, against Go's
// results on random and edge operands.
func TestFoldedLoads(t *testing.T) {
	type op struct {
		name string
		eval func(a, b uint64) uint64
	}
	b2u := func(c bool) uint64 {
		if c {
			return 1
		}
		return 0
	}
	var ops []op
	for _, w := range []string{"i32", "i64"} {
		norm := func(x uint64) uint64 { return x }
		sx := func(x uint64) int64 { return int64(x) }
		if w == "i32" {
			norm = func(x uint64) uint64 { return uint64(uint32(x)) }
			sx = func(x uint64) int64 { return int64(int32(x)) }
		}
		n, s := norm, sx
		ops = append(ops,
			op{w + ".eq", func(a, b uint64) uint64 { return b2u(n(a) == n(b)) }},
			op{w + ".ne", func(a, b uint64) uint64 { return b2u(n(a) != n(b)) }},
			op{w + ".lt_s", func(a, b uint64) uint64 { return b2u(s(a) < s(b)) }},
			op{w + ".lt_u", func(a, b uint64) uint64 { return b2u(n(a) < n(b)) }},
			op{w + ".gt_s", func(a, b uint64) uint64 { return b2u(s(a) > s(b)) }},
			op{w + ".gt_u", func(a, b uint64) uint64 { return b2u(n(a) > n(b)) }},
			op{w + ".le_s", func(a, b uint64) uint64 { return b2u(s(a) <= s(b)) }},
			op{w + ".le_u", func(a, b uint64) uint64 { return b2u(n(a) <= n(b)) }},
			op{w + ".ge_s", func(a, b uint64) uint64 { return b2u(s(a) >= s(b)) }},
			op{w + ".ge_u", func(a, b uint64) uint64 { return b2u(n(a) >= n(b)) }},
			op{w + ".add", func(a, b uint64) uint64 { return n(a + b) }},
			op{w + ".sub", func(a, b uint64) uint64 { return n(a - b) }},
			op{w + ".and", func(a, b uint64) uint64 { return n(a & b) }},
			op{w + ".xor", func(a, b uint64) uint64 { return n(a ^ b) }},
		)
	}
	// f<k>_<order>_<form>(x): memory holds y at 0; order: the load is
	// operand 0 (l) or 1 (r); form: the value (v) or a branch on it (b,
	// compares only).
	var src strings.Builder
	src.WriteString("(module (memory 1)\n")
	for k, o := range ops {
		w := o.name[:3]
		ld := fmt.Sprintf("(%s.load (i32.const 0))", w)
		x, pre := "(local.get 0)", ""
		if w == "i32" { // wrapped first, so that the load is next to the op
			x, pre = "(local.get 1)", "(local i32) (local.set 1 (i32.wrap_i64 (local.get 0)))"
		}
		cmp := strings.Contains(o.name, "_") || strings.HasSuffix(o.name, "eq") || strings.HasSuffix(o.name, "ne")
		ext := func(e string) string {
			if w == "i32" || cmp {
				return "(i64.extend_i32_u " + e + ")"
			}
			return e
		}
		for _, ord := range []string{"l", "r"} {
			a, b := ld, x
			if ord == "r" {
				a, b = x, ld
			}
			e := fmt.Sprintf("(%s %s %s)", o.name, a, b)
			fmt.Fprintf(&src, "(func (export \"f%d_%s_v\") (param i64) (result i64) %s %s)\n", k, ord, pre, ext(e))
			if cmp {
				fmt.Fprintf(&src, "(func (export \"f%d_%s_b\") (param i64) (result i64) %s (if (result i64) %s (then (i64.const 1)) (else (i64.const 0))))\n", k, ord, pre, e)
			}
		}
	}
	src.WriteString(")\n")
	inst := instantiate(t, compileWAT(t, src.String()))
	mem := inst.Memory()
	if len(mem) < 8 {
		t.Fatal("no memory")
	}
	rng := rand.New(rand.NewSource(3))
	vals := []uint64{0, 1, 2, 1 << 31, 1<<31 - 1, 1<<32 - 1, 1 << 32, 1 << 63, 1<<63 - 1, ^uint64(0)}
	for i := 0; i < 20; i++ {
		vals = append(vals, rng.Uint64(), uint64(rng.Int31n(5)))
	}
	for k, o := range ops {
		cmp := strings.Contains(o.name, "_") || strings.HasSuffix(o.name, "eq") || strings.HasSuffix(o.name, "ne")
		for _, x := range vals {
			for _, y := range vals {
				binary.LittleEndian.PutUint64(mem, y)
				for _, ord := range []string{"l", "r"} {
					a, b := y, x
					if ord == "r" {
						a, b = x, y
					}
					want := o.eval(a, b)
					forms := []string{"v"}
					if cmp {
						forms = append(forms, "b")
					}
					for _, form := range forms {
						name := fmt.Sprintf("f%d_%s_%s", k, ord, form)
						res, err := inst.ExportedFunc(name).Call(context.Background(), x)
						if err != nil {
							t.Fatalf("%s: %v", name, err)
						}
						if res[0] != want {
							t.Fatalf("%s (%s, load %s) x=%#x y=%#x: got %#x, want %#x", name, o.name, ord, x, y, res[0], want)
						}
					}
				}
			}
		}
	}
}
