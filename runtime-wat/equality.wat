;; Part of the Links runtime for the Wasm GC backends (structural equality and ordering): module fields that
;; passes/codegen-module.ts's runtimeWat("runtime") appends after runtime.wat, which has the
;; types, imports and data these use. Definitions only (see runtime.wat's header).

;; ------------------------------------------------------------------------------ equality, ordering
;; Structural, on boxed values (equal/compare in backends/interp/values.ts). null is [] or a
;; nullary payload; i31 is a Bool, a Char or an Int that fits; () is the empty record. List spines are walked in a loop, and the last
;; field of a record and a variant's payload are continued in the same loop (no stack growth
;; on user-defined lists such as Cons((x, rest))). Functions: the interpreter's runtime error.

;; 1 when equal, else 0
(func $eq_values (param $a eqref) (param $b eqref) (result i32)
  (local $x (ref null $Cons)) (local $y (ref null $Cons))
  (local $va (ref $Values)) (local $vb (ref $Values)) (local $la (ref $Labels)) (local $lb (ref $Labels))
  (local $n i32) (local $i i32)
  (loop $top
    (if (ref.is_null (local.get $a)) (then (return (ref.is_null (local.get $b)))))
    (if (ref.is_null (local.get $b)) (then (return (i32.const 0))))
    (if (ref.test (ref $Float) (local.get $a))
      (then (return (i32.and (ref.test (ref $Float) (local.get $b))
        (f64.eq (struct.get $Float 0 (ref.cast (ref $Float) (local.get $a)))
                (struct.get $Float 0 (ref.cast (ref $Float) (local.get $b))))))))
    (if (ref.eq (local.get $a) (local.get $b)) (then (return (i32.const 1))))
    ;; Ints (either kind, each side), Bools and Chars (i31s)
    (if (i32.or (ref.test (ref i31) (local.get $a)) (ref.test (ref $Int) (local.get $a)))
      (then
        (if (i32.eqz (i32.or (ref.test (ref i31) (local.get $b)) (ref.test (ref $Int) (local.get $b))))
          (then (return (i32.const 0))))
        (return (i64.eq (call $unbox_int (local.get $a)) (call $unbox_int (local.get $b))))))
    (if (ref.test (ref $String) (local.get $a))
      (then
        (if (i32.eqz (ref.test (ref $String) (local.get $b))) (then (return (i32.const 0))))
        (return (call $str_eq (ref.cast (ref $String) (local.get $a)) (ref.cast (ref $String) (local.get $b))))))
    (if (ref.test (ref $Cons) (local.get $a))
      (then
        (if (i32.eqz (ref.test (ref $Cons) (local.get $b))) (then (return (i32.const 0))))
        (local.set $x (ref.cast (ref $Cons) (local.get $a)))
        (local.set $y (ref.cast (ref $Cons) (local.get $b)))
        (block $end
          (loop $spine
            (br_if $end (ref.is_null (local.get $x)))
            (br_if $end (ref.is_null (local.get $y)))
            (if (i32.eqz (call $eq_values (struct.get $Cons 0 (local.get $x)) (struct.get $Cons 0 (local.get $y))))
              (then (return (i32.const 0))))
            (local.set $x (struct.get $Cons 1 (local.get $x)))
            (local.set $y (struct.get $Cons 1 (local.get $y)))
            (br $spine)))
        (return (i32.and (ref.is_null (local.get $x)) (ref.is_null (local.get $y))))))
    (if (ref.test (ref $Record) (local.get $a))
      (then
        (if (i32.eqz (ref.test (ref $Record) (local.get $b))) (then (return (i32.const 0))))
        (local.set $la (struct.get $Record 0 (ref.cast (ref $Record) (local.get $a))))
        (local.set $lb (struct.get $Record 0 (ref.cast (ref $Record) (local.get $b))))
        (local.set $va (struct.get $Record 1 (ref.cast (ref $Record) (local.get $a))))
        (local.set $vb (struct.get $Record 1 (ref.cast (ref $Record) (local.get $b))))
        (local.set $n (array.len (local.get $va)))
        (if (i32.ne (local.get $n) (array.len (local.get $vb))) (then (return (i32.const 0))))
        (if (i32.eqz (local.get $n)) (then (return (i32.const 1))))
        (local.set $i (i32.const 0))
        (block $fields_done
          (loop $fields
            (br_if $fields_done (i32.ge_u (local.get $i) (local.get $n)))
            (if (i32.ne (array.get $Labels (local.get $la) (local.get $i))
                        (array.get $Labels (local.get $lb) (local.get $i)))
              (then (return (i32.const 0))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $fields)))
        (local.set $i (i32.const 0))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (block $vals_done
          (loop $vals
            (br_if $vals_done (i32.ge_u (local.get $i) (local.get $n)))
            (if (i32.eqz (call $eq_values (array.get $Values (local.get $va) (local.get $i))
                                          (array.get $Values (local.get $vb) (local.get $i))))
              (then (return (i32.const 0))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $vals)))
        (local.set $a (array.get $Values (local.get $va) (local.get $n)))
        (local.set $b (array.get $Values (local.get $vb) (local.get $n)))
        (br $top)))
    (if (ref.test (ref $Variant) (local.get $a))
      (then
        (if (i32.eqz (ref.test (ref $Variant) (local.get $b))) (then (return (i32.const 0))))
        (if (i32.ne (struct.get $Variant 0 (ref.cast (ref $Variant) (local.get $a)))
                    (struct.get $Variant 0 (ref.cast (ref $Variant) (local.get $b))))
          (then (return (i32.const 0))))
        (local.set $a (struct.get $Variant 1 (ref.cast (ref $Variant) (local.get $a))))
        (local.set $b (struct.get $Variant 1 (ref.cast (ref $Variant) (local.get $b))))
        (br $top)))
    (if (ref.test (ref $Closure) (local.get $a))
      (then
        (call $host_fail (array.new_data $String $msg_eqfun (i32.const 0) (i32.const 53)))
        (unreachable))))
  ;; any other reference (e.g. a process handle): identity, already tested above
  (i32.const 0))

;; A comparison operator (< <= > >=) on two boxed values: -1, 0, 1, or 2 when both are Floats and
;; one is a NaN (unordered: every operator is false, as IEEE's and interp's comparison of two
;; numbers). Inside lists and records a NaN is neither less nor greater ($compare_values: 0).
(func $compare_op (param $a eqref) (param $b eqref) (result i32)
  (local $fa f64) (local $fb f64)
  (if (ref.test (ref $Float) (local.get $a))
    (then
      (local.set $fa (struct.get $Float 0 (ref.cast (ref $Float) (local.get $a))))
      (local.set $fb (struct.get $Float 0 (ref.cast (ref $Float) (local.get $b))))
      (if (i32.or (f64.ne (local.get $fa) (local.get $fa)) (f64.ne (local.get $fb) (local.get $fb)))
        (then (return (i32.const 2))))))
  (call $compare_values (local.get $a) (local.get $b)))

;; -1, 0, 1
(func $compare_values (param $a eqref) (param $b eqref) (result i32)
  (local $x (ref null $Cons)) (local $y (ref null $Cons))
  (local $va (ref $Values)) (local $vb (ref $Values)) (local $n i32) (local $i i32) (local $c i32)
  (local $ia i64) (local $ib i64) (local $fa f64) (local $fb f64) (local $ca i32) (local $cb i32)
  (loop $top
    (if (ref.is_null (local.get $a))
      (then (return (select (i32.const 0) (i32.const -1) (ref.is_null (local.get $b))))))
    (if (ref.is_null (local.get $b)) (then (return (i32.const 1))))
    ;; Ints (an i31 or a $Int: one may be either kind, the other the other), Bools and Chars (i31s)
    (if (i32.or (ref.test (ref i31) (local.get $a)) (ref.test (ref $Int) (local.get $a)))
      (then
        (local.set $ia (call $unbox_int (local.get $a)))
        (local.set $ib (call $unbox_int (local.get $b)))
        (return (i32.sub (i64.gt_s (local.get $ia) (local.get $ib)) (i64.lt_s (local.get $ia) (local.get $ib))))))
    (if (ref.test (ref $Float) (local.get $a))
      (then
        (local.set $fa (struct.get $Float 0 (ref.cast (ref $Float) (local.get $a))))
        (local.set $fb (struct.get $Float 0 (ref.cast (ref $Float) (local.get $b))))
        (return (i32.sub (f64.gt (local.get $fa) (local.get $fb)) (f64.lt (local.get $fa) (local.get $fb))))))
    (if (ref.test (ref $String) (local.get $a))
      (then (return (call $str_compare (ref.cast (ref $String) (local.get $a))
                                       (ref.cast (ref $String) (local.get $b))))))
    (if (ref.test (ref $Cons) (local.get $a))
      (then
        (local.set $x (ref.cast (ref $Cons) (local.get $a)))
        (local.set $y (ref.cast (ref $Cons) (local.get $b)))
        (block $end
          (loop $spine
            (br_if $end (ref.is_null (local.get $x)))
            (br_if $end (ref.is_null (local.get $y)))
            (local.set $c (call $compare_values (struct.get $Cons 0 (local.get $x)) (struct.get $Cons 0 (local.get $y))))
            (if (local.get $c) (then (return (local.get $c))))
            (local.set $x (struct.get $Cons 1 (local.get $x)))
            (local.set $y (struct.get $Cons 1 (local.get $y)))
            (br $spine)))
        (if (ref.is_null (local.get $x))
          (then (return (select (i32.const 0) (i32.const -1) (ref.is_null (local.get $y))))))
        (return (i32.const 1))))
    (if (ref.test (ref $Record) (local.get $a))
      (then
        (local.set $va (struct.get $Record 1 (ref.cast (ref $Record) (local.get $a))))
        (local.set $vb (struct.get $Record 1 (ref.cast (ref $Record) (local.get $b))))
        (local.set $n (array.len (local.get $va)))
        (if (i32.eqz (local.get $n)) (then (return (i32.const 0))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (local.set $i (i32.const 0))
        (block $vals_done
          (loop $vals
            (br_if $vals_done (i32.ge_u (local.get $i) (local.get $n)))
            (local.set $c (call $compare_values (array.get $Values (local.get $va) (local.get $i))
                                                (array.get $Values (local.get $vb) (local.get $i))))
            (if (local.get $c) (then (return (local.get $c))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $vals)))
        (local.set $a (array.get $Values (local.get $va) (local.get $n)))
        (local.set $b (array.get $Values (local.get $vb) (local.get $n)))
        (br $top)))
    (if (ref.test (ref $Variant) (local.get $a))
      (then
        (local.set $ca (struct.get $Variant 0 (ref.cast (ref $Variant) (local.get $a))))
        (local.set $cb (struct.get $Variant 0 (ref.cast (ref $Variant) (local.get $b))))
        (if (i32.ne (local.get $ca) (local.get $cb))
          (then (return (call $str_compare (call $ctor_name (local.get $ca)) (call $ctor_name (local.get $cb))))))
        (local.set $a (struct.get $Variant 1 (ref.cast (ref $Variant) (local.get $a))))
        (local.set $b (struct.get $Variant 1 (ref.cast (ref $Variant) (local.get $b))))
        (br $top))))
  ;; functions and anything else
  (call $host_fail (array.new_data $String $msg_cmpfun (i32.const 0) (i32.const 55)))
  (unreachable))
