;; A WASI 0.2 command written against the canonical ABI by hand (world
;; "app" of world.wit): prints a line, each environment value, the first
;; preopen's in.txt, the error code of opening ../secret.txt, then exits
;; with status 3. Any unexpected answer traps.
(module
  (import "wasi:cli/stdout@0.2.0" "get-stdout" (func $get_stdout (result i32)))
  (import "wasi:io/streams@0.2.0" "[method]output-stream.blocking-write-and-flush" (func $write (param i32 i32 i32 i32)))
  (import "wasi:cli/environment@0.2.0" "get-environment" (func $get_env (param i32)))
  (import "wasi:filesystem/preopens@0.2.0" "get-directories" (func $get_dirs (param i32)))
  (import "wasi:filesystem/types@0.2.0" "[method]descriptor.open-at" (func $open_at (param i32 i32 i32 i32 i32 i32 i32)))
  (import "wasi:filesystem/types@0.2.0" "[method]descriptor.read" (func $read (param i32 i64 i64 i32)))
  (import "wasi:filesystem/types@0.2.0" "[resource-drop]descriptor" (func $drop_desc (param i32)))
  (import "wasi:cli/exit@0.2.0" "exit-with-code" (func $exit (param i32)))
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 8192))
  (global $out (mut i32) (i32.const 0))
  (data (i32.const 16) "hello from a component\n")      ;; 23 bytes
  (data (i32.const 48) "in.txt")                         ;; 6
  (data (i32.const 64) "../secret.txt")                  ;; 13
  (data (i32.const 80) "denied: error-code 00\n")        ;; 22, digits at 99,100
  (data (i32.const 112) "escaped!\n")                    ;; 9
  (data (i32.const 128) "\n")
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $p i32)
    (local.set $p (i32.and (i32.add (global.get $heap) (i32.sub (local.get 2) (i32.const 1)))
                           (i32.sub (i32.const 0) (local.get 2))))
    (global.set $heap (i32.add (local.get $p) (local.get 3)))
    (if (i32.gt_u (global.get $heap) (i32.mul (memory.size) (i32.const 65536)))
      (then (drop (memory.grow (i32.const 1)))))
    (local.get $p))
  (func $print (param $p i32) (param $n i32)
    (call $write (global.get $out) (local.get $p) (local.get $n) (i32.const 1024))
    (if (i32.load8_u (i32.const 1024)) (then unreachable)))
  (func (export "wasi:cli/run@0.2.0#run") (result i32)
    (local $env i32) (local $n i32) (local $i i32) (local $dir i32) (local $fd i32) (local $code i32)
    (global.set $out (call $get_stdout))
    (call $print (i32.const 16) (i32.const 23))
    ;; a second page: refused under --max-memory 64KiB
    (if (i32.eq (memory.grow (i32.const 1)) (i32.const -1)) (then unreachable))
    ;; every environment value, one a line
    (call $get_env (i32.const 1032))
    (local.set $env (i32.load (i32.const 1032)))
    (local.set $n (i32.load (i32.const 1036)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (call $print (i32.load offset=8 (i32.add (local.get $env) (i32.shl (local.get $i) (i32.const 4))))
                   (i32.load offset=12 (i32.add (local.get $env) (i32.shl (local.get $i) (i32.const 4)))))
      (call $print (i32.const 128) (i32.const 1))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    ;; the first preopen
    (call $get_dirs (i32.const 1040))
    (if (i32.eqz (i32.load (i32.const 1044))) (then unreachable))
    (local.set $dir (i32.load (i32.load (i32.const 1040))))
    ;; in.txt: open for reading, print its contents
    (call $open_at (local.get $dir) (i32.const 0) (i32.const 48) (i32.const 6) (i32.const 0) (i32.const 1) (i32.const 1056))
    (if (i32.load8_u (i32.const 1056)) (then unreachable))
    (local.set $fd (i32.load (i32.const 1060)))
    (call $read (local.get $fd) (i64.const 4096) (i64.const 0) (i32.const 1072))
    (if (i32.load8_u (i32.const 1072)) (then unreachable))
    (call $print (i32.load (i32.const 1076)) (i32.load (i32.const 1080)))
    (call $drop_desc (local.get $fd))
    ;; ../secret.txt must be refused
    (call $open_at (local.get $dir) (i32.const 0) (i32.const 64) (i32.const 13) (i32.const 0) (i32.const 1) (i32.const 1056))
    (if (i32.load8_u (i32.const 1056))
      (then
        (local.set $code (i32.load8_u (i32.const 1060)))
        (i32.store8 (i32.const 99) (i32.add (i32.const 48) (i32.div_u (local.get $code) (i32.const 10))))
        (i32.store8 (i32.const 100) (i32.add (i32.const 48) (i32.rem_u (local.get $code) (i32.const 10))))
        (call $print (i32.const 80) (i32.const 22)))
      (else (call $print (i32.const 112) (i32.const 9))))
    (call $exit (i32.const 3))
    unreachable)
)
