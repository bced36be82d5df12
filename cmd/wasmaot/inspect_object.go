package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strings"

	"github.com/wasmaot/wasmaot/rtlib"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// readHead returns the first bytes of a file, enough to tell its format.
func readHead(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	head := make([]byte, 4)
	n, _ := f.Read(head)
	return head[:n], nil
}

// newObjectReport builds the report of a compiled object from its metadata.
func newObjectReport(path string, obj []byte, m *abi.Meta) *report {
	sum := sha256.Sum256(obj)
	r := &report{File: path, Size: len(obj), SHA256: hex.EncodeToString(sum[:]), Globals: len(m.Globals)}
	bounds := "explicit"
	if m.Bounds == abi.BoundsGuard {
		bounds = "guard-page"
	}
	r.Object = &objectInfo{
		Target:          m.Arch.String(),
		Features:        m.Features,
		Bounds:          bounds,
		CompilerVersion: m.CompilerVersion,
		SourceSHA256:    hex.EncodeToString(m.SourceSHA256[:]),
		HostCanRun:      "yes",
	}
	if err := rtlib.CanRun(m); err != nil {
		r.Object.HostCanRun = "no: " + err.Error()
	}
	r.Object.Seal = sealSummary(obj)
	if m.Features == nil {
		r.Object.Features = []string{}
	}
	for _, im := range m.Imports {
		r.addImport(im.Module, entity{Kind: im.Kind.String(), Name: im.Name, Type: metaImportType(m, im)})
		switch im.Kind {
		case abi.ExternFunc:
			r.Functions.Imported++
		case abi.ExternMemory:
			r.Memories = append(r.Memories, metaLimits(true, "", im.Memory.Limits))
		case abi.ExternTable:
			r.Tables = append(r.Tables, metaLimits(true, im.Table.Elem.String(), im.Table.Limits))
		case abi.ExternGlobal:
			r.Globals++
		}
	}
	for _, ex := range m.Exports {
		r.Exports = append(r.Exports, entity{Kind: ex.Kind.String(), Name: ex.Name})
	}
	r.Functions.Defined = len(m.Funcs)
	for _, mem := range m.Memories {
		r.Memories = append(r.Memories, metaLimits(false, "", mem.Limits))
	}
	for _, t := range m.Tables {
		r.Tables = append(r.Tables, metaLimits(false, t.Elem.String(), t.Limits))
	}
	r.Data.Count = len(m.Data)
	for _, d := range m.Data {
		r.Data.Items += len(d.Bytes)
	}
	r.Elements.Count = len(m.Elems)
	for _, e := range m.Elems {
		r.Elements.Items += len(e.Init)
	}
	if m.Start >= 0 {
		start := uint32(m.Start)
		r.Start = &start
	}
	return r
}

func metaLimits(imported bool, elem string, l abi.Limits) limitsInfo {
	return newLimits(imported, elem, l.Min, l.Max, l.HasMax)
}

func metaImportType(m *abi.Meta, im abi.Import) string {
	switch im.Kind {
	case abi.ExternFunc:
		if int(im.FuncType) < len(m.Types) {
			ft := m.Types[im.FuncType]
			names := func(ts []abi.ValType) string {
				s := make([]string, len(ts))
				for i, t := range ts {
					s[i] = t.String()
				}
				return "(" + strings.Join(s, ", ") + ")"
			}
			return names(ft.Params) + " -> " + names(ft.Results)
		}
	case abi.ExternMemory:
		return fmt.Sprintf("min %d pages", im.Memory.Limits.Min)
	case abi.ExternTable:
		return fmt.Sprintf("%s, min %d elements", im.Table.Elem.String(), im.Table.Limits.Min)
	case abi.ExternGlobal:
		if im.Global.Mutable {
			return "mut " + im.Global.Type.String()
		}
		return im.Global.Type.String()
	}
	return ""
}
