package main

import (
	"strings"
	"testing"

	"github.com/wasmaot/wasmaot/bench/engine"
)

func TestSelectPrograms(t *testing.T) {
	specs, err := selectPrograms("sieve, gojson")
	if err != nil || len(specs) != 2 || specs[0].Name != "sieve" || !specs[1].Go {
		t.Fatalf("selectPrograms = %+v, %v", specs, err)
	}
	if _, err := selectPrograms("nope"); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("unknown program error = %v", err)
	}
	all, err := selectPrograms("")
	if err != nil || len(all) < 11 {
		t.Errorf("whole suite has %d programs, %v", len(all), err)
	}
}

func TestAgree(t *testing.T) {
	var want []byte
	if err := agree("native", "p", []byte("p 01\n"), &want); err != nil {
		t.Fatal(err)
	}
	if err := agree("wazero", "p", []byte("p 01\n"), &want); err != nil {
		t.Errorf("equal outputs disagree: %v", err)
	}
	err := agree("wasmtime", "p", []byte("p 02\n"), &want)
	if err == nil || !strings.Contains(err.Error(), "checksum mismatch") {
		t.Errorf("mismatch error = %v", err)
	}
	var none []byte
	if err := agree("native", "p", []byte("\n"), &none); err == nil {
		t.Error("an empty first output was accepted")
	}
}

func TestPickModules(t *testing.T) {
	arts := []*engine.Artifact{
		{Name: "a", Wasm: make([]byte, 30)},
		{Name: "sieve", Wasm: make([]byte, 50)},
		{Name: "big", Wasm: make([]byte, 900)},
	}
	small, large := pickModules(arts)
	if small.Name != "sieve" || large.Name != "big" {
		t.Errorf("picked %s and %s, want sieve and big", small.Name, large.Name)
	}
	small, _ = pickModules(arts[2:])
	if small.Name != "big" {
		t.Errorf("without sieve picked %s", small.Name)
	}
}

func TestOpenEngines(t *testing.T) {
	if _, _, _, err := openEngines("wazero"); err == nil {
		t.Error("engines without native were accepted")
	}
	if _, _, _, err := openEngines("native,bogus"); err == nil || !strings.Contains(err.Error(), "bogus") {
		t.Errorf("unknown engine error = %v", err)
	}
	all, wasm, unavailable, err := openEngines("native,wasmaot")
	if err != nil {
		t.Fatal(err)
	}
	// Every wasmaot configuration is available since the native back end
	// landed.
	if len(all) != 1+len(engine.WasmaotConfigs) || len(wasm) != len(engine.WasmaotConfigs) || len(unavailable) != 0 {
		t.Errorf("native,wasmaot gave %d engines, %d wasm, unavailable %v; want native and %v", len(all), len(wasm), unavailable, engine.WasmaotConfigs)
	}
	// The footprint child names a single configuration.
	_, wasm, _, err = openEngines("native,wasmaot-llvm -O2")
	if err != nil || len(wasm) != 1 || wasm[0].Name() != "wasmaot-llvm -O2" {
		t.Errorf("a single wasmaot configuration gave %v, %v", wasm, err)
	}
}

func TestRelativeTo(t *testing.T) {
	got, err := relativeTo("/repo/BENCHMARKS.md", "/repo/bench/ratio-to-native.png")
	if err != nil {
		t.Fatal(err)
	}
	if got != "bench/ratio-to-native.png" {
		t.Errorf("relativeTo = %q, want bench/ratio-to-native.png", got)
	}
}
