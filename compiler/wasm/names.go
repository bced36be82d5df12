package wasm

import "unicode/utf8"

// nameReader reads the "name" custom section. Any error makes the whole
// section ignored, so it records failure in ok instead of reporting it.
type nameReader struct {
	b   []byte
	pos int
	ok  bool
}

func (r *nameReader) u32() uint32 {
	v, n, msg := leU32(r.b, r.pos)
	if msg != "" {
		r.ok = false
		r.pos = len(r.b)
		return 0
	}
	r.pos += n
	return v
}

func (r *nameReader) name() string {
	n := r.u32()
	if !r.ok || uint64(n) > uint64(len(r.b)-r.pos) || !utf8.Valid(r.b[r.pos:r.pos+int(n)]) {
		r.ok = false
		r.pos = len(r.b)
		return ""
	}
	s := string(r.b[r.pos : r.pos+int(n)])
	r.pos += int(n)
	return s
}

// nameMap reads a vector of (index, name) pairs.
func (r *nameReader) nameMap() map[uint32]string {
	n := r.u32()
	// Each pair takes at least two bytes.
	m := make(map[uint32]string, min(int(n), (len(r.b)-r.pos)/2))
	for i := uint32(0); i < n && r.ok; i++ {
		idx := r.u32()
		m[idx] = r.name()
	}
	return m
}

// decodeNames decodes the contents of a "name" section: the module name
// (subsection 0), function names (1) and local names (2), in that order.
// Other subsections are skipped.
func decodeNames(data []byte) (Names, bool) {
	var names Names
	lastID := -1
	for pos := 0; pos < len(data); {
		id := int(data[pos])
		pos++
		size, n, msg := leU32(data, pos)
		if msg != "" || uint64(size) > uint64(len(data)-pos-n) {
			return Names{}, false
		}
		pos += n
		if id <= lastID {
			return Names{}, false
		}
		lastID = id
		r := nameReader{b: data[pos : pos+int(size)], ok: true}
		switch id {
		case 0:
			names.Module = r.name()
		case 1:
			names.Funcs = r.nameMap()
		case 2:
			count := r.u32()
			names.Locals = make(map[uint32]map[uint32]string, min(int(count), len(r.b)/2))
			for i := uint32(0); i < count && r.ok; i++ {
				f := r.u32()
				names.Locals[f] = r.nameMap()
			}
		default:
			r.pos = len(r.b)
		}
		if !r.ok || r.pos != len(r.b) {
			return Names{}, false
		}
		pos += int(size)
	}
	return names, true
}
