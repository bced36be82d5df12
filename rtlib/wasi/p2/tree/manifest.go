// Package tree runs a delegation tree: an application and its
// dependencies, each its own nanoprocess (its own instance, memory and
// WASI 0.2 resource table), where every node receives only what its
// parent names for it — directories beneath the parent's own, one of the
// parent's streams, a file of the parent's opened as a stream, host
// functions the parent itself holds, and exports of its children or
// earlier siblings. Nothing else exists for a node: an import it was not
// granted fails the link with a message naming the node and the import.
//
// A tree is described by a small JSON manifest (see docs/delegation.md
// for why a manifest rather than a composed component):
//
//	{"name": "app", "module": "app.wasm",
//	 "grants": {"dirs": [{"host": "data", "as": "/data"}], "stdout": "inherit"},
//	 "imports": {"notify#send": {"node": "notify", "export": "send", "params": ["string"]}},
//	 "children": [
//	   {"name": "notify", "module": "notify.wasm", "grants": {"stdout": "parent:stderr"}}]}
//
// A node's module is a core module importing WASI 0.2 in its lowered form
// (what the core modules of a component import) or a WASI 0.2 command
// component made from a preview1 program (jco new --wasi-command), which
// its parent can call as "run".
package tree

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/wasmaot/wasmaot/rtlib/wasi/p2"
)

// Node is one nanoprocess of the tree and what its parent grants it.
type Node struct {
	Name     string            `json:"name"`
	Module   string            `json:"module"` // path, relative to the manifest
	Grants   Grants            `json:"grants"`
	Imports  map[string]Import `json:"imports,omitempty"` // by "module#name" of the node's import
	Children []*Node           `json:"children,omitempty"`
}

// Grants are the capabilities a node receives.
type Grants struct {
	// Dirs are directories: at the root, host directories ("host",
	// relative to the manifest); below it, a directory beneath one the
	// parent holds ("from" the parent's guest path, "path" inside it).
	Dirs []Dir `json:"dirs,omitempty"`
	// Stdin, Stdout and Stderr name a stream: "inherit" (the root: the
	// embedder's), "parent:stdin|stdout|stderr" (the parent's stream),
	// "file:/dir/name" (a file beneath one of the parent's directories,
	// opened for reading for stdin and created or truncated otherwise),
	// or "" (none: the interface does not exist for the node).
	Stdin  string `json:"stdin,omitempty"`
	Stdout string `json:"stdout,omitempty"`
	Stderr string `json:"stderr,omitempty"`
	// Args and Env are the node's arguments and environment ("K=V").
	Args []string `json:"args,omitempty"`
	Env  []string `json:"env,omitempty"`
}

// Dir is one directory grant.
type Dir struct {
	Host     string `json:"host,omitempty"` // root only
	From     string `json:"from,omitempty"` // the parent's guest path
	Path     string `json:"path,omitempty"` // beneath From ("" or "." for From itself)
	As       string `json:"as"`             // the node's guest path
	ReadOnly bool   `json:"readonly,omitempty"`
}

// Import satisfies one import of a node: an export of a child or an
// earlier sibling ("node", "export") or a host function the parent holds
// ("host"). Params lists the parameter kinds of a node export: "i32",
// "i64" or "string" (copied into the callee's memory); results are
// scalars. A call to a command node's "run" returns 0 for success and 1
// for failure.
type Import struct {
	Node   string   `json:"node,omitempty"`
	Export string   `json:"export,omitempty"`
	Host   string   `json:"host,omitempty"`
	Params []string `json:"params,omitempty"`
}

// Load reads a manifest; module paths are resolved against its directory.
func Load(path string) (*Node, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var root Node
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&root); err != nil {
		return nil, fmt.Errorf("tree: %s: %w", path, err)
	}
	base := filepath.Dir(path)
	var fix func(n *Node)
	fix = func(n *Node) {
		if n.Module != "" && !filepath.IsAbs(n.Module) {
			n.Module = filepath.Join(base, n.Module)
		}
		for i := range n.Grants.Dirs {
			if h := n.Grants.Dirs[i].Host; h != "" && !filepath.IsAbs(h) {
				n.Grants.Dirs[i].Host = filepath.Join(base, h)
			}
		}
		for _, c := range n.Children {
			fix(c)
		}
	}
	fix(&root)
	return &root, root.Check()
}

// Check validates the shape of the tree: names, grants that only the
// root may hold, import sources that exist.
func (n *Node) Check() error { return n.check(nil, map[string]bool{}) }

func (n *Node) check(parent *Node, names map[string]bool) error {
	if n.Name == "" || names[n.Name] {
		return fmt.Errorf("tree: node names must be unique and non-empty (%q)", n.Name)
	}
	names[n.Name] = true
	if n.Module == "" {
		return fmt.Errorf("tree: node %q: no module", n.Name)
	}
	for _, d := range n.Grants.Dirs {
		switch {
		case parent == nil && (d.Host == "" || d.From != ""):
			return fmt.Errorf("tree: node %q: the root's directories are host directories (\"host\")", n.Name)
		case parent != nil && (d.Host != "" || d.From == ""):
			return fmt.Errorf("tree: node %q: a child's directory comes \"from\" one of its parent's", n.Name)
		case !strings.HasPrefix(d.As, "/"):
			return fmt.Errorf("tree: node %q: directory guest path %q must be absolute", n.Name, d.As)
		}
	}
	for _, s := range []string{n.Grants.Stdin, n.Grants.Stdout, n.Grants.Stderr} {
		if s == "inherit" && parent != nil {
			return fmt.Errorf("tree: node %q: only the root inherits the embedder's streams; name a parent stream", n.Name)
		}
	}
	for name, im := range n.Imports {
		if !strings.Contains(name, "#") {
			return fmt.Errorf("tree: node %q: import %q: want MODULE#NAME", n.Name, name)
		}
		if (im.Node == "") == (im.Host == "") {
			return fmt.Errorf("tree: node %q: import %q names a node export or a host function", n.Name, name)
		}
		for _, p := range im.Params {
			if p != "i32" && p != "i64" && p != "string" {
				return fmt.Errorf("tree: node %q: import %q: parameter kind %q (want i32, i64, string)", n.Name, name, p)
			}
		}
	}
	for _, c := range n.Children {
		if err := c.check(n, names); err != nil {
			return err
		}
	}
	return nil
}

// Describe writes the tree with each node's grants, one node per
// paragraph, indented by depth (what `wasmaot inspect` prints).
func (n *Node) Describe() string {
	var b strings.Builder
	n.describe(&b, 0)
	return b.String()
}

func (n *Node) describe(b *strings.Builder, depth int) {
	ind := strings.Repeat("  ", depth)
	fmt.Fprintf(b, "%snode %s (%s)\n", ind, n.Name, filepath.Base(n.Module))
	g := n.Grants
	for _, d := range g.Dirs {
		src := d.Host
		if src == "" {
			src = "parent " + filepath.ToSlash(filepath.Join(d.From, d.Path))
		}
		ro := ""
		if d.ReadOnly {
			ro = ", read-only"
		}
		fmt.Fprintf(b, "%s  dir %s <- %s%s\n", ind, d.As, src, ro)
	}
	for _, s := range [...]struct{ name, v string }{{"stdin", g.Stdin}, {"stdout", g.Stdout}, {"stderr", g.Stderr}} {
		if s.v != "" {
			fmt.Fprintf(b, "%s  %s <- %s\n", ind, s.name, s.v)
		}
	}
	if len(g.Args) > 0 {
		fmt.Fprintf(b, "%s  args %q\n", ind, g.Args)
	}
	for _, e := range g.Env {
		fmt.Fprintf(b, "%s  env %s\n", ind, e)
	}
	for _, name := range sortedKeys(n.Imports) {
		im := n.Imports[name]
		if im.Host != "" {
			fmt.Fprintf(b, "%s  import %s <- host function %s\n", ind, name, im.Host)
		} else {
			fmt.Fprintf(b, "%s  import %s <- %s.%s(%s)\n", ind, name, im.Node, im.Export, strings.Join(im.Params, ", "))
		}
	}
	if len(g.Dirs) == 0 && g.Stdin == "" && g.Stdout == "" && g.Stderr == "" && len(n.Imports) == 0 {
		fmt.Fprintf(b, "%s  (nothing granted but clocks and randomness)\n", ind)
	}
	for _, c := range n.Children {
		c.describe(b, depth+1)
	}
}

// Allows reports whether the node may import module.name: a WASI 0.2
// interface its grants open, or an import its parent names. Build refuses
// to link any other import.
func (n *Node) Allows(module, name string) bool {
	if iface, ok := p2.Interface(module); ok {
		return n.allowsInterface(iface)
	}
	_, ok := n.Imports[module+"#"+name]
	return ok
}

// allowsInterface reports whether a WASI 0.2 interface exists for n: the
// interfaces of streams and directories exist only with a grant, sockets
// never in a tree; exit, environment (holding only the granted arguments
// and variables), clocks, randomness and the stream, poll and error
// machinery always do.
func (n *Node) allowsInterface(iface string) bool {
	g := n.Grants
	switch iface {
	case "wasi:cli/stdin", "wasi:cli/terminal-stdin", "wasi:cli/terminal-input":
		return g.Stdin != ""
	case "wasi:cli/stdout", "wasi:cli/terminal-stdout":
		return g.Stdout != ""
	case "wasi:cli/stderr", "wasi:cli/terminal-stderr":
		return g.Stderr != ""
	case "wasi:cli/terminal-output":
		return g.Stdout != "" || g.Stderr != ""
	case "wasi:filesystem/types", "wasi:filesystem/preopens":
		return len(g.Dirs) > 0
	}
	return !strings.HasPrefix(iface, "wasi:sockets/")
}
