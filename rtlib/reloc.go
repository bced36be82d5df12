package rtlib

import (
	"debug/elf"
	"encoding/binary"
	"fmt"

	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// reloc is one relocation to apply to the image: at image offset off,
// against a symbol at address sym (or its GOT slot at got), with addend.
type reloc struct {
	typ    uint32
	off    uint64 // in the image
	sym    uint64 // symbol address
	got    uint64 // address of the symbol's GOT slot (0 if it has none)
	addend int64
	name   string // symbol name, for errors
}

// applyReloc patches image (mapped at address base) for r. The caller has
// checked that r.off plus the relocation's size lies inside image.
func applyReloc(m elf.Machine, image []byte, base uint64, r reloc) error {
	p := base + r.off
	s := r.sym
	if abi.RelocUsesGOT(archOf(m), r.typ) {
		s = r.got
	}
	v := s + uint64(r.addend) // S+A (or G+A)
	pcrel := int64(v - p)     // S+A-P
	at := image[r.off:]
	le := binary.LittleEndian
	rangeErr := func(bits int) error {
		return fmt.Errorf("relocation %s against %s at offset %#x: value out of %d-bit range",
			abi.RelocName(archOf(m), r.typ), r.name, r.off, bits)
	}
	if m == elf.EM_X86_64 {
		switch elf.R_X86_64(r.typ) {
		case elf.R_X86_64_64:
			le.PutUint64(at, v)
		case elf.R_X86_64_PC64:
			le.PutUint64(at, uint64(pcrel))
		case elf.R_X86_64_PC32, elf.R_X86_64_PLT32, elf.R_X86_64_GOTPCREL,
			elf.R_X86_64_GOTPCRELX, elf.R_X86_64_REX_GOTPCRELX:
			if pcrel != int64(int32(pcrel)) {
				return rangeErr(32)
			}
			le.PutUint32(at, uint32(pcrel))
		case elf.R_X86_64_32:
			if v != uint64(uint32(v)) {
				return rangeErr(32)
			}
			le.PutUint32(at, uint32(v))
		case elf.R_X86_64_32S:
			if int64(v) != int64(int32(v)) {
				return rangeErr(32)
			}
			le.PutUint32(at, uint32(v))
		}
		return nil
	}
	insn := le.Uint32(at)
	page := func(x uint64) int64 { return int64(x &^ 0xfff) }
	switch elf.R_AARCH64(r.typ) {
	case elf.R_AARCH64_ABS64:
		le.PutUint64(at, v)
		return nil
	case elf.R_AARCH64_PREL64:
		le.PutUint64(at, uint64(pcrel))
		return nil
	case elf.R_AARCH64_PREL32:
		if pcrel != int64(int32(pcrel)) {
			return rangeErr(32)
		}
		le.PutUint32(at, uint32(pcrel))
		return nil
	case elf.R_AARCH64_CALL26, elf.R_AARCH64_JUMP26:
		if pcrel%4 != 0 || pcrel < -(1<<27) || pcrel >= 1<<27 {
			return rangeErr(28)
		}
		insn = insn&^0x03ffffff | uint32(pcrel>>2)&0x03ffffff
	case elf.R_AARCH64_CONDBR19:
		if pcrel%4 != 0 || pcrel < -(1<<20) || pcrel >= 1<<20 {
			return rangeErr(21)
		}
		insn = insn&^(0x7ffff<<5) | (uint32(pcrel>>2)&0x7ffff)<<5
	case elf.R_AARCH64_TSTBR14:
		if pcrel%4 != 0 || pcrel < -(1<<15) || pcrel >= 1<<15 {
			return rangeErr(16)
		}
		insn = insn&^(0x3fff<<5) | (uint32(pcrel>>2)&0x3fff)<<5
	case elf.R_AARCH64_ADR_PREL_PG_HI21, elf.R_AARCH64_ADR_PREL_PG_HI21_NC, elf.R_AARCH64_ADR_GOT_PAGE:
		d := (page(v) - page(p)) >> 12
		if elf.R_AARCH64(r.typ) != elf.R_AARCH64_ADR_PREL_PG_HI21_NC && (d < -(1<<20) || d >= 1<<20) {
			return rangeErr(33)
		}
		imm := uint32(d) & 0x1fffff
		insn = insn&^(3<<29|0x7ffff<<5) | (imm&3)<<29 | (imm>>2)<<5
	case elf.R_AARCH64_ADD_ABS_LO12_NC:
		insn = insn&^(0xfff<<10) | uint32(v&0xfff)<<10
	case elf.R_AARCH64_LDST8_ABS_LO12_NC:
		insn = insn&^(0xfff<<10) | uint32(v&0xfff)<<10
	case elf.R_AARCH64_LDST16_ABS_LO12_NC:
		insn = insn&^(0xfff<<10) | uint32(v&0xfff>>1)<<10
	case elf.R_AARCH64_LDST32_ABS_LO12_NC:
		insn = insn&^(0xfff<<10) | uint32(v&0xfff>>2)<<10
	case elf.R_AARCH64_LDST64_ABS_LO12_NC, elf.R_AARCH64_LD64_GOT_LO12_NC:
		insn = insn&^(0xfff<<10) | uint32(v&0xfff>>3)<<10
	case elf.R_AARCH64_LDST128_ABS_LO12_NC:
		insn = insn&^(0xfff<<10) | uint32(v&0xfff>>4)<<10
	}
	le.PutUint32(at, insn)
	return nil
}

// archOf is the architecture of an ELF machine the loader accepted.
func archOf(m elf.Machine) abi.Arch {
	if m == elf.EM_AARCH64 {
		return abi.ArchARM64
	}
	return abi.ArchAMD64
}
