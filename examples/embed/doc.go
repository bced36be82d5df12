// Package embed shows how a Go program embeds wasmaot: see its Example,
// which compiles guest.wat, loads the object with rtlib, grants the guest
// a temporary directory and a captured stdout through rtlib/wasi, and runs
// it. A program that only runs precompiled objects imports rtlib and
// rtlib/wasi alone; the compiler appears here only to build the object.
package embed
