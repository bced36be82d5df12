package seal

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"strings"
)

// Key files are one line of text: a label naming the kind of key, then
// the key in standard base64 (the 32-byte seed for a private key).
const (
	privateLabel = "wasmaot-ed25519-private "
	publicLabel  = "wasmaot-ed25519-public "
)

// EncodePrivateKey returns the key-file form of a private key.
func EncodePrivateKey(key ed25519.PrivateKey) []byte {
	return []byte(privateLabel + base64.StdEncoding.EncodeToString(key.Seed()) + "\n")
}

// EncodePublicKey returns the key-file form of a public key.
func EncodePublicKey(key ed25519.PublicKey) []byte {
	return []byte(publicLabel + base64.StdEncoding.EncodeToString(key) + "\n")
}

// DecodePrivateKey parses a private key file.
func DecodePrivateKey(data []byte) (ed25519.PrivateKey, error) {
	b, err := decodeKey(data, privateLabel, ed25519.SeedSize, "private")
	if err != nil {
		return nil, err
	}
	return ed25519.NewKeyFromSeed(b), nil
}

// DecodePublicKey parses a public key file.
func DecodePublicKey(data []byte) (ed25519.PublicKey, error) {
	b, err := decodeKey(data, publicLabel, ed25519.PublicKeySize, "public")
	if err != nil {
		return nil, err
	}
	return ed25519.PublicKey(b), nil
}

func decodeKey(data []byte, label string, size int, kind string) ([]byte, error) {
	s, ok := strings.CutPrefix(strings.TrimSpace(string(data)), label)
	if !ok {
		return nil, errors.New("seal: not a wasmaot ed25519 " + kind + " key (the file should start with \"" + strings.TrimSpace(label) + "\")")
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != size {
		return nil, errors.New("seal: malformed ed25519 " + kind + " key")
	}
	return b, nil
}
