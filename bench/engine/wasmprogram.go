package engine

import (
	"bytes"
	"fmt"
)

// PrepareWasm implements Engine.Prepare for any WasmEngine: it compiles
// the artifact's wasm build once, and each Run instantiates it afresh and
// runs _start, capturing stdout.
func PrepareWasm(e WasmEngine, a *Artifact) (Program, error) {
	m, err := e.Compile(a.Wasm)
	if err != nil {
		return nil, fmt.Errorf("%s: compile %s: %w", e.Name(), a.Name, err)
	}
	return &wasmProgram{engine: e.Name(), name: a.Name, module: m, owned: true}, nil
}

// ModuleProgram is the Program that PrepareWasm returns, for a module the
// caller compiled itself (the harness times that compilation). The caller
// keeps ownership of m: closing the program leaves m open, and the
// program must not run once m is closed.
func ModuleProgram(e Engine, a *Artifact, m Module) Program {
	return &wasmProgram{engine: e.Name(), name: a.Name, module: m}
}

type wasmProgram struct {
	engine, name string
	module       Module
	owned        bool // Close closes module
}

func (p *wasmProgram) Run(args []string) ([]byte, error) {
	var stdout bytes.Buffer
	argv := append([]string{p.name}, args...)
	inst, err := p.module.Instantiate(InstanceConfig{Args: argv, Stdout: &stdout})
	if err != nil {
		return nil, fmt.Errorf("%s: instantiate %s: %w", p.engine, p.name, err)
	}
	defer inst.Close()
	if err := inst.Start(); err != nil {
		return stdout.Bytes(), fmt.Errorf("%s: run %s: %w", p.engine, p.name, err)
	}
	return stdout.Bytes(), nil
}

func (p *wasmProgram) Close() error {
	if p.owned {
		return p.module.Close()
	}
	return nil
}
