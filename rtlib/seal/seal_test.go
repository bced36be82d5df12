package seal

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"debug/elf"
	"encoding/binary"
	"os"
	"strconv"
	"strings"
	"testing"
)

// object returns an unsealed object: one of rtlib's FuzzLoad seeds (made
// by the native back end and sealed) with its seal dropped from the
// section count.
func object(t *testing.T) []byte {
	data, err := os.ReadFile("../testdata/fuzz/FuzzLoad/basic-amd64")
	if err != nil {
		t.Fatal(err)
	}
	body := strings.TrimSuffix(strings.TrimPrefix(string(data), "go test fuzz v1\n[]byte("), ")\n")
	s, err := strconv.Unquote(body)
	if err != nil {
		t.Fatal(err)
	}
	obj := []byte(s)
	binary.LittleEndian.PutUint16(obj[0x3c:], binary.LittleEndian.Uint16(obj[0x3c:])-1)
	if err := Check(obj, nil); err == nil || !strings.Contains(err.Error(), "not sealed") {
		t.Fatalf("unsealed seed: %v", err)
	}
	return obj
}

func TestSealSignCheck(t *testing.T) {
	obj := object(t)
	sealed, err := Seal(obj)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(sealed[:0x28], obj[:0x28]) {
		t.Error("sealing changed the ELF header before the section table offset")
	}
	if err := Check(sealed, nil); err != nil {
		t.Fatalf("fresh seal: %v", err)
	}
	if _, err := Seal(sealed); err == nil {
		t.Error("sealing twice accepted")
	}
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	otherPub, otherPriv, _ := ed25519.GenerateKey(rand.Reader)
	if err := Check(sealed, pub); err == nil || !strings.Contains(err.Error(), "not signed") {
		t.Errorf("unsigned object with a key: %v", err)
	}
	signed, err := Sign(sealed, priv)
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(signed, pub); err != nil {
		t.Errorf("signed object: %v", err)
	}
	if err := Check(signed, nil); err != nil {
		t.Errorf("signed object without a key: %v", err)
	}
	if err := Check(signed, otherPub); err == nil || !strings.Contains(err.Error(), "signed by key") {
		t.Errorf("other key: %v", err)
	}
	// A signature by another key made to claim the first key's name.
	forged, _ := Sign(sealed, otherPriv)
	copy(forged[len(forged)-len(signed)+bytes.Index(signed, pub):], pub)
	if err := Check(forged, pub); err == nil {
		t.Error("forged signature accepted")
	}
	info, err := Inspect(signed)
	if err != nil || !bytes.Equal(info.Signer, pub) || info.Sections == 0 {
		t.Errorf("Inspect: %+v, %v", info, err)
	}
	if _, err := Sign(object(t), priv); err == nil {
		t.Error("signing an unsealed object accepted")
	}
}

// TestFlipsRefused flips bytes of a signed object one at a time (every
// byte of the ELF header and of the seal, every eighth elsewhere, which
// keeps the test quick under emulation): verification with the key must
// refuse every flip, and the seal alone every one outside the signature.
func TestFlipsRefused(t *testing.T) {
	sealed, err := Seal(object(t))
	if err != nil {
		t.Fatal(err)
	}
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	signed, err := Sign(sealed, priv)
	if err != nil {
		t.Fatal(err)
	}
	f, err := elf.NewFile(bytes.NewReader(signed))
	if err != nil {
		t.Fatal(err)
	}
	sec := f.Section(Section)
	trailer := int(sec.Offset+sec.Size) - trailerSize
	unsigned := 0
	for i := range signed {
		if i >= 64 && (i < int(sec.Offset) || i >= int(sec.Offset+sec.Size)) && i%8 != 0 {
			continue
		}
		b := bytes.Clone(signed)
		b[i] ^= 1 << (i % 8)
		if Check(b, pub) == nil {
			t.Fatalf("flip at %#x accepted with the key", i)
		}
		if Check(b, nil) == nil {
			if i < trailer || i >= trailer+trailerSize {
				t.Fatalf("flip at %#x outside the signature accepted by the seal", i)
			}
			unsigned++
		}
	}
	if unsigned != trailerSize {
		t.Errorf("%d flips in the signature were accepted without a key, want %d", unsigned, trailerSize)
	}
}

// TestOutputInPlace checks that Output seals an object with spare
// capacity in place, and one without by copying, with the same result
// as Seal, which never touches its input.
func TestOutputInPlace(t *testing.T) {
	obj := object(t)
	want, err := Seal(obj)
	if err != nil {
		t.Fatal(err)
	}
	roomy := make([]byte, len(obj), len(obj)+64<<10)
	copy(roomy, obj)
	got, err := Output(roomy, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) || &got[0] != &roomy[0] {
		t.Errorf("with room: equal %v, in place %v; want both", bytes.Equal(got, want), &got[0] == &roomy[0])
	}
	tight := bytes.Clone(obj)[:len(obj):len(obj)]
	got, err = Output(tight, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) || !bytes.Equal(tight, obj) {
		t.Error("without room: the result differs from Seal's, or the input changed")
	}
	if err := Check(got, nil); err != nil {
		t.Error(err)
	}
}
