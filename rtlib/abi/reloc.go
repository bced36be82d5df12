package abi

import "debug/elf"

// Relocations an object may carry. An object's code reaches only its own
// sections and RuntimeSymbols, so every relocation is PC-relative,
// absolute or GOT-relative against a symbol of the object (or an
// allow-listed runtime symbol); the loader applies exactly the types
// RelocSize accepts and refuses the object on any other. Back ends and the
// object writer check their relocations against the same list.

// RelocSize returns how many bytes a relocation of type typ patches on
// arch, and false if the loader does not accept that type.
func RelocSize(arch Arch, typ uint32) (int, bool) {
	switch arch {
	case ArchAMD64:
		switch elf.R_X86_64(typ) {
		case elf.R_X86_64_64, elf.R_X86_64_PC64:
			return 8, true
		case elf.R_X86_64_PC32, elf.R_X86_64_PLT32, elf.R_X86_64_32, elf.R_X86_64_32S,
			elf.R_X86_64_GOTPCREL, elf.R_X86_64_GOTPCRELX, elf.R_X86_64_REX_GOTPCRELX:
			return 4, true
		}
	case ArchARM64:
		switch elf.R_AARCH64(typ) {
		case elf.R_AARCH64_ABS64, elf.R_AARCH64_PREL64:
			return 8, true
		case elf.R_AARCH64_PREL32, elf.R_AARCH64_CALL26, elf.R_AARCH64_JUMP26,
			elf.R_AARCH64_ADR_PREL_PG_HI21, elf.R_AARCH64_ADR_PREL_PG_HI21_NC,
			elf.R_AARCH64_ADD_ABS_LO12_NC, elf.R_AARCH64_LDST8_ABS_LO12_NC,
			elf.R_AARCH64_LDST16_ABS_LO12_NC, elf.R_AARCH64_LDST32_ABS_LO12_NC,
			elf.R_AARCH64_LDST64_ABS_LO12_NC, elf.R_AARCH64_LDST128_ABS_LO12_NC,
			elf.R_AARCH64_ADR_GOT_PAGE, elf.R_AARCH64_LD64_GOT_LO12_NC,
			elf.R_AARCH64_CONDBR19, elf.R_AARCH64_TSTBR14:
			return 4, true
		}
	}
	return 0, false
}

// RelocUsesGOT reports whether a relocation type of arch refers to the
// symbol's GOT slot (which the loader builds) rather than to the symbol.
func RelocUsesGOT(arch Arch, typ uint32) bool {
	switch arch {
	case ArchAMD64:
		switch elf.R_X86_64(typ) {
		case elf.R_X86_64_GOTPCREL, elf.R_X86_64_GOTPCRELX, elf.R_X86_64_REX_GOTPCRELX:
			return true
		}
	case ArchARM64:
		switch elf.R_AARCH64(typ) {
		case elf.R_AARCH64_ADR_GOT_PAGE, elf.R_AARCH64_LD64_GOT_LO12_NC:
			return true
		}
	}
	return false
}

// RelocName is the ELF name of relocation type typ on arch.
func RelocName(arch Arch, typ uint32) string {
	if arch == ArchARM64 {
		return elf.R_AARCH64(typ).String()
	}
	return elf.R_X86_64(typ).String()
}

// Machine is the ELF machine of arch (EM_NONE for an unknown one).
func (a Arch) Machine() elf.Machine {
	switch a {
	case ArchAMD64:
		return elf.EM_X86_64
	case ArchARM64:
		return elf.EM_AARCH64
	}
	return elf.EM_NONE
}
