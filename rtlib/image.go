package rtlib

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// Memory images. Most modules place all their data with active segments
// at constant offsets inside the initial size of their own memories (Go's
// wasip1 output has tens of thousands of them). Their effect is then the
// same for every instance, so the module computes it once: per defined
// memory, the initial contents up to the last page a segment touches. The
// image lives in a sealed memfd and each instance maps it copy-on-write
// (MAP_PRIVATE) over the start of its fresh memory: instantiation costs
// one mmap, and a page is copied only when the instance first writes it.
// Writes never reach the memfd, so every instance starts from the same
// pristine image. Without memfd (or when the mapping fails) the image is
// copied instead.

// memoryImage is the initial contents of one defined memory.
type memoryImage struct {
	size uintptr // bytes from address 0: whole wasm pages, within the minimum size
	fd   int     // sealed memfd of size bytes, or -1
	// The segments lie in [start, end); the rest of the image is zero.
	// data is what lies there when fd is -1.
	start, end uintptr
	data       []byte
}

// minMappedImage is the smallest extent of data worth mapping from the
// memfd: a smaller one is read into the memory, which costs about as
// much and no mapping.
const minMappedImage = 16 << 10

// maxImageBuffer bounds the buffer in which an image is assembled; a
// larger extent is written segment by segment.
const maxImageBuffer = 64 << 20

// memfdImages enables memfd-backed images; tests turn it off to cover the
// copying fallback.
var memfdImages = true

// buildImages returns the images of the module's defined memories (nil
// where a memory has no data), or ok false if some active data segment is
// not static: its offset is read from a global, it targets an imported
// memory, or it does not fit the memory's minimum size (instantiation
// must then fail after the segments before it were applied).
func buildImages(meta *abi.Meta, importedMemories int) (images []*memoryImage, ok bool) {
	type extent struct{ lo, hi uint64 }
	extents := make([]extent, len(meta.Memories))
	for i := range extents {
		extents[i].lo = ^uint64(0)
	}
	for _, d := range meta.Data {
		if d.Mode != abi.SegmentActive {
			continue
		}
		def := int(d.Memory) - importedMemories
		if d.Offset.Op != abi.ConstI32 || def < 0 || def >= len(meta.Memories) {
			return nil, false
		}
		lo := uint64(uint32(d.Offset.Bits[0]))
		hi := lo + uint64(len(d.Bytes))
		if hi > uint64(meta.Memories[def].Limits.Min)*wasmPageSize {
			return nil, false
		}
		if len(d.Bytes) > 0 {
			e := &extents[def]
			e.lo, e.hi = min(e.lo, lo), max(e.hi, hi)
		}
	}
	images = make([]*memoryImage, len(meta.Memories))
	for def, e := range extents {
		if e.hi == 0 {
			continue
		}
		img := newMemoryImage(meta, importedMemories+def, e.lo, e.hi)
		if img == nil {
			closeImages(images)
			return nil, false
		}
		images[def] = img
	}
	return images, true
}

// newMemoryImage builds the image of memory index mem, whose segments
// cover [lo, hi). It returns nil if the image can be neither kept in a
// memfd nor buffered.
func newMemoryImage(meta *abi.Meta, mem int, lo, hi uint64) *memoryImage {
	img := &memoryImage{size: uintptr((hi + wasmPageSize - 1) &^ (wasmPageSize - 1)), fd: -1, start: uintptr(lo), end: uintptr(hi)}
	var buf []byte
	if hi-lo <= maxImageBuffer {
		buf = make([]byte, hi-lo)
		for _, d := range meta.Data {
			if d.Mode == abi.SegmentActive && int(d.Memory) == mem {
				copy(buf[uint64(uint32(d.Offset.Bits[0]))-lo:], d.Bytes)
			}
		}
	}
	if memfdImages {
		fd, err := imageMemfd(meta, mem, img.size, buf, int64(lo))
		if err == nil {
			img.fd = fd
			return img
		}
	}
	if buf == nil {
		return nil
	}
	img.data = buf
	return img
}

// imageMemfd writes an image into a new sealed memfd: buf at offset lo if
// buf is not nil, else every segment of memory mem in order.
func imageMemfd(meta *abi.Meta, mem int, size uintptr, buf []byte, lo int64) (int, error) {
	fd, err := unix.MemfdCreate("wasmaot-memory-image", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		return -1, err
	}
	err = unix.Ftruncate(fd, int64(size))
	if err == nil && buf != nil {
		err = pwriteAll(fd, buf, lo)
	}
	for _, d := range meta.Data {
		if err != nil || buf != nil {
			break
		}
		if d.Mode == abi.SegmentActive && int(d.Memory) == mem {
			err = pwriteAll(fd, d.Bytes, int64(uint32(d.Offset.Bits[0])))
		}
	}
	if err == nil {
		_, err = unix.FcntlInt(uintptr(fd), unix.F_ADD_SEALS,
			unix.F_SEAL_SEAL|unix.F_SEAL_SHRINK|unix.F_SEAL_GROW|unix.F_SEAL_WRITE)
	}
	if err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("memory image: %w", err)
	}
	return fd, nil
}

func pwriteAll(fd int, b []byte, off int64) error {
	for len(b) > 0 {
		n, err := unix.Pwrite(fd, b, off)
		if err != nil {
			return err
		}
		b, off = b[n:], off+int64(n)
	}
	return nil
}

func closeImages(images []*memoryImage) {
	for _, img := range images {
		if img != nil && img.fd >= 0 {
			unix.Close(img.fd)
		}
	}
}

// prepareMemory gives the reservation res the state in which an instance
// finds a new memory: its first minBytes readable, writable and holding
// img (zero where img is nil or has no data), the rest inaccessible and
// zero. used is how much of res was accessible before (0 for a new
// reservation); whatever was there is discarded.
func prepareMemory(res []byte, minBytes, used uintptr, img *memoryImage) error {
	if used > minBytes {
		if err := mapAnon(res[minBytes:used], unix.PROT_NONE); err != nil {
			return err
		}
	}
	zeroFrom := uintptr(0)
	// Mapping the image costs a mapping or two per instance; a small one,
	// or any near the process's mapping limit, is read instead.
	if img != nil && img.fd >= 0 && img.end-img.start >= minMappedImage && mappingsPlentiful() {
		_, err := mmapPtr(img.fd, 0, unsafe.Pointer(&res[0]), img.size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_FIXED)
		if err == nil {
			zeroFrom = img.size
		}
		// Mapping can fail (the process's mapping limit); the image is
		// then read into anonymous memory below.
	}
	if zeroFrom < minBytes {
		if err := mapAnon(res[zeroFrom:minBytes], unix.PROT_READ|unix.PROT_WRITE); err != nil {
			return err
		}
	}
	switch {
	case img == nil || zeroFrom > 0:
	case img.fd >= 0:
		for b, off := res[img.start:img.end], int64(img.start); len(b) > 0; {
			n, err := unix.Pread(img.fd, b, off)
			if err != nil || n == 0 {
				return fmt.Errorf("reading memory image: %v", err)
			}
			b, off = b[n:], off+int64(n)
		}
	default:
		copy(res[img.start:], img.data)
	}
	return nil
}

// mapAnon replaces b (page-aligned) with fresh zero anonymous memory.
func mapAnon(b []byte, prot int) error {
	_, err := mmapPtr(-1, 0, unsafe.Pointer(&b[0]), uintptr(len(b)), prot, unix.MAP_PRIVATE|unix.MAP_ANON|unix.MAP_NORESERVE|unix.MAP_FIXED)
	if err != nil {
		return fmt.Errorf("mapping memory: %w", err)
	}
	return nil
}
