package abi

import "testing"

func TestTrapMessages(t *testing.T) {
	for c := TrapNone + 1; c < numTrapCodes; c++ {
		if !c.Valid() || c.String() == "" || c.String() == "unknown trap" {
			t.Errorf("trap code %d has no message", c)
		}
	}
	if numTrapCodes.Valid() || TrapNone.Valid() {
		t.Error("Valid accepts an undefined code")
	}
	err := &Trap{Code: TrapIntegerDivideByZero, Func: 12, Offset: 0x1a3}
	if got, want := err.Error(), "wasm trap: integer divide by zero in func 12 at offset 419"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
