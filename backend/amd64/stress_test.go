package amd64_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestStress compiles the shapes that break naive code generators —
// huge br_tables, thousands of locals carried around a loop, deep block
// nesting, tens of thousands of values in one function — with the
// native back end, and runs them.
func TestStress(t *testing.T) {
	for _, tc := range []struct {
		name string
		wat  string
		args []uint64
		want uint64
	}{
		{"br_table 50000", brTable(50000), []uint64{49999}, 49999 % 7},
		{"locals 3000", manyLocals(3000), []uint64{10}, 10 * 3000},
		{"nesting 2000", deepBlocks(2000), []uint64{5}, 5 + 2000},
		{"values 40000", manyValues(40000), []uint64{3}, 3 * 40000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			obj := compileWAT(t, tc.wat)
			t.Logf("%d-byte module text compiled to %d bytes in %v", len(tc.wat), len(obj), time.Since(start).Round(time.Millisecond))
			inst := instantiate(t, obj)
			res, err := inst.ExportedFunc("f").Call(context.Background(), tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			if uint32(res[0]) != uint32(tc.want) {
				t.Errorf("f(%v) = %d, want %d", tc.args, uint32(res[0]), tc.want)
			}
		})
	}
}

// brTable: n targets, block i returning i%7.
func brTable(n int) string {
	var b strings.Builder
	b.WriteString("(module (func (export \"f\") (param i32) (result i32)\n")
	b.WriteString("(block $d (block $b0 (block $b1 (block $b2 (block $b3 (block $b4 (block $b5 (block $b6\n")
	b.WriteString("(br_table")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, " $b%d", i%7)
	}
	b.WriteString(" $d (local.get 0)))\n")
	for i := 6; i >= 0; i-- {
		fmt.Fprintf(&b, "(return (i32.const %d)))\n", i)
	}
	b.WriteString("(i32.const -1)))")
	return b.String()
}

// manyLocals: n locals, each incremented by 1 per iteration of a loop
// that runs param times; returns their sum.
func manyLocals(n int) string {
	var b strings.Builder
	b.WriteString("(module (func (export \"f\") (param $k i32) (result i32)")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, " (local $l%d i32)", i)
	}
	b.WriteString("\n(loop $top\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "(local.set $l%d (i32.add (local.get $l%d) (i32.const 1)))\n", i, i)
	}
	b.WriteString("(local.set $k (i32.sub (local.get $k) (i32.const 1)))\n(br_if $top (local.get $k)))\n(i32.const 0)")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, " (local.get $l%d) (i32.add)", i)
	}
	b.WriteString("))")
	return b.String()
}

// deepBlocks: n nested blocks, each adding 1 on the way out.
func deepBlocks(n int) string {
	var b strings.Builder
	b.WriteString("(module (func (export \"f\") (param i32) (result i32) (local.get 0)\n")
	for i := 0; i < n; i++ {
		b.WriteString("(block (param i32) (result i32)\n")
	}
	for i := 0; i < n; i++ {
		b.WriteString("(i32.add (i32.const 1)))\n")
	}
	b.WriteString("))")
	return b.String()
}

// manyValues: n values live at once (a long chain of products kept on
// the operand stack), summed at the end.
func manyValues(n int) string {
	var b strings.Builder
	b.WriteString("(module (func (export \"f\") (param i32) (result i32)\n")
	for i := 0; i < n; i++ {
		b.WriteString("(local.get 0)\n")
	}
	for i := 1; i < n; i++ {
		b.WriteString("(i32.add)\n")
	}
	b.WriteString("))")
	return b.String()
}
