package wasm

// LEB128 decoding. Each function decodes one number starting at b[i] and
// returns the value, the number of bytes used and, on failure, the
// reference interpreter's message ("" on success). They never read past
// len(b), so a caller bounds them by slicing b to the current section.

const (
	msgEnd      = "unexpected end"
	msgTooLong  = "integer representation too long"
	msgTooLarge = "integer too large"
)

// leU32 decodes an unsigned LEB128 number of at most 32 bits.
func leU32(b []byte, i int) (uint32, int, string) {
	if i < len(b) && b[i] < 0x80 {
		return uint32(b[i]), 1, ""
	}
	var v uint32
	for n := 0; n < 5; n++ {
		if i+n >= len(b) {
			return 0, 0, msgEnd
		}
		c := b[i+n]
		if n == 4 {
			if c&0x80 != 0 {
				return 0, 0, msgTooLong
			}
			if c > 0x0F { // bits beyond the 32nd
				return 0, 0, msgTooLarge
			}
		}
		v |= uint32(c&0x7F) << (7 * n)
		if c&0x80 == 0 {
			return v, n + 1, ""
		}
	}
	return 0, 0, msgTooLong // not reached: the fifth byte has no continuation bit
}

// leS32 decodes a signed LEB128 number of at most 32 bits.
func leS32(b []byte, i int) (int32, int, string) {
	var v int32
	for n := 0; n < 5; n++ {
		if i+n >= len(b) {
			return 0, 0, msgEnd
		}
		c := b[i+n]
		if n == 4 {
			if c&0x80 != 0 {
				return 0, 0, msgTooLong
			}
			// Bit 3 is the value's bit 31; bits 4-6 must repeat it.
			if hi := c & 0x70; (c&0x08 == 0 && hi != 0) || (c&0x08 != 0 && hi != 0x70) {
				return 0, 0, msgTooLarge
			}
		}
		v |= int32(c&0x7F) << (7 * n)
		if c&0x80 == 0 {
			if shift := 7 * (n + 1); shift < 32 && c&0x40 != 0 {
				v |= -1 << shift
			}
			return v, n + 1, ""
		}
	}
	return 0, 0, msgTooLong
}

// leS33 decodes the signed 33-bit number of a block type.
func leS33(b []byte, i int) (int64, int, string) {
	var v int64
	for n := 0; n < 5; n++ {
		if i+n >= len(b) {
			return 0, 0, msgEnd
		}
		c := b[i+n]
		if n == 4 {
			if c&0x80 != 0 {
				return 0, 0, msgTooLong
			}
			// Bit 4 is the value's bit 32; bits 5-6 must repeat it.
			if hi := c & 0x60; (c&0x10 == 0 && hi != 0) || (c&0x10 != 0 && hi != 0x60) {
				return 0, 0, msgTooLarge
			}
		}
		v |= int64(c&0x7F) << (7 * n)
		if c&0x80 == 0 {
			if c&0x40 != 0 {
				v |= -1 << (7 * (n + 1))
			}
			return v, n + 1, ""
		}
	}
	return 0, 0, msgTooLong
}

// leS64 decodes a signed LEB128 number of at most 64 bits.
func leS64(b []byte, i int) (int64, int, string) {
	var v int64
	for n := 0; n < 10; n++ {
		if i+n >= len(b) {
			return 0, 0, msgEnd
		}
		c := b[i+n]
		if n == 9 {
			if c&0x80 != 0 {
				return 0, 0, msgTooLong
			}
			// Bit 0 is the value's bit 63; bits 1-6 must repeat it.
			if c != 0 && c != 0x7F {
				return 0, 0, msgTooLarge
			}
		}
		v |= int64(c&0x7F) << (7 * n)
		if c&0x80 == 0 {
			if shift := 7 * (n + 1); shift < 64 && c&0x40 != 0 {
				v |= -1 << shift
			}
			return v, n + 1, ""
		}
	}
	return 0, 0, msgTooLong
}
