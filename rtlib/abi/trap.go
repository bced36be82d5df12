package abi

// TrapCode identifies why execution trapped. Generated code passes it to
// the trap builtin; the interpreter and the runtime report it in errors.
// Values are part of the object-file contract: append, never renumber.
type TrapCode uint32

// Trap codes.
const (
	TrapNone                     TrapCode = iota
	TrapUnreachable                       // unreachable executed
	TrapMemoryOutOfBounds                 // load, store or bulk memory op outside memory
	TrapTableOutOfBounds                  // table access or bulk table op outside a table
	TrapUndefinedElement                  // call_indirect index beyond the table's size
	TrapUninitializedElement              // call_indirect through a null entry
	TrapIndirectCallTypeMismatch          // call_indirect signature check failed
	TrapIntegerDivideByZero               // div/rem by zero
	TrapIntegerOverflow                   // INT_MIN / -1, or trunc of an out-of-range float
	TrapInvalidConversion                 // trunc of NaN
	TrapCallStackExhausted                // native stack or interpreter depth limit
	TrapInterrupted                       // context cancelled or deadline passed
	TrapOutOfFuel                         // fuel budget exhausted
	numTrapCodes
)

var trapMessages = [numTrapCodes]string{
	TrapNone:                     "no trap",
	TrapUnreachable:              "unreachable",
	TrapMemoryOutOfBounds:        "out of bounds memory access",
	TrapTableOutOfBounds:         "out of bounds table access",
	TrapUndefinedElement:         "undefined element",
	TrapUninitializedElement:     "uninitialized element",
	TrapIndirectCallTypeMismatch: "indirect call type mismatch",
	TrapIntegerDivideByZero:      "integer divide by zero",
	TrapIntegerOverflow:          "integer overflow",
	TrapInvalidConversion:        "invalid conversion to integer",
	TrapCallStackExhausted:       "call stack exhausted",
	TrapInterrupted:              "interrupted",
	TrapOutOfFuel:                "out of fuel",
}

// String returns the message the WebAssembly spec tests expect for the trap.
func (c TrapCode) String() string {
	if c < numTrapCodes {
		return trapMessages[c]
	}
	return "unknown trap"
}

// Valid reports whether c is a defined trap code other than TrapNone.
func (c TrapCode) Valid() bool { return c > TrapNone && c < numTrapCodes }

// Trap is the error a trapping call returns.
type Trap struct {
	Code     TrapCode
	Func     int    // wasm function index, or -1 if unknown
	FuncName string // from the name section or export, if known
	Offset   int    // byte offset in the source module, or -1 if unknown
}

func (t *Trap) Error() string {
	msg := "wasm trap: " + t.Code.String()
	switch {
	case t.FuncName != "":
		msg += " in " + t.FuncName
	case t.Func >= 0:
		msg += " in func " + itoa(t.Func)
	}
	if t.Offset >= 0 {
		msg += " at offset " + itoa(t.Offset)
	}
	return msg
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	neg := n < 0
	if neg {
		n = -n
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
