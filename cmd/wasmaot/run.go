package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"
	"github.com/wasmaot/wasmaot/compiler"
	"github.com/wasmaot/wasmaot/rtlib"
	"github.com/wasmaot/wasmaot/rtlib/abi"
	rc "github.com/wasmaot/wasmaot/rtlib/component"
	"github.com/wasmaot/wasmaot/rtlib/wasi"
)

// trapExitCode is the exit status of a guest that trapped (128+SIGABRT, as
// other runtimes report it).
const trapExitCode = 134

func runCommand() *cli.Command {
	flags := append(compileFlags(), backendFlag(),
		&cli.StringFlag{Name: "invoke", Usage: "call exported function `NAME` with the arguments instead of running _start"},
		&cli.StringSliceFlag{Name: "dir", Usage: "grant a directory: `HOST[::GUEST][:ro]` (repeatable)"},
		&cli.StringSliceFlag{Name: "env", Usage: "grant an environment variable `K=V` (repeatable)"},
		&cli.StringSliceFlag{Name: "listen", Usage: "grant a listening TCP socket on `HOST:PORT` for sock_accept (repeatable; fds follow the preopens)"},
		&cli.BoolFlag{Name: "inherit-env", Usage: "grant the whole host environment (explicit opt-in)"},
		&cli.DurationFlag{Name: "timeout", Usage: "interrupt the guest after `DURATION` (e.g. 5s)"},
		&cli.StringFlag{Name: "max-memory", Usage: "cap linear memory at `SIZE` (bytes, or with K/M/G/KiB/MiB/GiB suffix; rounded up to whole 64 KiB pages; 0 is refused)"},
		&cli.StringFlag{Name: "cache-dir", Value: compiler.DefaultCacheDir(), Usage: "where objects compiled from .wasm inputs are cached (empty: no cache)"},
		&cli.StringFlag{Name: "verify-key", Usage: "run only an object signed with the private key of public key `FILE` (from keygen; see sign)"},
		&cli.BoolFlag{Name: "perf-map", Usage: "write the wasm functions' addresses to /tmp/perf-PID.map for perf"},
	)
	return &cli.Command{
		Name:      "run",
		Usage:     "run a compiled object (.o) or a module (.wasm/.wat, compiled first and cached)",
		ArgsUsage: "APP.o|APP.wasm|APP.wat [ARGS...]",
		Description: "Flags come before APP; everything after APP goes to the guest.\n" +
			"   wasmaot run --dir data::/data --env HOME=/ app.o input.txt\n" +
			"   wasmaot run --invoke add math.wasm 1 2",
		Flags:  flags,
		Action: runGuest,
	}
}

func runGuest(c *cli.Context) error {
	if c.NArg() == 0 {
		return cli.Exit("run: no module given", 2)
	}
	path := c.Args().First()
	guestArgs := c.Args().Tail()
	if len(guestArgs) > 0 && guestArgs[0] == "--" {
		guestArgs = guestArgs[1:]
	}
	key, err := verifyKey(c)
	if err != nil {
		return cli.Exit(fmt.Sprintf("--verify-key: %v", err), 2)
	}
	if isTreeManifest(path) {
		return runTree(c, path)
	}
	if bin, ok := readComponent(path); ok {
		if c.String("invoke") != "" {
			return invokeComponent(c, path, bin, guestArgs)
		}
		return runCommandComponent(c, path, bin, guestArgs)
	}
	obj, err := loadOrCompile(c, path)
	if err != nil {
		return cli.Exit(err, 1)
	}
	if rc.IsObject(obj) {
		return runComponent(c, path, obj, guestArgs)
	}
	var mod *rtlib.Module
	if key != nil {
		mod, err = rtlib.LoadVerified(obj, key)
	} else {
		mod, err = rtlib.Load(obj)
	}
	if err != nil {
		return cli.Exit(fmt.Sprintf("%s: %v", path, err), 1)
	}
	defer mod.Close()
	if c.Bool("perf-map") {
		if err := mod.AppendPerfMap(); err != nil {
			return cli.Exit(fmt.Sprintf("--perf-map: %v", err), 1)
		}
	}

	cfg, err := runLimits(c)
	if err != nil {
		return cli.Exit(err, 2)
	}
	w, err := newWASI(c, path, guestArgs)
	if err != nil {
		return cli.Exit(err, 2)
	}
	defer w.Close()
	cfg.HostModules = map[string]abi.HostModule{wasi.ModuleName: w}

	ctx, stop := guestContext(c)
	defer stop()
	inst, err := mod.Instantiate(ctx, cfg)
	if err != nil {
		return guestExit(c, path, err)
	}
	defer inst.Close()

	if name := c.String("invoke"); name != "" {
		return invoke(c, ctx, inst, name, guestArgs)
	}
	start := inst.ExportedFunc("_start")
	if start == nil {
		return cli.Exit(fmt.Sprintf("%s: no _start export (not a WASI command); use --invoke NAME", path), 1)
	}
	_, err = start.Call(ctx)
	return guestExit(c, path, err)
}

// guestContext is the context a guest runs under: cancelled by an
// interrupt signal or after --timeout.
func guestContext(c *cli.Context) (context.Context, func()) {
	ctx, stop := signal.NotifyContext(c.Context, os.Interrupt)
	if d := c.Duration("timeout"); d > 0 {
		ctx, cancel := context.WithTimeout(ctx, d)
		return ctx, func() { cancel(); stop() }
	}
	return ctx, stop
}

// runLimits is the rtlib.Config of the run's resource flags (--max-memory).
func runLimits(c *cli.Context) (rtlib.Config, error) {
	var cfg rtlib.Config
	if s := c.String("max-memory"); s != "" {
		pages, err := memoryCap(s)
		if err != nil {
			return cfg, fmt.Errorf("--max-memory: %v", err)
		}
		cfg.MaxMemoryPages = pages
	}
	return cfg, nil
}

// guestExit turns how the guest ended into wasmaot's exit status: the
// guest's own code for proc_exit, trapExitCode for a trap.
func guestExit(c *cli.Context, path string, err error) error {
	var exit *wasi.ExitError
	var trap *abi.Trap
	switch {
	case err == nil:
		return nil
	case errors.As(err, &exit):
		if exit.Code == 0 {
			return nil
		}
		return cli.Exit("", int(exit.Code))
	case errors.As(err, &trap):
		return cli.Exit(fmt.Sprintf("%s: %v", path, err), trapExitCode)
	}
	return cli.Exit(fmt.Sprintf("%s: %v", path, err), 1)
}

func newWASI(c *cli.Context, path string, guestArgs []string) (*wasi.WASI, error) {
	cfg, err := wasiConfig(c, path, guestArgs)
	if err != nil {
		return nil, err
	}
	w, err := wasi.New(cfg)
	if err != nil {
		for _, l := range cfg.Listeners {
			l.Close()
		}
	}
	return w, err
}

// wasiConfig gathers the grants of the command line (--dir, --env,
// --inherit-env, --listen) for either version of WASI.
func wasiConfig(c *cli.Context, path string, guestArgs []string) (wasi.Config, error) {
	cfg := wasi.Config{
		Args:   append([]string{path}, guestArgs...),
		Stdin:  guestStdin(),
		Stdout: os.Stdout,
		Stderr: os.Stderr,
	}
	if c.Bool("inherit-env") {
		cfg.Env = os.Environ()
	}
	for _, kv := range c.StringSlice("env") {
		if !strings.Contains(kv, "=") {
			return cfg, fmt.Errorf("--env %q: want K=V", kv)
		}
		cfg.Env = append(cfg.Env, kv)
	}
	for _, d := range c.StringSlice("dir") {
		p, err := wasi.ParseDirFlag(d)
		if err != nil {
			return cfg, fmt.Errorf("--dir %q: %v", d, err)
		}
		cfg.Preopens = append(cfg.Preopens, p)
	}
	for _, addr := range c.StringSlice("listen") {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			for _, l := range cfg.Listeners {
				l.Close()
			}
			return cfg, fmt.Errorf("--listen %q: %v", addr, err)
		}
		cfg.Listeners = append(cfg.Listeners, l)
	}
	return cfg, nil
}

// invoke calls one export with arguments parsed by its parameter types and
// prints each result on its own line.
func invoke(c *cli.Context, ctx context.Context, inst *rtlib.Instance, name string, args []string) error {
	f := inst.ExportedFunc(name)
	if f == nil {
		return cli.Exit(fmt.Sprintf("no exported function %q", name), 1)
	}
	params := f.Params()
	if len(args) != len(params) {
		return cli.Exit(fmt.Sprintf("%s takes %d argument(s), got %d", name, len(params), len(args)), 2)
	}
	var slots []uint64
	for i, t := range params {
		s, err := parseValue(t, args[i])
		if err != nil {
			return cli.Exit(fmt.Sprintf("argument %d: %v", i+1, err), 2)
		}
		slots = append(slots, s...)
	}
	results, err := f.Call(ctx, slots...)
	if err != nil {
		return guestExit(c, name, err)
	}
	printResults(c.App.Writer, f.Results(), results)
	return nil
}

func parseValue(t abi.ValType, s string) ([]uint64, error) {
	switch t {
	case abi.I32:
		v, err := strconv.ParseInt(s, 0, 64)
		if err != nil || v < -1<<31 || v > 1<<32-1 {
			return nil, fmt.Errorf("%q is not an i32", s)
		}
		return []uint64{uint64(uint32(v))}, nil
	case abi.I64:
		if v, err := strconv.ParseInt(s, 0, 64); err == nil {
			return []uint64{uint64(v)}, nil
		}
		v, err := strconv.ParseUint(s, 0, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not an i64", s)
		}
		return []uint64{v}, nil
	case abi.F32:
		v, err := strconv.ParseFloat(s, 32)
		if err != nil {
			return nil, fmt.Errorf("%q is not an f32", s)
		}
		return []uint64{rtlib.F32(float32(v))}, nil
	case abi.F64:
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not an f64", s)
		}
		return []uint64{rtlib.F64(v)}, nil
	}
	return nil, fmt.Errorf("parameters of type %v cannot be given on the command line", t)
}

func printResults(w io.Writer, types []abi.ValType, slots []uint64) {
	for _, t := range types {
		switch t {
		case abi.I32:
			fmt.Fprintln(w, rtlib.AsI32(slots[0]))
		case abi.I64:
			fmt.Fprintln(w, rtlib.AsI64(slots[0]))
		case abi.F32:
			fmt.Fprintln(w, strconv.FormatFloat(float64(rtlib.AsF32(slots[0])), 'g', -1, 32))
		case abi.F64:
			fmt.Fprintln(w, strconv.FormatFloat(rtlib.AsF64(slots[0]), 'g', -1, 64))
		case abi.V128:
			fmt.Fprintf(w, "0x%016x%016x\n", slots[1], slots[0])
		default:
			fmt.Fprintf(w, "%v:%#x\n", t, slots[0])
		}
		slots = slots[t.Slots():]
	}
}

// parseSize parses a byte count with an optional K/M/G (×1000) or
// KiB/MiB/GiB (×1024) suffix.
func parseSize(s string) (uint64, error) {
	units := []struct {
		suffix string
		mul    uint64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"K", 1e3}, {"M", 1e6}, {"G", 1e9}, {"B", 1}}
	mul := uint64(1)
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			s, mul = strings.TrimSuffix(s, u.suffix), u.mul
			break
		}
	}
	n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
	if err != nil || n > (1<<40)/mul {
		return 0, fmt.Errorf("%q is not a size", s)
	}
	return n * mul, nil
}

// memoryCap converts a --max-memory size to whole 64 KiB pages, rounding
// up (at most 65,536, 4 GiB). Zero is refused: rtlib.Config reads a cap of
// 0 pages as "no cap", the opposite of what it says.
func memoryCap(s string) (uint32, error) {
	n, err := parseSize(s)
	if err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, fmt.Errorf("a cap of 0 bytes leaves no memory; give at least one 64 KiB page, or omit the flag for the 4 GiB limit")
	}
	return uint32(min((n+65535)/65536, 65536)), nil
}

func targetName(t string) string {
	if t == "" {
		return runtime.GOARCH
	}
	return t
}
