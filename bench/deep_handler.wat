;; The design-talk deep-handler program (bench/deep_handler.links) written by hand in WAT: the
;; limit of WasmFX on this engine for the same suspend/resume loop. One tag per operation with
;; an unboxed i64 payload; the handled computation starts with cont.new + cont.bind.
;; Exports: main() -> i64, the result of repeat(1000) (258000, as the Links program prints), and
;; forwarded() -> i64, the same with a handler of another operation between each `do Op` and its
;; handler (WasmFX searches past it).
(module
  (type $body (func (param i64) (result i64)))
  (type $kbody (cont $body))
  (type $f0 (func (result i64)))
  (type $k0 (cont $f0))
  (tag $op (param i64))
  (tag $other (param i64))
  (elem declare func $loop $inner)

  ;; loop(i, s): if (i == 0) s else { do Op(i); loop(i - 1, s) }   (s = 0)
  (func $loop (type $body) (param $i i64) (result i64)
    (block $done
      (loop $l
        (br_if $done (i64.eqz (local.get $i)))
        (suspend $op (local.get $i))
        (local.set $i (i64.sub (local.get $i) (i64.const 1)))
        (br $l)))
    (i64.const 0))

  ;; case <Op(x) => k> -> var y = k(()); mod(abs(x - 503 * y + 37), 1009)   case x -> x
  (func $handle (param $k (ref $k0)) (result i64)
    (local $x i64) (local $y i64)
    (block $on (result i64 (ref $k0))
      (return (resume $k0 (on $op $on) (local.get $k))))
    (local.set $k)
    (local.set $x)
    (local.set $y (call $handle (local.get $k)))
    (local.set $x (i64.add (i64.sub (local.get $x) (i64.mul (i64.const 503) (local.get $y))) (i64.const 37)))
    (i64.rem_s
      (select (i64.sub (i64.const 0) (local.get $x)) (local.get $x) (i64.lt_s (local.get $x) (i64.const 0)))
      (i64.const 1009)))

  ;; a handler of another operation: resumes its computation, never catches an Op
  (func $pass (param $k (ref $k0)) (result i64)
    (block $on (result i64 (ref $k0))
      (return (resume $k0 (on $other $on) (local.get $k))))
    (local.set $k)
    (drop)
    (return_call $pass (local.get $k)))

  (global $n (mut i64) (i64.const 0))
  (func $inner (type $f0) (result i64)
    (call $pass (cont.bind $kbody $k0 (global.get $n) (cont.new $kbody (ref.func $loop)))))

  (func $run (param $n i64) (result i64)
    (call $handle (cont.bind $kbody $k0 (local.get $n) (cont.new $kbody (ref.func $loop)))))
  (func $run_forwarded (param $n i64) (result i64)
    (global.set $n (local.get $n))
    (call $handle (cont.new $k0 (ref.func $inner))))

  ;; repeat(1000) = step(1000, 1000, 0)
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
