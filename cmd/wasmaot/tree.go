package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/wasmaot/wasmaot/compiler"
	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/rtlib"
	"github.com/wasmaot/wasmaot/rtlib/wasi/p2"
	"github.com/wasmaot/wasmaot/rtlib/wasi/p2/adapter"
	"github.com/wasmaot/wasmaot/rtlib/wasi/p2/tree"
)

// isTreeManifest reports whether path names a delegation-tree manifest.
func isTreeManifest(path string) bool { return strings.HasSuffix(path, ".json") }

// inspectTree prints a delegation tree with each node's grants, then
// every import a node's module asks for that its grants do not cover.
func inspectTree(c *cli.Context, path string) error {
	t, err := tree.Load(path)
	if err != nil {
		return cli.Exit(err, 1)
	}
	fmt.Fprint(c.App.Writer, t.Describe())
	if err := checkTree(c.App.Writer, t); err != nil {
		return cli.Exit(err, 1)
	}
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

// checkTree prints, for every node, the imports of its module that its
// grants do not cover: Build would refuse to link them.
func checkTree(w io.Writer, n *tree.Node) error {
	bin, err := readModule(n.Module)
	if err != nil {
		return fmt.Errorf("node %q: %w", n.Name, err)
	}
	command := adapter.IsComponent(bin)
	if command {
		// The adapter's WASI 0.2 imports are the command's; its memory and
		// _start come from the command's own application module.
		if _, bin, err = adapter.Split(bin); err != nil {
			return fmt.Errorf("node %q: %w", n.Name, err)
		}
	}
	m, err := wasm.Decode(bin)
	if err != nil {
		return fmt.Errorf("node %q: %w", n.Name, err)
	}
	for _, im := range m.Imports {
		if _, isWASI := p2.Interface(im.Module); command && !isWASI {
			continue
		}
		if !n.Allows(im.Module, im.Name) {
			fmt.Fprintf(w, "node %s: import %s#%s is not granted: the tree will not link\n", n.Name, im.Module, im.Name)
		}
	}
	for _, c := range n.Children {
		if err := checkTree(w, c); err != nil {
			return err
		}
	}
	return nil
}
