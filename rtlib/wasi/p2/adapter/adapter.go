// Package adapter runs a WASI preview1 core module as a WASI 0.2 command
// on rtlib. It builds, at core level, the instance graph that
// `jco new app.wasm --wasi-command` (or wasm-tools' `component new
// --adapt`) puts into a command component: the application module, whose
// wasi_snapshot_preview1 imports are the exports of the preview1 adapter
// module (wasi_snapshot_preview1.command.wasm, which turns every preview1
// call into WASI 0.2 calls and shares the application's memory), and the
// adapter's WASI 0.2 imports served by a p2.Host through their
// canonical-ABI lowering, with the adapter's cabi_import_realloc as the
// realloc option. The command runs by calling the adapter's
// wasi:cli/run#run export.
package adapter

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/wasmaot/wasmaot/rtlib"
	"github.com/wasmaot/wasmaot/rtlib/abi"
	"github.com/wasmaot/wasmaot/rtlib/wasi"
	"github.com/wasmaot/wasmaot/rtlib/wasi/p2"
)

// Names the adapter imports and exports.
const (
	mainModule    = "__main_module__"
	runPrefix     = "wasi:cli/run@0.2."
	importRealloc = "cabi_import_realloc"
)

// Command is an application module linked to the preview1 adapter.
type Command struct {
	App, Adapter *rtlib.Module
}

// Run instantiates the command with host's capabilities and calls
// wasi:cli/run. It returns nil on success and *wasi.ExitError when the
// command exits or run returns its error (WASI 0.2 carries only success,
// Code 0, or failure, Code 1). cfg supplies the limits (memory pages,
// fuel); its import fields must be empty.
func (c Command) Run(ctx context.Context, host *p2.Host, cfg rtlib.Config) error {
	if cfg.HostFuncs != nil || cfg.HostModules != nil || cfg.Externs != nil || cfg.Instances != nil {
		return errors.New("adapter: cfg must not provide imports: the command's imports are WASI 0.2")
	}
	var adapterInst, appInst *rtlib.Instance
	// The application's preview1 imports call the adapter's exports,
	// which exist only once the adapter is instantiated with the
	// application's memory: a Go forwarder breaks the cycle.
	forward := map[string]abi.HostFunc{}
	meta := c.App.Meta()
	for _, im := range meta.Imports {
		if im.Kind != abi.ExternFunc {
			return fmt.Errorf("adapter: the application imports %v %s.%s; a command may import only functions", im.Kind, im.Module, im.Name)
		}
		if im.Module != wasi.ModuleName {
			return fmt.Errorf("adapter: the application imports %s.%s, which a preview1 command cannot have", im.Module, im.Name)
		}
		ft := meta.Types[im.FuncType]
		name := adapterExport(im.Name)
		key := im.Name
		var target *rtlib.Func
		forward[key] = abi.HostFunc{Params: ft.Params, Results: ft.Results,
			Fn: func(ctx context.Context, _ abi.Caller, stack []uint64) error {
				if target == nil {
					if adapterInst == nil {
						return fmt.Errorf("adapter: the application called %s while it was being instantiated (before the adapter exists)", name)
					}
					if target = adapterInst.ExportedFunc(name); target == nil {
						return fmt.Errorf("adapter: the preview1 adapter does not export %s", name)
					}
				}
				return target.CallWithStack(ctx, stack)
			}}
	}
	appCfg := cfg
	appCfg.HostFuncs = map[string]map[string]abi.HostFunc{wasi.ModuleName: forward}
	var err error
	if appInst, err = c.App.Instantiate(ctx, appCfg); err != nil {
		return fmt.Errorf("adapter: application: %w", err)
	}
	defer appInst.Close()
	mem := appInst.MemoryObject()
	if mem == nil {
		return errors.New("adapter: the application has no memory")
	}

	binding := host.Bind()
	var modules []string
	for _, im := range c.Adapter.Meta().Imports {
		modules = append(modules, im.Module)
	}
	adCfg := cfg
	adCfg.HostModules = binding.HostModules(modules)
	adCfg.Externs = map[string]map[string]rtlib.Extern{"env": {"memory": mem}}
	main := map[string]abi.HostFunc{}
	if start := appInst.ExportedFunc("_start"); start != nil {
		adCfg.Externs[mainModule] = map[string]rtlib.Extern{"_start": start}
	}
	if realloc := appInst.ExportedFunc("cabi_realloc"); realloc != nil {
		adCfg.Externs[mainModule]["cabi_realloc"] = realloc
	} else {
		main["cabi_realloc"] = growRealloc(mem)
	}
	adCfg.HostFuncs = map[string]map[string]abi.HostFunc{mainModule: main}
	if adapterInst, err = c.Adapter.Instantiate(ctx, adCfg); err != nil {
		return fmt.Errorf("adapter: preview1 adapter: %w", err)
	}
	defer adapterInst.Close()
	realloc := adapterInst.ExportedFunc(importRealloc)
	if realloc == nil {
		return fmt.Errorf("adapter: the preview1 adapter does not export %s", importRealloc)
	}
	binding.Realloc = func(ctx context.Context, align, size uint32) (uint32, error) {
		r, err := realloc.Call(ctx, 0, 0, uint64(align), uint64(size))
		if err != nil {
			return 0, err
		}
		return uint32(r[0]), nil
	}
	run := runExport(adapterInst, c.Adapter.Meta())
	if run == nil {
		return errors.New("adapter: the preview1 adapter exports no wasi:cli/run@0.2.x#run")
	}
	res, err := run.Call(ctx)
	if err != nil {
		return err
	}
	if res[0] != 0 {
		return &wasi.ExitError{Code: 1}
	}
	return nil
}

func runExport(inst *rtlib.Instance, meta *abi.Meta) *rtlib.Func {
	for _, e := range meta.Exports {
		if strings.HasPrefix(e.Name, runPrefix) && strings.HasSuffix(e.Name, "#run") {
			return inst.ExportedFunc(e.Name)
		}
	}
	return nil
}

// growRealloc is the cabi_realloc a module without one gets (what
// wit-component synthesizes): fresh allocations only, by growing memory
// whole pages at a time.
func growRealloc(mem *rtlib.Memory) abi.HostFunc {
	i32 := abi.I32
	return abi.HostFunc{Params: []abi.ValType{i32, i32, i32, i32}, Results: []abi.ValType{i32},
		Fn: func(_ context.Context, _ abi.Caller, stack []uint64) error {
			if stack[0] != 0 || stack[1] != 0 {
				return errors.New("adapter: cabi_realloc cannot resize an allocation")
			}
			size := uint32(stack[3])
			pages := (uint64(size) + 65535) / 65536
			old := mem.Grow(uint32(pages))
			if old < 0 {
				return errors.New("adapter: cabi_realloc: memory cannot grow")
			}
			stack[0] = uint64(old) * 65536
			return nil
		}}
}

// adapterExport is the adapter export an application import names:
// wit-component renames a function imported twice (Go's wasip1 port
// imports fd_write twice) to "fd_write [v2]", and the component links
// that name to the adapter's fd_write.
func adapterExport(name string) string {
	if i := strings.LastIndex(name, " [v"); i > 0 && strings.HasSuffix(name, "]") {
		return name[:i]
	}
	return name
}
