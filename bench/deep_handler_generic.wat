;; bench/deep_handler.wat with the other tag design: ONE generic tag for every operation, whose
;; payload is a struct (operation id, argument) and whose result is an eqref. A handler catches
;; every operation and dispatches on the id; one it does not handle it performs again itself
;; (forwarding by hand) and resumes the computation with the answer. Same exports and results.
(module
  (type $P (struct (field i32) (field i64)))
  (type $body (func (param i64) (result i64)))
  (type $kbody (cont $body))
  (type $f0 (func (result i64)))
  (type $k0 (cont $f0))
  (type $f1 (func (param eqref) (result i64)))
  (type $k1 (cont $f1))
  (tag $any (param (ref $P)) (result eqref))
  ;; binaryen 132 mistypes a (ref $P) (ref $k1) pair popped into two locals, so a suspension
  ;; goes through $pack (as in the generated code: it inlines the call and removes the struct)
  (type $S (struct (field (ref $P)) (field (ref $k1))))
  (func $pack (param (ref $P)) (param (ref $k1)) (result (ref $S))
    (struct.new $S (local.get 0) (local.get 1)))
  (elem declare func $loop $inner)

  ;; loop(i, s) with `do Op(i)` = suspend $any (Op = id 0)
  (func $loop (type $body) (param $i i64) (result i64)
    (block $done
      (loop $l
        (br_if $done (i64.eqz (local.get $i)))
        (drop (suspend $any (struct.new $P (i32.const 0) (local.get $i))))
        (local.set $i (i64.sub (local.get $i) (i64.const 1)))
        (br $l)))
    (i64.const 0))

  ;; the Op handler: resume, dispatch on the id (only Op = 0 is handled here)
  (func $handle (param $k (ref $k1)) (param $v eqref) (result i64)
    (local $p (ref $P)) (local $s (ref $S)) (local $x i64) (local $y i64)
    (local.set $s (call $pack
      (block $on (result (ref $P) (ref $k1))
        (return (resume $k1 (on $any $on) (local.get $v) (local.get $k))))))
    (local.set $k (struct.get $S 1 (local.get $s)))
    (local.set $p (struct.get $S 0 (local.get $s)))
    (if (i32.ne (struct.get $P 0 (local.get $p)) (i32.const 0)) (then (unreachable)))
    (local.set $x (struct.get $P 1 (local.get $p)))
    (local.set $y (call $handle (local.get $k) (ref.null none)))
    (local.set $x (i64.add (i64.sub (local.get $x) (i64.mul (i64.const 503) (local.get $y))) (i64.const 37)))
    (i64.rem_s
      (select (i64.sub (i64.const 0) (local.get $x)) (local.get $x) (i64.lt_s (local.get $x) (i64.const 0)))
      (i64.const 1009)))

  ;; a handler of another operation (id 1): every Op reaches it first and is performed again
  (func $pass (param $k (ref $k1)) (param $v eqref) (result i64)
    (local $p (ref $P)) (local $s (ref $S))
    (local.set $s (call $pack
      (block $on (result (ref $P) (ref $k1))
        (return (resume $k1 (on $any $on) (local.get $v) (local.get $k))))))
    (local.set $k (struct.get $S 1 (local.get $s)))
    (local.set $p (struct.get $S 0 (local.get $s)))
    (if (i32.eq (struct.get $P 0 (local.get $p)) (i32.const 1)) (then (unreachable)))
    (return_call $pass (local.get $k) (suspend $any (local.get $p))))

  (global $n (mut i64) (i64.const 0))
  (elem declare func $from_null)
  ;; the computation as a $k1 (its first resume passes a null)
  (func $from_null (type $f1) (param eqref) (result i64)
    (call $loop (global.get $n)))
  (func $inner (type $f1) (param eqref) (result i64)
    (call $pass (cont.new $k1 (ref.func $from_null)) (ref.null none)))

  (func $run (param $n i64) (result i64)
    (global.set $n (local.get $n))
    (call $handle (cont.new $k1 (ref.func $from_null)) (ref.null none)))
  (func $run_forwarded (param $n i64) (result i64)
    (global.set $n (local.get $n))
    (call $handle (cont.new $k1 (ref.func $inner)) (ref.null none)))

  (func (export "main") (result i64)
    (local $i i64) (local $acc i64)
    (local.set $i (i64.const 1000))
    (loop $l
      (local.set $acc (i64.add (local.get $acc) (call $run (i64.const 1000))))
      (br_if $l (i64.ne (local.tee $i (i64.sub (local.get $i) (i64.const 1))) (i64.const 0))))
    (local.get $acc))
  (func (export "forwarded") (result i64)
    (local $i i64) (local $acc i64)
    (local.set $i (i64.const 1000))
    (loop $l
      (local.set $acc (i64.add (local.get $acc) (call $run_forwarded (i64.const 1000))))
      (br_if $l (i64.ne (local.tee $i (i64.sub (local.get $i) (i64.const 1))) (i64.const 0))))
    (local.get $acc))
)
