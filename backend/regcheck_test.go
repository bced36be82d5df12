package backend

import (
	"testing"

	"golang.org/x/arch/arm64/arm64asm"
)

// TestReservedRegsDetector makes sure the checker itself sees x18/x28:
// hand-encoded instructions that use them must be flagged.
func TestReservedRegsDetector(t *testing.T) {
	for _, tc := range []struct {
		word uint32
		bad  bool
	}{
		{0x91000000 | 18<<5 | 0, true},          // add x0, x18, #0
		{0xf9400000 | 28<<5 | 1, true},          // ldr x1, [x28]
		{0x8b000000 | 2<<16 | 1<<5 | 18, true},  // add x18, x1, x2
		{0x8b000000 | 2<<16 | 1<<5 | 0, false},  // add x0, x1, x2
		{0x91000000 | 1<<5 | 0 | 18<<10, false}, // add x0, x1, #18
	} {
		b := []byte{byte(tc.word), byte(tc.word >> 8), byte(tc.word >> 16), byte(tc.word >> 24)}
		inst, err := arm64asm.Decode(b)
		if err != nil {
			t.Fatalf("%#x: %v", tc.word, err)
		}
		if got := usesReserved(inst); got != tc.bad {
			t.Errorf("%v: flagged=%v, want %v", inst, got, tc.bad)
		}
	}
}
