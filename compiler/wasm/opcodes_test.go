package wasm

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// textInstr returns the text form of op with immediates that assemble
// against the module header of TestOpcodeEncodings.
func textInstr(op Opcode) string {
	info := op.Info()
	switch op {
	case OpBlock, OpLoop:
		return info.Name + " end"
	case OpIf:
		return "if else end"
	}
	imm := map[ImmKind]string{
		ImmLabel: "0", ImmBrtable: "0 0", ImmFunc: "0", ImmCallind: "(type 0)",
		ImmLocal: "0", ImmGlobal: "0", ImmTable: "0", ImmI32: "0", ImmI64: "0",
		ImmF32: "0", ImmF64: "0", ImmV128: "i64x2 0 0",
		ImmShuffle: "0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15", ImmLane: "0",
		ImmMemlane: "0", ImmSelectt: "(result i32)", ImmReftype: "func",
		ImmMeminit: "0", ImmData: "0", ImmTableinit: "0", ImmElem: "0",
	}[info.Imm]
	return strings.TrimSpace(info.Name + " " + imm)
}

// TestOpcodeEncodings assembles every opcode of the table with wat2wasm
// (one function each) and checks that it decodes back to the same opcode,
// with the natural alignment wat2wasm writes by default. This verifies
// both the encodings and the text names of opcodes.txt.
func TestOpcodeEncodings(t *testing.T) {
	wat2wasm, err := exec.LookPath("wat2wasm")
	if err != nil {
		t.Skip("wat2wasm (wabt) is not installed; skipping the opcode check")
	}
	var ops []Opcode
	for _, op := range Opcodes() {
		if op != OpElse && op != OpEnd {
			ops = append(ops, op)
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i] < ops[j] })
	var src strings.Builder
	src.WriteString("(module (type (func)) (memory 1) (table 1 funcref) (global (mut i32) (i32.const 0))\n")
	src.WriteString("(data \"\") (elem func 0)\n")
	for _, op := range ops {
		fmt.Fprintf(&src, "(func (param i32) %s)\n", textInstr(op))
	}
	src.WriteString(")\n")
	dir := t.TempDir()
	watPath, wasmPath := filepath.Join(dir, "ops.wat"), filepath.Join(dir, "ops.wasm")
	if err := os.WriteFile(watPath, []byte(src.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(wat2wasm, "--no-check", watPath, "-o", wasmPath).CombinedOutput(); err != nil {
		t.Fatalf("wat2wasm: %v\n%s", err, out)
	}
	bin, err := os.ReadFile(wasmPath)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Decode(bin)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Codes) != len(ops) {
		t.Fatalf("%d functions for %d opcodes", len(m.Codes), len(ops))
	}
	for i, op := range ops {
		var in Instr
		r := m.Codes[i].Instrs()
		if err := r.Next(&in); err != nil {
			t.Errorf("%s: %v", op, err)
			continue
		}
		if in.Op != op {
			t.Errorf("%q assembles to %s (%#x), table says %#x", textInstr(op), in.Op, uint16(in.Op), uint16(op))
			continue
		}
		info := op.Info()
		if (info.Imm == ImmMemarg || info.Imm == ImmMemlane) && 1<<in.Mem.Align != uint32(info.Size) {
			t.Errorf("%s: natural alignment 2^%d, table says size %d", op, in.Mem.Align, info.Size)
		}
		// What follows is the rest of a block form, then the function's end.
		for {
			err := r.Next(&in)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Errorf("%s: %v", op, err)
				break
			}
		}
	}
}
