package spec

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/wasmaot/wasmaot/compiler"
	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/compiler/wast"
	"github.com/wasmaot/wasmaot/rtlib"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// LLVMOptions configures LLVMEngine.
type LLVMOptions struct {
	// OptLevel is the LLVM optimisation level (0..3).
	OptLevel int
	// Target is the architecture to compile for ("" = this machine's).
	// Objects for another architecture cannot run here: set CompileOnly.
	Target string
	// CompileOnly compiles every module into CacheDir and runs nothing:
	// Instantiate returns ErrCompileOnly. An x86-64 machine uses it to
	// cross-compile a suite's objects for an arm64 build of wasmaot
	// (run under emulation) to find in the same cache.
	CompileOnly bool
	// CacheDir, if set, keeps compiled objects by the hash of the module,
	// the target, the level and the running executable (so a rebuilt
	// compiler never sees a stale object), so that repeated suite runs
	// skip LLVM.
	CacheDir string
	// Backend names the code generator (compiler.Options.Backend); empty
	// means the LLVM tier.
	Backend string
}

// LLVMEngine returns a wast.Engine that compiles every module for the
// host architecture through the LLVM back end (compiler.Compile), loads
// the object with rtlib and runs it natively.
func LLVMEngine(opts LLVMOptions) wast.Engine { return &llvmEngine{opts: opts} }

// ErrCompileOnly is what Instantiate returns with LLVMOptions.CompileOnly.
var ErrCompileOnly = errors.New("compiled only, not run")

// DefaultLLVMCacheDir is the object cache the CLI and tests use: under the
// user's cache directory, or "" if there is none.
func DefaultLLVMCacheDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "wasmaot", "spec-objects")
}

type llvmEngine struct{ opts LLVMOptions }

type llvmInstance struct{ inst *rtlib.Instance }

func (e *llvmEngine) Instantiate(ctx context.Context, m *wasm.Module, bin []byte, imports func(module, name string) (wast.Extern, bool)) (wast.Instance, error) {
	obj, err := e.compile(ctx, bin)
	if err != nil {
		return nil, err
	}
	if e.opts.CompileOnly {
		return nil, ErrCompileOnly
	}
	mod, err := rtlib.Load(obj)
	if err != nil {
		return nil, err
	}
	cfg := rtlib.Config{Externs: map[string]map[string]rtlib.Extern{}}
	for _, im := range m.Imports {
		x, ok := imports(im.Module, im.Name)
		ext, isExt := x.(rtlib.Extern)
		if !ok || !isExt {
			return nil, &wast.LinkError{Msg: fmt.Sprintf("unknown import %s.%s", im.Module, im.Name)}
		}
		if cfg.Externs[im.Module] == nil {
			cfg.Externs[im.Module] = map[string]rtlib.Extern{}
		}
		cfg.Externs[im.Module][im.Name] = ext
	}
	inst, err := mod.Instantiate(ctx, cfg)
	if err != nil {
		return nil, rtlibError(err, true)
	}
	return &llvmInstance{inst: inst}, nil
}

// compile returns the object for bin, from the cache when possible.
func (e *llvmEngine) compile(ctx context.Context, bin []byte) ([]byte, error) {
	opts := compiler.Options{OptLevel: e.opts.OptLevel, Target: e.opts.Target, Backend: e.opts.Backend}
	if opts.Target == "" {
		opts.Target = runtime.GOARCH
	}
	var path string
	if e.opts.CacheDir != "" {
		key := sha256.New()
		fmt.Fprintf(key, "%s\x00%s\x00%d\x00%s\x00", compiler.CompilerVersion(opts.Backend), opts.Target, opts.OptLevel, compiler.Fingerprint())
		key.Write(bin)
		path = filepath.Join(e.opts.CacheDir, hex.EncodeToString(key.Sum(nil))+".o")
		if obj, err := os.ReadFile(path); err == nil {
			return obj, nil
		}
	}
	obj, err := compiler.CompileContext(ctx, bin, opts)
	if err != nil {
		return nil, err
	}
	if path != "" {
		// Best effort: a failed write only costs a recompile next time.
		// Write-then-rename: concurrent runs never see a partial object.
		if os.MkdirAll(e.opts.CacheDir, 0o755) == nil {
			if tmp, err := os.CreateTemp(e.opts.CacheDir, "tmp-*"); err == nil {
				_, werr := tmp.Write(obj)
				if cerr := tmp.Close(); werr == nil && cerr == nil {
					os.Rename(tmp.Name(), path)
				}
				os.Remove(tmp.Name()) // no-op after a successful rename
			}
		}
	}
	return obj, nil
}

// rtlibError classifies runtime errors for the script runner. At
// instantiation, an error that is not a trap is a link error.
func rtlibError(err error, instantiating bool) error {
	var trap *abi.Trap
	switch {
	case errors.As(err, &trap) && trap.Code == abi.TrapCallStackExhausted:
		return fmt.Errorf("%w: %v", &wast.ExhaustionError{}, err)
	case errors.As(err, &trap):
		return &wast.TrapError{Msg: trap.Code.String()}
	case instantiating && strings.HasPrefix(err.Error(), "import "):
		return &wast.LinkError{Msg: err.Error()}
	}
	return err
}

func (i *llvmInstance) Call(ctx context.Context, export string, args []wast.Value) ([]wast.Value, error) {
	f := i.inst.ExportedFunc(export)
	if f == nil {
		return nil, fmt.Errorf("no exported function %q", export)
	}
	var slots []uint64
	for _, a := range args {
		slots = append(slots, a.Lo)
		if a.Type == wasm.V128 {
			slots = append(slots, a.Hi)
		}
	}
	out, err := f.Call(ctx, slots...)
	if err != nil {
		return nil, rtlibError(err, false)
	}
	res := make([]wast.Value, 0, len(f.Results()))
	for _, t := range f.Results() {
		v := wast.Value{Type: wasm.ValType(t), Lo: out[0]}
		out = out[1:]
		if t == abi.V128 {
			v.Hi, out = out[0], out[1:]
		}
		if t == abi.I32 || t == abi.F32 {
			v.Lo &= 0xFFFFFFFF
		}
		res = append(res, v)
	}
	return res, nil
}

func (i *llvmInstance) Global(export string) (wast.Value, error) {
	g := i.inst.ExportedGlobal(export)
	if g == nil {
		return wast.Value{}, fmt.Errorf("no exported global %q", export)
	}
	s := g.Get()
	v := wast.Value{Type: wasm.ValType(g.Type().Type), Lo: s[0]}
	if len(s) > 1 {
		v.Hi = s[1]
	}
	return v, nil
}

func (i *llvmInstance) Export(name string) (wast.Extern, bool) {
	x, err := i.inst.Export(name)
	return x, err == nil
}
