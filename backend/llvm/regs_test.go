package llvm

import (
	"debug/elf"
	"regexp"
	"testing"

	"golang.org/x/arch/arm64/arm64asm"
)

// reservedReg matches x18 and x28 (and their 32-bit views) in an operand
// as arm64asm prints it: "X18", "W28", "[X28,#8]", "X18, LSL #2".
var reservedReg = regexp.MustCompile(`\b[XW](18|28)\b`)

// checkNoReservedRegs disassembles every function symbol of an AArch64
// object and fails if any instruction reads or writes x18 or x28.
// It returns the number of instructions checked.
func checkNoReservedRegs(t *testing.T, f *elf.File) int {
	t.Helper()
	syms, err := f.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, s := range syms {
		if elf.ST_TYPE(s.Info) != elf.STT_FUNC || s.Section == elf.SHN_UNDEF || int(s.Section) >= len(f.Sections) {
			continue
		}
		data, err := f.Sections[s.Section].Data()
		if err != nil {
			t.Fatal(err)
		}
		if s.Value+s.Size > uint64(len(data)) {
			t.Fatalf("%s: symbol extends past its section", s.Name)
		}
		code := data[s.Value : s.Value+s.Size]
		for pc := 0; pc+4 <= len(code); pc += 4 {
			inst, err := arm64asm.Decode(code[pc:])
			if err != nil {
				t.Errorf("%s+%#x: cannot decode %x: %v", s.Name, pc, code[pc:pc+4], err)
				continue
			}
			checked++
			for _, a := range inst.Args {
				if a != nil && reservedReg.MatchString(a.String()) {
					t.Errorf("%s+%#x: %v uses a reserved register", s.Name, pc, inst)
				}
			}
		}
	}
	return checked
}

// TestReservedRegsDetector makes sure the checker itself sees x18/x28:
// hand-encoded instructions that use them must be flagged.
func TestReservedRegsDetector(t *testing.T) {
	for _, tc := range []struct {
		word uint32
		bad  bool
	}{
		{0x91000000 | 18<<5 | 0, true},         // add x0, x18, #0
		{0xf9400000 | 28<<5 | 1, true},         // ldr x1, [x28]
		{0x8b000000 | 2<<16 | 1<<5 | 18, true}, // add x18, x1, x2
		{0x8b000000 | 2<<16 | 1<<5 | 0, false}, // add x0, x1, x2
	} {
		b := []byte{byte(tc.word), byte(tc.word >> 8), byte(tc.word >> 16), byte(tc.word >> 24)}
		inst, err := arm64asm.Decode(b)
		if err != nil {
			t.Fatalf("%#x: %v", tc.word, err)
		}
		bad := false
		for _, a := range inst.Args {
			if a != nil && reservedReg.MatchString(a.String()) {
				bad = true
			}
		}
		if bad != tc.bad {
			t.Errorf("%v: flagged=%v, want %v", inst, bad, tc.bad)
		}
	}
}
