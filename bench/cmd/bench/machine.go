package main

import (
	"bufio"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/wasmaot/wasmaot/bench/internal/report"
)

// machineFacts describes the machine and tools behind the numbers.
func machineFacts() []report.Fact {
	facts := []report.Fact{
		{Name: "CPU", Value: procField("/proc/cpuinfo", "model name")},
		{Name: "logical CPUs", Value: strconv.Itoa(runtime.NumCPU())},
		{Name: "memory", Value: procField("/proc/meminfo", "MemTotal")},
		{Name: "kernel", Value: firstLine("/proc/sys/kernel/osrelease")},
		{Name: "load average at start", Value: firstLine("/proc/loadavg")},
		{Name: "Go", Value: runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH},
		{Name: "C compiler", Value: commandLine("clang-14", "--version")},
	}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			switch dep.Path {
			case "github.com/tetratelabs/wazero", "github.com/bytecodealliance/wasmtime-go/v44":
				facts = append(facts, report.Fact{Name: dep.Path, Value: dep.Version})
			}
		}
	}
	return facts
}

// commit returns the abbreviated HEAD commit of the repository.
func commit() string {
	if c := commandLine("git", "rev-parse", "--short=12", "HEAD"); c != "" {
		return c
	}
	return "unknown"
}

// procField returns the value of the first "key: value" line for key.
func procField(path, key string) string {
	f, err := os.Open(path)
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		k, v, ok := strings.Cut(s.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func firstLine(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "unknown"
	}
	line, _, _ := strings.Cut(string(b), "\n")
	return strings.TrimSpace(line)
}

// commandLine returns the first line of a command's output, or "".
func commandLine(name string, args ...string) string {
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		return ""
	}
	line, _, _ := strings.Cut(string(out), "\n")
	return strings.TrimSpace(line)
}
