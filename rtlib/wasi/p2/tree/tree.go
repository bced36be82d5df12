package tree

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/wasmaot/wasmaot/rtlib"
	"github.com/wasmaot/wasmaot/rtlib/abi"
	"github.com/wasmaot/wasmaot/rtlib/wasi"
	"github.com/wasmaot/wasmaot/rtlib/wasi/p2"
	"github.com/wasmaot/wasmaot/rtlib/wasi/p2/adapter"
)

// Options are the embedder's side of the tree.
type Options struct {
	// Stdin, Stdout and Stderr are what the root's "inherit" names.
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// HostFuncs are the host functions the root holds, by name; it grants
	// them to itself or its children with {"host": NAME}.
	HostFuncs map[string]abi.HostFunc
	// Compile turns a core module's bytes into a loaded module.
	Compile func(ctx context.Context, wasm []byte) (*rtlib.Module, error)
	// Core sets the limits of every instance (memory pages, fuel); its
	// import fields must be empty.
	Core rtlib.Config
}

// Tree is an instantiated delegation tree.
type Tree struct {
	root *node
	opts Options
}

// node is one nanoprocess.
type node struct {
	spec           *Node
	host           *p2.Host
	dirs           map[string]grantedDir // by guest path: what the node may pass on
	stdin          io.Reader
	stdout, stderr io.Writer
	hostFuncs      map[string]abi.HostFunc // what the node holds and may pass on
	children       map[string]*node        // children and, for imports, earlier siblings
	own            []*node                 // the children, closed with n
	mod            *rtlib.Module           // core node
	inst           *rtlib.Instance
	cmd            *adapter.Command // command node
	mods           []*rtlib.Module
	closers        []io.Closer
}

type grantedDir struct {
	root     *os.Root // kept by the tree to open children's grants beneath
	readOnly bool
}

// Build instantiates the tree: every node's grants are resolved against
// its parent's, children before their parent (whose imports may name
// their exports), in manifest order.
func Build(ctx context.Context, spec *Node, opts Options) (t *Tree, err error) {
	if err := spec.Check(); err != nil {
		return nil, err
	}
	if opts.Compile == nil {
		return nil, errors.New("tree: Options.Compile is required")
	}
	c := opts.Core
	if c.HostFuncs != nil || c.HostModules != nil || c.Externs != nil || c.Instances != nil {
		return nil, errors.New("tree: Options.Core must not provide imports")
	}
	t = &Tree{opts: opts}
	t.root, err = t.build(ctx, spec, nil, nil)
	return t, err
}

// Close ends every nanoprocess and closes what the tree opened.
func (t *Tree) Close() error {
	if t.root == nil {
		return nil
	}
	return t.root.close()
}

func (n *node) close() error {
	var errs []error
	for _, c := range n.own {
		errs = append(errs, c.close())
	}
	if n.inst != nil {
		errs = append(errs, n.inst.Close())
	}
	for _, m := range n.mods {
		errs = append(errs, m.Close())
	}
	if n.host != nil {
		errs = append(errs, n.host.Close())
	}
	for _, d := range n.dirs {
		errs = append(errs, d.root.Close())
	}
	for _, c := range n.closers {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}

func (t *Tree) build(ctx context.Context, spec *Node, parent *node, siblings map[string]*node) (_ *node, err error) {
	n := &node{spec: spec, dirs: map[string]grantedDir{}, hostFuncs: map[string]abi.HostFunc{}, children: map[string]*node{}}
	defer func() {
		if err != nil {
			n.close()
		}
	}()
	if err := t.grant(n, parent); err != nil {
		return nil, fmt.Errorf("tree: node %q: %w", spec.Name, err)
	}
	for name, s := range siblings {
		n.children[name] = s
	}
	own := map[string]*node{}
	for _, cs := range spec.Children {
		c, err := t.build(ctx, cs, n, own)
		if err != nil {
			return nil, err
		}
		own[cs.Name] = c
		n.children[cs.Name] = c
		n.own = append(n.own, c)
	}
	if err := t.link(ctx, n); err != nil {
		return nil, err
	}
	return n, nil
}

// grant resolves n's grants against its parent's and makes its host.
func (t *Tree) grant(n *node, parent *node) error {
	g := n.spec.Grants
	var roots []p2.Root
	closeRoots := func() {
		for _, r := range roots {
			r.Root.Close()
		}
	}
	for _, d := range g.Dirs {
		var root *os.Root
		var err error
		ro := d.ReadOnly
		if parent == nil {
			root, err = os.OpenRoot(d.Host)
		} else {
			pd, ok := parent.dirs[d.From]
			if !ok {
				closeRoots()
				return fmt.Errorf("directory %q: the parent holds no directory %q", d.As, d.From)
			}
			ro = ro || pd.readOnly
			sub := d.Path
			if sub == "" {
				sub = "."
			}
			if errno := wasi.CheckPath(sub); errno != wasi.ErrnoSuccess {
				closeRoots()
				return fmt.Errorf("directory %q: path %q is not beneath %q", d.As, d.Path, d.From)
			}
			root, err = pd.root.OpenRoot(sub) // os.Root: never leaves the parent's directory
		}
		if err != nil {
			closeRoots()
			return fmt.Errorf("directory %q: %w", d.As, err)
		}
		keep, err := root.OpenRoot(".")
		if err != nil {
			root.Close()
			closeRoots()
			return fmt.Errorf("directory %q: %w", d.As, err)
		}
		n.dirs[d.As] = grantedDir{keep, ro}
		roots = append(roots, p2.Root{Root: root, GuestPath: d.As, ReadOnly: ro})
	}
	var err error
	if n.stdin, err = t.stream(n, parent, g.Stdin); err == nil {
		if n.stdout, err = t.writer(n, parent, g.Stdout, t.opts.Stdout); err == nil {
			n.stderr, err = t.writer(n, parent, g.Stderr, t.opts.Stderr)
		}
	}
	if err != nil {
		closeRoots()
		return err
	}
	if parent == nil {
		for k, v := range t.opts.HostFuncs {
			n.hostFuncs[k] = v
		}
	} else {
		for name, im := range n.spec.Imports {
			if im.Host == "" {
				continue
			}
			hf, ok := parent.hostFuncs[im.Host]
			if !ok {
				closeRoots()
				return fmt.Errorf("import %s: the parent holds no host function %q", name, im.Host)
			}
			n.hostFuncs[im.Host] = hf
		}
	}
	n.host, err = p2.New(p2.Config{Args: g.Args, Env: g.Env, Stdin: n.stdin, Stdout: n.stdout, Stderr: n.stderr, Roots: roots})
	return err
}

// stream resolves a stream grant for reading (stdin).
func (t *Tree) stream(n, parent *node, s string) (io.Reader, error) {
	switch {
	case s == "":
		return nil, nil
	case s == "inherit":
		if t.opts.Stdin == nil {
			return strings.NewReader(""), nil
		}
		return t.opts.Stdin, nil
	case s == "parent:stdin":
		if parent.stdin == nil {
			return nil, errors.New("stdin: the parent has no stdin")
		}
		return parent.stdin, nil
	case strings.HasPrefix(s, "file:"):
		f, err := openFile(parent, strings.TrimPrefix(s, "file:"), false)
		if err != nil {
			return nil, fmt.Errorf("stdin %q: %w", s, err)
		}
		n.closers = append(n.closers, f)
		return f, nil
	}
	return nil, fmt.Errorf("stdin %q: want parent:stdin, file:/DIR/NAME or nothing", s)
}

// writer resolves a stream grant for writing (stdout, stderr).
func (t *Tree) writer(n, parent *node, s string, inherit io.Writer) (io.Writer, error) {
	switch {
	case s == "":
		return nil, nil
	case s == "inherit":
		if inherit == nil {
			return io.Discard, nil
		}
		return inherit, nil
	case s == "parent:stdout" && parent != nil && parent.stdout != nil:
		return parent.stdout, nil
	case s == "parent:stderr" && parent != nil && parent.stderr != nil:
		return parent.stderr, nil
	case strings.HasPrefix(s, "file:") && parent != nil:
		f, err := openFile(parent, strings.TrimPrefix(s, "file:"), true)
		if err != nil {
			return nil, fmt.Errorf("stream %q: %w", s, err)
		}
		n.closers = append(n.closers, f)
		return f, nil
	}
	return nil, fmt.Errorf("stream %q: the parent holds no such stream", s)
}

// openFile opens /DIR/NAME beneath one of the parent's directories.
func openFile(parent *node, guest string, write bool) (*os.File, error) {
	if parent == nil {
		return nil, errors.New("the root has no parent to take a file from")
	}
	for as, d := range parent.dirs {
		rel, ok := strings.CutPrefix(guest, strings.TrimSuffix(as, "/")+"/")
		if !ok {
			continue
		}
		if write {
			if d.readOnly {
				return nil, errors.New("the parent's directory is read-only")
			}
			return d.root.OpenFile(rel, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
		}
		return d.root.Open(rel)
	}
	return nil, fmt.Errorf("%s is beneath none of the parent's directories", guest)
}

// granted summarises n's grants for link errors.
func (n *node) granted() string {
	var g []string
	for as := range n.dirs {
		g = append(g, "dir "+as)
	}
	sort.Strings(g)
	for _, s := range [...]struct {
		name string
		ok   bool
	}{{"stdin", n.stdin != nil}, {"stdout", n.stdout != nil}, {"stderr", n.stderr != nil}} {
		if s.ok {
			g = append(g, s.name)
		}
	}
	for _, name := range sortedKeys(n.spec.Imports) {
		g = append(g, "import "+name)
	}
	if len(g) == 0 {
		return "granted nothing"
	}
	return "granted: " + strings.Join(g, ", ")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (n *node) notGranted(im abi.Import) error {
	return fmt.Errorf("tree: node %q: import %s#%s is not granted (%s)", n.spec.Name, im.Module, im.Name, n.granted())
}

// link loads n's module and instantiates it (a core node) or checks it
// (a command node, instantiated afresh by each run).
func (t *Tree) link(ctx context.Context, n *node) error {
	wasm, err := os.ReadFile(n.spec.Module)
	if err != nil {
		return fmt.Errorf("tree: node %q: %w", n.spec.Name, err)
	}
	load := func(b []byte) (*rtlib.Module, error) {
		m, err := t.opts.Compile(ctx, b)
		if err != nil {
			return nil, fmt.Errorf("tree: node %q: %s: %w", n.spec.Name, filepath.Base(n.spec.Module), err)
		}
		n.mods = append(n.mods, m)
		return m, nil
	}
	if adapter.IsComponent(wasm) {
		appWasm, adWasm, err := adapter.Split(wasm)
		if err != nil {
			return fmt.Errorf("tree: node %q: %w", n.spec.Name, err)
		}
		app, err := load(appWasm)
		if err != nil {
			return err
		}
		ad, err := load(adWasm)
		if err != nil {
			return err
		}
		for _, im := range ad.Meta().Imports {
			if iface, ok := p2.Interface(im.Module); ok && !n.spec.allowsInterface(iface) {
				return n.notGranted(im)
			}
		}
		if len(n.spec.Imports) > 0 {
			return fmt.Errorf("tree: node %q: a command imports only WASI; it cannot be granted imports", n.spec.Name)
		}
		n.cmd = &adapter.Command{App: app, Adapter: ad}
		return nil
	}
	mod, err := load(wasm)
	if err != nil {
		return err
	}
	cfg := t.opts.Core
	cfg.HostFuncs = map[string]map[string]abi.HostFunc{}
	cfg.Externs = map[string]map[string]rtlib.Extern{}
	binding := n.host.Bind()
	var wasiModules []string
	used := map[string]bool{}
	for _, im := range mod.Meta().Imports {
		if iface, ok := p2.Interface(im.Module); ok {
			if !n.spec.allowsInterface(iface) {
				return n.notGranted(im)
			}
			wasiModules = append(wasiModules, im.Module)
			continue
		}
		key := im.Module + "#" + im.Name
		g, ok := n.spec.Imports[key]
		if !ok || im.Kind != abi.ExternFunc {
			return n.notGranted(im)
		}
		used[key] = true
		ft := mod.Meta().Types[im.FuncType]
		ext, hf, err := t.source(n, key, g, ft)
		if err != nil {
			return err
		}
		if ext != nil {
			if cfg.Externs[im.Module] == nil {
				cfg.Externs[im.Module] = map[string]rtlib.Extern{}
			}
			cfg.Externs[im.Module][im.Name] = ext
		} else {
			if cfg.HostFuncs[im.Module] == nil {
				cfg.HostFuncs[im.Module] = map[string]abi.HostFunc{}
			}
			cfg.HostFuncs[im.Module][im.Name] = *hf
		}
	}
	for _, key := range sortedKeys(n.spec.Imports) {
		if !used[key] {
			return fmt.Errorf("tree: node %q: granted import %s, which the module does not import", n.spec.Name, key)
		}
	}
	cfg.HostModules = binding.HostModules(wasiModules)
	if n.inst, err = mod.Instantiate(ctx, cfg); err != nil {
		return fmt.Errorf("tree: node %q: %w", n.spec.Name, err)
	}
	if realloc := n.inst.ExportedFunc("cabi_realloc"); realloc != nil {
		binding.Realloc = func(ctx context.Context, align, size uint32) (uint32, error) {
			r, err := realloc.Call(ctx, 0, 0, uint64(align), uint64(size))
			if err != nil {
				return 0, err
			}
			return uint32(r[0]), nil
		}
	}
	n.mod = mod
	return nil
}

// source finds what satisfies import key of n: a node export (as an
// extern when every parameter is a scalar: a direct wasm-to-wasm call),
// a copying trampoline (string parameters), a command's run, or a host
// function.
func (t *Tree) source(n *node, key string, g Import, ft abi.FuncType) (rtlib.Extern, *abi.HostFunc, error) {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("tree: node %q: import %s: %s", n.spec.Name, key, fmt.Sprintf(format, args...))
	}
	if g.Host != "" {
		hf, ok := n.hostFuncs[g.Host]
		if !ok {
			return nil, nil, fail("no host function %q was granted", g.Host)
		}
		if !slices.Equal(hf.Params, ft.Params) || !slices.Equal(hf.Results, ft.Results) {
			return nil, nil, fail("host function %q has type %v -> %v, the import %v -> %v", g.Host, hf.Params, hf.Results, ft.Params, ft.Results)
		}
		return nil, &hf, nil
	}
	target, ok := n.children[g.Node]
	if !ok {
		return nil, nil, fail("%q is not a child or earlier sibling", g.Node)
	}
	if target.cmd != nil {
		if g.Export != "run" || len(ft.Params) != 0 || !slices.Equal(ft.Results, []abi.ValType{abi.I32}) {
			return nil, nil, fail("command node %q exports only run, imported as () -> i32", g.Node)
		}
		hf := t.runCommand(target)
		return nil, &hf, nil
	}
	f := target.inst.ExportedFunc(g.Export)
	if f == nil {
		return nil, nil, fail("node %q exports no function %q", g.Node, g.Export)
	}
	want := flatParams(g.Params)
	if !slices.Equal(want, ft.Params) || !slices.Equal(f.Params(), ft.Params) || !slices.Equal(f.Results(), ft.Results) {
		return nil, nil, fail("types differ: import %v -> %v, %s.%s %v -> %v, granted as (%s)",
			ft.Params, ft.Results, g.Node, g.Export, f.Params(), f.Results(), strings.Join(g.Params, ", "))
	}
	if !slices.Contains(g.Params, "string") {
		return f, nil, nil
	}
	realloc := target.inst.ExportedFunc("cabi_realloc")
	if realloc == nil {
		return nil, nil, fail("node %q takes a string but exports no cabi_realloc", g.Node)
	}
	hf := copyStrings(g.Params, ft, f, realloc, target.inst)
	return nil, &hf, nil
}

func flatParams(kinds []string) []abi.ValType {
	var ts []abi.ValType
	for _, k := range kinds {
		switch k {
		case "i64":
			ts = append(ts, abi.I64)
		case "string":
			ts = append(ts, abi.I32, abi.I32)
		default:
			ts = append(ts, abi.I32)
		}
	}
	return ts
}

// copyStrings is the call of an export taking strings: each (pointer,
// length) is copied from the caller's memory into memory the callee's
// cabi_realloc gives, as the canonical ABI lowers a string.
func copyStrings(kinds []string, ft abi.FuncType, f, realloc *rtlib.Func, callee *rtlib.Instance) abi.HostFunc {
	return abi.HostFunc{Params: ft.Params, Results: ft.Results,
		Fn: func(ctx context.Context, caller abi.Caller, stack []uint64) error {
			slot := 0
			for _, k := range kinds {
				if k != "string" {
					slot++
					continue
				}
				ptr, n := uint32(stack[slot]), uint32(stack[slot+1])
				if uint64(ptr)+uint64(n) > uint64(len(caller.Memory())) {
					return fmt.Errorf("tree: string argument [%d, %d) outside the caller's memory", ptr, uint64(ptr)+uint64(n))
				}
				r := [4]uint64{0, 0, 1, uint64(n)}
				if err := realloc.CallWithStack(ctx, r[:]); err != nil {
					return err
				}
				// The callee's memory is its own: its realloc cannot have
				// moved the caller's, which is fetched again all the same.
				dst, p := callee.Memory(), uint32(r[0])
				if uint64(p)+uint64(n) > uint64(len(dst)) {
					return fmt.Errorf("tree: the callee's cabi_realloc returned [%d, %d) outside its memory", p, uint64(p)+uint64(n))
				}
				copy(dst[p:p+n], caller.Memory()[ptr:ptr+n])
				stack[slot] = uint64(p)
				slot += 2
			}
			return f.CallWithStack(ctx, stack)
		}}
}

// runCommand is the host function through which a parent runs a command
// node: a fresh instance of it with its host's grants; 0 for success, 1
// for failure (a trap in the child ends only the child).
func (t *Tree) runCommand(c *node) abi.HostFunc {
	return abi.HostFunc{Results: []abi.ValType{abi.I32},
		Fn: func(ctx context.Context, _ abi.Caller, stack []uint64) error {
			err := c.cmd.Run(ctx, c.host, t.opts.Core)
			if err != nil && ctx.Err() != nil {
				return err // the parent's deadline ends the parent too
			}
			stack[0] = 0
			if err != nil {
				stack[0] = 1
			}
			return nil
		}}
}

// Run runs the root: a command node's wasi:cli/run, or a core node's
// "_start" (else "run") export. It returns nil on success and
// *wasi.ExitError when the root exits.
func (t *Tree) Run(ctx context.Context) error {
	n := t.root
	if n.cmd != nil {
		return n.cmd.Run(ctx, n.host, t.opts.Core)
	}
	for _, name := range []string{"_start", "run"} {
		if f := n.inst.ExportedFunc(name); f != nil {
			res, err := f.Call(ctx)
			if err == nil && len(res) == 1 && res[0] != 0 {
				return &wasi.ExitError{Code: 1}
			}
			return err
		}
	}
	return fmt.Errorf("tree: root node %q exports neither _start nor run", n.spec.Name)
}

// Instance returns the instance of a core node by name (nil for a
// command node or an unknown name), for embedders that call exports.
func (t *Tree) Instance(name string) *rtlib.Instance {
	var find func(n *node) *rtlib.Instance
	find = func(n *node) *rtlib.Instance {
		if n.spec.Name == name {
			return n.inst
		}
		for _, c := range n.spec.Children {
			if cn := n.children[c.Name]; cn != nil {
				if i := find(cn); i != nil {
					return i
				}
			}
		}
		return nil
	}
	return find(t.root)
}
