// Package seal protects wasmaot objects against corruption and, with a
// key, against tampering. Sealing adds a section, .wasmaot.seal, holding a
// SHA-256 digest of every other section (its header fields and contents)
// and one of every byte of the file no section holds (headers, section
// table, padding); signing fills in an
// ed25519 signature over those digests. The loader checks the seal before anything of the object is
// mapped (rtlib.Load), and the signature too when it is given a key
// (rtlib.LoadVerified). The format is described in docs/object-format.md.
//
// Every object the compiler driver produces goes through Seal, whatever
// the back end; the seal is independent of the architecture and of how
// the other sections were laid out.
package seal

import (
	"bytes"
	"cmp"
	"crypto/ed25519"
	"crypto/sha256"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
)

// Section is the name of the seal's ELF section.
const Section = ".wasmaot.seal"

// The seal section's layout (little-endian):
//
//	0   magic "WASMSEAL"
//	8   u32 version (2)
//	12  u32 n, the number of sections covered
//	16  [32] digest of the file without the contents of any section
//	48  n × { u32 section index, [32] digest }
//	…   [32] public key of the signer (zero: unsigned)
//	…   [64] ed25519 signature (zero: unsigned)
//
// The signature signs signingContext followed by bytes 0 to 48+36n: the
// digests. Every section but the null section and the seal itself is
// covered, in index order.
const (
	magic          = "WASMSEAL"
	version        = 2
	headerSize     = 48
	entrySize      = 36
	trailerSize    = ed25519.PublicKeySize + ed25519.SignatureSize
	signingContext = "wasmaot object seal v2\x00"
)

var le = binary.LittleEndian

// Seal returns obj (a 64-bit little-endian ELF relocatable object without
// a seal) with a seal section added: a copy of the section names, the
// seal and a new section header table are appended, and the ELF header
// points to them; nothing else moves.
func Seal(obj []byte) ([]byte, error) { return seal(obj, false) }

// seal is Seal; with reuse, the result may be obj itself, extended into
// its spare capacity with its header rewritten, when it has room.
func seal(obj []byte, reuse bool) ([]byte, error) {
	f, err := parse(obj)
	if err != nil {
		return nil, err
	}
	if f.Section(Section) != nil {
		return nil, errors.New("seal: object is already sealed")
	}
	shnum := len(f.Sections)
	shstrndx := int(le.Uint16(obj[0x3e:]))
	if shnum+1 >= int(elf.SHN_LORESERVE) || shstrndx == 0 || shstrndx >= shnum {
		return nil, errors.New("seal: object has an unsupported section table")
	}
	strtab := f.Sections[shstrndx]
	names, err := raw(obj, strtab)
	if err != nil {
		return nil, err
	}
	shoff := le.Uint64(obj[0x28:])
	if shoff > uint64(len(obj)) || uint64(shnum)*64 > uint64(len(obj))-shoff {
		return nil, errors.New("seal: section header table extends beyond the object")
	}
	sealSize := headerSize + entrySize*(shnum-1) + trailerSize
	// Room for everything appended below (each pad adds at most 7 bytes),
	// so that the object is copied once, or not at all.
	need := len(obj) + len(names) + len(Section) + 1 + 7 + sealSize + 7 + (shnum+1)*64
	var out []byte
	if reuse && cap(obj) >= need {
		out = obj
	} else {
		out = make([]byte, len(obj), need)
		copy(out, obj)
	}
	pad := func(align int) {
		for len(out)%align != 0 {
			out = append(out, 0)
		}
	}
	namesOff := len(out)
	out = append(out, names...)
	sealName := len(names)
	out = append(out, Section+"\x00"...)
	namesSize := len(out) - namesOff
	pad(8)
	sealOff := len(out)
	out = append(out, make([]byte, sealSize)...)
	pad(8)
	newShoff := len(out)
	out = append(out, obj[shoff:shoff+uint64(shnum)*64]...)
	hdr := make([]byte, 64)
	le.PutUint32(hdr[0:], uint32(sealName))
	le.PutUint32(hdr[4:], uint32(elf.SHT_PROGBITS)) // flags 0: never loaded
	le.PutUint64(hdr[24:], uint64(sealOff))
	le.PutUint64(hdr[32:], uint64(sealSize))
	le.PutUint64(hdr[48:], 8)
	out = append(out, hdr...)
	strHdr := out[newShoff+64*shstrndx:]
	le.PutUint64(strHdr[24:], uint64(namesOff))
	le.PutUint64(strHdr[32:], uint64(namesSize))
	le.PutUint64(out[0x28:], uint64(newShoff))
	le.PutUint16(out[0x3c:], uint16(shnum+1))

	sealed, err := parse(out)
	if err != nil {
		return nil, fmt.Errorf("seal: the sealed object does not parse: %w", err)
	}
	body, err := digests(out, sealed, shnum)
	if err != nil {
		return nil, err
	}
	copy(out[sealOff:], body)
	return out, nil
}

// Sign returns a copy of the sealed object obj signed with key. The seal
// must match the object (a corrupt object is not signed); a signature
// already there is replaced.
func Sign(obj []byte, key ed25519.PrivateKey) ([]byte, error) {
	s, err := open(obj)
	if err != nil {
		return nil, err
	}
	out := bytes.Clone(obj)
	trailer := out[s.off+uint64(len(s.body)):]
	copy(trailer, key.Public().(ed25519.PublicKey))
	copy(trailer[ed25519.PublicKeySize:], ed25519.Sign(key, message(s.body)))
	return out, nil
}

// Check verifies obj's seal: every section and the ELF header must match
// their digests. With a key, the object must also carry a signature by
// that key. The object is only read.
func Check(obj []byte, key ed25519.PublicKey) error {
	s, err := open(obj)
	if err != nil {
		return err
	}
	if key == nil {
		return nil
	}
	if len(key) != ed25519.PublicKeySize {
		return errors.New("seal: the verification key is not an ed25519 public key")
	}
	if s.signer == nil {
		return errors.New("seal: object is not signed")
	}
	if !bytes.Equal(s.signer, key) {
		return fmt.Errorf("seal: object is signed by key %s, not by the verification key %s", Fingerprint(s.signer), Fingerprint(key))
	}
	if !ed25519.Verify(key, message(s.body), s.signature) {
		return errors.New("seal: the signature does not verify")
	}
	return nil
}

// Info describes an object's seal for display.
type Info struct {
	Sections int               // sections covered
	Signer   ed25519.PublicKey // nil if unsigned
}

// Inspect checks obj's seal like Check without a key and describes it.
func Inspect(obj []byte) (Info, error) {
	s, err := open(obj)
	if err != nil {
		return Info{}, err
	}
	return Info{Sections: (len(s.body) - headerSize) / entrySize, Signer: s.signer}, nil
}

// Fingerprint is a short name for a public key: the first 8 bytes of its
// SHA-256, in hex.
func Fingerprint(key ed25519.PublicKey) string {
	sum := sha256.Sum256(key)
	return fmt.Sprintf("%x", sum[:8])
}

// sealed is an object's seal, checked against the object.
type sealed struct {
	off       uint64 // file offset of the seal section
	body      []byte // magic to the last digest
	signer    ed25519.PublicKey
	signature []byte
}

// open finds obj's seal and checks every digest.
func open(obj []byte) (*sealed, error) {
	f, err := parse(obj)
	if err != nil {
		return nil, err
	}
	idx := -1
	for i, s := range f.Sections {
		if s.Name == Section {
			if idx >= 0 {
				return nil, errors.New("seal: object has two seal sections")
			}
			idx = i
		}
	}
	if idx < 0 {
		return nil, errors.New("seal: object is not sealed (it has no " + Section + " section); objects must come from the wasmaot compiler")
	}
	if idx != len(f.Sections)-1 {
		return nil, errors.New("seal: the seal is not the last section")
	}
	sec := f.Sections[idx]
	data, err := raw(obj, sec)
	if err != nil {
		return nil, err
	}
	n := len(f.Sections) - 1
	if sec.Type != elf.SHT_PROGBITS || sec.Flags != 0 || len(data) != headerSize+entrySize*(n-1)+trailerSize {
		return nil, errors.New("seal: the seal section is malformed")
	}
	want, err := digests(obj, f, n)
	if err != nil {
		return nil, err
	}
	body := data[:len(want)]
	if string(body[:8]) != magic {
		return nil, errors.New("seal: the seal section is malformed")
	}
	if v := le.Uint32(body[8:]); v != version {
		return nil, fmt.Errorf("seal: the object's seal has format version %d, this runtime reads version %d (recompile the object)", v, version)
	}
	if !bytes.Equal(body, want) {
		for i := 1; i < n; i++ {
			e := headerSize + entrySize*(i-1)
			if !bytes.Equal(body[e:e+entrySize], want[e:e+entrySize]) {
				return nil, fmt.Errorf("seal: section %d (%s) does not match its digest (object corrupt or tampered)", i, f.Sections[i].Name)
			}
		}
		return nil, errors.New("seal: the object's headers do not match the seal (object corrupt or tampered)")
	}
	s := &sealed{off: sec.Offset, body: body}
	trailer := data[len(body):]
	if key := trailer[:ed25519.PublicKeySize]; !bytes.Equal(key, make([]byte, len(key))) {
		s.signer = ed25519.PublicKey(bytes.Clone(key))
		s.signature = trailer[ed25519.PublicKeySize:]
	}
	return s, nil
}

// digests computes the seal body (magic to the last digest) of obj, whose
// sections 1 to n-1 are covered (n is the seal's index, and the seal's
// contents lie inside obj).
func digests(obj []byte, f *elf.File, n int) ([]byte, error) {
	body := make([]byte, headerSize+entrySize*(n-1))
	copy(body, magic)
	le.PutUint32(body[8:], version)
	le.PutUint32(body[12:], uint32(n-1))
	h := sha256.New()
	// Every byte of the file that no section holds: headers, section
	// table, padding. Section contents (the seal's included) are left
	// out: each other section's digest covers its own, so every byte but
	// the seal's is hashed exactly once.
	type extent struct{ lo, hi uint64 }
	held := make([]extent, 0, n)
	for _, s := range f.Sections[1 : n+1] {
		if s.Type != elf.SHT_NOBITS && s.FileSize > 0 {
			lo := min(s.Offset, uint64(len(obj)))
			held = append(held, extent{lo, lo + min(s.FileSize, uint64(len(obj))-lo)})
		}
	}
	slices.SortFunc(held, func(a, b extent) int { return cmp.Compare(a.lo, b.lo) })
	pos := uint64(0)
	for _, e := range held {
		if e.lo > pos {
			h.Write(obj[pos:e.lo])
		}
		pos = max(pos, e.hi)
	}
	h.Write(obj[pos:])
	h.Sum(body[16:16])
	var b [8]byte
	for i := 1; i < n; i++ {
		s := f.Sections[i]
		h.Reset()
		h.Write([]byte(s.Name))
		h.Write([]byte{0})
		for _, v := range []uint64{uint64(s.Type), uint64(s.Flags), s.Addr, s.Size, uint64(s.Link), uint64(s.Info), s.Addralign, s.Entsize} {
			le.PutUint64(b[:], v)
			h.Write(b[:])
		}
		data, err := raw(obj, s)
		if err != nil {
			return nil, err
		}
		h.Write(data)
		e := body[headerSize+entrySize*(i-1):]
		le.PutUint32(e, uint32(i))
		h.Sum(e[4:4])
	}
	return body, nil
}

func message(body []byte) []byte { return append([]byte(signingContext), body...) }

// parse reads obj's ELF structure.
func parse(obj []byte) (f *elf.File, err error) {
	// debug/elf returns errors for malformed input; the recover is a last
	// line of defence against a parser bug.
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("seal: malformed ELF object: %v", r)
		}
	}()
	if len(obj) < 0x40 {
		return nil, errors.New("seal: not a valid ELF object (too short)")
	}
	f, err = elf.NewFile(bytes.NewReader(obj))
	if err != nil {
		return nil, fmt.Errorf("seal: not a valid ELF object: %w", err)
	}
	if f.Class != elf.ELFCLASS64 || f.Data != elf.ELFDATA2LSB || f.Type != elf.ET_REL {
		return nil, errors.New("seal: not a 64-bit little-endian relocatable ELF object")
	}
	if le.Uint16(obj[0x3a:]) != 64 {
		return nil, errors.New("seal: unexpected section header size")
	}
	return f, nil
}

// raw returns a section's bytes in the file (none for SHT_NOBITS).
func raw(obj []byte, s *elf.Section) ([]byte, error) {
	if s.Type == elf.SHT_NOBITS {
		return nil, nil
	}
	if s.Offset > uint64(len(obj)) || s.FileSize > uint64(len(obj))-s.Offset {
		return nil, fmt.Errorf("seal: section %s extends beyond the end of the object", s.Name)
	}
	return obj[s.Offset : s.Offset+s.FileSize], nil
}

// Output seals what a back end returned: the compiler driver passes every
// back end's result through it. An error is passed through. The object
// is the caller's to give away: when it has the spare capacity (see
// backend.Object.Encode) it is sealed in place instead of copied.
func Output(obj []byte, err error) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	return seal(obj, true)
}
