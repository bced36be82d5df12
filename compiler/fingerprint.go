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

// Fingerprint identifies this build of the compiler with the named back
// end for object caches: Build when set, otherwise a hash of the running
// executable (so a rebuilt compiler never reuses objects compiled by an
// older one), followed by the compiler version with the back end's name.
func Fingerprint(backendName string) string {
	build := Build
	if build == "" {
		build = executableHash()
	}
	return build + " " + CompilerVersion(backendName)
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
