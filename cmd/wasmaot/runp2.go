package main

import (
	"fmt"
	"os"
	"runtime"

	"github.com/urfave/cli/v2"

	"github.com/wasmaot/wasmaot/compiler"
	"github.com/wasmaot/wasmaot/rtlib"
	"github.com/wasmaot/wasmaot/rtlib/wasi/p2"
	"github.com/wasmaot/wasmaot/rtlib/wasi/p2/adapter"
)

// readComponent returns the file at path when it is a component binary.
func readComponent(path string) ([]byte, bool) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false
	}
	head := make([]byte, 8)
	n, _ := f.Read(head)
	f.Close()
	if !adapter.IsComponent(head[:n]) {
		return nil, false
	}
	bin, err := os.ReadFile(path)
	return bin, err == nil
}

// runCommandComponent runs a WASI 0.2 command component made from a
// preview1 program with the preview1 adapter (jco new --wasi-command)
// with the same grants and limits as a core module: its core modules are
// compiled like any module and its WASI 0.2 imports served by
// rtlib/wasi/p2.
// Any other component runs through rtlib/component (runComponent).
func runCommandComponent(c *cli.Context, path string, bin []byte, guestArgs []string) error {
	appWasm, adWasm, err := adapter.Split(bin)
	if err != nil {
		obj, err := compileComponent(c, path, bin)
		if err != nil {
			return err
		}
		return runComponent(c, path, obj, guestArgs)
	}
	opts, err := compileOptions(c)
	if err != nil {
		return cli.Exit(err, 2)
	}
	if opts.Target != "" && opts.Target != runtime.GOARCH {
		return cli.Exit(fmt.Sprintf("run: cannot run code for %s on %s", opts.Target, runtime.GOARCH), 2)
	}
	var mods []*rtlib.Module
	for _, wasm := range [][]byte{appWasm, adWasm} {
		obj, err := compiler.Cache{Dir: c.String("cache-dir")}.Compile(c.Context, wasm, opts)
		if err != nil {
			return cli.Exit(fmt.Sprintf("%s: %v", path, err), 1)
		}
		mod, err := rtlib.Load(obj)
		if err != nil {
			return cli.Exit(fmt.Sprintf("%s: %v", path, err), 1)
		}
		defer mod.Close()
		mods = append(mods, mod)
	}
	cfg, err := runLimits(c)
	if err != nil {
		return cli.Exit(err, 2)
	}
	host, err := newP2(c, path, guestArgs)
	if err != nil {
		return cli.Exit(err, 2)
	}
	defer host.Close()
	ctx, stop := guestContext(c)
	defer stop()
	err = adapter.Command{App: mods[0], Adapter: mods[1]}.Run(ctx, host, cfg)
	return guestExit(c, path, err)
}

// newP2 is the WASI 0.2 host of a run: the grants of its flags (--dir,
// --env, --inherit-env, --listen) and the process's stdio.
func newP2(c *cli.Context, path string, guestArgs []string) (*p2.Host, error) {
	wc, err := wasiConfig(c, path, guestArgs)
	if err != nil {
		return nil, err
	}
	return p2.New(p2.Config{Args: wc.Args, Env: wc.Env, Stdin: wc.Stdin, Stdout: wc.Stdout, Stderr: wc.Stderr,
		Preopens: wc.Preopens, Listeners: wc.Listeners})
}
