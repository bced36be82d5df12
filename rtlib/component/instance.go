package component

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/wasmaot/wasmaot/rtlib"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// HostFunc implements an imported component function in Go. It receives
// the lifted arguments and returns the result (nil for a function without
// one); an error traps the calling component.
type HostFunc func(ctx context.Context, args []Value) (Value, error)

// HostResource is a resource type the host implements. Its handles carry
// a representation the host chooses (an index into its own table, say);
// Drop is called when the guest drops an owning handle.
type HostResource struct {
	Drop func(ctx context.Context, rep uint32) error
}

// HostInstance implements an imported instance: its functions by name
// ("write", "[method]output-stream.write", "[static]…", "[constructor]…")
// and its resource types by name.
type HostInstance struct {
	Funcs     map[string]HostFunc
	Resources map[string]*HostResource
}

// Config is how to instantiate a component.
type Config struct {
	// Core configures every core instance (memory and table caps, fuel);
	// its import fields are ignored: the graph links the core instances.
	Core rtlib.Config
	// Funcs implements the root's function imports, by import name.
	Funcs map[string]HostFunc
	// MaxLiftedElements bounds the list elements lifted out of guest
	// memory for one call's arguments or result (0:
	// DefaultMaxLiftedElements); past it the call traps, so a guest cannot
	// make the host build an arbitrarily large value.
	MaxLiftedElements int
	// Instances implements the root's instance imports, by import name
	// (e.g. "wasi:cli/stdout@0.2.0"). Instance.Export makes one from an
	// export of another component instance.
	Instances map[string]*HostInstance
}

// DefaultMaxLiftedElements is the default of Config.MaxLiftedElements.
const DefaultMaxLiftedElements = 1 << 24

// Instance is an instantiated component: its core instances, each with its
// own memory, linked by canonical functions. Calls into one instance must
// not run concurrently.
type Instance struct {
	g      *Graph
	cfg    Config
	core   []*rtlib.Instance // per graph core instance; nil for bags
	comps  []*compInstance
	lowers []*abi.HostFunc
	hosts  []HostFunc       // per Lower whose callee is a host import, else nil
	hostRs []*HostResource  // per graph resource: the host's implementation
	items  map[CoreItem]any // resolved core items, filled as they are first used
	// contexts are the resolved options of canonical functions (memory,
	// realloc), copied for each call.
	contexts map[*Options]*cx
}

// compInstance is the runtime state of one component instance: its
// resource handle table and whether it may be entered.
type compInstance struct {
	id      int
	handles []*handle // index 0 is never a valid handle
	free    []uint32
	busy    bool
	// trapped is set once a call into the instance trapped or was
	// aborted by a failing host function: its state is then unspecified,
	// and every later call traps.
	trapped bool
	// fused are the instances this one calls through fused calls; a trap
	// in a call into this one marks them trapped too.
	fused []*compInstance
}

type handle struct {
	res   int
	rep   uint32
	own   bool
	lends int        // borrows of this own handle outstanding
	scope *callScope // for a borrow handle: the call it was lent into
}

// callScope counts the borrow handles a call into a guest still holds.
type callScope struct{ borrows int }

// Instantiate creates the component instance: every core instance in the
// graph's order (modules[i] is the loaded object of core module i), linked
// to the host imports in cfg, then the start functions.
func Instantiate(ctx context.Context, g *Graph, modules []*rtlib.Module, cfg Config) (_ *Instance, err error) {
	if len(modules) != g.Modules {
		return nil, fmt.Errorf("component: the graph has %d core modules, got %d", g.Modules, len(modules))
	}
	inst := &Instance{g: g, cfg: cfg, core: make([]*rtlib.Instance, len(g.Instances)),
		lowers: make([]*abi.HostFunc, len(g.Lowers)), hosts: make([]HostFunc, len(g.Lowers)), hostRs: make([]*HostResource, len(g.Resources)),
		items: map[CoreItem]any{}, contexts: map[*Options]*cx{}}
	for i := range g.Components {
		inst.comps = append(inst.comps, &compInstance{id: i, handles: []*handle{nil}})
	}
	if err := inst.linkHost(); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			inst.Close()
		}
	}()
	for i, ci := range g.Instances {
		if ci.Module < 0 {
			continue
		}
		if ci.Module >= len(modules) {
			return nil, fmt.Errorf("component: core instance %d: module %d out of range", i, ci.Module)
		}
		if err := inst.instantiateCore(ctx, i, modules[ci.Module]); err != nil {
			return nil, err
		}
	}
	for _, s := range g.Starts {
		if _, err := inst.invoke(ctx, s, nil); err != nil {
			return nil, fmt.Errorf("component: start function: %w", err)
		}
	}
	return inst, nil
}

// linkHost finds a Go implementation for every root import.
func (inst *Instance) linkHost() error {
	for k, l := range inst.g.Lowers {
		if l.Callee.Lift >= 0 {
			continue
		}
		fn, err := inst.hostFunc(l.Callee)
		if err != nil {
			return err
		}
		inst.hosts[k] = fn
	}
	for r, res := range inst.g.Resources {
		if res.Import == "" {
			continue
		}
		hi := inst.cfg.Instances[res.Import]
		if hi != nil && hi.Resources[res.Name] != nil {
			inst.hostRs[r] = hi.Resources[res.Name]
		}
	}
	return nil
}

func (inst *Instance) hostFunc(c Callee) (HostFunc, error) {
	im := inst.g.Imports[c.Import]
	if c.Name == "" {
		if fn := inst.cfg.Funcs[im.Name]; fn != nil {
			return fn, nil
		}
		return nil, fmt.Errorf("component: import %q (%s) is not provided", im.Name, im.Func)
	}
	hi := inst.cfg.Instances[im.Name]
	if hi == nil {
		return nil, fmt.Errorf("component: import %q is not provided", im.Name)
	}
	if fn := hi.Funcs[c.Name]; fn != nil {
		return fn, nil
	}
	return nil, fmt.Errorf("component: import %q has no function %q", im.Name, c.Name)
}

func (inst *Instance) instantiateCore(ctx context.Context, i int, m *rtlib.Module) error {
	ci := inst.g.Instances[i]
	cfg := inst.cfg.Core
	cfg.HostFuncs = map[string]map[string]abi.HostFunc{}
	cfg.Externs = map[string]map[string]rtlib.Extern{}
	cfg.HostModules, cfg.Instances = nil, nil
	args := map[string]int{}
	for _, a := range ci.Args {
		args[a.Name] = a.Instance
	}
	for _, im := range m.Meta().Imports {
		j, ok := args[im.Module]
		if !ok {
			return fmt.Errorf("component: core instance %d: no argument for import module %q", i, im.Module)
		}
		item, err := inst.exportOf(j, im.Name)
		if err != nil {
			return fmt.Errorf("component: core instance %d: import %q %q: %w", i, im.Module, im.Name, err)
		}
		switch x := item.(type) {
		case rtlib.Extern:
			if cfg.Externs[im.Module] == nil {
				cfg.Externs[im.Module] = map[string]rtlib.Extern{}
			}
			cfg.Externs[im.Module][im.Name] = x
		case *abi.HostFunc:
			if cfg.HostFuncs[im.Module] == nil {
				cfg.HostFuncs[im.Module] = map[string]abi.HostFunc{}
			}
			cfg.HostFuncs[im.Module][im.Name] = *x
		}
	}
	ri, err := m.Instantiate(ctx, cfg)
	if err != nil {
		return fmt.Errorf("component: core instance %d: %w", i, err)
	}
	inst.core[i] = ri
	return nil
}

// exportOf returns export name of core instance j: an rtlib.Extern of a
// module instance, or the *abi.HostFunc of a canonical function.
func (inst *Instance) exportOf(j int, name string) (any, error) {
	ci := inst.g.Instances[j]
	if ci.Module >= 0 {
		if inst.core[j] == nil {
			return nil, fmt.Errorf("core instance %d is not instantiated yet", j)
		}
		return inst.core[j].Export(name)
	}
	for _, x := range ci.Exports {
		if x.Name == name {
			return inst.item(x.Item)
		}
	}
	return nil, fmt.Errorf("core instance %d has no export %q", j, name)
}

// item resolves a core item, once.
func (inst *Instance) item(it CoreItem) (any, error) {
	if x, ok := inst.items[it]; ok {
		return x, nil
	}
	x, err := inst.resolve(it)
	if err == nil && (it.Kind != ItemExport || inst.core[it.Index] != nil || inst.g.Instances[it.Index].Module < 0) {
		inst.items[it] = x
	}
	return x, err
}

func (inst *Instance) resolve(it CoreItem) (any, error) {
	switch it.Kind {
	case ItemExport:
		return inst.exportOf(it.Index, it.Name)
	case ItemLower:
		if f := inst.fused(it.Index); f != nil {
			return f, nil
		}
		return inst.lowered(it.Index), nil
	case ItemResourceNew, ItemResourceDrop, ItemResourceRep:
		return inst.resourceBuiltin(it), nil
	}
	return nil, fmt.Errorf("unknown core item kind %d", it.Kind)
}

// coreFunc resolves a core item that must be a function of a module
// instance (lifted functions, realloc, post-return, destructors).
func (inst *Instance) coreFunc(it *CoreItem) (*rtlib.Func, error) {
	x, err := inst.item(*it)
	if err != nil {
		return nil, err
	}
	f, ok := x.(*rtlib.Func)
	if !ok {
		return nil, fmt.Errorf("core item %q is not a function of a core instance", it.Name)
	}
	return f, nil
}

// context prepares lifting and lowering under options o.
func (inst *Instance) context(ctx context.Context, o *Options) (*cx, error) {
	if base := inst.contexts[o]; base != nil {
		c := *base
		c.ctx = ctx
		return &c, nil
	}
	c := &cx{inst: inst, comp: inst.comps[o.Component], opts: o, elements: inst.cfg.MaxLiftedElements}
	if c.elements <= 0 {
		c.elements = DefaultMaxLiftedElements
	}
	if o.Memory != nil {
		x, err := inst.item(*o.Memory)
		if err != nil {
			return nil, err
		}
		m, ok := x.(*rtlib.Memory)
		if !ok {
			return nil, errors.New("component: the memory option is not a memory")
		}
		c.mem = m
	}
	if o.Realloc != nil {
		f, err := inst.coreFunc(o.Realloc)
		if err != nil {
			return nil, err
		}
		c.realloc = f
	}
	inst.contexts[o] = c
	base := *c
	base.ctx = ctx
	return &base, nil
}

// Close releases every core instance.
func (inst *Instance) Close() error {
	var errs []error
	for _, ci := range inst.core {
		if ci != nil {
			errs = append(errs, ci.Close())
		}
	}
	return errors.Join(errs...)
}

// Func is an exported component function.
type Func struct {
	inst   *Instance
	callee Callee
	typ    *FuncType
	name   string
}

// Type returns the function's type.
func (f *Func) Type() *FuncType { return f.typ }

// Name returns the export name ("add", or "iface#fn" for a function of
// an exported instance).
func (f *Func) Name() string { return f.name }

// Func returns the exported function name: a function export of the root
// ("add") or a function of an exported instance ("test:math/api#add").
func (inst *Instance) Func(name string) (*Func, error) {
	iface, fn, nested := strings.Cut(name, "#")
	for _, ex := range inst.g.Exports {
		if !nested && ex.Name == name && ex.Func != nil {
			return &Func{inst, *ex.Func, inst.calleeType(*ex.Func), name}, nil
		}
		if nested && ex.Name == iface {
			for _, ef := range ex.Funcs {
				if ef.Name == fn {
					return &Func{inst, ef.Callee, inst.calleeType(ef.Callee), name}, nil
				}
			}
		}
	}
	return nil, fmt.Errorf("component: no exported function %q", name)
}

// Funcs lists the names Func accepts, in export order.
func (inst *Instance) Funcs() []string {
	var out []string
	for _, ex := range inst.g.Exports {
		if ex.Func != nil {
			out = append(out, ex.Name)
		}
		for _, ef := range ex.Funcs {
			out = append(out, ex.Name+"#"+ef.Name)
		}
	}
	return out
}

// Export makes an exported instance of inst usable as an import of another
// component (Config.Instances): calls are lifted out of this instance's
// memory and lowered into the other's, through the host.
func (inst *Instance) Export(name string) (*HostInstance, error) {
	for _, ex := range inst.g.Exports {
		if ex.Name != name || ex.Func != nil {
			continue
		}
		hi := &HostInstance{Funcs: map[string]HostFunc{}, Resources: map[string]*HostResource{}}
		for _, ef := range ex.Funcs {
			callee := ef.Callee
			hi.Funcs[ef.Name] = func(ctx context.Context, args []Value) (Value, error) {
				return inst.invoke(ctx, callee, args)
			}
		}
		// An owning handle the importer drops runs this instance's
		// destructor.
		for _, r := range ex.Resources {
			hi.Resources[inst.g.Resources[r].Name] = &HostResource{Drop: func(ctx context.Context, rep uint32) error {
				return inst.Drop(ctx, r, Handle{Rep: rep})
			}}
		}
		return hi, nil
	}
	return nil, fmt.Errorf("component: no exported instance %q", name)
}

func (inst *Instance) calleeType(c Callee) *FuncType {
	if c.Lift >= 0 {
		return inst.g.Lifts[c.Lift].Type
	}
	im := inst.g.Imports[c.Import]
	if c.Name == "" {
		return im.Func
	}
	for _, f := range im.Funcs {
		if f.Name == c.Name {
			return f.Type
		}
	}
	return nil
}

// Call calls the function with one Go value per parameter and returns its
// result (nil when it has none). A canonical-ABI or core trap is an error
// wrapping *Trap or *abi.Trap.
func (f *Func) Call(ctx context.Context, args ...Value) (Value, error) {
	if len(args) != len(f.typ.Params) {
		return nil, fmt.Errorf("component: %s takes %d arguments, got %d", f.name, len(f.typ.Params), len(args))
	}
	return f.inst.invoke(ctx, f.callee, args)
}

// invoke calls a lifted function or a host import.
func (inst *Instance) invoke(ctx context.Context, c Callee, args []Value) (Value, error) {
	if c.Lift < 0 {
		fn, err := inst.hostFunc(c)
		if err != nil {
			return nil, err
		}
		return fn(ctx, args)
	}
	return inst.callLift(ctx, c.Lift, args)
}

// callLift lowers args into a lifted function's instance, runs it and
// lifts its result.
func (inst *Instance) callLift(ctx context.Context, k int, args []Value) (result Value, err error) {
	l := &inst.g.Lifts[k]
	c, err := inst.context(ctx, &l.Options)
	if err != nil {
		return nil, err
	}
	if c.comp.busy {
		return nil, &Trap{Msg: fmt.Sprintf("cannot enter component instance %d again while it is running", c.comp.id)}
	}
	if c.comp.trapped {
		return nil, &Trap{Msg: fmt.Sprintf("component instance %d trapped earlier and cannot be entered", c.comp.id)}
	}
	f, err := inst.coreFunc(&l.Core)
	if err != nil {
		return nil, err
	}
	c.comp.busy = true
	entered := false // guest code ran: a failure from here on leaves it in an unknown state
	defer func() {
		c.comp.busy = false
		if err != nil && (entered || isTrap(err)) {
			c.comp.trapped = true
			for _, f := range c.comp.fused {
				f.trapped = true
			}
		}
	}()
	c.scope = &callScope{}
	var core []uint64
	err = guard(func() {
		core = c.lowerParams(l.Type, args)
	})
	if err != nil {
		return nil, err
	}
	entered = true
	res, err := f.Call(ctx, core...)
	if err != nil {
		return nil, err
	}
	err = guard(func() {
		if l.Type.Result == nil {
			return
		}
		flat := Flatten(nil, l.Type.Result)
		if len(flat) > MaxFlatResults {
			result = c.load(uint32(res[0]), l.Type.Result)
		} else {
			result = c.liftFlat(&flatReader{vals: res, types: flat}, l.Type.Result)
		}
	})
	if err != nil {
		return nil, err
	}
	if l.Options.PostReturn != nil {
		pr, err := inst.coreFunc(l.Options.PostReturn)
		if err != nil {
			return nil, err
		}
		if _, err := pr.Call(ctx, res...); err != nil {
			return nil, err
		}
	}
	if c.scope.borrows != 0 {
		return nil, &Trap{Msg: fmt.Sprintf("%d borrowed handles were not dropped before the call returned", c.scope.borrows)}
	}
	return result, nil
}

// lowerParams flattens the arguments, spilling them to memory past the
// flat limit.
func (c *cx) lowerParams(ft *FuncType, args []Value) []uint64 {
	var flat []abi.ValType
	for _, p := range ft.Params {
		flat = Flatten(flat, p.Type)
	}
	if len(flat) <= MaxFlatParams {
		var out []uint64
		for i, p := range ft.Params {
			out = c.lowerFlat(out, args[i], p.Type)
		}
		return out
	}
	tuple := paramTuple(ft)
	ptr := c.alloc(Size(tuple), Align(tuple))
	c.store(args, tuple, ptr)
	return []uint64{uint64(ptr)}
}

func paramTuple(ft *FuncType) *Type {
	t := &Type{Kind: Tuple}
	for _, p := range ft.Params {
		t.Fields = append(t.Fields, Field{Type: p.Type})
	}
	return t
}

// isTrap reports whether err is a trap (canonical ABI or core) rather than
// a bad argument from Go.
func isTrap(err error) bool {
	var t *Trap
	var ct *abi.Trap
	return errors.As(err, &t) || errors.As(err, &ct)
}

// guard runs f, turning a canonical-ABI trap or a host value error
// panicked inside into an error.
func guard(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			switch x := r.(type) {
			case *Trap:
				err = x
			case error:
				err = x
			default:
				panic(r)
			}
		}
	}()
	f()
	return nil
}

// lowered returns the core function of canonical lowering k.
func (inst *Instance) lowered(k int) *abi.HostFunc {
	if hf := inst.lowers[k]; hf != nil {
		return hf
	}
	l := &inst.g.Lowers[k]
	params, results := CoreSignature(l.Type, false)
	var flatParams []abi.ValType
	for _, p := range l.Type.Params {
		flatParams = Flatten(flatParams, p.Type)
	}
	spill := len(flatParams) > MaxFlatParams
	var flatResult []abi.ValType
	if l.Type.Result != nil {
		flatResult = Flatten(nil, l.Type.Result)
	}
	hf := &abi.HostFunc{Params: params, Results: results, Fn: func(ctx context.Context, _ abi.Caller, stack []uint64) error {
		c, err := inst.context(ctx, &l.Options)
		if err != nil {
			return err
		}
		defer c.release()
		var args []Value
		if err := guard(func() {
			if spill {
				args = c.load(uint32(stack[0]), paramTuple(l.Type)).([]Value)
			} else {
				r := &flatReader{vals: stack, types: flatParams}
				for _, p := range l.Type.Params {
					args = append(args, c.liftFlat(r, p.Type))
				}
			}
		}); err != nil {
			return err
		}
		var result Value
		if fn := inst.hosts[k]; fn != nil {
			result, err = fn(ctx, args)
		} else {
			result, err = inst.callLift(ctx, l.Callee.Lift, args)
		}
		if err != nil {
			return err
		}
		return guard(func() {
			switch {
			case l.Type.Result == nil:
			case len(flatResult) > MaxFlatResults:
				c.store(result, l.Type.Result, uint32(stack[len(params)-1]))
			default:
				copy(stack, c.lowerFlat(nil, result, l.Type.Result))
			}
		})
	}}
	inst.lowers[k] = hf
	return hf
}

// release ends the borrows lent out for a host call.
func (c *cx) release() {
	for _, h := range c.lent {
		h.lends--
	}
	c.lent = nil
}
