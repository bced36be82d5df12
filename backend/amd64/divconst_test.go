package amd64_test

import (
	"context"
	"fmt"
	"math"
	"math/rand"
	"strings"
	"testing"
)

// TestDivideByConstant runs integer division and remainder by constant
// divisors (powers of two, reciprocal multiplies, and the ones left to
// div/idiv) on edge and random dividends and compares them with Go's.
// i32 results are returned zero-extended to i64, so a result register
// with garbage above bit 31 shows.
func TestDivideByConstant(t *testing.T) {
	divisors := []uint64{1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 16, 17, 100, 641, 600000, 1 << 30, 1<<31 - 1, 1 << 31,
		1<<31 + 1, 3 << 30, 1<<32 - 1, 1<<32 - 2, 1 << 32, 1<<32 + 1, 1 << 40, 12345678901, 1<<62 + 3,
		1 << 62, 1 << 63, 1<<63 + 1, math.MaxUint64, math.MaxUint64 - 1, math.MaxUint64 - 15}
	type fn struct {
		op string
		c  uint64
	}
	var fns []fn
	var src strings.Builder
	src.WriteString("(module\n")
	for _, w := range []string{"i32", "i64"} {
		for _, op := range []string{"div_u", "rem_u", "div_s", "rem_s"} {
			for _, c := range divisors {
				if w == "i32" && c >= 1<<32 {
					continue
				}
				name := fmt.Sprintf("f%d", len(fns))
				fns = append(fns, fn{w + "." + op, c})
				body := fmt.Sprintf("(%s.%s (local.get 0) (%s.const %d))", w, op, w, int64(c))
				if w == "i32" {
					body = fmt.Sprintf("(i64.extend_i32_u (%s.%s (i32.wrap_i64 (local.get 0)) (i32.const %d)))", w, op, int32(uint32(c)))
				}
				fmt.Fprintf(&src, "(func (export %q) (param i64) (result i64) %s)\n", name, body)
			}
		}
	}
	src.WriteString(")\n")
	inst := instantiate(t, compileWAT(t, src.String()))

	rng := rand.New(rand.NewSource(7))
	ns := []uint64{0, 1, 2, 3, 5, 7, 100, 599999, 600000, 600001, 1<<31 - 1, 1 << 31, 1<<31 + 1, 1<<32 - 1, 1 << 32,
		1<<63 - 1, 1 << 63, 1<<63 + 1, math.MaxUint64, math.MaxUint64 - 1}
	for _, c := range divisors {
		ns = append(ns, c-1, c, c+1, 2*c, 2*c-1, -c, -c+1, -c-1)
	}
	for i := 0; i < 300; i++ {
		ns = append(ns, rng.Uint64(), rng.Uint64()>>uint(rng.Intn(64)))
	}
	for i, f := range fns {
		call := inst.ExportedFunc(fmt.Sprintf("f%d", i))
		for _, n := range ns {
			want, ok := divRef(f.op, n, f.c)
			if !ok {
				continue // traps (signed overflow)
			}
			res, err := call.Call(context.Background(), n)
			if err != nil {
				t.Fatalf("%s(%#x, %#x): %v", f.op, n, f.c, err)
			}
			if res[0] != want {
				t.Fatalf("%s(%#x, %#x) = %#x, want %#x", f.op, n, f.c, res[0], want)
			}
		}
	}
}

// divRef computes op(n, c) as wasm defines it (i32 operands are the low
// halves; the i32 result is zero-extended); ok is false where it traps.
func divRef(op string, n, c uint64) (uint64, bool) {
	switch op {
	case "i32.div_u":
		return uint64(uint32(n) / uint32(c)), true
	case "i32.rem_u":
		return uint64(uint32(n) % uint32(c)), true
	case "i32.div_s":
		if int32(n) == math.MinInt32 && int32(c) == -1 {
			return 0, false
		}
		return uint64(uint32(int32(n) / int32(c))), true
	case "i32.rem_s":
		if int32(c) == -1 {
			return 0, true
		}
		return uint64(uint32(int32(n) % int32(c))), true
	case "i64.div_u":
		return n / c, true
	case "i64.rem_u":
		return n % c, true
	case "i64.div_s":
		if int64(n) == math.MinInt64 && int64(c) == -1 {
			return 0, false
		}
		return uint64(int64(n) / int64(c)), true
	case "i64.rem_s":
		if int64(c) == -1 {
			return 0, true
		}
		return uint64(int64(n) % int64(c)), true
	}
	panic(op)
}
