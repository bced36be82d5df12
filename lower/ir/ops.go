package ir

import (
	"fmt"
	"strings"

	"github.com/wasmaot/wasmaot/compiler/wasm"
)

// Op identifies an operation. Values below 1<<16 are WebAssembly opcodes
// (wasm.Opcode) used with their wasm meaning; values from opIRBase up are
// operations that exist only in the IR.
type Op uint32

const opIRBase Op = 1 << 16

// Operations that exist only in the IR.
const (
	// select a, b, c: a if c != 0 else b (any type; wasm order).
	OpSelect Op = opIRBase + iota
	// call_import f(args): call of imported function f (Index).
	OpCallImport
	// bounds_check addr extent=E: traps with out-of-bounds memory access
	// unless zext(addr)+E <= the byte length of memory Index.
	OpBoundsCheck
	// trap_if c trap=T: traps with code T if c != 0.
	OpTrapIf
	// interrupt_check: polls the instance's interrupt flag (function entry
	// and loop headers); traps with TrapInterrupted when asked to stop.
	OpInterruptCheck
	// jump b(args)
	OpJump
	// brif c, bThen(args), bElse(args): bThen if c != 0.
	OpBrIf
	// switch i, b0(args), ..., bDefault(args): Succs[i] if i < len(Succs)-1,
	// else the last successor.
	OpSwitch
	// return args: returns one value per function result.
	OpReturn
	// trap trap=T: traps unconditionally.
	OpTrap
	opIREnd
)

// WebAssembly instructions used as IR operations with extra, non-numeric
// typing rules; named here for back ends' switches.
const (
	OpCall         = Op(wasm.OpCall)
	OpCallIndirect = Op(wasm.OpCallIndirect)
	OpGlobalGet    = Op(wasm.OpGlobalGet)
	OpGlobalSet    = Op(wasm.OpGlobalSet)
	OpRefNull      = Op(wasm.OpRefNull)
	OpRefIsNull    = Op(wasm.OpRefIsNull)
	OpRefFunc      = Op(wasm.OpRefFunc)
	OpTableGet     = Op(wasm.OpTableGet)
	OpTableSet     = Op(wasm.OpTableSet)
	OpTableSize    = Op(wasm.OpTableSize)
	OpTableGrow    = Op(wasm.OpTableGrow)
	OpTableFill    = Op(wasm.OpTableFill)
	OpTableCopy    = Op(wasm.OpTableCopy)
	OpTableInit    = Op(wasm.OpTableInit)
	OpElemDrop     = Op(wasm.OpElemDrop)
	OpMemorySize   = Op(wasm.OpMemorySize)
	OpMemoryGrow   = Op(wasm.OpMemoryGrow)
	OpMemoryFill   = Op(wasm.OpMemoryFill)
	OpMemoryCopy   = Op(wasm.OpMemoryCopy)
	OpMemoryInit   = Op(wasm.OpMemoryInit)
	OpDataDrop     = Op(wasm.OpDataDrop)
)

// Kind groups operations by how they are typed and executed.
type Kind uint8

// Operation kinds.
const (
	KindConst      Kind = iota + 1 // scalar or v128 constant (wasm t.const)
	KindPure                       // wasm numeric or SIMD instruction, no immediates but lane/shuffle
	KindLoad                       // wasm load, unchecked: address is covered by a dominating bounds_check
	KindStore                      // wasm store, unchecked likewise
	KindSpecial                    // typed by its own rule (calls, globals, tables, bulk memory, checks)
	KindTerminator                 // ends a block
)

// Imm names an immediate field an operation uses; printed as key=value
// except ImmValue, which is printed bare.
type Imm uint8

// Immediate fields.
const (
	ImmValue   Imm = iota + 1 // Const (and ConstHi for v128): the constant
	ImmLanes                  // Const, ConstHi: i8x16.shuffle lane list
	ImmLane                   // Lane
	ImmOffset                 // Offset
	ImmAlign                  // Align
	ImmExtent                 // Const: bounds_check extent
	ImmMemory                 // Index: memory index
	ImmFunc                   // Index: function index
	ImmTypeIdx                // Index: type index (call_indirect)
	ImmGlobal                 // Index
	ImmTable                  // Index: table index
	ImmTable2                 // Index2: table of call_indirect/table.init, source of table.copy
	ImmData                   // Index: data segment
	ImmElem                   // Index: element segment
	ImmRefType                // Type: ref.null's type
	ImmTrap                   // Trap
)

var immKeys = [...]string{
	ImmValue: "", ImmLanes: "lanes", ImmLane: "lane", ImmOffset: "offset", ImmAlign: "align",
	ImmExtent: "extent", ImmMemory: "memory", ImmFunc: "func", ImmTypeIdx: "type",
	ImmGlobal: "global", ImmTable: "table", ImmTable2: "table2", ImmData: "data",
	ImmElem: "elem", ImmRefType: "type", ImmTrap: "trap",
}

// OpInfo describes an operation.
type OpInfo struct {
	Name string
	Kind Kind
	// Params and Results are the operand and result types when the
	// signature is fixed (KindConst, KindPure, KindLoad, KindStore and some
	// specials); nil and Fixed=false when the rule depends on immediates.
	Params, Results []Type
	Fixed           bool
	Imms            []Imm // immediates, in printing order
	// SideEffects: the instruction must stay even if its results are
	// unused, and keeps its order relative to other effects.
	SideEffects bool
	// ReadsState: the result depends on mutable instance state (memory,
	// globals, tables), so equal operands need not give equal results.
	ReadsState bool
	// CanTrap: executing the instruction may trap.
	CanTrap    bool
	Terminator bool
	// Wasm is the wasm opcode for operations that are wasm instructions.
	Wasm   wasm.Opcode
	IsWasm bool
	// Props are the typed properties of KindConst, KindPure, KindLoad and
	// KindStore operations (see props.go); zero for the others.
	Props Props
}

// opInfoPage holds the descriptions of the 256 ops sharing op>>8.
type opInfoPage [256]*OpInfo

var (
	// opPages is indexed by op>>8 (wasm opcodes and their 0xFC/0xFD
	// prefixes fill a few pages, IR ops one more): Info is on every
	// pass's inner loop, and a map lookup there was a measurable cost.
	opPages  []*opInfoPage
	opByName = map[string]Op{}
)

// Info describes op; nil for an unknown op.
func (op Op) Info() *OpInfo {
	if hi := int(op >> 8); hi < len(opPages) && opPages[hi] != nil {
		return opPages[hi][op&0xff]
	}
	return nil
}

// String returns the op's name in the text form.
func (op Op) String() string {
	if i := op.Info(); i != nil {
		return i.Name
	}
	return fmt.Sprintf("op(%#x)", uint32(op))
}

// OpByName returns the op with the given text name.
func OpByName(name string) (Op, bool) {
	op, ok := opByName[name]
	return op, ok
}

func sigTypes(s string) []Type {
	ts := make([]Type, len(s))
	for i := range s {
		ts[i] = wasm.SigType(s[i])
	}
	return ts
}

// terminators marks, from opIRBase on, the ops whose Info().Terminator
// is set: Block.Terminator asks it for every block many times per pass.
var terminators [opIREnd - opIRBase]bool

// IsTerminator reports whether op ends a block (Info().Terminator).
func (op Op) IsTerminator() bool {
	return op >= opIRBase && op < opIREnd && terminators[op-opIRBase]
}

func register(op Op, info *OpInfo) {
	if _, dup := opByName[info.Name]; dup {
		panic("ir: duplicate op name " + info.Name)
	}
	if info.Terminator {
		if op < opIRBase || op >= opIREnd {
			panic("ir: terminator " + info.Name + " is not an IR-only op")
		}
		terminators[op-opIRBase] = true
	}
	hi := int(op >> 8)
	if hi >= len(opPages) {
		opPages = append(opPages, make([]*opInfoPage, hi+1-len(opPages))...)
	}
	if opPages[hi] == nil {
		opPages[hi] = new(opInfoPage)
	}
	opPages[hi][op&0xff] = info
	opByName[info.Name] = op
}

// special describes a non-numeric operation; sig "" means not fixed.
type special struct {
	op         Op
	name       string
	sig        string // "params:results" in wasm signature letters, or ""
	imms       []Imm
	effects    bool
	readsState bool
	canTrap    bool
	terminator bool
}

// specials lists every operation that is not a pure numeric, load or
// store instruction.
var specials = []special{
	{op: OpSelect, name: "select"},
	{op: OpCall, name: "call", imms: []Imm{ImmFunc}, effects: true, readsState: true, canTrap: true},
	{op: OpCallImport, name: "call_import", imms: []Imm{ImmFunc}, effects: true, readsState: true, canTrap: true},
	{op: OpCallIndirect, name: "call_indirect", imms: []Imm{ImmTypeIdx, ImmTable2}, effects: true, readsState: true, canTrap: true},
	{op: OpGlobalGet, name: "global.get", imms: []Imm{ImmGlobal}, readsState: true},
	{op: OpGlobalSet, name: "global.set", imms: []Imm{ImmGlobal}, effects: true},
	{op: OpRefNull, name: "ref.null", imms: []Imm{ImmRefType}},
	{op: OpRefIsNull, name: "ref.is_null"},
	{op: OpRefFunc, name: "ref.func", imms: []Imm{ImmFunc}},
	{op: OpTableGet, name: "table.get", imms: []Imm{ImmTable}, readsState: true, canTrap: true},
	{op: OpTableSet, name: "table.set", imms: []Imm{ImmTable}, effects: true, canTrap: true},
	{op: OpTableSize, name: "table.size", sig: ":i", imms: []Imm{ImmTable}, readsState: true},
	{op: OpTableGrow, name: "table.grow", imms: []Imm{ImmTable}, effects: true, readsState: true},
	{op: OpTableFill, name: "table.fill", imms: []Imm{ImmTable}, effects: true, canTrap: true},
	{op: OpTableCopy, name: "table.copy", sig: "iii:", imms: []Imm{ImmTable, ImmTable2}, effects: true, canTrap: true},
	{op: OpTableInit, name: "table.init", sig: "iii:", imms: []Imm{ImmElem, ImmTable2}, effects: true, canTrap: true},
	{op: OpElemDrop, name: "elem.drop", sig: ":", imms: []Imm{ImmElem}, effects: true},
	{op: OpMemorySize, name: "memory.size", sig: ":i", imms: []Imm{ImmMemory}, readsState: true},
	{op: OpMemoryGrow, name: "memory.grow", sig: "i:i", imms: []Imm{ImmMemory}, effects: true, readsState: true},
	{op: OpMemoryFill, name: "memory.fill", sig: "iii:", imms: []Imm{ImmMemory}, effects: true, canTrap: true},
	{op: OpMemoryCopy, name: "memory.copy", sig: "iii:", imms: []Imm{ImmMemory}, effects: true, canTrap: true},
	{op: OpMemoryInit, name: "memory.init", sig: "iii:", imms: []Imm{ImmData, ImmMemory}, effects: true, canTrap: true},
	{op: OpDataDrop, name: "data.drop", sig: ":", imms: []Imm{ImmData}, effects: true},
	{op: OpBoundsCheck, name: "bounds_check", sig: "i:", imms: []Imm{ImmMemory, ImmExtent}, effects: true, readsState: true, canTrap: true},
	{op: OpTrapIf, name: "trap_if", sig: "i:", imms: []Imm{ImmTrap}, effects: true, canTrap: true},
	{op: OpInterruptCheck, name: "interrupt_check", sig: ":", effects: true, canTrap: true},
	{op: OpJump, name: "jump", sig: ":", effects: true, terminator: true},
	{op: OpBrIf, name: "brif", sig: "i:", effects: true, terminator: true},
	{op: OpSwitch, name: "switch", sig: "i:", effects: true, terminator: true},
	{op: OpReturn, name: "return", effects: true, terminator: true},
	{op: OpTrap, name: "trap", sig: ":", imms: []Imm{ImmTrap}, effects: true, canTrap: true, terminator: true},
}

// isNumeric reports whether a wasm instruction is a pure numeric or SIMD
// operation: a fixed signature with at least one result and no immediates
// other than a constant, a lane index or a shuffle lane list.
func isNumeric(info *wasm.OpInfo) bool {
	if !info.Fixed || info.Results == "" {
		return false
	}
	switch info.Imm {
	case wasm.ImmNone, wasm.ImmI32, wasm.ImmI64, wasm.ImmF32, wasm.ImmF64, wasm.ImmV128, wasm.ImmShuffle, wasm.ImmLane:
		return true
	}
	return false
}

func init() {
	for _, s := range specials {
		info := &OpInfo{Name: s.name, Kind: KindSpecial, Imms: s.imms, SideEffects: s.effects,
			ReadsState: s.readsState, CanTrap: s.canTrap, Terminator: s.terminator}
		if s.terminator {
			info.Kind = KindTerminator
		}
		if s.sig != "" {
			p, r, _ := strings.Cut(s.sig, ":")
			info.Params, info.Results, info.Fixed = sigTypes(p), sigTypes(r), true
		}
		if s.op < opIRBase {
			info.Wasm, info.IsWasm = wasm.Opcode(s.op), true
		}
		register(s.op, info)
	}
	for _, wop := range wasm.Opcodes() {
		w := wop.Info()
		info := &OpInfo{Name: w.Name, Params: sigTypes(w.Params), Results: sigTypes(w.Results),
			Fixed: true, Wasm: wop, IsWasm: true}
		switch {
		case w.Imm == wasm.ImmMemarg || w.Imm == wasm.ImmMemlane:
			info.Imms = []Imm{ImmOffset, ImmAlign}
			if w.Imm == wasm.ImmMemlane {
				info.Imms = append(info.Imms, ImmLane)
			}
			if w.Results == "" {
				info.Kind, info.SideEffects = KindStore, true
			} else {
				info.Kind, info.ReadsState = KindLoad, true
			}
		case isNumeric(w):
			info.Kind = KindPure
			switch w.Imm {
			case wasm.ImmI32, wasm.ImmI64, wasm.ImmF32, wasm.ImmF64, wasm.ImmV128:
				info.Kind, info.Imms = KindConst, []Imm{ImmValue}
			case wasm.ImmShuffle:
				info.Imms = []Imm{ImmLanes}
			case wasm.ImmLane:
				info.Imms = []Imm{ImmLane}
			}
		default:
			continue
		}
		props, err := parseProps(w.Name, info.Kind)
		if err != nil {
			panic(err)
		}
		info.Props = props
		register(Op(wop), info)
	}
}
