package wast

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/wasmaot/wasmaot/compiler/wasm"
)

// Engine instantiates validated modules. The IR interpreter and the native
// runtime each provide one.
type Engine interface {
	// Instantiate instantiates a decoded, validated module (bin is its
	// binary encoding). imports resolves (module, name) to an Extern
	// previously returned by Export of another instance of the same engine.
	Instantiate(ctx context.Context, m *wasm.Module, bin []byte, imports func(module, name string) (Extern, bool)) (Instance, error)
}

// Instance is an instantiated module.
type Instance interface {
	// Call invokes the exported function export.
	Call(ctx context.Context, export string, args []Value) ([]Value, error)
	// Global reads the exported global export.
	Global(export string) (Value, error)
	// Export returns the exported entity name, for linking other instances.
	Export(name string) (Extern, bool)
}

// Extern is an engine-specific exported function, table, memory or global.
type Extern any

// Errors from Instantiate and Call are classified with errors.As:

// TrapError is a trap (assert_trap, assert_uninstantiable).
type TrapError struct{ Msg string }

func (e *TrapError) Error() string { return "trap: " + e.Msg }

// ExhaustionError is call stack exhaustion (assert_exhaustion).
type ExhaustionError struct{}

func (e *ExhaustionError) Error() string { return "call stack exhausted" }

// LinkError is an import that cannot be resolved or has the wrong type
// (assert_unlinkable).
type LinkError struct{ Msg string }

func (e *LinkError) Error() string { return "link error: " + e.Msg }

// Status is the outcome of one command.
type Status uint8

// Outcomes.
const (
	Passed Status = iota
	Failed
	Skipped
)

func (s Status) String() string {
	return [...]string{"passed", "failed", "skipped"}[s]
}

// Options control a run.
type Options struct {
	// Verbose makes Result.Details list every failed or skipped command.
	Verbose bool
	// CheckTrapMessages makes assert_trap and assert_uninstantiable also
	// require the TrapError's Msg to contain the script's expected message
	// (e.g. "integer divide by zero"); by default any trap passes.
	CheckTrapMessages bool
}

// Detail explains one failed or skipped command.
type Detail struct {
	File    string
	Line    int
	Command string
	Status  Status
	Reason  string
}

func (d Detail) String() string {
	return fmt.Sprintf("%s:%d: %s: %s: %s", d.File, d.Line, d.Command, d.Status, d.Reason)
}

// Result counts the commands of one script. Every command counts once.
type Result struct {
	File                    string
	Passed, Failed, Skipped int
	Details                 []Detail // with Options.Verbose
}

// RunFile reads and runs the script at path. engine may be nil to run the
// front end only. The error is non-nil only if the file cannot be read or
// is not a well-formed script; failing commands are counted in Result.
func RunFile(ctx context.Context, path string, engine Engine, opts Options) (Result, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return Result{File: path}, err
	}
	return Run(ctx, path, src, engine, opts)
}

// Run runs the script src; name labels it in the Result.
func Run(ctx context.Context, name string, src []byte, engine Engine, opts Options) (Result, error) {
	res := Result{File: name}
	cmds, err := ParseScript(src)
	if err != nil {
		return res, fmt.Errorf("%s:%w", filepath.Base(name), err)
	}
	r := &runner{
		ctx: ctx, engine: engine, res: &res, opts: opts,
		named: map[string]*instance{}, registered: map[string]Instance{},
	}
	for i := range cmds {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		status, reason := r.run(&cmds[i])
		r.count(&cmds[i], status, reason)
	}
	return res, nil
}

// instance is a script module: instantiated, or the reason it is not.
type instance struct {
	inst   Instance
	broken string // why inst is nil
}

type runner struct {
	ctx        context.Context
	engine     Engine
	res        *Result
	opts       Options
	current    *instance
	named      map[string]*instance
	registered map[string]Instance
	// spectestErr records why the spectest module could not be
	// instantiated; it is instantiated before the first script module.
	spectestErr  error
	spectestDone bool
}

func (r *runner) count(c *Command, s Status, reason string) {
	switch s {
	case Passed:
		r.res.Passed++
	case Failed:
		r.res.Failed++
	case Skipped:
		r.res.Skipped++
	}
	if s != Passed && r.opts.Verbose {
		r.res.Details = append(r.res.Details, Detail{
			File: r.res.File, Line: c.Line, Command: c.String(), Status: s, Reason: reason,
		})
	}
}

const needsEngine = "needs an execution engine"

func (r *runner) run(c *Command) (Status, string) {
	switch c.Kind {
	case CmdModule:
		return r.module(c)
	case CmdRegister:
		return r.register(c)
	case CmdAction:
		_, status, reason := r.act(c.Action)
		return status, reason
	case CmdAssertReturn:
		return r.assertReturn(c)
	case CmdAssertTrap:
		if c.Module != nil {
			return r.assertInstantiateFails(c, "trap")
		}
		return r.assertActionFails(c, "trap")
	case CmdAssertExhaustion:
		return r.assertActionFails(c, "exhaustion")
	case CmdAssertMalformed:
		return assertMalformed(c.Module)
	case CmdAssertInvalid:
		return assertInvalid(c.Module)
	case CmdAssertUnlinkable:
		return r.assertInstantiateFails(c, "link")
	case CmdAssertUninstantiable:
		return r.assertInstantiateFails(c, "trap")
	}
	return Failed, "unknown command"
}

// frontEnd translates, decodes and validates a script module.
func frontEnd(d *ModuleDef) (*wasm.Module, []byte, error) {
	bin, err := d.Encode()
	if err != nil {
		return nil, nil, err
	}
	m, err := wasm.Decode(bin)
	if err != nil {
		return nil, nil, err
	}
	if err := wasm.Validate(m); err != nil {
		return nil, nil, err
	}
	return m, bin, nil
}

func (r *runner) module(c *Command) (Status, string) {
	d := c.Module
	m, bin, err := frontEnd(d)
	if err != nil {
		r.bind(d.Name, &instance{broken: fmt.Sprintf("module at line %d is not valid: %v", d.Line, err)})
		return Failed, err.Error()
	}
	if r.engine == nil {
		r.bind(d.Name, &instance{broken: "no execution engine"})
		return Passed, ""
	}
	inst, err := r.instantiate(m, bin)
	if err != nil {
		r.bind(d.Name, &instance{broken: fmt.Sprintf("module at line %d failed to instantiate: %v", d.Line, err)})
		return Failed, "instantiate: " + err.Error()
	}
	r.bind(d.Name, &instance{inst: inst})
	return Passed, ""
}

// bind makes a module the current one and, if named, records its name.
func (r *runner) bind(name string, in *instance) {
	r.current = in
	if name != "" {
		r.named[name] = in
	}
}

func (r *runner) instantiate(m *wasm.Module, bin []byte) (Instance, error) {
	if !r.spectestDone {
		r.spectestDone = true
		inst, err := instantiateSpectest(r.ctx, r.engine)
		if err != nil {
			r.spectestErr = err
		} else {
			r.registered["spectest"] = inst
		}
	}
	if r.spectestErr != nil {
		return nil, fmt.Errorf("instantiating the spectest module: %w", r.spectestErr)
	}
	return r.engine.Instantiate(r.ctx, m, bin, func(module, name string) (Extern, bool) {
		inst, ok := r.registered[module]
		if !ok {
			return nil, false
		}
		return inst.Export(name)
	})
}

// lookup finds the instance an action or register names.
func (r *runner) lookup(name string) (*instance, string) {
	if name == "" {
		if r.current == nil {
			return nil, "no module defined yet"
		}
		return r.current, ""
	}
	in, ok := r.named[name]
	if !ok {
		return nil, "unknown module $" + name
	}
	return in, ""
}

func (r *runner) register(c *Command) (Status, string) {
	if r.engine == nil {
		return Skipped, needsEngine
	}
	in, why := r.lookup(c.Instance)
	if in == nil {
		return Failed, why
	}
	if in.inst == nil {
		return Failed, in.broken
	}
	r.registered[c.As] = in.inst
	return Passed, ""
}

// act performs an action, returning its results.
func (r *runner) act(a *Action) ([]Value, Status, string) {
	if r.engine == nil {
		return nil, Skipped, needsEngine
	}
	in, why := r.lookup(a.Module)
	if in == nil {
		return nil, Failed, why
	}
	if in.inst == nil {
		return nil, Failed, in.broken
	}
	if a.Kind == ActGet {
		v, err := in.inst.Global(a.Field)
		if err != nil {
			return nil, Failed, err.Error()
		}
		return []Value{v}, Passed, ""
	}
	vs, err := in.inst.Call(r.ctx, a.Field, a.Args)
	if err != nil {
		return nil, Failed, err.Error()
	}
	return vs, Passed, ""
}

func (r *runner) assertReturn(c *Command) (Status, string) {
	got, status, reason := r.act(c.Action)
	if status != Passed {
		return status, reason
	}
	if len(got) != len(c.Expected) {
		return Failed, fmt.Sprintf("got %d results %v, want %d %v", len(got), got, len(c.Expected), c.Expected)
	}
	for i, want := range c.Expected {
		if !want.Match(got[i]) {
			return Failed, fmt.Sprintf("result %d: got %v, want %v", i, got[i], want)
		}
	}
	return Passed, ""
}

// classify says which kind of failure err is: "trap", "exhaustion", "link" or "".
func classify(err error) string {
	var trap *TrapError
	var exh *ExhaustionError
	var link *LinkError
	switch {
	case errors.As(err, &exh):
		return "exhaustion"
	case errors.As(err, &trap):
		return "trap"
	case errors.As(err, &link):
		return "link"
	}
	return ""
}

func (r *runner) assertActionFails(c *Command, want string) (Status, string) {
	if r.engine == nil {
		return Skipped, needsEngine
	}
	in, why := r.lookup(c.Action.Module)
	if in == nil {
		return Failed, why
	}
	if in.inst == nil {
		return Failed, in.broken
	}
	var err error
	if c.Action.Kind == ActGet {
		_, err = in.inst.Global(c.Action.Field)
	} else {
		_, err = in.inst.Call(r.ctx, c.Action.Field, c.Action.Args)
	}
	if err == nil {
		return Failed, fmt.Sprintf("expected %s %q, but the action succeeded", want, c.Text)
	}
	return r.checkFailure(c, want, err)
}

// checkFailure checks that err is the kind of failure an assertion expects.
func (r *runner) checkFailure(c *Command, want string, err error) (Status, string) {
	if got := classify(err); got != want {
		return Failed, fmt.Sprintf("expected %s %q, got error %v", want, c.Text, err)
	}
	var trap *TrapError
	if r.opts.CheckTrapMessages && errors.As(err, &trap) && !strings.Contains(trap.Msg, c.Text) {
		return Failed, fmt.Sprintf("expected trap %q, got trap %q", c.Text, trap.Msg)
	}
	return Passed, ""
}

// assertInstantiateFails runs assert_unlinkable, assert_uninstantiable and
// assert_trap on a module. The module must be valid; as in the reference
// interpreter, a module that fails to instantiate never becomes current.
func (r *runner) assertInstantiateFails(c *Command, want string) (Status, string) {
	m, bin, err := frontEnd(c.Module)
	if err != nil {
		return Failed, "module is not valid: " + err.Error()
	}
	if r.engine == nil {
		return Skipped, needsEngine
	}
	if _, err = r.instantiate(m, bin); err == nil {
		return Failed, fmt.Sprintf("expected %s error %q, but instantiation succeeded", want, c.Text)
	}
	return r.checkFailure(c, want, err)
}

// assertMalformed: a binary module must fail to decode as malformed; a
// text or quoted module must fail to parse (or, for the few cases the text
// layer passes on, fail to decode as malformed).
func assertMalformed(d *ModuleDef) (Status, string) {
	bin, err := d.Encode()
	if err != nil {
		if d.Form == FormBinary {
			return Failed, err.Error()
		}
		return Passed, ""
	}
	_, err = wasm.Decode(bin)
	var werr *wasm.Error
	if errors.As(err, &werr) && werr.Kind == wasm.Malformed {
		return Passed, ""
	}
	if err != nil {
		return Failed, "decode failed, but not as malformed: " + err.Error()
	}
	return Failed, "module was accepted as well-formed"
}

// assertInvalid: the module must translate and decode, then fail validation.
func assertInvalid(d *ModuleDef) (Status, string) {
	bin, err := d.Encode()
	if err != nil {
		return Failed, "text error instead of a validation error: " + err.Error()
	}
	m, err := wasm.Decode(bin)
	if err != nil {
		return Failed, "decode error instead of a validation error: " + err.Error()
	}
	err = wasm.Validate(m)
	var werr *wasm.Error
	if errors.As(err, &werr) && werr.Kind == wasm.Invalid {
		return Passed, ""
	}
	if err != nil {
		return Failed, "validation failed, but not as invalid: " + err.Error()
	}
	return Failed, "module was accepted as valid"
}
