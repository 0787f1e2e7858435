;; Part of the Links runtime for the Wasm GC backends (Float -> String, exactly as Links prints a Float): module fields that
;; passes/codegen-module.ts's runtimeWat("runtime") appends after runtime.wat, which has the
;; types, imports and data these use. Definitions only (see runtime.wat's header).

;; ------------------------------------------------------------------------------ Float -> String
;; C's %.12g as Links prints floats, plus ".0" when there is neither '.' nor 'e';
;; "nan", "inf", "-inf", "-0.0". Exact: the double m*2^e is written as N/D with big naturals,
;; scaled by 10^k so that 1 <= N/D < 10, then 12 digits are extracted and the remainder
;; rounds half away from zero (as JS toPrecision/toFixed/toExponential, which showFloat uses).

(func $big_new (param $v i64) (param $size i32) (result (ref $Big))
  (local $a (ref $Big))
  (local.set $a (array.new_default $Big (local.get $size)))
  (array.set $Big (local.get $a) (i32.const 0) (i32.wrap_i64 (local.get $v)))
  (array.set $Big (local.get $a) (i32.const 1) (i32.wrap_i64 (i64.shr_u (local.get $v) (i64.const 32))))
  (local.get $a))

(func $big_copy (param $a (ref $Big)) (result (ref $Big))
  (local $r (ref $Big))
  (local.set $r (array.new_default $Big (array.len (local.get $a))))
  (array.copy $Big $Big (local.get $r) (i32.const 0) (local.get $a) (i32.const 0) (array.len (local.get $a)))
  (local.get $r))

;; a := a * 2^n
(func $big_shl (param $a (ref $Big)) (param $n i32)
  (local $w i32) (local $b i64) (local $i i32) (local $src i32) (local $hi i64) (local $lo i64)
  (local.set $w (i32.shr_u (local.get $n) (i32.const 5)))
  (local.set $b (i64.extend_i32_u (i32.and (local.get $n) (i32.const 31))))
  (local.set $i (array.len (local.get $a)))
  (block $done
    (loop $l
      (br_if $done (i32.eqz (local.get $i)))
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (local.set $src (i32.sub (local.get $i) (local.get $w)))
      (local.set $hi (i64.const 0))
      (local.set $lo (i64.const 0))
      (if (i32.ge_s (local.get $src) (i32.const 0))
        (then (local.set $hi (i64.extend_i32_u (array.get $Big (local.get $a) (local.get $src))))))
      (if (i32.ge_s (local.get $src) (i32.const 1))
        (then (local.set $lo (i64.extend_i32_u
          (array.get $Big (local.get $a) (i32.sub (local.get $src) (i32.const 1)))))))
      (array.set $Big (local.get $a) (local.get $i)
        (i32.wrap_i64 (i64.shr_u (i64.or (i64.shl (local.get $hi) (i64.const 32)) (local.get $lo))
                                 (i64.sub (i64.const 32) (local.get $b)))))
      (br $l))))

;; a := a * k, k < 2^32
(func $big_mul_small (param $a (ref $Big)) (param $k i64)
  (local $i i32) (local $n i32) (local $c i64) (local $t i64)
  (local.set $n (array.len (local.get $a)))
  (block $done
    (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $t (i64.add (i64.mul (i64.extend_i32_u (array.get $Big (local.get $a) (local.get $i)))
                                      (local.get $k))
                             (local.get $c)))
      (array.set $Big (local.get $a) (local.get $i) (i32.wrap_i64 (local.get $t)))
      (local.set $c (i64.shr_u (local.get $t) (i64.const 32)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l))))

;; a := a * 10^n
(func $big_mul_pow10 (param $a (ref $Big)) (param $n i32)
  (local $p i64)
  (block $done
    (loop $l
      (br_if $done (i32.lt_s (local.get $n) (i32.const 9)))
      (call $big_mul_small (local.get $a) (i64.const 1000000000))
      (local.set $n (i32.sub (local.get $n) (i32.const 9)))
      (br $l)))
  (local.set $p (i64.const 1))
  (block $done2
    (loop $l2
      (br_if $done2 (i32.le_s (local.get $n) (i32.const 0)))
      (local.set $p (i64.mul (local.get $p) (i64.const 10)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $l2)))
  (call $big_mul_small (local.get $a) (local.get $p)))

;; -1, 0, 1 (same lengths)
(func $big_cmp (param $a (ref $Big)) (param $b (ref $Big)) (result i32)
  (local $i i32) (local $x i32) (local $y i32)
  (local.set $i (array.len (local.get $a)))
  (loop $l
    (if (i32.eqz (local.get $i)) (then (return (i32.const 0))))
    (local.set $i (i32.sub (local.get $i) (i32.const 1)))
    (local.set $x (array.get $Big (local.get $a) (local.get $i)))
    (local.set $y (array.get $Big (local.get $b) (local.get $i)))
    (br_if $l (i32.eq (local.get $x) (local.get $y))))
  (select (i32.const -1) (i32.const 1) (i32.lt_u (local.get $x) (local.get $y))))

;; a := a - b, a >= b (same lengths)
(func $big_sub (param $a (ref $Big)) (param $b (ref $Big))
  (local $i i32) (local $n i32) (local $borrow i64) (local $t i64)
  (local.set $n (array.len (local.get $a)))
  (block $done
    (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $t (i64.sub (i64.sub (i64.extend_i32_u (array.get $Big (local.get $a) (local.get $i)))
                                      (i64.extend_i32_u (array.get $Big (local.get $b) (local.get $i))))
                             (local.get $borrow)))
      (array.set $Big (local.get $a) (local.get $i) (i32.wrap_i64 (local.get $t)))
      (local.set $borrow (i64.shr_u (local.get $t) (i64.const 63)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l))))

;; buf[pos] := c; returns pos + 1
(func $put (param $buf (ref $String)) (param $pos i32) (param $c i32) (result i32)
  (array.set $String (local.get $buf) (local.get $pos) (local.get $c))
  (i32.add (local.get $pos) (i32.const 1)))

(func $str_from_float (param $x f64) (result (ref $String))
  (local $bits i64) (local $neg i32) (local $m i64) (local $e i32) (local $k i32) (local $size i32)
  (local $N (ref $Big)) (local $D (ref $Big)) (local $T (ref $Big))
  (local $i i32) (local $q i32) (local $n i64) (local $dig (ref $String)) (local $nd i32)
  (local $out (ref $String)) (local $pos i32) (local $ak i32)
  (if (f64.ne (local.get $x) (local.get $x))
    (then (return (array.new_fixed $String 3 (i32.const 110) (i32.const 97) (i32.const 110)))))
  (local.set $bits (i64.reinterpret_f64 (local.get $x)))
  (local.set $neg (i64.lt_s (local.get $bits) (i64.const 0)))
  (local.set $out (array.new_default $String (i32.const 24)))
  (if (local.get $neg) (then (local.set $pos (call $put (local.get $out) (i32.const 0) (i32.const 45)))))
  (if (f64.eq (local.get $x) (f64.const 0))
    (then
      (local.set $pos (call $put (local.get $out) (local.get $pos) (i32.const 48)))
      (local.set $pos (call $put (local.get $out) (local.get $pos) (i32.const 46)))
      (local.set $pos (call $put (local.get $out) (local.get $pos) (i32.const 48)))
      (return (call $str_sub (local.get $out) (i32.const 0) (local.get $pos)))))
  (if (f64.eq (f64.abs (local.get $x)) (f64.const inf))
    (then
      (local.set $pos (call $put (local.get $out) (local.get $pos) (i32.const 105)))
      (local.set $pos (call $put (local.get $out) (local.get $pos) (i32.const 110)))
      (local.set $pos (call $put (local.get $out) (local.get $pos) (i32.const 102)))
      (return (call $str_sub (local.get $out) (i32.const 0) (local.get $pos)))))
  ;; x = m * 2^e
  (local.set $e (i32.and (i32.wrap_i64 (i64.shr_u (local.get $bits) (i64.const 52))) (i32.const 0x7ff)))
  (local.set $m (i64.and (local.get $bits) (i64.const 0xfffffffffffff)))
  (if (i32.eqz (local.get $e))
    (then (local.set $e (i32.const -1074)))
    (else
      (local.set $m (i64.or (local.get $m) (i64.const 0x10000000000000)))
      (local.set $e (i32.sub (local.get $e) (i32.const 1075)))))
  ;; N/D = x; limbs for max(bits N, bits D) <= 53 + |e| + 16
  (local.set $size (i32.add (i32.shr_u
    (i32.add (select (local.get $e) (i32.sub (i32.const 0) (local.get $e)) (i32.ge_s (local.get $e) (i32.const 0)))
             (i32.const 69))
    (i32.const 5)) (i32.const 3)))
  (local.set $N (call $big_new (local.get $m) (local.get $size)))
  (local.set $D (call $big_new (i64.const 1) (local.get $size)))
  (if (i32.ge_s (local.get $e) (i32.const 0))
    (then (call $big_shl (local.get $N) (local.get $e)))
    (else (call $big_shl (local.get $D) (i32.sub (i32.const 0) (local.get $e)))))
  ;; k ~ floor(log10 x) from the binary exponent (floor(E2 * log10 2)), then corrected
  (local.set $k (i32.shr_s
    (i32.mul (i32.add (i32.sub (i32.const 63) (i32.wrap_i64 (i64.clz (local.get $m)))) (local.get $e))
             (i32.const 78913))
    (i32.const 18)))
  (if (i32.ge_s (local.get $k) (i32.const 0))
    (then (call $big_mul_pow10 (local.get $D) (local.get $k)))
    (else (call $big_mul_pow10 (local.get $N) (i32.sub (i32.const 0) (local.get $k)))))
  (if (i32.lt_s (call $big_cmp (local.get $N) (local.get $D)) (i32.const 0))
    (then
      (call $big_mul_small (local.get $N) (i64.const 10))
      (local.set $k (i32.sub (local.get $k) (i32.const 1)))))
  (local.set $T (call $big_copy (local.get $D)))
  (call $big_mul_small (local.get $T) (i64.const 10))
  (if (i32.ge_s (call $big_cmp (local.get $N) (local.get $T)) (i32.const 0))
    (then
      (local.set $D (local.get $T))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))))
  ;; 12 digits
  (loop $digits
    (local.set $q (i32.const 0))
    (block $dd
      (loop $sub
        (br_if $dd (i32.lt_s (call $big_cmp (local.get $N) (local.get $D)) (i32.const 0)))
        (call $big_sub (local.get $N) (local.get $D))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (br $sub)))
    (local.set $n (i64.add (i64.mul (local.get $n) (i64.const 10)) (i64.extend_i32_u (local.get $q))))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (if (i32.lt_u (local.get $i) (i32.const 12))
      (then
        (call $big_mul_small (local.get $N) (i64.const 10))
        (br $digits))))
  ;; round half up on the remainder
  (call $big_mul_small (local.get $N) (i64.const 2))
  (if (i32.ge_s (call $big_cmp (local.get $N) (local.get $D)) (i32.const 0))
    (then (local.set $n (i64.add (local.get $n) (i64.const 1)))))
  (if (i64.eq (local.get $n) (i64.const 1000000000000))
    (then
      (local.set $n (i64.const 100000000000))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))))
  ;; digits as text, trailing zeros dropped (nd >= 1)
  (local.set $dig (array.new_default $String (i32.const 12)))
  (local.set $i (i32.const 12))
  (loop $l
    (local.set $i (i32.sub (local.get $i) (i32.const 1)))
    (array.set $String (local.get $dig) (local.get $i)
      (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $n) (i64.const 10)))))
    (local.set $n (i64.div_u (local.get $n) (i64.const 10)))
    (br_if $l (local.get $i)))
  (local.set $nd (i32.const 12))
  (block $z
    (loop $lz
      (br_if $z (i32.le_u (local.get $nd) (i32.const 1)))
      (br_if $z (i32.ne (array.get_u $String (local.get $dig) (i32.sub (local.get $nd) (i32.const 1)))
                        (i32.const 48)))
      (local.set $nd (i32.sub (local.get $nd) (i32.const 1)))
      (br $lz)))
  (if (i32.or (i32.lt_s (local.get $k) (i32.const -4)) (i32.ge_s (local.get $k) (i32.const 12)))
    (then ;; d[.ddd]e+XX
      (local.set $pos (call $put (local.get $out) (local.get $pos) (array.get_u $String (local.get $dig) (i32.const 0))))
      (if (i32.gt_u (local.get $nd) (i32.const 1))
        (then
          (local.set $pos (call $put (local.get $out) (local.get $pos) (i32.const 46)))
          (array.copy $String $String (local.get $out) (local.get $pos)
            (local.get $dig) (i32.const 1) (i32.sub (local.get $nd) (i32.const 1)))
          (local.set $pos (i32.add (local.get $pos) (i32.sub (local.get $nd) (i32.const 1))))))
      (local.set $pos (call $put (local.get $out) (local.get $pos) (i32.const 101)))
      (local.set $pos (call $put (local.get $out) (local.get $pos)
        (select (i32.const 45) (i32.const 43) (i32.lt_s (local.get $k) (i32.const 0)))))
      (local.set $ak (select (i32.sub (i32.const 0) (local.get $k)) (local.get $k) (i32.lt_s (local.get $k) (i32.const 0))))
      (if (i32.ge_u (local.get $ak) (i32.const 100))
        (then
          (local.set $pos (call $put (local.get $out) (local.get $pos)
            (i32.add (i32.const 48) (i32.div_u (local.get $ak) (i32.const 100)))))
          (local.set $ak (i32.rem_u (local.get $ak) (i32.const 100)))))
      (local.set $pos (call $put (local.get $out) (local.get $pos)
        (i32.add (i32.const 48) (i32.div_u (local.get $ak) (i32.const 10)))))
      (local.set $pos (call $put (local.get $out) (local.get $pos)
        (i32.add (i32.const 48) (i32.rem_u (local.get $ak) (i32.const 10))))))
    (else
      (if (i32.ge_s (local.get $k) (i32.const 0))
        (then ;; ddd[.ddd], or ddd.0
          (array.copy $String $String (local.get $out) (local.get $pos)
            (local.get $dig) (i32.const 0) (i32.add (local.get $k) (i32.const 1)))
          (local.set $pos (i32.add (local.get $pos) (i32.add (local.get $k) (i32.const 1))))
          (local.set $pos (call $put (local.get $out) (local.get $pos) (i32.const 46)))
          (if (i32.gt_s (local.get $nd) (i32.add (local.get $k) (i32.const 1)))
            (then
              (array.copy $String $String (local.get $out) (local.get $pos)
                (local.get $dig) (i32.add (local.get $k) (i32.const 1))
                (i32.sub (local.get $nd) (i32.add (local.get $k) (i32.const 1))))
              (local.set $pos (i32.add (local.get $pos)
                (i32.sub (local.get $nd) (i32.add (local.get $k) (i32.const 1))))))
            (else (local.set $pos (call $put (local.get $out) (local.get $pos) (i32.const 48))))))
        (else ;; 0.000ddd
          (local.set $pos (call $put (local.get $out) (local.get $pos) (i32.const 48)))
          (local.set $pos (call $put (local.get $out) (local.get $pos) (i32.const 46)))
          (local.set $i (i32.sub (i32.const -1) (local.get $k)))
          (block $zd
            (loop $lzd
              (br_if $zd (i32.eqz (local.get $i)))
              (local.set $pos (call $put (local.get $out) (local.get $pos) (i32.const 48)))
              (local.set $i (i32.sub (local.get $i) (i32.const 1)))
              (br $lzd)))
          (array.copy $String $String (local.get $out) (local.get $pos)
            (local.get $dig) (i32.const 0) (local.get $nd))
          (local.set $pos (i32.add (local.get $pos) (local.get $nd)))))))
  (call $str_sub (local.get $out) (i32.const 0) (local.get $pos)))
