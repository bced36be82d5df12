package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/urfave/cli/v2"
	"github.com/wasmaot/wasmaot/compiler"
)

func defaultCacheDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "wasmaot", "objects")
}

// loadOrCompile returns the object to run: the file itself if it is an ELF
// object, otherwise the module compiled for this machine, from the cache
// when an identical compile was done before.
func loadOrCompile(c *cli.Context, path string) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	if info.Size() > maxInputSize {
		return nil, fmt.Errorf("%s: file too large (%d bytes)", path, info.Size())
	}
	head := make([]byte, 4)
	if f, err := os.Open(path); err == nil {
		f.Read(head)
		f.Close()
	}
	if isELF(head) {
		return os.ReadFile(path)
	}
	bin, err := readModule(path)
	if err != nil {
		return nil, err
	}
	opts, err := compileOptions(c)
	if err != nil {
		return nil, err
	}
	if opts.Target != "" && opts.Target != runtime.GOARCH {
		return nil, fmt.Errorf("run: cannot run code for %s on %s", opts.Target, runtime.GOARCH)
	}
	cacheFile := ""
	if dir := c.String("cache-dir"); dir != "" {
		cacheFile = filepath.Join(dir, cacheKey(bin, opts)+".o")
		if obj, err := os.ReadFile(cacheFile); err == nil {
			return obj, nil
		}
	}
	obj, err := compiler.CompileContext(c.Context, bin, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if cacheFile != "" {
		// A cache that cannot be written only costs a recompile next time.
		if os.MkdirAll(filepath.Dir(cacheFile), 0o700) == nil {
			_ = writeFileAtomic(cacheFile, obj, 0o600)
		}
	}
	return obj, nil
}

// cacheKey names a compiled object by everything that determines it: the
// module bytes, compiler version, back end, options and the compiler build
// (compiler.Fingerprint), so that a rebuilt compiler never picks up a
// stale object. The runtime checks the object's metadata again on load.
func cacheKey(bin []byte, opts compiler.Options) string {
	h := sha256.New()
	h.Write(bin)
	fmt.Fprintf(h, "\x00%s\x00%s\x00%d\x00%s", compiler.CompilerVersion(opts.Backend), targetName(opts.Target), opts.OptLevel, compiler.Fingerprint())
	return hex.EncodeToString(h.Sum(nil))
}
