package main

import (
	"errors"
	"testing"
	"time"

	"github.com/wasmaot/wasmaot/bench/engine"
)

// cachingEngine stands in for an engine that answers Compile from a cache
// while a module of the same bytes is open: it counts open modules and
// flags any compilation made while one is open.
type cachingEngine struct {
	name              string
	open, compiles    int
	compiledWhileOpen bool
}

func (e *cachingEngine) Name() string { return e.name }
func (e *cachingEngine) Prepare(*engine.Artifact) (engine.Program, error) {
	return nil, errors.New("unused")
}
func (e *cachingEngine) Close() error                              { return nil }
func (e *cachingEngine) Deserialize([]byte) (engine.Module, error) { return nil, engine.ErrUnsupported }
func (e *cachingEngine) Compile([]byte) (engine.Module, error) {
	if e.open > 0 {
		e.compiledWhileOpen = true
	}
	e.open++
	e.compiles++
	return &countedModule{e: e}, nil
}

type countedModule struct{ e *cachingEngine }

func (m *countedModule) Instantiate(engine.InstanceConfig) (engine.Instance, error) {
	return nil, errors.New("unused")
}
func (m *countedModule) Serialize() ([]byte, error) { return nil, engine.ErrUnsupported }
func (m *countedModule) Close() error               { m.e.open--; return nil }

func TestMeasureCompileNeverCompilesOverAnOpenModule(t *testing.T) {
	fast := &cachingEngine{name: "fast"}
	slow := &cachingEngine{name: "slow"}
	a := &engine.Artifact{Name: "p", Wasm: []byte("wasm")}
	pr := &prepared{
		modules:        map[string]map[string]engine.Module{"fast": {}, "slow": {}},
		compileSeconds: map[string]map[string]float64{"fast": {"p": 0.5}, "slow": {"p": 30}},
	}
	for _, e := range []*cachingEngine{fast, slow} {
		m, _ := e.Compile(a.Wasm)
		pr.modules[e.name]["p"] = m
	}
	res, err := measureCompile([]engine.WasmEngine{fast, slow}, []*engine.Artifact{a}, pr, 3, 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if fast.compiledWhileOpen {
		t.Error("compiled while a module of the same bytes was open")
	}
	if fast.compiles != 3 || res[0].Samples["fast"] != 3 {
		t.Errorf("fast engine: %d compilations, %d samples; want prepare's plus two", fast.compiles, res[0].Samples["fast"])
	}
	if slow.compiles != 1 || res[0].Samples["slow"] != 1 || res[0].Seconds["slow"] != 30 {
		t.Errorf("slow engine: %d compilations, %d samples, median %v; want prepare's only", slow.compiles, res[0].Samples["slow"], res[0].Seconds["slow"])
	}
	if fast.open != 1 || pr.modules["fast"]["p"] == nil {
		t.Errorf("want exactly the last module open and kept for instantiation; %d open", fast.open)
	}
	pr.close()
	if fast.open != 0 || slow.open != 0 {
		t.Errorf("close left %d and %d modules open", fast.open, slow.open)
	}
}
