package arm64

import (
	"math/rand"
	"testing"
)

// decodeBitmask is the architecture's DecodeBitMasks (the wmask half),
// written from the reference pseudocode to check EncodeBitmask.
func decodeBitmask(n, immr, imms uint32, x bool) uint64 {
	combined := n<<6 | (^imms & 0x3f)
	length := -1
	for i := 6; i >= 0; i-- {
		if combined&(1<<uint(i)) != 0 {
			length = i
			break
		}
	}
	e := uint(1) << uint(length)
	levels := uint32(e - 1)
	s, r := imms&levels, immr&levels
	welem := uint64(1)<<(s+1) - 1
	emask := ^uint64(0)
	if e < 64 {
		emask = uint64(1)<<e - 1
	}
	rot := (welem>>r | welem<<(e-uint(r))) & emask
	if r == 0 {
		rot = welem
	}
	var v uint64
	for i := uint(0); i < 64; i += e {
		v |= rot << i
	}
	if !x {
		v &= 0xffffffff
	}
	return v
}

func TestBitmaskRoundTrip(t *testing.T) {
	// Every encodable (N, immr, imms) must be found again from its value.
	count := 0
	for _, x := range []bool{false, true} {
		for n := uint32(0); n <= 1; n++ {
			if !x && n == 1 {
				continue
			}
			for imms := uint32(0); imms < 64; imms++ {
				for immr := uint32(0); immr < 64; immr++ {
					combined := n<<6 | (^imms & 0x3f)
					if combined < 2 { // no element size
						continue
					}
					e := uint32(1)
					for combined>>1 != 0 {
						combined >>= 1
						e <<= 1
					}
					if imms&(e-1) == e-1 || immr >= e || (!x && e == 64) {
						continue // all ones, or a redundant rotation
					}
					v := decodeBitmask(n, immr, imms, x)
					gn, gr, gs, ok := EncodeBitmask(v, x)
					if !ok {
						t.Fatalf("%#x (x=%v) not found encodable", v, x)
					}
					if decodeBitmask(gn, gr, gs, x) != v {
						t.Fatalf("%#x (x=%v) encoded as %d,%d,%d which decodes differently", v, x, gn, gr, gs)
					}
					count++
				}
			}
		}
	}
	if count != 5334+1302 {
		t.Errorf("%d encodable immediates, want 5334 (64-bit) + 1302 (32-bit)", count)
	}
	for _, v := range []uint64{0, ^uint64(0), 0x1234, 0x5, 0xff00ff00ff00ff01} {
		if _, _, _, ok := EncodeBitmask(v, true); ok {
			t.Errorf("%#x reported encodable", v)
		}
	}
}

// evalMov runs the move-wide and ORR-immediate words MovImm emits.
func evalMov(t *testing.T, words []uint32, x bool) uint64 {
	var v uint64
	for _, w := range words {
		switch {
		case w&0x1f800000 == 0x12800000: // move wide
			hw := uint((w >> 21) & 3)
			imm := uint64((w>>5)&0xffff) << (16 * hw)
			switch (w >> 29) & 3 {
			case 0:
				v = ^imm
			case 2:
				v = imm
			case 3:
				v = v&^(0xffff<<(16*hw)) | imm
			}
		case w&0x7f8003e0 == 0x320003e0: // ORR rd, zr, #imm
			v = decodeBitmask((w>>22)&1, (w>>16)&0x3f, (w>>10)&0x3f, x)
		default:
			t.Fatalf("unexpected word %08x", w)
		}
	}
	if !x {
		v &= 0xffffffff
	}
	return v
}

func TestMovImm(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	vals := []uint64{0, 1, 0xffff, 0x10000, 0xffffffff, 0xffffffff00000000, ^uint64(0), 0x8000000000000000,
		0x5555555555555555, 0x123456789abcdef0, 0xffff1234ffffffff, 0x00ff00ff00ff00ff}
	for i := 0; i < 2000; i++ {
		v := r.Uint64()
		switch i % 4 {
		case 1:
			v &= 0xffff0000ffff
		case 2:
			v |= 0xffffffff0000
		}
		vals = append(vals, v)
	}
	for _, v := range vals {
		for _, x := range []bool{false, true} {
			var a Asm
			a.MovImm(x, X3, v)
			want := v
			if !x {
				want &= 0xffffffff
			}
			if got := evalMov(t, a.words, x); got != want {
				t.Fatalf("MovImm(%v, %#x) builds %#x", x, v, got)
			}
			if max := 4; !x && len(a.words) > 2 || len(a.words) > max {
				t.Fatalf("MovImm(%v, %#x) took %d words", x, v, len(a.words))
			}
		}
	}
}
