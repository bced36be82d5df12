package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
	"github.com/wasmaot/wasmaot/backend"
	"github.com/wasmaot/wasmaot/compiler"
	"github.com/wasmaot/wasmaot/lower"
)

func compileFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "target", Usage: "target architecture: amd64 or arm64 (default: this machine's)"},
		&cli.IntFlag{Name: "O", Value: compiler.DefaultOptLevel, Usage: "optimisation level 0..3"},
	}
}

// backendFlag selects the code generator of compile and run.
func backendFlag() cli.Flag {
	return &cli.StringFlag{Name: "backend",
		Usage: "code generator: " + strings.Join(backend.Names(), ", ") + " (default: " + compiler.DefaultBackend + ")"}
}

func compileCommand() *cli.Command {
	flags := append(compileFlags(), backendFlag(),
		&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "output object `FILE` (default: input name with .o)"},
		&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "print what was written and how long it took"},
		&cli.StringSliceFlag{Name: "dump", Usage: "write a `VIEW` of the compilation to stdout (repeatable): ir (after the passes), ir-after=PASS (after each run of PASS), llvm (the LLVM tier's LLVM IR), asm (disassembly of the object)"},
	)
	return &cli.Command{
		Name:      "compile",
		Usage:     "compile a WebAssembly module (.wasm or .wat) or component to a guarded native ELF object",
		ArgsUsage: "IN.wasm|IN.wat",
		Description: "Flags may come before or after the input, e.g.\n" +
			"   wasmaot compile app.wasm -o app.o --target arm64",
		Flags: flags,
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return cli.Exit("compile: expected exactly one input file", 2)
			}
			in := c.Args().First()
			out := c.String("output")
			if out == "" {
				out = strings.TrimSuffix(in, filepath.Ext(in)) + ".o"
			}
			bin, err := readModule(in)
			if err != nil {
				return cli.Exit(err, 1)
			}
			opts, err := compileOptions(c)
			if err != nil {
				return cli.Exit(err, 2)
			}
			if opts.Dump, err = dumpOptions(c.StringSlice("dump"), c.App.Writer); err != nil {
				return cli.Exit(err, 2)
			}
			start := time.Now()
			obj, err := compileAny(c.Context, bin, opts)
			if err != nil {
				return cli.Exit(fmt.Sprintf("%s: %v", in, err), 1)
			}
			if err := writeFileAtomic(out, obj, 0o644); err != nil {
				return cli.Exit(err, 1)
			}
			if c.Bool("verbose") {
				fmt.Fprintf(c.App.ErrWriter, "%s: wrote %s (%s, target %s, back end %s, -O%d) in %v\n",
					in, out, byteSize(len(obj)), targetName(opts.Target), opts.Backend, opts.OptLevel, time.Since(start).Round(time.Millisecond))
			}
			return nil
		},
	}
}

func compileOptions(c *cli.Context) (compiler.Options, error) {
	level := c.Int("O")
	if level < 0 || level > 3 {
		return compiler.Options{}, fmt.Errorf("-O %d: optimisation level must be 0..3", level)
	}
	target := c.String("target")
	switch target {
	case "", "amd64", "arm64":
	case "x86-64", "x86_64":
		target = "amd64"
	case "aarch64":
		target = "arm64"
	default:
		return compiler.Options{}, fmt.Errorf("--target %q: must be amd64 or arm64", target)
	}
	name := c.String("backend")
	if name == "" {
		name = compiler.DefaultBackendFor(target)
	}
	if _, err := backend.Lookup(name); err != nil {
		return compiler.Options{}, fmt.Errorf("--backend: %w", err)
	}
	return compiler.Options{Target: target, Backend: name, OptLevel: level}, nil
}

// dumpOptions parses the --dump views.
func dumpOptions(views []string, w io.Writer) (*compiler.Dump, error) {
	if len(views) == 0 {
		return nil, nil
	}
	d := &compiler.Dump{W: w}
	for _, v := range views {
		switch name, arg, _ := strings.Cut(v, "="); name {
		case "ir":
			d.IR = true
		case "ir-after":
			if arg == "" {
				return nil, fmt.Errorf("--dump=ir-after needs a pass: ir-after=PASS (passes: %s)", strings.Join(lower.PassNames(), ", "))
			}
			d.IRAfter = arg
		case "llvm":
			d.Text = true
		case "asm":
			d.Asm = true
		default:
			return nil, fmt.Errorf("--dump=%s: unknown view (have ir, ir-after=PASS, llvm, asm)", v)
		}
	}
	return d, nil
}

// writeFileAtomic writes data to a temporary file beside path and renames it
// into place, so that a reader never sees a half-written object.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	cerr := f.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(tmp, perm)
	}
	if werr == nil {
		werr = os.Rename(tmp, path)
	}
	if werr != nil {
		os.Remove(tmp)
	}
	return werr
}
