package compiler

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"sync"
)

// Build identifies the compiler's source. The Makefile sets it with
//
//	-ldflags "-X github.com/wasmaot/wasmaot/compiler.Build=<hash of the sources>"
//
// so that every binary built from the same sources, for any GOARCH, names
// compiled objects alike: objects cross-compiled on an x86-64 machine are
// then found in the cache by an arm64 build of wasmaot.
var Build string

// Fingerprint identifies this build of the compiler for object caches:
// Build when set, otherwise a hash of the running executable, so a
// rebuilt compiler never reuses objects compiled by an older one.
func Fingerprint() string {
	if Build != "" {
		return Build
	}
	return executableHash()
}

var executableHash = sync.OnceValue(func() string {
	path, err := os.Executable()
	if err != nil {
		return "unknown-executable"
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "unreadable-executable"
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
})
