;; The smallest module with a memory and one function of type
;; (i32, i32, i32) -> i32, which undefinedObjectFor (crafted_test.go)
;; replaces with a call of a symbol the runtime does not provide.
(module
  (memory 1)
  (func (param i32 i32 i32) (result i32)
    (i32.const 0))
)
