package ir

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// The text form, one function at a time:
//
//	func f3 "name" (i32, i64) -> (i32) {
//	b0(v0:i32, v1:i64):
//	    interrupt_check
//	    bounds_check memory=0 extent=8 v0
//	    v2:i32 = i32.load offset=4 align=2 v0
//	    brif v2, b1(v2), b2
//	b1(v3:i32):
//	    return v3
//	b2:
//	    trap trap=unreachable
//	}
//
// An instruction is: results with their types, "=", the op name, its
// immediates (key=value, a constant bare), then its operands and successor
// edges separated by commas. i32/i64 constants print in signed decimal,
// float and v128 constants as hexadecimal bit patterns (v128 as one 128-bit
// number). Trap codes print as their message with spaces replaced by "_".
// A ";" starts a comment.

// String prints the whole module.
func (m *Module) String() string {
	var sb strings.Builder
	for i, f := range m.Funcs {
		if i > 0 {
			sb.WriteByte('\n')
		}
		f.write(&sb)
	}
	return sb.String()
}

// String prints f in the text form.
func (f *Func) String() string {
	var sb strings.Builder
	f.write(&sb)
	return sb.String()
}

func typeList(ts []Type) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = t.String()
	}
	return "(" + strings.Join(s, ", ") + ")"
}

func (f *Func) write(sb *strings.Builder) {
	fmt.Fprintf(sb, "func f%d ", f.Index)
	if f.Name != "" {
		fmt.Fprintf(sb, "%q ", f.Name)
	}
	fmt.Fprintf(sb, "%s -> %s {\n", typeList(f.Sig.Params), typeList(f.Sig.Results))
	for _, b := range f.Blocks {
		fmt.Fprintf(sb, "b%d", b.ID)
		if len(b.Params) > 0 {
			sb.WriteByte('(')
			for i, p := range b.Params {
				if i > 0 {
					sb.WriteString(", ")
				}
				f.writeDef(sb, p)
			}
			sb.WriteByte(')')
		}
		sb.WriteString(":\n")
		for _, in := range b.Instrs {
			sb.WriteString("    ")
			f.writeInstr(sb, in)
			sb.WriteByte('\n')
		}
	}
	sb.WriteString("}\n")
}

func (f *Func) typeOf(v Value) Type {
	if int(v) < len(f.Types) {
		return f.Types[v]
	}
	return 0
}

func (f *Func) writeDef(sb *strings.Builder, v Value) {
	fmt.Fprintf(sb, "v%d:%s", v, f.typeOf(v))
}

// FormatInstr returns one instruction in the text form.
func (f *Func) FormatInstr(in *Instr) string {
	var sb strings.Builder
	f.writeInstr(&sb, in)
	return sb.String()
}

func (f *Func) writeInstr(sb *strings.Builder, in *Instr) {
	for i, r := range in.Results {
		if i > 0 {
			sb.WriteString(", ")
		}
		f.writeDef(sb, r)
	}
	if len(in.Results) > 0 {
		sb.WriteString(" = ")
	}
	info := in.Op.Info()
	sb.WriteString(in.Op.String())
	if info != nil {
		for _, imm := range info.Imms {
			sb.WriteByte(' ')
			sb.WriteString(formatImm(info, in, imm))
		}
	}
	sep := " "
	for _, a := range in.Args {
		fmt.Fprintf(sb, "%sv%d", sep, a)
		sep = ", "
	}
	for _, s := range in.Succs {
		fmt.Fprintf(sb, "%sb%d", sep, s.Block.ID)
		sep = ", "
		if len(s.Args) > 0 {
			sb.WriteByte('(')
			for i, a := range s.Args {
				if i > 0 {
					sb.WriteString(", ")
				}
				fmt.Fprintf(sb, "v%d", a)
			}
			sb.WriteByte(')')
		}
	}
}

// TrapName is the text-form name of a trap code.
func TrapName(c abi.TrapCode) string { return strings.ReplaceAll(c.String(), " ", "_") }

func formatImm(info *OpInfo, in *Instr, imm Imm) string {
	key := immKeys[imm] + "="
	switch imm {
	case ImmValue:
		switch info.Results[0] {
		case I32:
			return strconv.FormatInt(int64(int32(in.Const)), 10)
		case I64:
			return strconv.FormatInt(int64(in.Const), 10)
		case F32:
			return fmt.Sprintf("0x%08x", uint32(in.Const))
		case F64:
			return fmt.Sprintf("0x%016x", in.Const)
		}
		return fmt.Sprintf("0x%016x%016x", in.ConstHi, in.Const)
	case ImmLanes:
		return fmt.Sprintf("%s0x%016x%016x", key, in.ConstHi, in.Const)
	case ImmLane:
		return key + strconv.Itoa(int(in.Lane))
	case ImmOffset:
		return key + strconv.FormatUint(uint64(in.Offset), 10)
	case ImmAlign:
		return key + strconv.Itoa(int(in.Align))
	case ImmExtent:
		return key + strconv.FormatUint(in.Const, 10)
	case ImmTable2:
		return key + strconv.FormatUint(uint64(in.Index2), 10)
	case ImmRefType:
		return key + in.Type.String()
	case ImmTrap:
		return key + TrapName(in.Trap)
	}
	return key + strconv.FormatUint(uint64(in.Index), 10)
}
