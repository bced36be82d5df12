package arm64

import (
	"encoding/binary"
	"fmt"
	"sort"
)

// This file resolves label-relative instructions. Branches are emitted
// short; Finish lengthens a conditional branch whose target is out of its
// range (±1 MiB for B.cond/CBZ/CBNZ, ±32 KiB for TBZ/TBNZ) into the
// inverted branch over an unconditional B (±128 MiB), repeating until no
// branch changes, since lengthening one can push another out of range.

// Label names a position in the code; bind it with Bind.
type Label int32

type fixupKind uint8

const (
	fixB       fixupKind = iota // B label (imm26)
	fixBL                       // BL label (imm26)
	fixBCond                    // B.cond label (imm19)
	fixCB                       // CBZ/CBNZ label (imm19)
	fixTB                       // TBZ/TBNZ label (imm14)
	fixAdr                      // ADR rd, label (imm21, bytes)
	fixLiteral                  // LDR (literal) rt, label (imm19)
)

type fixup struct {
	at    int // word index of the instruction
	kind  fixupKind
	label Label
	word  uint32
	long  bool // lengthened to inverted branch + B
}

// NewLabel returns an unbound label.
func (a *Asm) NewLabel() Label {
	a.labels = append(a.labels, -1)
	return Label(len(a.labels) - 1)
}

// Bind binds l to the next instruction emitted.
func (a *Asm) Bind(l Label) {
	if a.labels[l] >= 0 {
		panic(fmt.Sprintf("arm64: label %d bound twice", l))
	}
	a.labels[l] = len(a.words)
}

// Bound reports whether l has been bound.
func (a *Asm) Bound(l Label) bool { return a.labels[l] >= 0 }

func (a *Asm) fix(kind fixupKind, word uint32, l Label) {
	a.fixups = append(a.fixups, fixup{at: len(a.words), kind: kind, label: l, word: word})
	a.words = append(a.words, word)
}

// B jumps to l.
func (a *Asm) B(l Label) { a.fix(fixB, 0x14000000, l) }

// BL calls l (a label in the same Asm).
func (a *Asm) BL(l Label) { a.fix(fixBL, 0x94000000, l) }

// BCond jumps to l when c holds.
func (a *Asm) BCond(c Cond, l Label) { a.fix(fixBCond, 0x54000000|uint32(c), l) }

// Cbz jumps to l when rt is zero; Cbnz when it is not.
func (a *Asm) Cbz(x bool, rt Reg, l Label) { a.fix(fixCB, sf(x)|0x34000000|rt.enc(), l) }

// Cbnz jumps to l when rt is not zero.
func (a *Asm) Cbnz(x bool, rt Reg, l Label) { a.fix(fixCB, sf(x)|0x35000000|rt.enc(), l) }

// Tbz jumps to l when bit of rt is zero; Tbnz when it is one.
func (a *Asm) Tbz(rt Reg, bit uint32, l Label) { a.fix(fixTB, tbWord(0x36000000, rt, bit), l) }

// Tbnz jumps to l when bit of rt is one.
func (a *Asm) Tbnz(rt Reg, bit uint32, l Label) { a.fix(fixTB, tbWord(0x37000000, rt, bit), l) }

func tbWord(op uint32, rt Reg, bit uint32) uint32 {
	return op | (bit>>5)<<31 | (bit&31)<<19 | rt.enc()
}

// AdrLabel loads the address of l into rd (±1 MiB).
func (a *Asm) AdrLabel(rd Reg, l Label) { a.fix(fixAdr, 0x10000000|rd.enc(), l) }

// LoadLiteral loads size bytes (4, 8 or 16) at l into the SIMD&FP
// register rt (±1 MiB).
func (a *Asm) LoadLiteral(rt Reg, size Size, l Label) {
	a.fix(fixLiteral, a.loadLiteral(rt, size, 0), l)
}

// rangeBits is the signed width, in words, of each kind's displacement.
var rangeBits = [...]uint{fixB: 26, fixBL: 26, fixBCond: 19, fixCB: 19, fixTB: 14, fixAdr: 19, fixLiteral: 19}

// invertible reports whether an out-of-range fixup can be lengthened.
func (k fixupKind) invertible() bool { return k == fixBCond || k == fixCB || k == fixTB }

// Layout is the result of Finish: the final code and where each
// pre-relaxation word index ended up.
type Layout struct {
	Code  []byte
	longs []int // sorted word indices of lengthened branches
}

// Offset is the final byte offset of the instruction emitted as word i
// (as returned by Len before it was emitted).
func (l *Layout) Offset(i int) int {
	return 4 * (i + sort.SearchInts(l.longs, i))
}

// LabelOffset is the final byte offset of a bound label.
func (a *Asm) LabelOffset(l *Layout, lab Label) int { return l.Offset(a.labels[lab]) }

// Finish resolves every label reference, lengthening conditional branches
// that do not reach, and returns the code. It fails on an unbound label
// or a reference no form can reach.
func (a *Asm) Finish() (*Layout, error) {
	for _, f := range a.fixups {
		if a.labels[f.label] < 0 {
			return nil, fmt.Errorf("arm64: unbound label %d", f.label)
		}
	}
	lay := &Layout{}
	for changed := true; changed; {
		changed = false
		for i := range a.fixups {
			f := &a.fixups[i]
			if f.long {
				continue
			}
			d := int64(lay.Offset(a.labels[f.label])-lay.Offset(f.at)) / 4
			if fits(d, rangeBits[f.kind]) {
				continue
			}
			if !f.kind.invertible() {
				return nil, fmt.Errorf("arm64: branch at word %d out of range (%d words)", f.at, d)
			}
			f.long = true
			lay.longs = append(lay.longs, f.at)
			changed = true
		}
		sort.Ints(lay.longs)
	}
	code := make([]byte, 0, 4*(len(a.words)+len(lay.longs)))
	put := func(w uint32) { code = binary.LittleEndian.AppendUint32(code, w) }
	fi := 0
	for i, w := range a.words {
		if fi < len(a.fixups) && a.fixups[fi].at == i {
			f := a.fixups[fi]
			fi++
			at := lay.Offset(i)
			target := lay.Offset(a.labels[f.label])
			if f.long {
				put(invertBranch(f.kind, f.word) | encodeDisp(f.kind, 8))
				put(0x14000000 | encodeDisp(fixB, int64(target-at-4)))
				continue
			}
			put(f.word | encodeDisp(f.kind, int64(target-at)))
			continue
		}
		put(w)
	}
	lay.Code = code
	return lay, nil
}

// invertBranch flips the sense of a conditional branch word.
func invertBranch(k fixupKind, w uint32) uint32 {
	switch k {
	case fixBCond:
		return w ^ 1 // condition codes pair up in their low bit
	case fixCB, fixTB:
		return w ^ 1<<24 // CBZ↔CBNZ, TBZ↔TBNZ
	}
	panic("arm64: not a conditional branch")
}

// encodeDisp places a byte displacement into the field of kind k.
func encodeDisp(k fixupKind, d int64) uint32 {
	switch k {
	case fixB, fixBL:
		return uint32(d>>2) & (1<<26 - 1)
	case fixBCond, fixCB, fixLiteral:
		return (uint32(d>>2) & (1<<19 - 1)) << 5
	case fixTB:
		return (uint32(d>>2) & (1<<14 - 1)) << 5
	case fixAdr:
		u := uint32(d) & (1<<21 - 1)
		return (u&3)<<29 | (u>>2)<<5
	}
	panic("arm64: no displacement field")
}
