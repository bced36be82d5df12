package wasm

import "fmt"

// ErrorKind classifies an Error the way the specification's test suite does.
type ErrorKind uint8

// Error kinds.
const (
	// Malformed: the bytes are not a well-formed binary module
	// (what assert_malformed expects).
	Malformed ErrorKind = iota + 1
	// Invalid: the module is well-formed but breaks a validation rule
	// (what assert_invalid expects).
	Invalid
)

func (k ErrorKind) String() string {
	switch k {
	case Malformed:
		return "malformed"
	case Invalid:
		return "invalid"
	}
	return fmt.Sprintf("errorkind(%d)", uint8(k))
}

// Error is the error type of Decode, Validate and InstrReader. Msg starts
// with the reference interpreter's phrase for the failure (e.g. "type
// mismatch", "unexpected end"), optionally followed by ": " and details.
type Error struct {
	Kind   ErrorKind
	Offset uint32 // byte offset in the module where the problem was found
	Func   int    // index (in the function index space) of the function, or -1 outside code
	Msg    string
}

func (e *Error) Error() string {
	if e.Func >= 0 {
		return fmt.Sprintf("func %d at %#x: %s", e.Func, e.Offset, e.Msg)
	}
	return fmt.Sprintf("at %#x: %s", e.Offset, e.Msg)
}

func malformed(off int, format string, args ...any) *Error {
	return &Error{Kind: Malformed, Offset: uint32(off), Func: -1, Msg: sprintf(format, args)}
}

func invalid(off uint32, format string, args ...any) *Error {
	return &Error{Kind: Invalid, Offset: off, Func: -1, Msg: sprintf(format, args)}
}

// sprintf avoids fmt for the common argument-free messages.
func sprintf(format string, args []any) string {
	if len(args) == 0 {
		return format
	}
	return fmt.Sprintf(format, args...)
}
