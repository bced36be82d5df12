package wasm

//go:generate go run gen_opcodes.go

// Opcode identifies one instruction. Its value is the binary encoding: the
// opcode byte for one-byte instructions, and prefix<<8 | sub-opcode for the
// 0xFC (saturating truncation, bulk memory, tables) and 0xFD (SIMD) families.
// Every WebAssembly 2.0 sub-opcode fits in one byte.
type Opcode uint16

// Prefix bytes of the two-byte opcode families.
const (
	PrefixMisc byte = 0xFC
	PrefixSIMD byte = 0xFD
)

// ImmKind says which immediates follow an opcode in the binary format.
type ImmKind uint8

// Immediate kinds; see opcodes.txt for which instruction has which.
const (
	ImmNone      ImmKind = iota
	ImmBlock             // block type
	ImmLabel             // label index
	ImmBrtable           // vec(label index) then default label
	ImmFunc              // function index
	ImmCallind           // type index, table index
	ImmLocal             // local index
	ImmGlobal            // global index
	ImmTable             // table index
	ImmMemarg            // align (log2), offset; OpInfo.Size is the natural access size
	ImmMemidx            // one reserved 0x00 byte (memory index 0)
	ImmI32               // signed LEB128 i32
	ImmI64               // signed LEB128 i64
	ImmF32               // 4 little-endian bytes
	ImmF64               // 8 little-endian bytes
	ImmV128              // 16 bytes
	ImmShuffle           // 16 lane indices, each < 32
	ImmLane              // one lane index < OpInfo.Size (the lane count)
	ImmMemlane           // memarg of OpInfo.Size bytes, then lane index < 16/Size
	ImmSelectt           // vec(value type), length 1 in 2.0
	ImmReftype           // reference type (ref.null)
	ImmMeminit           // data index, then 0x00
	ImmData              // data index
	ImmMemcopy           // 0x00 0x00
	ImmTableinit         // element index, table index
	ImmElem              // element index
	ImmTablecopy         // destination table index, source table index
)

// OpInfo describes one opcode: its text name, immediates and, for
// instructions with a fixed stack signature, operand and result types
// (letters i=i32 l=i64 f=f32 d=f64 v=v128).
type OpInfo struct {
	Name    string
	Imm     ImmKind
	Size    uint8 // natural access size in bytes (memarg, memlane) or lane count (lane)
	Fixed   bool  // Params/Results give the full signature
	Params  string
	Results string

	params, results []ValType // Params and Results as types, filled at init
}

// Lookup tables for Info, indexed by the opcode byte (one-byte opcodes) or
// the sub-opcode (the 0xFC and 0xFD families), filled from opInfo.
var opInfoByte, opInfoMisc, opInfoSIMD [256]*OpInfo

func init() {
	for op, info := range opInfo {
		info.params = sigTypes(info.Params)
		info.results = sigTypes(info.Results)
		switch op >> 8 {
		case 0:
			opInfoByte[op] = info
		case Opcode(PrefixMisc):
			opInfoMisc[op&0xFF] = info
		case Opcode(PrefixSIMD):
			opInfoSIMD[op&0xFF] = info
		}
	}
}

// Info returns the description of op, or nil if op is not a WebAssembly 2.0 opcode.
func (op Opcode) Info() *OpInfo {
	switch op >> 8 {
	case 0:
		return opInfoByte[op]
	case Opcode(PrefixMisc):
		return opInfoMisc[op&0xFF]
	case Opcode(PrefixSIMD):
		return opInfoSIMD[op&0xFF]
	}
	return nil
}

// String returns the instruction's text-format name.
func (op Opcode) String() string {
	if i := op.Info(); i != nil {
		return i.Name
	}
	return "unknown opcode"
}

// SigType maps a signature letter of OpInfo.Params/Results to its type.
func SigType(c byte) ValType {
	switch c {
	case 'i':
		return I32
	case 'l':
		return I64
	case 'f':
		return F32
	case 'd':
		return F64
	case 'v':
		return V128
	}
	return 0
}

func sigTypes(sig string) []ValType {
	if sig == "" {
		return nil
	}
	ts := make([]ValType, len(sig))
	for i := range sig {
		ts[i] = SigType(sig[i])
	}
	return ts
}

// Opcodes lists every opcode, for tables built at init time (e.g. text names).
func Opcodes() []Opcode {
	ops := make([]Opcode, 0, len(opInfo))
	for op := range opInfo {
		ops = append(ops, op)
	}
	return ops
}
