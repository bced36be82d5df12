// Package layout checks the repository's package layout: the import rules
// of DESIGN §1 and docs/compiler.md.
package layout

import (
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/wasmaot/wasmaot"

// backEnds are the code generators, which must not import each other.
// Other packages under backend/ are shared: the seam, backend/regalloc,
// and backend/native, which only dispatches to the per-ISA back ends.
var backEnds = []string{"backend/llvm", "backend/amd64", "backend/arm64"}

// under reports whether pkg is dir or inside it.
func under(pkg, dir string) bool { return pkg == dir || strings.HasPrefix(pkg, dir+"/") }

func backEndOf(pkg string) string {
	for _, b := range backEnds {
		if under(pkg, b) {
			return b
		}
	}
	return ""
}

// isFrontEnd: the decoder, validator and text parsers under compiler/
// (not the driver, the engines and compiler/component, which run the
// pipeline).
func isFrontEnd(pkg string) bool {
	for _, d := range []string{"compiler/wasm", "compiler/wat", "compiler/wast"} {
		if under(pkg, d) {
			return true
		}
	}
	return false
}

// violation returns why from may not import to (module-relative paths), or
// "" if it may. Only non-test files count.
func violation(from, to string) string {
	switch {
	case under(to, "cmd"):
		return "nothing imports the CLI"
	case under(to, "tests") && !under(from, "tests"):
		return "nothing outside tests imports tests/"
	case under(from, "rtlib") && (under(to, "compiler") || under(to, "lower") || under(to, "backend")):
		return "rtlib never imports the compiler (an edge binary must not link it)"
	case from == "rtlib/abi" && to != "rtlib/abi":
		return "rtlib/abi is the contract and imports nothing of wasmaot"
	case backEndOf(from) != "" && backEndOf(to) != "" && backEndOf(from) != backEndOf(to):
		return "back ends never import each other"
	case under(from, "backend") && (to == "compiler" || (under(to, "lower") && to != "lower/ir") || (under(to, "rtlib") && to != "rtlib/abi")):
		return "back ends import lower/ir, the seam and rtlib/abi, not the driver, the passes or the runtime"
	case from == "backend" && backEndOf(to) != "":
		return "the seam does not depend on a back end"
	case under(from, "lower") && (to == "compiler" || under(to, "backend") || (under(to, "rtlib") && to != "rtlib/abi")):
		return "lower runs before the back ends and knows neither the driver nor the runtime"
	case isFrontEnd(from) && (to == "compiler" || under(to, "lower") || under(to, "backend")):
		return "the front end is below the driver, lower and the back ends"
	}
	return ""
}

// imports maps each package of the module (module-relative path) to the
// module packages its non-test files import.
func imports(t *testing.T, root string) map[string][]string {
	t.Helper()
	graph := map[string][]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			name := d.Name()
			if rel != "." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules" ||
				fileExists(filepath.Join(path, "go.mod"))) {
				return filepath.SkipDir // other modules (bench/) and non-code
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		pkg := filepath.ToSlash(filepath.Dir(rel))
		if _, ok := graph[pkg]; !ok {
			graph[pkg] = nil
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if p == module || strings.HasPrefix(p, module+"/") {
				to := strings.TrimPrefix(strings.TrimPrefix(p, module), "/")
				if to == "" {
					to = "."
				}
				if !slices.Contains(graph[pkg], to) {
					graph[pkg] = append(graph[pkg], to)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return graph
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// check returns every violation in graph: direct imports against
// violation, and rtlib's transitive imports against the compiler rule.
func check(graph map[string][]string) []string {
	var out []string
	pkgs := make([]string, 0, len(graph))
	for p := range graph {
		pkgs = append(pkgs, p)
	}
	slices.Sort(pkgs)
	for _, from := range pkgs {
		for _, to := range graph[from] {
			if why := violation(from, to); why != "" {
				out = append(out, fmt.Sprintf("%s imports %s: %s", from, to, why))
			}
		}
		if under(from, "rtlib") {
			seen := map[string]bool{}
			var walk func(p string, path []string)
			walk = func(p string, path []string) {
				for _, to := range graph[p] {
					if seen[to] {
						continue
					}
					seen[to] = true
					if under(to, "compiler") || under(to, "lower") || under(to, "backend") {
						out = append(out, fmt.Sprintf("%s reaches %s through %s: rtlib never links the compiler", from, to, strings.Join(append(path, to), " -> ")))
					}
					walk(to, append(path, to))
				}
			}
			walk(from, []string{from})
		}
	}
	return out
}

// TestImportRules enforces the layout on the repository.
func TestImportRules(t *testing.T) {
	graph := imports(t, "../..")
	for _, want := range []string{"rtlib", "rtlib/abi", "compiler", "lower", "backend", "backend/llvm", "cmd/wasmaot"} {
		if _, ok := graph[want]; !ok {
			t.Fatalf("package %s not found: the walk is broken", want)
		}
	}
	for _, v := range check(graph) {
		t.Error(v)
	}
	t.Logf("%d packages checked", len(graph))
}

// TestRulesCatchViolations shows that each rule fires on an edge that
// breaks it, and stays quiet on edges the layout allows.
func TestRulesCatchViolations(t *testing.T) {
	for _, g := range []map[string][]string{
		{"rtlib": {"compiler/wasm"}},
		{"rtlib/abi": {"rtlib"}},
		{"rtlib/wasi": {"helper"}, "helper": {"lower"}}, // transitive
		{"backend/amd64": {"backend/llvm"}},
		{"backend/arm64/x": {"backend/amd64"}},
		{"backend/amd64": {"lower"}},
		{"backend/amd64": {"compiler"}},
		{"backend/llvm": {"rtlib"}},
		{"backend": {"backend/llvm"}},
		{"lower": {"backend"}},
		{"lower/ir": {"compiler"}},
		{"compiler/wasm": {"lower/ir"}},
		{"compiler": {"tests/spec"}},
		{"lower/interp": {"cmd/wasmaot"}},
	} {
		if len(check(g)) == 0 {
			t.Errorf("%v: no violation reported", g)
		}
	}
	allowed := map[string][]string{
		"tests/spec":       {"tests/spec/diff", "compiler", "rtlib"},
		"backend/llvm":     {"backend", "lower/ir", "rtlib/abi", "compiler/wasm", "backend/regalloc"},
		"backend/amd64":    {"backend/regalloc", "backend"},
		"backend/regalloc": {"lower/ir"},
		"compiler":         {"lower", "backend", "compiler/wasm"},
		"cmd/wasmaot":      {"compiler", "rtlib", "rtlib/wasi"},
		"rtlib/wasi":       {"rtlib", "rtlib/abi"},
		"lower":            {"lower/ir", "compiler/wasm", "rtlib/abi"},
	}
	if v := check(allowed); len(v) != 0 {
		t.Errorf("allowed edges reported:\n%s", strings.Join(v, "\n"))
	}
}

// opNameUse matches the ways code can get at an IR op's name: back ends
// dispatch on typed properties (ir.OpInfo.Props, op constants) instead.
var opNameUse = regexp.MustCompile(`\.Op\.String\(\)|\bOpByName\(|\.Info\(\)\.Name\b|\bOpInfo\)\.Name\b`)

// TestNoOpNameDispatch checks that no back end (non-test code under
// backend/) looks at op names, and that the pattern catches the forms it
// is meant to.
func TestNoOpNameDispatch(t *testing.T) {
	for _, bad := range []string{`name := in.Op.String()`, `op, _ := ir.OpByName("i32.add")`, `if in.Op.Info().Name == "i32.add"`} {
		if !opNameUse.MatchString(bad) {
			t.Errorf("pattern misses %q", bad)
		}
	}
	err := filepath.WalkDir("../../backend", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(src), "\n") {
			if opNameUse.MatchString(line) {
				t.Errorf("%s:%d: dispatch on an op name: %s", path, i+1, strings.TrimSpace(line))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
