;; Test module importing a memory, a funcref table, an externref table and
;; a mutable i64 global (env.mem, env.funcs, env.exts, env.g), compiled by
;; the native back end (harness_test.go). Function indices 0..12 are fixed.
;; Variants (pool_test.go, image_test.go) replace the lines between the
;; externs markers: the code reaches memory 0, tables 0 and 1 and global 0
;; whether they are imported or defined.
(module
  ;; externs:begin
  (import "env" "mem" (memory 1))
  (import "env" "funcs" (table 2 funcref))
  (import "env" "exts" (table 2 externref))
  (import "env" "g" (global (mut i64)))
  ;; externs:end
  (type $answer (func (result i32)))
  (elem declare func $answer)

  ;; 0
  (func $answer (export "answer") (type $answer)
    (i32.const 42))
  ;; 1: memory size in pages
  (func $mem_size (export "mem_size") (result i32)
    (memory.size))
  ;; 2
  (func $load (export "load") (param i32) (result i32)
    (i32.load align=1 (local.get 0)))
  ;; 3
  (func $store (export "store") (param i32 i32)
    (i32.store align=1 (local.get 0) (local.get 1)))
  ;; 4
  (func $grow (export "grow") (param i32) (result i32)
    (memory.grow (local.get 0)))
  ;; 5
  (func $get_g (export "get_g") (result i64)
    (global.get 0))
  ;; 6
  (func $set_g (export "set_g") (param i64)
    (global.set 0 (local.get 0)))
  ;; 7: call_indirect of type () -> i32 through table 0
  (func $call_at (export "call_at") (param i32) (result i32)
    (call_indirect 0 (type $answer) (local.get 0)))
  ;; 8
  (func $tab_size (export "tab_size") (result i32)
    (table.size 0))
  ;; 9
  (func $ext_get (export "ext_get") (param i32) (result externref)
    (table.get 1 (local.get 0)))
  ;; 10
  (func $ext_set (export "ext_set") (param i32 externref)
    (table.set 1 (local.get 0) (local.get 1)))
  ;; 11: ref.func of answer
  (func $ref_answer (export "ref_answer") (result funcref)
    (ref.func $answer))
  ;; 12
  (func $tab_set (export "tab_set") (param i32 funcref)
    (table.set 0 (local.get 0) (local.get 1)))
)
