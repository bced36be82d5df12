; Hand-written test module following docs/object-format.md. The test
; harness (harness_test.go) substitutes {{...}} placeholders with VMContext
; offsets from abi.Layout, appends the array-call trampolines, host-import
; stubs and the .wasmaot.meta section, and compiles it with llc.
;
; Function indices: 0 = import env.host (i32)->i32; 1.. as below.

declare i64 @llvm.read_register.i64(metadata)
!0 = !{!"{{SP}}"}

define internal i8* @builtin(i8* %vmctx, i64 %b) {
  %tabp = bitcast i8* %vmctx to i8***
  %tab = load i8**, i8*** %tabp
  %fp = getelementptr i8*, i8** %tab, i64 %b
  %f = load i8*, i8** %fp
  ret i8* %f
}

; thread state base: sp & ^(NativeStackSize-1)
define internal i8* @thread() {
  %sp = call i64 @llvm.read_register.i64(metadata !0)
  %b = and i64 %sp, -8388608
  %p = inttoptr i64 %b to i8*
  ret i8* %p
}

define internal void @stackcheck(i8* %vmctx) {
  %sp = call i64 @llvm.read_register.i64(metadata !0)
  %b = and i64 %sp, -8388608
  %lp = add i64 %b, 16
  %lpp = inttoptr i64 %lp to i64*
  %lim = load i64, i64* %lpp
  %bad = icmp ult i64 %sp, %lim
  br i1 %bad, label %trap, label %ok
trap:
  %f = call i8* @builtin(i8* %vmctx, i64 0)
  %fn = bitcast i8* %f to void (i8*, i32)*
  call void %fn(i8* %vmctx, i32 10)
  unreachable
ok:
  ret void
}

; memory 0: returns base+addr after checking addr+4 <= length, else traps
define internal i32* @addr32(i8* %vmctx, i32 %a) {
  %mpp = getelementptr i8, i8* %vmctx, i64 {{MEMPTR0}}
  %mp = bitcast i8* %mpp to i64**
  %def = load i64*, i64** %mp
  %basep = getelementptr i64, i64* %def, i64 0
  %base = load i64, i64* %basep
  %lenp = getelementptr i64, i64* %def, i64 1
  %len = load i64, i64* %lenp
  %a64 = zext i32 %a to i64
  %end = add i64 %a64, 4
  %bad = icmp ugt i64 %end, %len
  br i1 %bad, label %trap, label %ok
trap:
  %f = call i8* @builtin(i8* %vmctx, i64 0)
  %fn = bitcast i8* %f to void (i8*, i32)*
  call void %fn(i8* %vmctx, i32 2)
  unreachable
ok:
  %ea = add i64 %base, %a64
  %p = inttoptr i64 %ea to i32*
  ret i32* %p
}

; 1: add(i32, i32) -> i32
define i32 @wasm_func_1(i8* %vmctx, i32 %a, i32 %b) {
  %r = add i32 %a, %b
  ret i32 %r
}

; 2: swap(i64, f64) -> (f64, i64)
define void @wasm_func_2(i8* %vmctx, i64* %res, i64 %a, double %b) {
  %bits = bitcast double %b to i64
  %r0 = getelementptr i64, i64* %res, i64 0
  store i64 %bits, i64* %r0
  %r1 = getelementptr i64, i64* %res, i64 1
  store i64 %a, i64* %r1
  ret void
}

; 3: half(f32) -> f32
define float @wasm_func_3(i8* %vmctx, float %a) {
  %r = fmul float %a, 0.5
  ret float %r
}

; 4: swaplanes(v128) -> v128
define <2 x i64> @wasm_func_4(i8* %vmctx, <2 x i64> %v) {
  %r = shufflevector <2 x i64> %v, <2 x i64> undef, <2 x i32> <i32 1, i32 0>
  ret <2 x i64> %r
}

; 5: unreachable()
define void @wasm_func_5(i8* %vmctx) {
  %f = call i8* @builtin(i8* %vmctx, i64 0)
  %fn = bitcast i8* %f to void (i8*, i32)*
  call void %fn(i8* %vmctx, i32 1)
  unreachable
}

; 6: call_host(i32) -> i32 = host(x) + 1, through the import's FuncRef
define i32 @wasm_func_6(i8* %vmctx, i32 %x) {
  %recp = getelementptr i8, i8* %vmctx, i64 {{FUNCREF0}}
  %rec = bitcast i8* %recp to i8**
  %code = load i8*, i8** %rec
  %cvp = getelementptr i8*, i8** %rec, i64 1
  %callee = load i8*, i8** %cvp
  %fn = bitcast i8* %code to i32 (i8*, i32)*
  %r = call i32 %fn(i8* %callee, i32 %x)
  %r1 = add i32 %r, 1
  ret i32 %r1
}

; 7: recurse(i32) -> i32, never returns normally
define i32 @wasm_func_7(i8* %vmctx, i32 %x) {
  call void @stackcheck(i8* %vmctx)
  %x1 = add i32 %x, 1
  %r = call i32 @wasm_func_7(i8* %vmctx, i32 %x1)
  %r1 = add i32 %r, 1
  ret i32 %r1
}

; 8: spin() loops forever, checking the interrupt flag
define void @wasm_func_8(i8* %vmctx) {
entry:
  br label %loop
loop:
  %ts = call i8* @thread()
  %ip = bitcast i8* %ts to i32*
  %flag = load atomic i32, i32* %ip monotonic, align 4
  %set = icmp ne i32 %flag, 0
  br i1 %set, label %yield, label %loop
yield:
  %f = call i8* @builtin(i8* %vmctx, i64 2)
  %fn = bitcast i8* %f to void (i8*)*
  call void %fn(i8* %vmctx)
  br label %loop
}

; 9: grow(i32) -> i32
define i32 @wasm_func_9(i8* %vmctx, i32 %d) {
  %f = call i8* @builtin(i8* %vmctx, i64 3)
  %fn = bitcast i8* %f to i32 (i8*, i32, i32)*
  %r = call i32 %fn(i8* %vmctx, i32 0, i32 %d)
  ret i32 %r
}

; 10: load(i32) -> i32
define i32 @wasm_func_10(i8* %vmctx, i32 %a) {
  %p = call i32* @addr32(i8* %vmctx, i32 %a)
  %v = load i32, i32* %p, align 1
  ret i32 %v
}

; 11: store(i32, i32)
define void @wasm_func_11(i8* %vmctx, i32 %a, i32 %v) {
  %p = call i32* @addr32(i8* %vmctx, i32 %a)
  store i32 %v, i32* %p, align 1
  ret void
}

; 12: div(i32, i32) -> i32 (traps on zero)
define i32 @wasm_func_12(i8* %vmctx, i32 %a, i32 %b) {
  %z = icmp eq i32 %b, 0
  br i1 %z, label %trap, label %ok
trap:
  %f = call i8* @builtin(i8* %vmctx, i64 0)
  %fn = bitcast i8* %f to void (i8*, i32)*
  call void %fn(i8* %vmctx, i32 7)
  unreachable
ok:
  %r = udiv i32 %a, %b
  ret i32 %r
}

; 13: counter() -> i64: global 0 += 1, returns the new value
define i64 @wasm_func_13(i8* %vmctx) {
  %gpp = getelementptr i8, i8* %vmctx, i64 {{GLOBALPTR0}}
  %gp = bitcast i8* %gpp to i64**
  %g = load i64*, i64** %gp
  %v = load i64, i64* %g
  %v1 = add i64 %v, 1
  store i64 %v1, i64* %g
  ret i64 %v1
}

; 14: fill(i32 dst, i32 val, i32 n) via memory_fill; then copies the n
; bytes at dst to dst+n with the runtime's memmove
define void @wasm_func_14(i8* %vmctx, i32 %dst, i32 %val, i32 %n) {
  %f = call i8* @builtin(i8* %vmctx, i64 4)
  %fn = bitcast i8* %f to void (i8*, i32, i32, i32, i32)*
  call void %fn(i8* %vmctx, i32 0, i32 %dst, i32 %val, i32 %n)
  %d = call i32* @addr32(i8* %vmctx, i32 %dst)
  %d8 = bitcast i32* %d to i8*
  %n64 = zext i32 %n to i64
  %e8 = getelementptr i8, i8* %d8, i64 %n64
  call i8* @memmove(i8* %e8, i8* %d8, i64 %n64)
  ret void
}
declare i8* @memmove(i8*, i8*, i64)

; 15: call_callback(i32) -> i32: calls host import 0 (the Go host calls back
; into wasm); same as 6 but kept separate for clarity of traces
define i32 @wasm_func_15(i8* %vmctx, i32 %x) {
  %r = call i32 @wasm_func_6(i8* %vmctx, i32 %x)
  ret i32 %r
}

; 16: nop()
define void @wasm_func_16(i8* %vmctx) {
  ret void
}

; 17: host_loop(i32 n) -> i32: calls host import 0 n times, summing results
define i32 @wasm_func_17(i8* %vmctx, i32 %n) {
entry:
  %recp = getelementptr i8, i8* %vmctx, i64 {{FUNCREF0}}
  %rec = bitcast i8* %recp to i8**
  %code = load i8*, i8** %rec
  %cvp = getelementptr i8*, i8** %rec, i64 1
  %callee = load i8*, i8** %cvp
  %fn = bitcast i8* %code to i32 (i8*, i32)*
  %none = icmp eq i32 %n, 0
  br i1 %none, label %done, label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %i1, %loop ]
  %sum = phi i32 [ 0, %entry ], [ %sum1, %loop ]
  %r = call i32 %fn(i8* %callee, i32 %i)
  %sum1 = add i32 %sum, %r
  %i1 = add i32 %i, 1
  %more = icmp ult i32 %i1, %n
  br i1 %more, label %loop, label %done
done:
  %s = phi i32 [ 0, %entry ], [ %sum1, %loop ]
  ret i32 %s
}

; 18: grow_loop(i32 n) -> i32: calls memory_grow(0, 0) n times, summing
define i32 @wasm_func_18(i8* %vmctx, i32 %n) {
entry:
  %f = call i8* @builtin(i8* %vmctx, i64 3)
  %fn = bitcast i8* %f to i32 (i8*, i32, i32)*
  %none = icmp eq i32 %n, 0
  br i1 %none, label %done, label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %i1, %loop ]
  %sum = phi i32 [ 0, %entry ], [ %sum1, %loop ]
  %r = call i32 %fn(i8* %vmctx, i32 0, i32 0)
  %sum1 = add i32 %sum, %r
  %i1 = add i32 %i, 1
  %more = icmp ult i32 %i1, %n
  br i1 %more, label %loop, label %done
done:
  %s = phi i32 [ 0, %entry ], [ %sum1, %loop ]
  ret i32 %s
}

; 19: burn(i32 n) -> i32: n loop iterations costing 1 fuel each, plus 1
; for the entry. Each charge is the sequence rtlib/abi (ThreadFuel) asks
; of a back end: subtract the cost, call yield when the count goes
; negative. (llc does not inline, so it is written out in place.)
define i32 @wasm_func_19(i8* %vmctx, i32 %n) {
entry:
  %ts = call i8* @thread()
  %fp8 = getelementptr i8, i8* %ts, i64 8
  %fp = bitcast i8* %fp8 to i64*
  %y = call i8* @builtin(i8* %vmctx, i64 2)
  %yield = bitcast i8* %y to void (i8*)*
  %f0 = load i64, i64* %fp
  %f1 = sub i64 %f0, 1
  store i64 %f1, i64* %fp
  %neg0 = icmp slt i64 %f1, 0
  br i1 %neg0, label %yield0, label %loop
yield0:
  call void %yield(i8* %vmctx)
  br label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ 0, %yield0 ], [ %i1, %body ], [ %i1, %yield1 ]
  %done = icmp uge i32 %i, %n
  br i1 %done, label %exit, label %body
body:
  %f2 = load i64, i64* %fp
  %f3 = sub i64 %f2, 1
  store i64 %f3, i64* %fp
  %i1 = add i32 %i, 1
  %neg1 = icmp slt i64 %f3, 0
  br i1 %neg1, label %yield1, label %loop
yield1:
  call void %yield(i8* %vmctx)
  br label %loop
exit:
  ret i32 %i
}

; the base of memory 0 (callers keep their ranges in bounds themselves)
define internal i8* @membase(i8* %vmctx) {
  %mpp = getelementptr i8, i8* %vmctx, i64 {{MEMPTR0}}
  %mp = bitcast i8* %mpp to i8***
  %def = load i8**, i8*** %mp
  %base = load i8*, i8** %def
  ret i8* %base
}

; 20: move(i32 dst, i32 src, i32 n) -> i32: the runtime's memmove,
; unchecked; 1 when it returned dst
define i32 @wasm_func_20(i8* %vmctx, i32 %dst, i32 %src, i32 %n) {
  %base = call i8* @membase(i8* %vmctx)
  %d64 = zext i32 %dst to i64
  %s64 = zext i32 %src to i64
  %n64 = zext i32 %n to i64
  %d = getelementptr i8, i8* %base, i64 %d64
  %s = getelementptr i8, i8* %base, i64 %s64
  %r = call i8* @memmove(i8* %d, i8* %s, i64 %n64)
  %ok = icmp eq i8* %r, %d
  %r32 = zext i1 %ok to i32
  ret i32 %r32
}

; 21: set(i32 dst, i32 val, i32 n) -> i32: the runtime's memset,
; unchecked; 1 when it returned dst
define i32 @wasm_func_21(i8* %vmctx, i32 %dst, i32 %val, i32 %n) {
  %base = call i8* @membase(i8* %vmctx)
  %d64 = zext i32 %dst to i64
  %n64 = zext i32 %n to i64
  %d = getelementptr i8, i8* %base, i64 %d64
  %r = call i8* @memset(i8* %d, i32 %val, i64 %n64)
  %ok = icmp eq i8* %r, %d
  %r32 = zext i1 %ok to i32
  ret i32 %r32
}
declare i8* @memset(i8*, i32, i64)
