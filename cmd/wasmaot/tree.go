package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/wasmaot/wasmaot/compiler"
	"github.com/wasmaot/wasmaot/rtlib"
	"github.com/wasmaot/wasmaot/rtlib/wasi/p2/tree"
)

// isTreeManifest reports whether path names a delegation-tree manifest.
func isTreeManifest(path string) bool { return strings.HasSuffix(path, ".json") }

// inspectTree prints a delegation tree with each node's grants.
func inspectTree(c *cli.Context, path string) error {
	t, err := tree.Load(path)
	if err != nil {
		return cli.Exit(err, 1)
	}
	fmt.Fprint(c.App.Writer, t.Describe())
	return nil
}

// runTree builds a delegation tree (every node compiled through the
// cache, linked only to what its parent grants) and runs its root. The
// root's "inherit" streams are wasmaot's own; --timeout and --max-memory
// apply to every node.
func runTree(c *cli.Context, path string) error {
	spec, err := tree.Load(path)
	if err != nil {
		return cli.Exit(err, 2)
	}
	opts, err := compileOptions(c)
	if err != nil {
		return cli.Exit(err, 2)
	}
	if opts.Target != "" && opts.Target != runtime.GOARCH {
		return cli.Exit(fmt.Sprintf("run: cannot run code for %s on %s", opts.Target, runtime.GOARCH), 2)
	}
	core, err := runLimits(c)
	if err != nil {
		return cli.Exit(err, 2)
	}
	ctx, stop := guestContext(c)
	defer stop()
	compile := func(ctx context.Context, wasm []byte) (*rtlib.Module, error) {
		obj, err := compiler.Cache{Dir: c.String("cache-dir")}.Compile(ctx, wasm, opts)
		if err != nil {
			return nil, err
		}
		return rtlib.Load(obj)
	}
	t, err := tree.Build(ctx, spec, tree.Options{Stdin: guestStdin(), Stdout: os.Stdout, Stderr: os.Stderr, Compile: compile, Core: core})
	if err != nil {
		return cli.Exit(err, 1)
	}
	defer t.Close()
	return guestExit(c, path, t.Run(ctx))
}
