package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v2"
	"go.bytecodealliance.org/wit"

	"github.com/wasmaot/wasmaot/compiler"
	"github.com/wasmaot/wasmaot/compiler/component"
	"github.com/wasmaot/wasmaot/rtlib/abi"
	rc "github.com/wasmaot/wasmaot/rtlib/component"
	"github.com/wasmaot/wasmaot/rtlib/wasi"
)

// compileAny compiles a core module or a component (to a component
// object).
func compileAny(ctx context.Context, bin []byte, opts compiler.Options) ([]byte, error) {
	if component.IsComponent(bin) {
		return component.Compile(ctx, bin, opts)
	}
	return compiler.CompileContext(ctx, bin, opts)
}

// invokeComponent compiles a component binary and calls --invoke NAME.
func invokeComponent(c *cli.Context, path string, bin []byte, args []string) error {
	obj, err := compileComponent(c, path, bin)
	if err != nil {
		return err
	}
	return runComponent(c, path, obj, args)
}

// compileComponent compiles a component binary to a component object.
func compileComponent(c *cli.Context, path string, bin []byte) ([]byte, error) {
	opts, err := compileOptions(c)
	if err != nil {
		return nil, cli.Exit(err, 2)
	}
	obj, err := component.Compile(c.Context, bin, opts)
	if err != nil {
		return nil, cli.Exit(fmt.Sprintf("%s: %v", path, err), 1)
	}
	return obj, nil
}

// runComponent instantiates a component object, its WASI 0.2 imports
// served by rtlib/wasi/p2 with the run's grants, and calls --invoke NAME
// with WAVE arguments, printing the result in WAVE; without --invoke it
// runs the component as a command (its wasi:cli/run export) with args as
// the guest's arguments.
func runComponent(c *cli.Context, path string, obj []byte, args []string) error {
	limits, err := runLimits(c)
	if err != nil {
		return cli.Exit(err, 2)
	}
	cfg := rc.Config{Core: limits}
	o, err := rc.Load(obj)
	if err != nil {
		return cli.Exit(fmt.Sprintf("%s: %v", path, err), 1)
	}
	defer o.Close()
	name := c.String("invoke")
	run := commandExport(o.Graph)
	if name == "" && run == "" {
		return cli.Exit(fmt.Sprintf("%s: a component without a wasi:cli/run export is run with --invoke NAME (exports: %s)", path, strings.Join(exportNames(o.Graph), ", ")), 2)
	}
	guestArgs := args
	if name != "" {
		guestArgs = nil // the arguments are the function's
	}
	host, err := newP2(c, path, guestArgs)
	if err != nil {
		return cli.Exit(err, 2)
	}
	defer host.Close()
	var imports []string
	for _, im := range o.Graph.Imports {
		imports = append(imports, im.Name)
	}
	cfg.Instances = host.Instances(imports)
	ctx, stop := guestContext(c)
	defer stop()
	inst, err := o.Instantiate(ctx, cfg)
	if err != nil {
		return componentExit(path, err)
	}
	defer inst.Close()
	if name == "" {
		return callRun(ctx, path, inst, run)
	}
	f, err := inst.Func(name)
	if err != nil {
		return cli.Exit(fmt.Sprintf("%s: %v (exports: %s)", path, err, strings.Join(inst.Funcs(), ", ")), 1)
	}
	params := f.Type().Params
	if len(args) != len(params) {
		return cli.Exit(fmt.Sprintf("%s takes %d argument(s), got %d: %s", name, len(params), len(args), f.Type()), 2)
	}
	vals := make([]rc.Value, len(args))
	for i, p := range params {
		if vals[i], err = rc.ParseWAVE(args[i], p.Type); err != nil {
			return cli.Exit(fmt.Sprintf("argument %d (%s: %s): %v", i+1, p.Name, p.Type, err), 2)
		}
	}
	res, err := f.Call(ctx, vals...)
	if err != nil {
		return componentExit(name, err)
	}
	if t := f.Type().Result; t != nil {
		fmt.Fprintln(c.App.Writer, rc.FormatWAVE(res, t))
	}
	return nil
}

// commandExport is the name of a component's wasi:cli/run@0.2.x#run
// export, or "".
func commandExport(g *rc.Graph) string {
	for _, ex := range g.Exports {
		if !strings.HasPrefix(ex.Name, "wasi:cli/run@0.2.") {
			continue
		}
		for _, f := range ex.Funcs {
			if f.Name == "run" {
				return ex.Name + "#run"
			}
		}
	}
	return ""
}

// callRun calls a command component's run function: its error result
// is failure (status 1), wasi:cli/exit ends it with the given status.
func callRun(ctx context.Context, path string, inst *rc.Instance, name string) error {
	f, err := inst.Func(name)
	if err != nil {
		return cli.Exit(fmt.Sprintf("%s: %v", path, err), 1)
	}
	res, err := f.Call(ctx)
	if err != nil {
		return componentExit(path, err)
	}
	if r, ok := res.(rc.Case); ok && r.Index != 0 {
		return cli.Exit("", 1)
	}
	return nil
}

// componentExit turns how a component call ended into wasmaot's exit
// status: wasi:cli/exit's status, trapExitCode for a trap, else 1.
func componentExit(what string, err error) error {
	var exit *wasi.ExitError
	if errors.As(err, &exit) {
		if exit.Code == 0 {
			return nil
		}
		return cli.Exit("", int(exit.Code))
	}
	var trap *abi.Trap
	var ctrap *rc.Trap
	if errors.As(err, &trap) || errors.As(err, &ctrap) {
		return cli.Exit(fmt.Sprintf("%s: %v", what, err), trapExitCode)
	}
	return cli.Exit(fmt.Sprintf("%s: %v", what, err), 1)
}

func exportNames(g *rc.Graph) []string {
	var out []string
	for _, ex := range g.Exports {
		if ex.Func != nil {
			out = append(out, ex.Name)
		}
		for _, f := range ex.Funcs {
			out = append(out, ex.Name+"#"+f.Name)
		}
	}
	return out
}

// inspectComponent prints a component's WIT world: read by
// go.bytecodealliance.org/wit from a component binary, or rebuilt from the
// instance graph of a component object.
func inspectComponent(w io.Writer, path string, bin []byte) error {
	if component.IsComponent(bin) {
		if _, err := component.Parse(bin); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		res, err := wit.DecodeWIT(bytes.NewReader(bin))
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		fmt.Fprintf(w, "// %s: component (%d bytes)\n", path, len(bin))
		fmt.Fprint(w, res.WIT(nil, ""))
		return nil
	}
	g, mods, err := rc.ReadGraph(bin)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	fmt.Fprintf(w, "// %s: component object (%d bytes, %d core modules, %d core instances)\n", path, len(bin), len(mods), len(g.Instances))
	fmt.Fprint(w, graphWorld(g))
	return nil
}

// graphWorld renders a graph's imports and exports as a WIT world (types
// written out structurally: the object keeps no type names).
func graphWorld(g *rc.Graph) string {
	var b strings.Builder
	b.WriteString("world root {\n")
	for _, im := range g.Imports {
		if im.Func != nil {
			fmt.Fprintf(&b, "  import %s: %s;\n", im.Name, im.Func)
			continue
		}
		fmt.Fprintf(&b, "  import %s: interface {\n", im.Name)
		for _, r := range im.Resources {
			fmt.Fprintf(&b, "    resource %s; // resource%d\n", g.Resources[r].Name, r)
		}
		for _, f := range im.Funcs {
			fmt.Fprintf(&b, "    %s: %s;\n", f.Name, f.Type)
		}
		b.WriteString("  }\n")
	}
	calleeType := func(c rc.Callee) *rc.FuncType {
		if c.Lift >= 0 {
			return g.Lifts[c.Lift].Type
		}
		im := g.Imports[c.Import]
		for _, f := range im.Funcs {
			if f.Name == c.Name {
				return f.Type
			}
		}
		return im.Func
	}
	for _, ex := range g.Exports {
		if ex.Func != nil {
			fmt.Fprintf(&b, "  export %s: %s;\n", ex.Name, calleeType(*ex.Func))
			continue
		}
		fmt.Fprintf(&b, "  export %s: interface {\n", ex.Name)
		for _, r := range ex.Resources {
			fmt.Fprintf(&b, "    resource %s; // resource%d\n", g.Resources[r].Name, r)
		}
		for _, f := range ex.Funcs {
			fmt.Fprintf(&b, "    %s: %s;\n", f.Name, calleeType(f.Callee))
		}
		b.WriteString("  }\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// isComponentFile reports whether path holds a component binary or a
// component object.
func isComponentFile(path string) (bool, []byte, error) {
	bin, err := os.ReadFile(path)
	if err != nil {
		return false, nil, err
	}
	return component.IsComponent(bin) || (isELF(bin) && rc.IsObject(bin)), bin, nil
}
