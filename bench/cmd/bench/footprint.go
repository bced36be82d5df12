package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/wasmaot/wasmaot/bench/engine"
	"github.com/wasmaot/wasmaot/bench/internal/report"
)

// footprintCommand is the hidden sub-command the harness re-executes
// itself with, so each engine's footprint is measured in a fresh process.
const footprintCommand = "footprint-child"

// measureFootprint runs one child per engine that keeps o.instances idle
// instances of a alive and reports the resident memory they added.
func measureFootprint(engines []engine.WasmEngine, a *engine.Artifact, o options) ([]report.FootprintResult, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	wasmPath := a.NativePath + ".wasm"
	var results []report.FootprintResult
	for _, e := range engines {
		cmd := exec.Command(self, footprintCommand, "-engine", e.Name(), "-wasm", wasmPath, "-n", strconv.Itoa(o.instances))
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("footprint of %s: %w: %s", e.Name(), err, bytes.TrimSpace(stderr.Bytes()))
		}
		kib, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
		if err != nil {
			return nil, fmt.Errorf("footprint of %s: bad child output %q", e.Name(), out)
		}
		results = append(results, report.FootprintResult{Engine: e.Name(), Module: a.Name, Instances: o.instances, KiBPerInstance: kib})
		logf("footprint on %s: %.1f KiB per idle instance of %s", e.Name(), kib, a.Name)
	}
	return results, nil
}

// footprintChild instantiates -n instances of -wasm on -engine and prints
// the resident memory added per instance, in KiB.
func footprintChild(args []string) error {
	fs := flag.NewFlagSet(footprintCommand, flag.ContinueOnError)
	engineName := fs.String("engine", "", "engine name")
	wasmPath := fs.String("wasm", "", "module to instantiate")
	n := fs.Int("n", 1000, "instances")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *n < 1 {
		return errors.New("-n must be positive")
	}
	wasm, err := os.ReadFile(*wasmPath)
	if err != nil {
		return err
	}
	_, engines, _, err := openEngines("native," + *engineName)
	if err != nil {
		return err
	}
	if len(engines) != 1 {
		return fmt.Errorf("engine %q is not available", *engineName)
	}
	e := engines[0]
	defer e.Close()
	m, err := e.Compile(wasm)
	if err != nil {
		return err
	}
	defer m.Close()
	// One instance first, so one-time costs (runtime set-up, lazily
	// mapped code) are not charged to the n measured below.
	warm, err := m.Instantiate(engine.InstanceConfig{Args: []string{"idle"}})
	if err != nil {
		return err
	}
	before, err := settledRSS()
	if err != nil {
		return err
	}
	instances := make([]engine.Instance, 0, *n)
	for range *n {
		inst, err := m.Instantiate(engine.InstanceConfig{Args: []string{"idle"}})
		if err != nil {
			return err
		}
		instances = append(instances, inst)
	}
	after, err := settledRSS()
	if err != nil {
		return err
	}
	fmt.Printf("%.2f\n", float64(after-before)/float64(*n))
	runtime.KeepAlive(instances)
	for _, inst := range instances {
		inst.Close()
	}
	return warm.Close()
}

// settledRSS collects garbage, returns freed memory to the OS and reads
// the resident set size in KiB.
func settledRSS() (int64, error) {
	runtime.GC()
	debug.FreeOSMemory()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmRSS:"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		}
	}
	return 0, errors.New("no VmRSS in /proc/self/status")
}
