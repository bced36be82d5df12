package adapter

import (
	"bytes"
	"testing"
)

// section encodes one component section.
func section(id byte, body []byte) []byte {
	return append([]byte{id, byte(len(body))}, body...)
}

func TestSplit(t *testing.T) {
	app := []byte("\x00asm\x01\x00\x00\x00 imports wasi_snapshot_preview1")
	ad := []byte("\x00asm\x01\x00\x00\x00 exports wasi:cli/run@0.2.3#run")
	good := append(append(append([]byte{}, componentPreamble...), section(1, app)...), section(1, ad)...)
	good = append(good, section(4, []byte("nested"))...)
	a, b, err := Split(good)
	if err != nil || !bytes.Equal(a, app) || !bytes.Equal(b, ad) {
		t.Fatalf("Split = %q, %q, %v", a, b, err)
	}
	for name, bad := range map[string][]byte{
		"core module":    app,
		"one module":     append(append([]byte{}, componentPreamble...), section(1, app)...),
		"truncated":      good[:len(good)-3],
		"swapped":        append(append(append([]byte{}, componentPreamble...), section(1, ad)...), section(1, app)...),
		"huge section":   append(append([]byte{}, componentPreamble...), 1, 0xff, 0xff, 0xff, 0xff, 0x0f),
		"preamble alone": componentPreamble,
	} {
		if _, _, err := Split(bad); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// FuzzSplit: any input is split or refused, never a panic.
func FuzzSplit(f *testing.F) {
	f.Add(append(append([]byte{}, componentPreamble...), section(1, []byte("wasi_snapshot_preview1"))...))
	f.Add(componentPreamble)
	f.Fuzz(func(t *testing.T, b []byte) {
		app, ad, err := Split(b)
		if err == nil && (len(app) == 0 || len(ad) == 0) {
			t.Fatal("split without both modules")
		}
	})
}
