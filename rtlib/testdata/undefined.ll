; An object that calls a symbol the runtime does not provide.
declare void @system(i8*)

define void @wasm_func_0(i8* %vmctx) {
  call void @system(i8* %vmctx)
  ret void
}
