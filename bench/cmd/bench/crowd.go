package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/wasmaot/wasmaot/bench/internal/report"
	"github.com/wasmaot/wasmaot/compiler"
	"github.com/wasmaot/wasmaot/compiler/wat"
	"github.com/wasmaot/wasmaot/rtlib"
)

// crowdCommand is the hidden sub-command that measures many live
// instances in a fresh process.
const crowdCommand = "crowd-child"

// crowdCounts are the numbers of live instances measured.
var crowdCounts = []int{1000, 20_000, 100_000}

// crowdModule has one page of memory that cannot grow, a data segment and
// a function: the smallest module a crowd of sandboxes would run.
const crowdModule = `(module
  (memory (export "memory") 1 1)
  (data (i32.const 16) "hello")
  (func (export "get") (param i32) (result i32) local.get 0 i32.load))`

// measureCrowd runs one child per count that keeps that many instances of
// crowdModule alive on wasmaot, and reports what each costs.
func measureCrowd() ([]report.CrowdResult, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	var results []report.CrowdResult
	for _, n := range crowdCounts {
		cmd := exec.Command(self, crowdCommand, "-n", strconv.Itoa(n))
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("%d live instances: %w: %s", n, err, bytes.TrimSpace(stderr.Bytes()))
		}
		r := report.CrowdResult{Instances: n}
		if _, err := fmt.Sscan(string(out), &r.KiBPerInstance, &r.MappingsPerInstance, &r.MicrosPerInstance); err != nil {
			return nil, fmt.Errorf("%d live instances: bad child output %q", n, out)
		}
		results = append(results, r)
		logf("%d live instances: %.1f KiB and %.4f mappings per instance, %.1f us to instantiate",
			n, r.KiBPerInstance, r.MappingsPerInstance, r.MicrosPerInstance)
	}
	return results, nil
}

// crowdChild instantiates -n instances of crowdModule and prints the
// resident KiB and the mappings added per instance, and the microseconds
// per instantiation.
func crowdChild(args []string) error {
	fs := flag.NewFlagSet(crowdCommand, flag.ContinueOnError)
	n := fs.Int("n", 1000, "instances")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *n < 1 {
		return errors.New("-n must be positive")
	}
	bin, err := wat.Parse([]byte(crowdModule))
	if err != nil {
		return err
	}
	obj, err := compiler.Compile(bin, compiler.Options{OptLevel: compiler.DefaultOptLevel})
	if err != nil {
		return err
	}
	mod, err := rtlib.Load(obj)
	if err != nil {
		return err
	}
	defer mod.Close()
	ctx := context.Background()
	warm, err := mod.Instantiate(ctx, rtlib.Config{})
	if err != nil {
		return err
	}
	rssBefore, err := settledRSS()
	if err != nil {
		return err
	}
	mapsBefore, err := mappings()
	if err != nil {
		return err
	}
	instances := make([]*rtlib.Instance, 0, *n)
	start := time.Now()
	for range *n {
		inst, err := mod.Instantiate(ctx, rtlib.Config{})
		if err != nil {
			return fmt.Errorf("instance %d: %w", len(instances), err)
		}
		instances = append(instances, inst)
	}
	elapsed := time.Since(start)
	rss, err := settledRSS()
	if err != nil {
		return err
	}
	maps, err := mappings()
	if err != nil {
		return err
	}
	fmt.Printf("%.2f %.4f %.2f\n", float64(rss-rssBefore)/float64(*n), float64(maps-mapsBefore)/float64(*n),
		float64(elapsed.Microseconds())/float64(*n))
	runtime.KeepAlive(instances)
	for _, inst := range instances {
		inst.Close()
	}
	return warm.Close()
}

// mappings counts the process's memory mappings.
func mappings() (int, error) {
	data, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return 0, err
	}
	return strings.Count(string(data), "\n"), nil
}
