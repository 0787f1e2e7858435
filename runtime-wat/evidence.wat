;; Operations run in place on the wasmfx backend (passes/tail-resume.ts, passes/codegen-evidence.ts,
;; docs/tail-resumptive.md), pasted after runtime-wat/runtime.wat in a program that has an
;; in-place clause.
;;
;; $node is the innermost handler installed around the running code: a chain of $Node records,
;; one per handler (deep or shallow) being run, each pointing to the handler around it (`outer`)
;; and to its handler's description: the operations it handles (ids) and, for each, the function
;; running its clause in place (null: the clause needs the continuation, so the operation
;; suspends as usual). A handler with in-place clauses extends $Node with its free variables and
;; its parameters (mutable: `k(v, s1)` in place sets them). Generated code keeps $node up to date:
;; a handler sets it to its own node while its computation runs and back to `outer` when a
;; suspension or the computation's value comes back; a `do` that suspends saves it and puts it
;; back when resumed; resuming a continuation elsewhere sets the handler's `outer` to the caller's
;; $node, so the chain inside the continuation stays right.
(rec
  ;; outer, description (a shallow handler's becomes $desc_none once it has resumed: it is gone)
  (type $Node (sub (struct (field (mut (ref null $Node))) (field (mut (ref $Desc))))))
  ;; operations handled (ids), in-place clause functions (same order; null: not in place)
  (type $Desc (struct (field (ref $EvOps)) (field (ref $IPFns))))
  ;; the handler's node, the operation's arguments (none: null, one: itself, more: an $Env)
  (type $IPFn (func (param (ref $Node)) (param eqref) (result eqref)))
  (type $IPFns (array (ref null $IPFn)))
  (type $EvOps (array i32))
)
(type $General (struct (field i32)))

(global $node (mut (ref null $Node)) (ref.null $Node))
;; what $ev_perform returns when the operation must suspend: no value of the program is this one
(global $general (ref $General) (struct.new $General (i32.const 0)))
(global $desc_none (ref $Desc) (struct.new $Desc (array.new_fixed $EvOps 0) (array.new_fixed $IPFns 0)))

;; Operation op with arguments a: the innermost handler of op in the chain; when its clause runs
;; in place, its value; otherwise (or when no handler in the chain handles op) $general.
(func $ev_perform (param $op i32) (param $a eqref) (result eqref)
  (local $n (ref null $Node)) (local $d (ref $Desc)) (local $ops (ref $EvOps)) (local $i i32) (local $f (ref null $IPFn))
  (local.set $n (global.get $node))
  (loop $walk
    (if (ref.is_null (local.get $n)) (then (return (global.get $general))))
    (local.set $d (struct.get $Node 1 (local.get $n)))
    (local.set $ops (struct.get $Desc 0 (local.get $d)))
    (local.set $i (i32.const 0))
    (block $next
      (loop $scan
        (br_if $next (i32.ge_u (local.get $i) (array.len (local.get $ops))))
        (if (i32.eq (array.get $EvOps (local.get $ops) (local.get $i)) (local.get $op))
          (then
            (local.set $f (array.get $IPFns (struct.get $Desc 1 (local.get $d)) (local.get $i)))
            (if (ref.is_null (local.get $f)) (then (return (global.get $general))))
            (return_call_ref $IPFn (ref.as_non_null (local.get $n)) (local.get $a) (ref.as_non_null (local.get $f)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $scan)))
    (local.set $n (struct.get $Node 0 (local.get $n)))
    (br $walk))
  (unreachable))
