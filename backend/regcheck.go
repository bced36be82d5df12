package backend

import (
	"bytes"
	"debug/elf"
	"fmt"
	"regexp"

	"golang.org/x/arch/arm64/arm64asm"
)

// reservedReg matches x18 and x28 (and their 32-bit views) in an operand
// as arm64asm prints it: "X18", "W28", "[X28,#8]", "X18, LSL #2".
var reservedReg = regexp.MustCompile(`\b[XW](18|28)\b`)

// CheckReservedRegisters disassembles every function symbol of an AArch64
// object and reports any instruction that reads or writes x18 (the
// platform register) or x28 (Go's g register), which generated code must
// never touch. It returns the number of instructions checked.
func CheckReservedRegisters(obj []byte) (int, error) {
	f, err := elf.NewFile(bytes.NewReader(obj))
	if err != nil {
		return 0, err
	}
	if f.Machine != elf.EM_AARCH64 {
		return 0, fmt.Errorf("not an AArch64 object (%v)", f.Machine)
	}
	syms, err := f.Symbols()
	if err != nil {
		return 0, err
	}
	checked := 0
	for _, s := range syms {
		if elf.ST_TYPE(s.Info) != elf.STT_FUNC || s.Section == elf.SHN_UNDEF || int(s.Section) >= len(f.Sections) {
			continue
		}
		data, err := f.Sections[s.Section].Data()
		if err != nil {
			return checked, err
		}
		if s.Value+s.Size > uint64(len(data)) {
			return checked, fmt.Errorf("%s: symbol extends past its section", s.Name)
		}
		code := data[s.Value : s.Value+s.Size]
		for pc := 0; pc+4 <= len(code); pc += 4 {
			inst, err := arm64asm.Decode(code[pc:])
			if err != nil {
				return checked, fmt.Errorf("%s+%#x: cannot decode %x: %v", s.Name, pc, code[pc:pc+4], err)
			}
			checked++
			if usesReserved(inst) {
				return checked, fmt.Errorf("%s+%#x: %v uses a reserved register", s.Name, pc, inst)
			}
		}
	}
	return checked, nil
}

func usesReserved(inst arm64asm.Inst) bool {
	for _, a := range inst.Args {
		if a != nil && reservedReg.MatchString(a.String()) {
			return true
		}
	}
	return false
}
