package compiler

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// Cache keeps compiled objects in a directory, named by everything that
// determines them (CacheKey), so that repeated compiles of the same module
// with the same options and compiler are skipped. The CLI (`run` of a
// .wasm, `wast`) and the test suites share it. The zero Cache (Dir "")
// caches nothing.
type Cache struct {
	Dir string
}

// DefaultCacheDir is the CLI's object cache: wasmaot/objects under the
// user's cache directory, or "" if there is none.
func DefaultCacheDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "wasmaot", "objects")
}

// CacheKey names the object Compile(wasmBytes, opts) returns: a hash of
// the module, the target, the back end, the optimisation level and the
// compiler's fingerprint for that back end, so a rebuilt compiler never
// picks up a stale object. (The runtime checks an object's metadata again
// when it loads it.)
func CacheKey(wasmBytes []byte, opts Options) string {
	opts = opts.withDefaults()
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%d\x00%s\x00", opts.Target, opts.Backend, opts.OptLevel, Fingerprint(opts.Backend))
	h.Write(wasmBytes)
	return hex.EncodeToString(h.Sum(nil))
}

// Compile returns the object for wasmBytes, from the cache when an
// identical compile was stored before, and stores what it compiles. A
// cache that cannot be read or written only costs a compile.
func (c Cache) Compile(ctx context.Context, wasmBytes []byte, opts Options) ([]byte, error) {
	path := c.Path(wasmBytes, opts)
	if path != "" {
		if obj, err := os.ReadFile(path); err == nil {
			return obj, nil
		}
	}
	obj, err := CompileContext(ctx, wasmBytes, opts)
	if err != nil {
		return nil, err
	}
	if path != "" {
		_ = c.store(path, obj)
	}
	return obj, nil
}

// Path is where the cache keeps the object of wasmBytes under opts, or ""
// for the zero Cache.
func (c Cache) Path(wasmBytes []byte, opts Options) string {
	if c.Dir == "" {
		return ""
	}
	return filepath.Join(c.Dir, CacheKey(wasmBytes, opts)+".o")
}

// store writes obj to path through a temporary file and a rename, so that
// concurrent readers never see a partial object.
func (c Cache) store(path string, obj []byte) error {
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(c.Dir, ".tmp-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(obj)
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		os.Remove(tmp.Name())
	}
	return werr
}

// withDefaults fills in the host target and the default back end.
func (o Options) withDefaults() Options {
	if o.Target == "" {
		o.Target = runtime.GOARCH
	}
	if o.Backend == "" {
		o.Backend = DefaultBackendFor(o.Target)
	}
	return o
}
