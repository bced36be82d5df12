package rtlib

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// moveSizes covers every size class of the native memmove and memset
// (the small overlapping-word cases, the 16/32/64-byte boundaries, the
// block loops with and without a partial last block).
func moveSizes() []int {
	var sizes []int
	for n := 0; n <= 80; n++ {
		sizes = append(sizes, n)
	}
	return append(sizes, 95, 96, 97, 127, 128, 129, 200, 255, 256, 257, 1000, 4095, 4096, 4097)
}

// memObjects are the two implementations of move and set: memory.copy and
// memory.fill as compiled (the memory_copy and memory_fill builtins), and
// calls of the runtime's memmove and memset, which LLVM-compiled code
// makes (the crafted object).
func memObjects(t *testing.T) map[string][]byte {
	return map[string][]byte{"compiled": basicObject(t), "runtime": craftedObject(t)}
}

// TestNativeMemmove checks memory.copy and the runtime's memmove against
// Go's copy for every size class and overlaps in both directions, and
// that they touch nothing outside the destination.
func TestNativeMemmove(t *testing.T) {
	for name, obj := range memObjects(t) {
		t.Run(name, func(t *testing.T) { testMemmove(t, newInstance(t, obj, double())) })
	}
}

func testMemmove(t *testing.T, inst *Instance) {
	mem := inst.Memory()
	rng := rand.New(rand.NewPCG(1, 2))
	const src = 8192
	deltas := []int{-5000, 5000}
	for d := -70; d <= 70; d++ {
		deltas = append(deltas, d)
	}
	// Only the first 32 KiB are used (the farthest move ends at 17,289)
	// and compared; they are filled with random words (the test runs under
	// qemu too).
	const window = 32768
	want := make([]byte, window)
	for _, n := range moveSizes() {
		for _, delta := range deltas {
			for i := 0; i < window; i += 8 {
				binary.LittleEndian.PutUint64(mem[i:], rng.Uint64())
			}
			copy(want, mem[:window])
			dst := src + delta
			copy(want[dst:dst+n], want[src:src+n])
			if r := call(t, inst, "move", I32(int32(dst)), I32(src), I32(int32(n))); AsI32(r[0]) != 1 {
				t.Fatalf("memmove(%d, %d, %d) did not return dst", dst, src, n)
			}
			if !bytes.Equal(mem[:window], want) {
				t.Fatalf("memmove(dst=%d, src=%d, n=%d): memory differs from Go's copy at byte %d", dst, src, n, firstDiff(mem, want))
			}
		}
	}
}

// TestNativeMemset checks memory.fill and the runtime's memset for every
// size class and alignment, and that they touch nothing outside the
// destination.
func TestNativeMemset(t *testing.T) {
	for name, obj := range memObjects(t) {
		t.Run(name, func(t *testing.T) { testMemset(t, newInstance(t, obj, double())) })
	}
}

func testMemset(t *testing.T, inst *Instance) {
	mem := inst.Memory()
	want := make([]byte, 8192)
	for _, n := range moveSizes() {
		for align := 0; align < 8; align++ {
			for i := range want {
				want[i] = byte(i * 7)
			}
			copy(mem, want)
			dst := 1024 + align
			val := 0x1A5 + n // only the low byte counts
			for i := dst; i < dst+n; i++ {
				want[i] = byte(val)
			}
			if r := call(t, inst, "set", I32(int32(dst)), I32(int32(val)), I32(int32(n))); AsI32(r[0]) != 1 {
				t.Fatalf("memset(%d, %#x, %d) did not return dst", dst, val, n)
			}
			if !bytes.Equal(mem[:len(want)], want) {
				t.Fatalf("memset(dst=%d, %#x, n=%d): memory differs at byte %d", dst, val, n, firstDiff(mem, want))
			}
		}
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}
