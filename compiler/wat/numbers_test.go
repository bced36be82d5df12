package wat

import "testing"

func TestParseInt(t *testing.T) {
	tests := []struct {
		text string
		size int
		want uint64
		err  error
	}{
		{"0", 32, 0, nil},
		{"4294967295", 32, 0xFFFFFFFF, nil},
		{"+4294967295", 32, 0xFFFFFFFF, nil},
		{"-2147483648", 32, 0x80000000, nil},
		{"-0x8000_0000", 32, 0x80000000, nil},
		{"0xFFFF_ffff", 32, 0xFFFFFFFF, nil},
		{"-1", 32, 0xFFFFFFFF, nil},
		{"1_000_000", 32, 1000000, nil},
		{"4294967296", 32, 0, errRange},
		{"-2147483649", 32, 0, errRange},
		{"18446744073709551615", 64, 1<<64 - 1, nil},
		{"-9223372036854775808", 64, 1 << 63, nil},
		{"18446744073709551616", 64, 0, errRange},
		{"0x1_0000_0000_0000_0000", 64, 0, errRange},
		{"-9223372036854775809", 64, 0, errRange},
		{"1__0", 32, 0, errSyntax},
		{"_1", 32, 0, errSyntax},
		{"1_", 32, 0, errSyntax},
		{"0x", 32, 0, errSyntax},
		{"0x_1", 32, 0, errSyntax},
		{"--1", 32, 0, errSyntax},
		{"1.0", 32, 0, errSyntax},
		{"", 32, 0, errSyntax},
	}
	for _, tt := range tests {
		got, err := ParseInt(tt.text, tt.size)
		if err != tt.err || got != tt.want {
			t.Errorf("ParseInt(%q, %d) = %#x, %v; want %#x, %v", tt.text, tt.size, got, err, tt.want, tt.err)
		}
	}
}

func TestParseF32(t *testing.T) {
	tests := []struct {
		text string
		want uint32
		err  error
	}{
		{"0", 0, nil},
		{"-0.0", 0x80000000, nil},
		{"1", 0x3F800000, nil},
		{"1.", 0x3F800000, nil},
		{"1.e1", 0x41200000, nil},
		{"1_0.5E+0_1", 0x42D20000, nil}, // 105
		{"0x1p-149", 1, nil},
		{"0x1P+2", 0x40800000, nil},
		{"0x1.", 0x3F800000, nil},
		{"0x1.8", 0x3FC00000, nil},
		{"0x1.fffffefffffffffffp127", 0x7F7FFFFF, nil}, // rounds down below the halfway point
		{"0x1.ffffffp127", 0, errRange},                // rounds up to infinity
		{"1e39", 0, errRange},
		{"1e-50", 0, nil}, // underflow to zero is fine
		{"inf", 0x7F800000, nil},
		{"-inf", 0xFF800000, nil},
		{"nan", 0x7FC00000, nil},
		{"-nan", 0xFFC00000, nil},
		{"nan:0x200000", 0x7FA00000, nil},
		{"+nan:0x7f_ffff", 0x7FFFFFFF, nil},
		{"nan:0x0", 0, errRange},
		{"nan:0x800000", 0, errRange},
		{".5", 0, errSyntax},
		{"0x.8", 0, errSyntax},
		{"1e", 0, errSyntax},
		{"1.e_1", 0, errSyntax},
		{"1._5", 0, errSyntax},
		{"0x1p", 0, errSyntax},
		{"infinity", 0, errSyntax},
		{"nan:1", 0, errSyntax},
	}
	for _, tt := range tests {
		got, err := ParseF32(tt.text)
		if err != tt.err || (err == nil && got != tt.want) {
			t.Errorf("ParseF32(%q) = %#x, %v; want %#x, %v", tt.text, got, err, tt.want, tt.err)
		}
	}
}

func TestParseF64(t *testing.T) {
	tests := []struct {
		text string
		want uint64
		err  error
	}{
		{"0x1p-1074", 1, nil},
		{"0x1p-1075", 0, nil}, // ties to even: rounds to zero
		{"0x1.8p-1074", 2, nil},
		{"1.7976931348623157e308", 0x7FEFFFFFFFFFFFFF, nil},
		{"1.8e308", 0, errRange},
		{"-0x1.fffffffffffffp1023", 0xFFEFFFFFFFFFFFFF, nil},
		{"nan:0xf_ffff_ffff_ffff", 0x7FFFFFFFFFFFFFFF, nil},
		{"nan:0x10_0000_0000_0000", 0, errRange},
		{"1_2.3_4e-5_6", 0x348834C13CBF331D, nil}, // 12.34e-56
	}
	for _, tt := range tests {
		got, err := ParseF64(tt.text)
		if err != tt.err || (err == nil && got != tt.want) {
			t.Errorf("ParseF64(%q) = %#x, %v; want %#x, %v", tt.text, got, err, tt.want, tt.err)
		}
	}
}
