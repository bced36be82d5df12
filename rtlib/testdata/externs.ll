; Test module importing a memory, a funcref table, an externref table and
; a mutable i64 global (env.mem, env.funcs, env.exts, env.g); see
; externs_test.go for the metadata. Placeholders as in basic.ll.

define internal void @trap(i8* %vmctx, i32 %code) {
  %tabp = bitcast i8* %vmctx to i8***
  %tab = load i8**, i8*** %tabp
  %f = load i8*, i8** %tab
  %fn = bitcast i8* %f to void (i8*, i32)*
  call void %fn(i8* %vmctx, i32 %code)
  unreachable
}

define internal i64* @def(i8* %vmctx, i64 %off) {
  %pp = getelementptr i8, i8* %vmctx, i64 %off
  %p = bitcast i8* %pp to i64**
  %d = load i64*, i64** %p
  ret i64* %d
}

; element i of the table whose definition pointer is at vmctx+off, after
; a bounds check
define internal i64* @elem(i8* %vmctx, i64 %off, i32 %i) {
  %d = call i64* @def(i8* %vmctx, i64 %off)
  %lenp = getelementptr i64, i64* %d, i64 1
  %len = load i64, i64* %lenp
  %i64 = zext i32 %i to i64
  %oob = icmp uge i64 %i64, %len
  br i1 %oob, label %trap, label %ok
trap:
  call void @trap(i8* %vmctx, i32 3)
  unreachable
ok:
  %b = load i64, i64* %d
  %bp = inttoptr i64 %b to i64*
  %ep = getelementptr i64, i64* %bp, i64 %i64
  ret i64* %ep
}

define internal i32* @addr32(i8* %vmctx, i32 %a) {
  %d = call i64* @def(i8* %vmctx, i64 {{MEMPTR0}})
  %base = load i64, i64* %d
  %lenp = getelementptr i64, i64* %d, i64 1
  %len = load i64, i64* %lenp
  %a64 = zext i32 %a to i64
  %end = add i64 %a64, 4
  %bad = icmp ugt i64 %end, %len
  br i1 %bad, label %trap, label %ok
trap:
  call void @trap(i8* %vmctx, i32 2)
  unreachable
ok:
  %ea = add i64 %base, %a64
  %p = inttoptr i64 %ea to i32*
  ret i32* %p
}

; 0: answer() -> i32
define i32 @wasm_func_0(i8* %vmctx) {
  ret i32 42
}

; 1: mem_size() -> i32 pages
define i32 @wasm_func_1(i8* %vmctx) {
  %d = call i64* @def(i8* %vmctx, i64 {{MEMPTR0}})
  %lenp = getelementptr i64, i64* %d, i64 1
  %len = load i64, i64* %lenp
  %pages = lshr i64 %len, 16
  %r = trunc i64 %pages to i32
  ret i32 %r
}

; 2: load(i32) -> i32
define i32 @wasm_func_2(i8* %vmctx, i32 %a) {
  %p = call i32* @addr32(i8* %vmctx, i32 %a)
  %v = load i32, i32* %p, align 1
  ret i32 %v
}

; 3: store(i32, i32)
define void @wasm_func_3(i8* %vmctx, i32 %a, i32 %v) {
  %p = call i32* @addr32(i8* %vmctx, i32 %a)
  store i32 %v, i32* %p, align 1
  ret void
}

; 4: grow(i32) -> i32
define i32 @wasm_func_4(i8* %vmctx, i32 %d) {
  %tabp = bitcast i8* %vmctx to i8***
  %tab = load i8**, i8*** %tabp
  %fp = getelementptr i8*, i8** %tab, i64 3
  %f = load i8*, i8** %fp
  %fn = bitcast i8* %f to i32 (i8*, i32, i32)*
  %r = call i32 %fn(i8* %vmctx, i32 0, i32 %d)
  ret i32 %r
}

; 5: get_g() -> i64
define i64 @wasm_func_5(i8* %vmctx) {
  %g = call i64* @def(i8* %vmctx, i64 {{GLOBALPTR0}})
  %v = load i64, i64* %g
  ret i64 %v
}

; 6: set_g(i64)
define void @wasm_func_6(i8* %vmctx, i64 %v) {
  %g = call i64* @def(i8* %vmctx, i64 {{GLOBALPTR0}})
  store i64 %v, i64* %g
  ret void
}

; 7: call_at(i32) -> i32: call_indirect of type 0 through table 0
define i32 @wasm_func_7(i8* %vmctx, i32 %i) {
entry:
  %ep = call i64* @elem(i8* %vmctx, i64 {{TABLEPTR0}}, i32 %i)
  %ref = load i64, i64* %ep
  %null = icmp eq i64 %ref, 0
  br i1 %null, label %trapnull, label %nonnull
trapnull:
  call void @trap(i8* %vmctx, i32 5)
  unreachable
nonnull:
  %rec = inttoptr i64 %ref to i64*
  %tidp = getelementptr i64, i64* %rec, i64 2
  %tid = load i64, i64* %tidp
  %wantp = getelementptr i8, i8* %vmctx, i64 {{TYPEID0}}
  %wantq = bitcast i8* %wantp to i64*
  %want = load i64, i64* %wantq
  %bad = icmp ne i64 %tid, %want
  br i1 %bad, label %trapsig, label %call
trapsig:
  call void @trap(i8* %vmctx, i32 6)
  unreachable
call:
  %code = load i64, i64* %rec
  %cvp = getelementptr i64, i64* %rec, i64 1
  %cv = load i64, i64* %cvp
  %fn = inttoptr i64 %code to i32 (i8*)*
  %callee = inttoptr i64 %cv to i8*
  %r = call i32 %fn(i8* %callee)
  ret i32 %r
}

; 8: tab_size() -> i32
define i32 @wasm_func_8(i8* %vmctx) {
  %d = call i64* @def(i8* %vmctx, i64 {{TABLEPTR0}})
  %lenp = getelementptr i64, i64* %d, i64 1
  %len = load i64, i64* %lenp
  %r = trunc i64 %len to i32
  ret i32 %r
}

; 9: ext_get(i32) -> externref from table 1
define i64 @wasm_func_9(i8* %vmctx, i32 %i) {
  %ep = call i64* @elem(i8* %vmctx, i64 {{TABLEPTR1}}, i32 %i)
  %v = load i64, i64* %ep
  ret i64 %v
}

; 10: ext_set(i32, externref) into table 1
define void @wasm_func_10(i8* %vmctx, i32 %i, i64 %v) {
  %ep = call i64* @elem(i8* %vmctx, i64 {{TABLEPTR1}}, i32 %i)
  store i64 %v, i64* %ep
  ret void
}

; 11: ref_answer() -> funcref (ref.func 0)
define i64 @wasm_func_11(i8* %vmctx) {
  %p = getelementptr i8, i8* %vmctx, i64 {{FUNCREF0}}
  %r = ptrtoint i8* %p to i64
  ret i64 %r
}

; 12: tab_set(i32, funcref) into table 0
define void @wasm_func_12(i8* %vmctx, i32 %i, i64 %v) {
  %ep = call i64* @elem(i8* %vmctx, i64 {{TABLEPTR0}}, i32 %i)
  store i64 %v, i64* %ep
  ret void
}
