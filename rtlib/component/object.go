package component

import (
	"bytes"
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/wasmaot/wasmaot/rtlib"
)

// A component object is an ELF64 file (ET_REL, the target's machine) with
// a GraphSection holding the encoded Graph and one ModuleSection+"N"
// section per core module holding that module's own object. `readelf -S`
// lists them; rtlib.Load loads each module object as usual.
const (
	GraphSection  = ".wasmaot.component"
	ModuleSection = ".wasmaot.module."
)

// Object is a loaded component object: its graph and core modules.
type Object struct {
	Graph   *Graph
	Modules []*rtlib.Module
}

// IsObject reports whether obj is an ELF file with a component graph.
func IsObject(obj []byte) bool {
	f, err := elf.NewFile(bytes.NewReader(obj))
	if err != nil {
		return false
	}
	return f.Section(GraphSection) != nil
}

// ReadGraph decodes the graph of a component object without loading its
// modules.
func ReadGraph(obj []byte) (*Graph, [][]byte, error) {
	f, err := elf.NewFile(bytes.NewReader(obj))
	if err != nil {
		return nil, nil, fmt.Errorf("component object: %w", err)
	}
	gs := f.Section(GraphSection)
	if gs == nil {
		return nil, nil, errors.New("component object: no " + GraphSection + " section (a core module object?)")
	}
	gb, err := sectionBytes(gs, obj)
	if err != nil {
		return nil, nil, err
	}
	g, err := DecodeGraph(gb)
	if err != nil {
		return nil, nil, err
	}
	mods := make([][]byte, g.Modules)
	for _, s := range f.Sections {
		rest, ok := strings.CutPrefix(s.Name, ModuleSection)
		if !ok {
			continue
		}
		i, err := strconv.Atoi(rest)
		if err != nil || i < 0 || i >= g.Modules || mods[i] != nil {
			return nil, nil, fmt.Errorf("component object: unexpected section %s", s.Name)
		}
		if mods[i], err = sectionBytes(s, obj); err != nil {
			return nil, nil, err
		}
	}
	for i, m := range mods {
		if m == nil {
			return nil, nil, fmt.Errorf("component object: core module %d is missing", i)
		}
	}
	return g, mods, nil
}

func sectionBytes(s *elf.Section, obj []byte) ([]byte, error) {
	if s.Type == elf.SHT_NOBITS || s.Offset > uint64(len(obj)) || s.Size > uint64(len(obj))-s.Offset {
		return nil, fmt.Errorf("component object: section %s is out of bounds", s.Name)
	}
	return obj[s.Offset : s.Offset+s.Size], nil
}

// Load loads a component object: its graph and every core module.
func Load(obj []byte) (*Object, error) {
	g, mods, err := ReadGraph(obj)
	if err != nil {
		return nil, err
	}
	o := &Object{Graph: g}
	for i, m := range mods {
		rm, err := rtlib.Load(m)
		if err != nil {
			o.Close()
			return nil, fmt.Errorf("component object: core module %d: %w", i, err)
		}
		o.Modules = append(o.Modules, rm)
	}
	return o, nil
}

// Instantiate creates an instance of the component.
func (o *Object) Instantiate(ctx context.Context, cfg Config) (*Instance, error) {
	return Instantiate(ctx, o.Graph, o.Modules, cfg)
}

// Close releases the core modules.
func (o *Object) Close() error {
	var errs []error
	for _, m := range o.Modules {
		errs = append(errs, m.Close())
	}
	return errors.Join(errs...)
}
