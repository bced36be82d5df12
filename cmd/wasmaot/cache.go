package main

import (
	"fmt"
	"os"
	"runtime"

	"github.com/urfave/cli/v2"
	"github.com/wasmaot/wasmaot/compiler"
)

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
	obj, err := compiler.Cache{Dir: c.String("cache-dir")}.Compile(c.Context, bin, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return obj, nil
}
