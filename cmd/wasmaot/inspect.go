package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"
	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/rtlib"
)

func inspectCommand() *cli.Command {
	return &cli.Command{
		Name:      "inspect",
		Usage:     "show a module's requested capabilities (imports), exports, memories and sizes",
		ArgsUsage: "FILE",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "print a JSON report"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return cli.Exit("inspect: expected exactly one input file", 2)
			}
			path := c.Args().First()
			if isTreeManifest(path) {
				return inspectTree(c, path)
			}
			if ok, bin, err := isComponentFile(path); err == nil && ok {
				if c.Bool("json") {
					return cli.Exit("inspect: --json is not available for components", 2)
				}
				if err := inspectComponent(c.App.Writer, path, bin); err != nil {
					return cli.Exit(err, 1)
				}
				return nil
			}
			r, err := inspectFile(path)
			if err != nil {
				return cli.Exit(err, 1)
			}
			if c.Bool("json") {
				enc := json.NewEncoder(c.App.Writer)
				enc.SetIndent("", "  ")
				return enc.Encode(r)
			}
			r.print(c.App.Writer)
			return nil
		},
	}
}

// inspectFile reports on a module (.wasm/.wat) or a compiled object.
func inspectFile(path string) (*report, error) {
	head, err := readHead(path)
	if err != nil {
		return nil, err
	}
	if isELF(head) {
		obj, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		meta, err := rtlib.ReadMeta(obj)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return newObjectReport(path, obj, meta), nil
	}
	bin, m, err := loadModule(path)
	if err != nil {
		return nil, err
	}
	return newReport(path, bin, m), nil
}

// report is what inspect shows about a module or object.
type report struct {
	File         string          `json:"file"`
	Size         int             `json:"size"`
	SHA256       string          `json:"sha256"`
	Object       *objectInfo     `json:"object,omitempty"`
	Capabilities []capability    `json:"capabilities"`
	Exports      []entity        `json:"exports"`
	Functions    functionSummary `json:"functions"`
	Memories     []limitsInfo    `json:"memories"`
	Tables       []limitsInfo    `json:"tables"`
	Globals      int             `json:"globals"`
	Data         segmentSummary  `json:"data"`
	Elements     segmentSummary  `json:"elements"`
	Start        *uint32         `json:"start,omitempty"`
	Custom       []customInfo    `json:"custom_sections"`
}

// capability groups the imports from one module: what the guest asks for.
type capability struct {
	Module  string   `json:"module"`
	Imports []entity `json:"imports"`
}

type entity struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
	Type string `json:"type"`
}

type functionSummary struct {
	Imported  uint32 `json:"imported"`
	Defined   int    `json:"defined"`
	CodeBytes int    `json:"code_bytes"`
}

type limitsInfo struct {
	Imported bool    `json:"imported"`
	Elem     string  `json:"elem,omitempty"`
	Min      uint32  `json:"min"`
	Max      *uint32 `json:"max,omitempty"`
}

type segmentSummary struct {
	Count int `json:"count"`
	Items int `json:"items"` // bytes for data, elements for element segments
}

// objectInfo describes a compiled object beyond its module.
type objectInfo struct {
	Target          string   `json:"target"`
	Features        []string `json:"cpu_features"`
	Bounds          string   `json:"bounds_checks"`
	CompilerVersion string   `json:"compiler_version"`
	SourceSHA256    string   `json:"source_sha256"`
	HostCanRun      string   `json:"host_can_run"`
	Seal            string   `json:"seal"`
}

type customInfo struct {
	Name string `json:"name"`
	Size int    `json:"size"`
}

func newReport(path string, bin []byte, m *wasm.Module) *report {
	sum := sha256.Sum256(bin)
	r := &report{File: path, Size: len(bin), SHA256: hex.EncodeToString(sum[:]), Start: m.Start, Globals: len(m.Globals) + int(m.NumImportedGlobals)}
	for _, im := range m.Imports {
		r.addImport(im.Module, entity{Kind: im.Kind.String(), Name: im.Name, Type: importType(m, im)})
		switch im.Kind {
		case wasm.ExternMemory:
			r.Memories = append(r.Memories, limits(true, "", im.Memory.Limits))
		case wasm.ExternTable:
			r.Tables = append(r.Tables, limits(true, im.Table.Elem.String(), im.Table.Limits))
		}
	}
	for _, ex := range m.Exports {
		r.Exports = append(r.Exports, entity{Kind: ex.Kind.String(), Name: ex.Name, Type: exportType(m, ex)})
	}
	r.Functions = functionSummary{Imported: m.NumImportedFuncs, Defined: len(m.Funcs)}
	for _, c := range m.Codes {
		r.Functions.CodeBytes += len(c.Body)
	}
	for _, mem := range m.Memories {
		r.Memories = append(r.Memories, limits(false, "", mem.Limits))
	}
	for _, t := range m.Tables {
		r.Tables = append(r.Tables, limits(false, t.Elem.String(), t.Limits))
	}
	r.Data.Count = len(m.Datas)
	for _, d := range m.Datas {
		r.Data.Items += len(d.Init)
	}
	r.Elements.Count = len(m.Elems)
	for _, e := range m.Elems {
		r.Elements.Items += len(e.Init)
	}
	for _, c := range m.Customs {
		r.Custom = append(r.Custom, customInfo{Name: c.Name, Size: len(c.Data)})
	}
	return r
}

// addImport records one import under the module it is requested from,
// keeping the modules sorted by name.
func (r *report) addImport(module string, e entity) {
	i := sort.Search(len(r.Capabilities), func(i int) bool { return r.Capabilities[i].Module >= module })
	if i == len(r.Capabilities) || r.Capabilities[i].Module != module {
		r.Capabilities = slices.Insert(r.Capabilities, i, capability{Module: module})
	}
	r.Capabilities[i].Imports = append(r.Capabilities[i].Imports, e)
}

func newLimits(imported bool, elem string, min, max uint32, hasMax bool) limitsInfo {
	li := limitsInfo{Imported: imported, Elem: elem, Min: min}
	if hasMax {
		li.Max = &max
	}
	return li
}

func limits(imported bool, elem string, l wasm.Limits) limitsInfo {
	return newLimits(imported, elem, l.Min, l.Max, l.HasMax)
}

func funcTypeString(ft *wasm.FuncType) string {
	join := func(ts []wasm.ValType) string {
		s := make([]string, len(ts))
		for i, t := range ts {
			s[i] = t.String()
		}
		return "(" + strings.Join(s, ", ") + ")"
	}
	return join(ft.Params) + " -> " + join(ft.Results)
}

func globalTypeString(g wasm.GlobalType) string {
	if g.Mutable {
		return "mut " + g.Type.String()
	}
	return g.Type.String()
}

func limitsString(l wasm.Limits, unit string) string {
	s := fmt.Sprintf("min %d %s", l.Min, unit)
	if l.HasMax {
		s += fmt.Sprintf(", max %d", l.Max)
	} else {
		s += ", no max"
	}
	return s
}

func importType(m *wasm.Module, im wasm.Import) string {
	switch im.Kind {
	case wasm.ExternFunc:
		if int(im.Func) < len(m.Types) {
			return funcTypeString(&m.Types[im.Func])
		}
	case wasm.ExternTable:
		return im.Table.Elem.String() + ", " + limitsString(im.Table.Limits, "elements")
	case wasm.ExternMemory:
		return limitsString(im.Memory.Limits, "pages")
	case wasm.ExternGlobal:
		return globalTypeString(im.Global)
	}
	return ""
}

func exportType(m *wasm.Module, ex wasm.Export) string {
	switch ex.Kind {
	case wasm.ExternFunc:
		if ft := m.FuncTypeOf(ex.Index); ft != nil {
			return funcTypeString(ft)
		}
	case wasm.ExternTable:
		if tt := m.TableTypeOf(ex.Index); tt != nil {
			return tt.Elem.String() + ", " + limitsString(tt.Limits, "elements")
		}
	case wasm.ExternMemory:
		if mt := m.MemoryTypeOf(ex.Index); mt != nil {
			return limitsString(mt.Limits, "pages")
		}
	case wasm.ExternGlobal:
		if gt := m.GlobalTypeOf(ex.Index); gt != nil {
			return globalTypeString(*gt)
		}
	}
	return ""
}

func (r *report) print(w io.Writer) {
	if o := r.Object; o != nil {
		fmt.Fprintf(w, "object %s: %s, sha256 %s\n", r.File, byteSize(r.Size), r.SHA256)
		fmt.Fprintf(w, "target: %s, CPU features %v, %s bounds checks\n", o.Target, o.Features, o.Bounds)
		fmt.Fprintf(w, "compiled by %s from wasm sha256 %s\n", o.CompilerVersion, o.SourceSHA256)
		fmt.Fprintf(w, "runs here: %s\n", o.HostCanRun)
		fmt.Fprintf(w, "seal: %s\n", o.Seal)
	} else {
		fmt.Fprintf(w, "module %s: %s, sha256 %s\n", r.File, byteSize(r.Size), r.SHA256)
	}
	if r.Object != nil {
		fmt.Fprintf(w, "functions: %d defined, %d imported\n", r.Functions.Defined, r.Functions.Imported)
	} else {
		fmt.Fprintf(w, "functions: %d defined, %d imported, %s of code\n", r.Functions.Defined, r.Functions.Imported, byteSize(r.Functions.CodeBytes))
	}
	if len(r.Capabilities) == 0 {
		fmt.Fprintln(w, "capabilities requested: none (no imports)")
	} else {
		fmt.Fprintln(w, "capabilities requested (imports by module):")
		for _, cp := range r.Capabilities {
			fmt.Fprintf(w, "  %s (%d):\n", cp.Module, len(cp.Imports))
			for _, e := range cp.Imports {
				fmt.Fprintf(w, "    %-6s %s %s\n", e.Kind, e.Name, e.Type)
			}
		}
	}
	fmt.Fprintf(w, "exports (%d):\n", len(r.Exports))
	for _, e := range r.Exports {
		fmt.Fprintf(w, "  %-6s %s %s\n", e.Kind, e.Name, e.Type)
	}
	for i, mem := range r.Memories {
		fmt.Fprintf(w, "memory %d: %s\n", i, describeLimits(mem, "pages", 65536))
	}
	for i, t := range r.Tables {
		fmt.Fprintf(w, "table %d: %s %s\n", i, t.Elem, describeLimits(t, "elements", 0))
	}
	fmt.Fprintf(w, "globals: %d\n", r.Globals)
	fmt.Fprintf(w, "data segments: %d (%s)\n", r.Data.Count, byteSize(r.Data.Items))
	fmt.Fprintf(w, "element segments: %d (%d elements)\n", r.Elements.Count, r.Elements.Items)
	if r.Start != nil {
		fmt.Fprintf(w, "start function: %d\n", *r.Start)
	}
	for _, c := range r.Custom {
		fmt.Fprintf(w, "custom section %q: %s\n", c.Name, byteSize(c.Size))
	}
}

func describeLimits(l limitsInfo, unit string, unitBytes int) string {
	s := fmt.Sprintf("min %d %s", l.Min, unit)
	if unitBytes > 0 {
		s += " (" + byteSize(int(l.Min)*unitBytes) + ")"
	}
	if l.Max != nil {
		s += fmt.Sprintf(", max %d", *l.Max)
		if unitBytes > 0 {
			s += " (" + byteSize(int(*l.Max)*unitBytes) + ")"
		}
	} else {
		s += ", no max"
	}
	if l.Imported {
		s += ", imported"
	}
	return s
}

func byteSize(n int) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
