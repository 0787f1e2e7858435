;; Links runtime for the Wasm GC backends: value types, output, strings, Int/Float formatting,
;; lists, boxing, generic equality and ordering. Layout: docs/wasm-data-layout.md.
;;
;; These are module FIELDS, not a module: the code generator pastes this text inside its own
;; `(module ...)`. Two rules of the text format (binaryen enforces both) fix the order:
;;   - every import precedes every func/global/table/memory/tag/data definition;
;;   - a type definition may only refer to types defined before it (or in its own rec group).
;; So either
;;   (a) generated imports first, written with inline types (`(func $f (param (ref $String)))`,
;;       `(tag $t (param eqref))` may name runtime types), then this file, then generated types
;;       and definitions; or
;;   (b) split this text at the "@@runtime-definitions" marker line below (the line starting with
;;       two semicolons, a space and the marker) and emit
;;       [runtime types + imports] [generated types + imports] [runtime definitions] [generated definitions].
;;
;; The generated module MUST provide
;;   (func $ctor_name (param i32) (result (ref $String)))
;;       constructor id -> constructor name (used by $compare_values to order variants by NAME);
;;       required even when the program has no variants (validation needs it; `unreachable`
;;       is a fine body then).
;;   (func (export "main"))  -- the program; the host calls it.
;; and must number record labels so that label-id order is Links' label order (compareLabels in
;; backends/interp/values.ts: numeric labels numerically, otherwise by name):
;; $compare_values walks record fields in array order.
;;
;; Exports made here (kept by the optimiser; everything else is internal and removed when unused;
;; the generated module must not reuse these export names):
;;   "str_len" (ref $String) -> i32, "str_byte" (ref $String) i32 -> i32 : read strings from JS
;;
;; Names: every function below is internal and called by `$name` from generated code.

;; ------------------------------------------------------------------------------ types
;; One rec group: the value types are then distinct from any structurally equal type the
;; generated code defines (e.g. a generated (struct (field i64)) is NOT $Int for ref.test).
(rec
  (type $String (array (mut i8)))                                   ;; UTF-8 bytes
  (type $Int (struct (field i64)))                                  ;; boxed Int
  (type $Float (struct (field f64)))                                ;; boxed Float
  (type $Cons (struct (field eqref) (field (ref null $Cons))))      ;; [] is null
  (type $Labels (array (mut i32)))                                  ;; sorted label ids (mutable only while $record_extend/$record_remove fill a new one)
  (type $Values (array (mut eqref)))                                ;; in label order
  (type $Record (struct (field (ref $Labels)) (field (ref $Values))))
  (type $Variant (struct (field i32) (field eqref)))                ;; ctor id, payload|null
  (type $Env (array (mut eqref)))
  (type $Closure (struct (field funcref) (field (ref null $Env))))
  (type $Pid (sub (struct (field i32))))                            ;; a process id: the process structs of scheduler.wat and cps.wat extend it
)
;; internal: big natural numbers for exact float formatting, 32-bit limbs, little endian
(type $Big (array (mut i32)))

;; ------------------------------------------------------------------------------ imports
(import "host" "write" (func $host_write (param (ref $String))))
(import "host" "fail" (func $host_fail (param (ref $String))))
;; JavaScript's own number parsing and Math, so results agree with the interpreter to the bit
(import "host" "parse_float" (func $host_parse_float (param (ref $String)) (result f64)))  ;; NaN: not a number
(import "host" "random" (func $host_random (result f64)))
(import "Math" "sin" (func $math_sin (param f64) (result f64)))
(import "Math" "cos" (func $math_cos (param f64) (result f64)))
(import "Math" "exp" (func $math_exp (param f64) (result f64)))
(import "Math" "log" (func $math_log (param f64) (result f64)))
(import "Math" "pow" (func $math_pow (param f64 f64) (result f64)))

;; @@runtime-definitions (everything below is a definition; see the header)

(data $msg_divzero "division by zero")
(data $msg_eqfun "equality is not defined on functions or continuations")
(data $msg_cmpfun "comparison is not defined on functions or continuations")
(data $msg_charat "charAt: index out of range")
(data $msg_strsub "strsub: range out of bounds")
(data $msg_notint "stringToInt: not an integer: \"")
(data $msg_notfloat "stringToFloat: not a number: \"")
(data $msg_floattoint "floatToInt: not a finite number")
(data $msg_badchar "intToChar: ")
(data $msg_badchar2 " is not a Unicode code point")
(data $msg_pid "Pid Server (srvPid_")
(data $msg_pid_main "Pid Server (MAIN)")
(data $w_infinity "infinity")

;; gensym(): 0, 1, 2, …
(global $gensym_next (mut i64) (i64.const 0))
(func $gensym (result i64)
  (global.get $gensym_next)
  (global.set $gensym_next (i64.add (global.get $gensym_next) (i64.const 1))))

;; Process ids ($Pid's field): every process is numbered as it is made, main first (-1), then the
;; processes spawned, 0, 1, … in that order; printed as Links prints a server pid (core/value.ml:
;; `Pid Server (srvPid_0)`, main's `Pid Server (MAIN)`), as interp does (backends/interp/values.ts).
(global $pid_next (mut i32) (i32.const -1))
(func $pid_fresh (result i32)
  (global.get $pid_next)
  (global.set $pid_next (i32.add (global.get $pid_next) (i32.const 1))))
(func $print_pid (param $p eqref)
  (local $id i32)
  (local.set $id (struct.get $Pid 0 (ref.cast (ref $Pid) (local.get $p))))
  (if (i32.lt_s (local.get $id) (i32.const 0))
    (then
      (call $print_string (array.new_data $String $msg_pid_main (i32.const 0) (i32.const 17)))
      (return)))
  (call $print_string (array.new_data $String $msg_pid (i32.const 0) (i32.const 19)))
  (call $print_int (i64.extend_i32_u (local.get $id)))
  (call $print_string (array.new_fixed $String 1 (i32.const 41))))

;; () boxed: the empty record, so that a () passed where an open record (| r) is expected is one
(global $unit (ref $Record) (struct.new $Record (array.new_fixed $Labels 0) (array.new_fixed $Values 0)))

;; ------------------------------------------------------------------------------ output
;; Each print is one host write of a whole string (valid UTF-8 on its own); the host buffers.

(func $str_len (export "str_len") (param $s (ref $String)) (result i32)
  (array.len (local.get $s)))

(func $str_byte (export "str_byte") (param $s (ref $String)) (param $i i32) (result i32)
  (array.get_u $String (local.get $s) (local.get $i)))

;; print a string as is
(func $print_string (param $s (ref $String))
  (call $host_write (local.get $s)))

(func $print_int (param $x i64) (call $print_string (call $str_from_int (local.get $x))))
(func $print_float (param $x f64) (call $print_string (call $str_from_float (local.get $x))))
(func $print_bool (param $b i32) (call $print_string (call $str_from_bool (local.get $b))))
(func $print_char_quoted (param $c i32) (call $print_string (call $str_char_quoted (local.get $c))))
(func $print_string_quoted (param $s (ref $String))
  (call $print_string (call $str_escape (local.get $s))))

;; ------------------------------------------------------------------------------ strings
(func $str_concat (param $a (ref $String)) (param $b (ref $String)) (result (ref $String))
  (local $la i32) (local $lb i32) (local $r (ref $String))
  (local.set $la (array.len (local.get $a)))
  (local.set $lb (array.len (local.get $b)))
  (local.set $r (array.new_default $String (i32.add (local.get $la) (local.get $lb))))
  (array.copy $String $String (local.get $r) (i32.const 0) (local.get $a) (i32.const 0) (local.get $la))
  (array.copy $String $String (local.get $r) (local.get $la) (local.get $b) (i32.const 0) (local.get $lb))
  (local.get $r))

;; 1 when equal bytes, else 0
(func $str_eq (param $a (ref $String)) (param $b (ref $String)) (result i32)
  (local $n i32) (local $i i32)
  (if (ref.eq (local.get $a) (local.get $b)) (then (return (i32.const 1))))
  (local.set $n (array.len (local.get $a)))
  (if (i32.ne (local.get $n) (array.len (local.get $b))) (then (return (i32.const 0))))
  (block $done
    (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (if (i32.ne (array.get_u $String (local.get $a) (local.get $i))
                  (array.get_u $String (local.get $b) (local.get $i)))
        (then (return (i32.const 0))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
  (i32.const 1))

;; lexicographic on bytes: -1, 0, 1
(func $str_compare (param $a (ref $String)) (param $b (ref $String)) (result i32)
  (local $la i32) (local $lb i32) (local $n i32) (local $i i32) (local $x i32) (local $y i32)
  (local.set $la (array.len (local.get $a)))
  (local.set $lb (array.len (local.get $b)))
  (local.set $n (select (local.get $la) (local.get $lb) (i32.lt_u (local.get $la) (local.get $lb))))
  (block $done
    (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $x (array.get_u $String (local.get $a) (local.get $i)))
      (local.set $y (array.get_u $String (local.get $b) (local.get $i)))
      (if (i32.ne (local.get $x) (local.get $y))
        (then (return (select (i32.const -1) (i32.const 1) (i32.lt_u (local.get $x) (local.get $y))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
  (i32.sub (i32.gt_u (local.get $la) (local.get $lb)) (i32.lt_u (local.get $la) (local.get $lb))))

;; a fresh string holding s[start .. start+len)
(func $str_sub (param $s (ref $String)) (param $start i32) (param $len i32) (result (ref $String))
  (local $r (ref $String))
  (local.set $r (array.new_default $String (local.get $len)))
  (array.copy $String $String (local.get $r) (i32.const 0) (local.get $s) (local.get $start) (local.get $len))
  (local.get $r))

;; decimal, with '-' for negatives (any i64)
(func $str_from_int (param $x i64) (result (ref $String))
  (local $buf (ref $String)) (local $pos i32) (local $u i64)
  (local.set $buf (array.new_default $String (i32.const 20)))
  (local.set $pos (i32.const 20))
  (local.set $u (select (i64.sub (i64.const 0) (local.get $x)) (local.get $x)
                        (i64.lt_s (local.get $x) (i64.const 0))))
  (loop $l
    (local.set $pos (i32.sub (local.get $pos) (i32.const 1)))
    (array.set $String (local.get $buf) (local.get $pos)
      (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $u) (i64.const 10)))))
    (local.set $u (i64.div_u (local.get $u) (i64.const 10)))
    (br_if $l (i64.ne (local.get $u) (i64.const 0))))
  (if (i64.lt_s (local.get $x) (i64.const 0))
    (then
      (local.set $pos (i32.sub (local.get $pos) (i32.const 1)))
      (array.set $String (local.get $buf) (local.get $pos) (i32.const 45))))
  (call $str_sub (local.get $buf) (local.get $pos) (i32.sub (i32.const 20) (local.get $pos))))

(func $str_from_bool (param $b i32) (result (ref $String))
  (if (result (ref $String)) (local.get $b)
    (then (array.new_fixed $String 4 (i32.const 116) (i32.const 114) (i32.const 117) (i32.const 101)))
    (else (array.new_fixed $String 5 (i32.const 102) (i32.const 97) (i32.const 108) (i32.const 115)
                                     (i32.const 101)))))

;; UTF-8 encoding of one code point
(func $str_from_char (param $c i32) (result (ref $String))
  (if (i32.lt_u (local.get $c) (i32.const 0x80))
    (then (return (array.new_fixed $String 1 (local.get $c)))))
  (if (i32.lt_u (local.get $c) (i32.const 0x800))
    (then (return (array.new_fixed $String 2
      (i32.or (i32.const 0xc0) (i32.shr_u (local.get $c) (i32.const 6)))
      (i32.or (i32.const 0x80) (i32.and (local.get $c) (i32.const 0x3f)))))))
  (if (i32.lt_u (local.get $c) (i32.const 0x10000))
    (then (return (array.new_fixed $String 3
      (i32.or (i32.const 0xe0) (i32.shr_u (local.get $c) (i32.const 12)))
      (i32.or (i32.const 0x80) (i32.and (i32.shr_u (local.get $c) (i32.const 6)) (i32.const 0x3f)))
      (i32.or (i32.const 0x80) (i32.and (local.get $c) (i32.const 0x3f)))))))
  (array.new_fixed $String 4
    (i32.or (i32.const 0xf0) (i32.shr_u (local.get $c) (i32.const 18)))
    (i32.or (i32.const 0x80) (i32.and (i32.shr_u (local.get $c) (i32.const 12)) (i32.const 0x3f)))
    (i32.or (i32.const 0x80) (i32.and (i32.shr_u (local.get $c) (i32.const 6)) (i32.const 0x3f)))
    (i32.or (i32.const 0x80) (i32.and (local.get $c) (i32.const 0x3f)))))

;; 1 when byte c is escaped by $str_escape
(func $esc_needed (param $c i32) (result i32)
  (i32.or (i32.or (i32.eq (local.get $c) (i32.const 34)) (i32.eq (local.get $c) (i32.const 92)))
    (i32.or (i32.eq (local.get $c) (i32.const 10))
      (i32.or (i32.eq (local.get $c) (i32.const 9)) (i32.eq (local.get $c) (i32.const 13))))))

;; Links' quoted form: "..." with \" \\ \n \t \r escaped (escapeString in values.ts)
(func $str_escape (param $s (ref $String)) (result (ref $String))
  (local $n i32) (local $i i32) (local $extra i32) (local $c i32) (local $r (ref $String)) (local $pos i32)
  (local.set $n (array.len (local.get $s)))
  (block $done
    (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $extra (i32.add (local.get $extra)
        (call $esc_needed (array.get_u $String (local.get $s) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
  (local.set $r (array.new_default $String
    (i32.add (i32.add (local.get $n) (local.get $extra)) (i32.const 2))))
  (array.set $String (local.get $r) (i32.const 0) (i32.const 34))
  (local.set $pos (i32.const 1))
  (local.set $i (i32.const 0))
  (block $done2
    (loop $l2
      (br_if $done2 (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $c (array.get_u $String (local.get $s) (local.get $i)))
      (if (call $esc_needed (local.get $c))
        (then
          (array.set $String (local.get $r) (local.get $pos) (i32.const 92))
          (local.set $pos (i32.add (local.get $pos) (i32.const 1)))
          (local.set $c
            (if (result i32) (i32.eq (local.get $c) (i32.const 10)) (then (i32.const 110))
              (else (if (result i32) (i32.eq (local.get $c) (i32.const 9)) (then (i32.const 116))
                (else (if (result i32) (i32.eq (local.get $c) (i32.const 13)) (then (i32.const 114))
                  (else (local.get $c))))))))))
      (array.set $String (local.get $r) (local.get $pos) (local.get $c))
      (local.set $pos (i32.add (local.get $pos) (i32.const 1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l2)))
  (array.set $String (local.get $r) (local.get $pos) (i32.const 34))
  (local.get $r))

;; a Char as Links prints it: 'a', '\'', '\\', '\n', '\t' (showChar in values.ts)
(func $str_char_quoted (param $c i32) (result (ref $String))
  (local $esc i32) (local $u (ref $String)) (local $r (ref $String)) (local $n i32)
  (local.set $esc
    (if (result i32) (i32.eq (local.get $c) (i32.const 39)) (then (i32.const 39))
      (else (if (result i32) (i32.eq (local.get $c) (i32.const 92)) (then (i32.const 92))
        (else (if (result i32) (i32.eq (local.get $c) (i32.const 10)) (then (i32.const 110))
          (else (if (result i32) (i32.eq (local.get $c) (i32.const 9)) (then (i32.const 116))
            (else (i32.const 0))))))))))
  (if (local.get $esc)
    (then (return (array.new_fixed $String 4
      (i32.const 39) (i32.const 92) (local.get $esc) (i32.const 39)))))
  (local.set $u (call $str_from_char (local.get $c)))
  (local.set $n (array.len (local.get $u)))
  (local.set $r (array.new $String (i32.const 39) (i32.add (local.get $n) (i32.const 2))))
  (array.copy $String $String (local.get $r) (i32.const 1) (local.get $u) (i32.const 0) (local.get $n))
  (local.get $r))

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

;; ------------------------------------------------------------------------------ Int
;; keep an i64 in Links' 63-bit two's complement range
(func $int_wrap63 (param $x i64) (result i64)
  (i64.shr_s (i64.shl (local.get $x) (i64.const 1)) (i64.const 1)))

(func $fail_divzero
  (call $host_fail (array.new_data $String $msg_divzero (i32.const 0) (i32.const 16)))
  (unreachable))

;; truncating division; "division by zero" through host.fail
(func $int_div (param $a i64) (param $b i64) (result i64)
  (if (i64.eqz (local.get $b)) (then (call $fail_divzero)))
  (call $int_wrap63 (i64.div_s (local.get $a) (local.get $b))))

;; remainder with the sign of the dividend; "division by zero" through host.fail
(func $int_mod (param $a i64) (param $b i64) (result i64)
  (if (i64.eqz (local.get $b)) (then (call $fail_divzero)))
  (i64.rem_s (local.get $a) (local.get $b)))

;; a ^ b wrapping (b < 0 gives 0, as the interpreter)
(func $int_pow (param $a i64) (param $b i64) (result i64)
  (local $r i64)
  (if (i64.lt_s (local.get $b) (i64.const 0)) (then (return (i64.const 0))))
  (local.set $r (i64.const 1))
  (block $done
    (loop $l
      (br_if $done (i64.eqz (local.get $b)))
      (if (i32.wrap_i64 (i64.and (local.get $b) (i64.const 1)))
        (then (local.set $r (i64.mul (local.get $r) (local.get $a)))))
      (local.set $a (i64.mul (local.get $a) (local.get $a)))
      (local.set $b (i64.shr_u (local.get $b) (i64.const 1)))
      (br $l)))
  (call $int_wrap63 (local.get $r)))

;; ------------------------------------------------------------------------------ characters
;; Strings are UTF-8; Links indexes them by character (code point), as the interpreter does.

;; byte offset after the character starting at byte i
(func $utf8_next (param $s (ref $String)) (param $i i32) (result i32)
  (local $n i32)
  (local.set $n (array.len (local.get $s)))
  (local.set $i (i32.add (local.get $i) (i32.const 1)))
  (block $done
    (loop $more
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (br_if $done (i32.ne (i32.and (array.get_u $String (local.get $s) (local.get $i)) (i32.const 0xc0))
                           (i32.const 0x80)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $more)))
  (local.get $i))

;; the code point whose encoding starts at byte i
(func $utf8_decode (param $s (ref $String)) (param $i i32) (result i32)
  (local $b i32) (local $c i32) (local $k i32) (local $n i32)
  (local.set $b (array.get_u $String (local.get $s) (local.get $i)))
  (if (i32.lt_u (local.get $b) (i32.const 0x80)) (then (return (local.get $b))))
  (if (i32.lt_u (local.get $b) (i32.const 0xe0))
    (then (local.set $c (i32.and (local.get $b) (i32.const 0x1f))) (local.set $k (i32.const 1)))
    (else (if (i32.lt_u (local.get $b) (i32.const 0xf0))
      (then (local.set $c (i32.and (local.get $b) (i32.const 0x0f))) (local.set $k (i32.const 2)))
      (else (local.set $c (i32.and (local.get $b) (i32.const 0x07))) (local.set $k (i32.const 3))))))
  (local.set $n (array.len (local.get $s)))
  (loop $more
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (if (i32.lt_u (local.get $i) (local.get $n))
      (then (local.set $c (i32.or (i32.shl (local.get $c) (i32.const 6))
        (i32.and (array.get_u $String (local.get $s) (local.get $i)) (i32.const 0x3f))))))
    (br_if $more (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))
  (local.get $c))

;; bytes of the UTF-8 encoding of code point c
(func $utf8_size (param $c i32) (result i32)
  (i32.add (i32.const 1) (i32.add (i32.ge_u (local.get $c) (i32.const 0x80))
    (i32.add (i32.ge_u (local.get $c) (i32.const 0x800)) (i32.ge_u (local.get $c) (i32.const 0x10000))))))

;; number of characters (strlen)
(func $str_char_count (param $s (ref $String)) (result i64)
  (local $i i32) (local $n i32) (local $k i64)
  (local.set $n (array.len (local.get $s)))
  (block $done
    (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (if (i32.ne (i32.and (array.get_u $String (local.get $s) (local.get $i)) (i32.const 0xc0)) (i32.const 0x80))
        (then (local.set $k (i64.add (local.get $k) (i64.const 1)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
  (local.get $k))

;; byte offset of character k (k = the character count gives the length), -1 when out of range
(func $str_char_offset (param $s (ref $String)) (param $k i64) (result i32)
  (local $i i32)
  (if (i64.lt_s (local.get $k) (i64.const 0)) (then (return (i32.const -1))))
  (block $done
    (loop $next
      (br_if $done (i64.eqz (local.get $k)))
      (if (i32.ge_u (local.get $i) (array.len (local.get $s))) (then (return (i32.const -1))))
      (local.set $i (call $utf8_next (local.get $s) (local.get $i)))
      (local.set $k (i64.sub (local.get $k) (i64.const 1)))
      (br $next)))
  (local.get $i))

;; charAt(s, k)
(func $str_char_at (param $s (ref $String)) (param $k i64) (result i32)
  (local $o i32)
  (local.set $o (call $str_char_offset (local.get $s) (local.get $k)))
  (if (i32.or (i32.lt_s (local.get $o) (i32.const 0)) (i32.ge_u (local.get $o) (array.len (local.get $s))))
    (then
      (call $host_fail (array.new_data $String $msg_charat (i32.const 0) (i32.const 26)))
      (unreachable)))
  (call $utf8_decode (local.get $s) (local.get $o)))

;; strsub(s, start, len): len characters from character start
(func $str_substring (param $s (ref $String)) (param $start i64) (param $len i64) (result (ref $String))
  (local $a i32) (local $b i32)
  (local.set $a (call $str_char_offset (local.get $s) (local.get $start)))
  (local.set $b (call $str_char_offset (local.get $s) (i64.add (local.get $start) (local.get $len))))
  (if (i32.or (i64.lt_s (local.get $len) (i64.const 0))
        (i32.or (i32.lt_s (local.get $a) (i32.const 0)) (i32.lt_s (local.get $b) (i32.const 0))))
    (then
      (call $host_fail (array.new_data $String $msg_strsub (i32.const 0) (i32.const 27)))
      (unreachable)))
  (call $str_sub (local.get $s) (local.get $a) (i32.sub (local.get $b) (local.get $a))))

;; explode: the characters as a list (Chars are i31 in a list)
(func $str_explode (param $s (ref $String)) (result (ref null $Cons))
  (local $i i32) (local $l (ref null $Cons))
  (local.set $i (array.len (local.get $s)))
  (block $done
    (loop $next
      (br_if $done (i32.eqz (local.get $i)))
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      ;; continuation bytes are not character starts
      (br_if $next (i32.eq (i32.and (array.get_u $String (local.get $s) (local.get $i)) (i32.const 0xc0))
                           (i32.const 0x80)))
      (local.set $l (struct.new $Cons (ref.i31 (call $utf8_decode (local.get $s) (local.get $i))) (local.get $l)))
      (br $next)))
  (local.get $l))

;; implode: a list of Chars as a string
(func $str_implode (param $l (ref null $Cons)) (result (ref $String))
  (local $p (ref null $Cons)) (local $n i32) (local $r (ref $String)) (local $c i32) (local $e (ref $String))
  (local.set $p (local.get $l))
  (block $done
    (loop $next
      (br_if $done (ref.is_null (local.get $p)))
      (local.set $n (i32.add (local.get $n)
        (call $utf8_size (i31.get_u (ref.cast (ref i31) (struct.get $Cons 0 (local.get $p)))))))
      (local.set $p (struct.get $Cons 1 (local.get $p)))
      (br $next)))
  (local.set $r (array.new_default $String (local.get $n)))
  (local.set $n (i32.const 0))
  (local.set $p (local.get $l))
  (block $done2
    (loop $next2
      (br_if $done2 (ref.is_null (local.get $p)))
      (local.set $e (call $str_from_char (i31.get_u (ref.cast (ref i31) (struct.get $Cons 0 (local.get $p))))))
      (array.copy $String $String (local.get $r) (local.get $n) (local.get $e) (i32.const 0) (array.len (local.get $e)))
      (local.set $n (i32.add (local.get $n) (array.len (local.get $e))))
      (local.set $p (struct.get $Cons 1 (local.get $p)))
      (br $next2)))
  (local.get $r))

;; ------------------------------------------------------------------------------ conversions
;; As in Links (docs/front-end-and-interpreter.md, "Where Links' behaviour is the reference"):
;; isInt and isFloat are its prelude's regular expressions (OCaml Str: matched from the start, `$`
;; also matches before a newline), stringToInt is OCaml's int_of_string and stringToFloat OCaml's
;; float_of_string. backends/interp/parse-number.ts is the same code for the interpreter.

;; byte i of s, 0 past its end
(func $byte_at (param $s (ref $String)) (param $i i32) (result i32)
  (if (result i32) (i32.lt_u (local.get $i) (array.len (local.get $s)))
    (then (array.get_u $String (local.get $s) (local.get $i)))
    (else (i32.const 0))))

(func $is_digit (param $c i32) (result i32)
  (i32.lt_u (i32.sub (local.get $c) (i32.const 48)) (i32.const 10)))

;; C's isspace: space, \t \n \v \f \r
(func $is_space (param $c i32) (result i32)
  (i32.or (i32.eq (local.get $c) (i32.const 32))
    (i32.and (i32.ge_u (local.get $c) (i32.const 9)) (i32.le_u (local.get $c) (i32.const 13)))))

;; the value of a digit in bases up to 16 (0-9, a-f, A-F), else 99
(func $digit_value (param $c i32) (result i32)
  (if (call $is_digit (local.get $c)) (then (return (i32.sub (local.get $c) (i32.const 48)))))
  (local.set $c (i32.or (local.get $c) (i32.const 32)))
  (if (i32.lt_u (i32.sub (local.get $c) (i32.const 97)) (i32.const 6)) (then (return (i32.sub (local.get $c) (i32.const 87)))))
  (i32.const 99))

;; the end of the run of decimal digits in s from i
(func $skip_digits (param $s (ref $String)) (param $i i32) (result i32)
  (block $done
    (loop $l
      (br_if $done (i32.eqz (call $is_digit (call $byte_at (local.get $s) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
  (local.get $i))

;; the end of the run of white space in s from i
(func $skip_spaces (param $s (ref $String)) (param $i i32) (result i32)
  (block $done
    (loop $l
      (br_if $done (i32.eqz (call $is_space (call $byte_at (local.get $s) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
  (local.get $i))

;; whether Str's `$` matches at i: the end of s, or a newline
(func $at_line_end (param $s (ref $String)) (param $i i32) (result i32)
  (i32.or (i32.ge_u (local.get $i) (array.len (local.get $s)))
    (i32.eq (call $byte_at (local.get $s) (local.get $i)) (i32.const 10))))

;; isInt(s): Links' `s =~ /-?[0-9]+$/`
(func $str_is_int (param $s (ref $String)) (result i32)
  (local $i i32) (local $j i32)
  (local.set $i (i32.eq (call $byte_at (local.get $s) (i32.const 0)) (i32.const 45)))
  (local.set $j (call $skip_digits (local.get $s) (local.get $i)))
  (i32.and (i32.gt_u (local.get $j) (local.get $i)) (call $at_line_end (local.get $s) (local.get $j))))

;; isFloat(s): Links' `s =~ /-?[0-9]+(\.[0-9]+)?$/`
(func $str_is_float (param $s (ref $String)) (result i32)
  (local $i i32) (local $j i32) (local $k i32)
  (local.set $i (i32.eq (call $byte_at (local.get $s) (i32.const 0)) (i32.const 45)))
  (local.set $j (call $skip_digits (local.get $s) (local.get $i)))
  (if (i32.eq (local.get $j) (local.get $i)) (then (return (i32.const 0))))
  (if (i32.eq (call $byte_at (local.get $s) (local.get $j)) (i32.const 46))
    (then
      (local.set $k (call $skip_digits (local.get $s) (i32.add (local.get $j) (i32.const 1))))
      (if (i32.gt_u (local.get $k) (i32.add (local.get $j) (i32.const 1))) (then (local.set $j (local.get $k))))))
  (call $at_line_end (local.get $s) (local.get $j)))

;; the runtime error `<msg>s"`
(func $fail_parse (param $msg (ref $String)) (param $s (ref $String))
  (call $host_fail (call $str_concat (call $str_concat (local.get $msg) (local.get $s))
    (array.new_fixed $String 1 (i32.const 34))))
  (unreachable))

(func $fail_not_int (param $s (ref $String))
  (call $fail_parse (array.new_data $String $msg_notint (i32.const 0) (i32.const 30)) (local.get $s)))

;; stringToInt(s): OCaml's int_of_string — an optional sign, then decimal digits, or 0x (0X) hex,
;; 0o octal, 0b binary, 0u decimal digits, '_' allowed after the first digit, nothing else (no
;; white space); a decimal number must lie in the 63-bit range, a prefixed one below 2^63 (then
;; it wraps to 63 bits: 0x7fffffffffffffff is -1)
(func $str_to_int (param $s (ref $String)) (result i64)
  (local $i i32) (local $c i32) (local $neg i32) (local $signed i32) (local $base i64) (local $d i64) (local $res i64)
  (local.set $base (i64.const 10))
  (local.set $signed (i32.const 1))
  (local.set $c (call $byte_at (local.get $s) (i32.const 0)))
  (if (i32.or (i32.eq (local.get $c) (i32.const 45)) (i32.eq (local.get $c) (i32.const 43)))
    (then
      (local.set $neg (i32.eq (local.get $c) (i32.const 45)))
      (local.set $i (i32.const 1))))
  (if (i32.eq (call $byte_at (local.get $s) (local.get $i)) (i32.const 48))
    (then
      (local.set $c (i32.or (call $byte_at (local.get $s) (i32.add (local.get $i) (i32.const 1))) (i32.const 32)))
      (if (i32.eq (local.get $c) (i32.const 120)) (then (local.set $base (i64.const 16)) (local.set $signed (i32.const 0))))
      (if (i32.eq (local.get $c) (i32.const 111)) (then (local.set $base (i64.const 8)) (local.set $signed (i32.const 0))))
      (if (i32.eq (local.get $c) (i32.const 98)) (then (local.set $base (i64.const 2)) (local.set $signed (i32.const 0))))
      (if (i32.eq (local.get $c) (i32.const 117)) (then (local.set $signed (i32.const 0))))
      (if (i32.eqz (local.get $signed)) (then (local.set $i (i32.add (local.get $i) (i32.const 2)))))))
  (local.set $res (i64.extend_i32_u (call $digit_value (call $byte_at (local.get $s) (local.get $i)))))
  (if (i64.ge_u (local.get $res) (local.get $base)) (then (call $fail_not_int (local.get $s))))
  (block $end
    (loop $next
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (local.set $c (call $byte_at (local.get $s) (local.get $i)))
      (br_if $next (i32.eq (local.get $c) (i32.const 95)))
      (local.set $d (i64.extend_i32_u (call $digit_value (local.get $c))))
      (br_if $end (i64.ge_u (local.get $d) (local.get $base)))
      ;; the unsigned 64-bit overflow checks of OCaml's parse_intnat
      (if (i64.gt_u (local.get $res) (i64.div_u (i64.const -1) (local.get $base))) (then (call $fail_not_int (local.get $s))))
      (local.set $res (i64.add (i64.mul (local.get $base) (local.get $res)) (local.get $d)))
      (if (i64.lt_u (local.get $res) (local.get $d)) (then (call $fail_not_int (local.get $s))))
      (br $next)))
  (if (i32.ne (local.get $i) (array.len (local.get $s))) (then (call $fail_not_int (local.get $s))))
  (if (local.get $signed)
    (then
      ;; -2^62 … 2^62-1
      (if (i64.gt_u (local.get $res) (i64.sub (i64.const 0x4000000000000000) (i64.extend_i32_u (i32.eqz (local.get $neg)))))
        (then (call $fail_not_int (local.get $s)))))
    (else
      (if (i64.lt_s (local.get $res) (i64.const 0)) (then (call $fail_not_int (local.get $s))))))
  (call $int_wrap63 (select (i64.sub (i64.const 0) (local.get $res)) (local.get $res) (local.get $neg))))

;; x * 2^n rounded once (musl's scalbn; C's ldexp)
(func $scalbn (param $x f64) (param $n i32) (result f64)
  (if (i32.gt_s (local.get $n) (i32.const 1023))
    (then
      (local.set $x (f64.mul (local.get $x) (f64.const 0x1p1023)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1023)))
      (if (i32.gt_s (local.get $n) (i32.const 1023))
        (then
          (local.set $x (f64.mul (local.get $x) (f64.const 0x1p1023)))
          (local.set $n (i32.sub (local.get $n) (i32.const 1023)))
          (if (i32.gt_s (local.get $n) (i32.const 1023)) (then (local.set $n (i32.const 1023))))))))
  (if (i32.lt_s (local.get $n) (i32.const -1022))
    (then
      ;; two steps whose last lands below 2^-53 of the subnormal range: no double rounding
      (local.set $x (f64.mul (local.get $x) (f64.const 0x1p-969)))
      (local.set $n (i32.add (local.get $n) (i32.const 969)))
      (if (i32.lt_s (local.get $n) (i32.const -1022))
        (then
          (local.set $x (f64.mul (local.get $x) (f64.const 0x1p-969)))
          (local.set $n (i32.add (local.get $n) (i32.const 969)))
          (if (i32.lt_s (local.get $n) (i32.const -1022)) (then (local.set $n (i32.const -1022))))))))
  (f64.mul (local.get $x)
    (f64.reinterpret_i64 (i64.shl (i64.extend_i32_u (i32.add (local.get $n) (i32.const 1023))) (i64.const 52)))))

;; The hexadecimal float in s from i (after "0x"), as OCaml's caml_float_of_hex: hex digits with at
;; most one '.', at least one digit, then optionally p (P), white space, a sign and decimal digits
;; up to the end; the first 60 significant bits, the rest rounded to odd, converted to f64 and
;; scaled by 2^exponent. NaN when s is not of that form.
(func $hex_float (param $s (ref $String)) (param $i i32) (result f64)
  (local $n i32) (local $c i32) (local $d i32) (local $j i32) (local $m i64)
  (local $nbits i32) (local $mbits i32) (local $xbits i32) (local $point i32) (local $e i64) (local $eneg i32)
  (local.set $n (array.len (local.get $s)))
  (local.set $point (i32.const -1))
  (block $done
    (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $c (array.get_u $String (local.get $s) (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (if (i32.eq (local.get $c) (i32.const 46))
        (then
          (if (i32.ge_s (local.get $point) (i32.const 0)) (then (return (f64.const nan))))
          (local.set $point (local.get $nbits))
          (br $next)))
      (if (i32.eq (i32.or (local.get $c) (i32.const 32)) (i32.const 112))
        (then
          ;; the exponent, read by strtol: white space, a sign, decimal digits, nothing after them
          (if (i32.ge_u (local.get $i) (local.get $n)) (then (return (f64.const nan))))
          (local.set $i (call $skip_spaces (local.get $s) (local.get $i)))
          (local.set $c (call $byte_at (local.get $s) (local.get $i)))
          (if (i32.or (i32.eq (local.get $c) (i32.const 45)) (i32.eq (local.get $c) (i32.const 43)))
            (then
              (local.set $eneg (i32.eq (local.get $c) (i32.const 45)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))))
          (local.set $j (call $skip_digits (local.get $s) (local.get $i)))
          (if (i32.or (i32.eq (local.get $j) (local.get $i)) (i32.ne (local.get $j) (local.get $n)))
            (then (return (f64.const nan))))
          (block $edone
            (loop $edigit
              (br_if $edone (i32.ge_u (local.get $i) (local.get $j)))
              ;; saturates: beyond 10^8 the result is 0 or infinite anyway
              (if (i64.lt_s (local.get $e) (i64.const 100000000))
                (then (local.set $e (i64.add (i64.mul (local.get $e) (i64.const 10))
                  (i64.extend_i32_u (i32.sub (array.get_u $String (local.get $s) (local.get $i)) (i32.const 48)))))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $edigit)))
          (if (local.get $eneg) (then (local.set $e (i64.sub (i64.const 0) (local.get $e)))))
          (br $done)))
      (local.set $d (call $digit_value (local.get $c)))
      (if (i32.ge_u (local.get $d) (i32.const 16)) (then (return (f64.const nan))))
      (local.set $nbits (i32.add (local.get $nbits) (i32.const 4)))
      ;; leading zeros are skipped
      (br_if $next (i32.and (i32.eqz (local.get $d)) (i64.eqz (local.get $m))))
      (if (i32.lt_s (local.get $mbits) (i32.const 60))
        (then
          (local.set $m (i64.add (i64.shl (local.get $m) (i64.const 4)) (i64.extend_i32_u (local.get $d))))
          (local.set $mbits (i32.add (local.get $mbits) (i32.const 4))))
        (else
          (if (local.get $d) (then (local.set $m (i64.or (local.get $m) (i64.const 1)))))
          (local.set $xbits (i32.add (local.get $xbits) (i32.const 4)))))
      (br $next)))
  (if (i32.eqz (local.get $nbits)) (then (return (f64.const nan))))
  (local.set $e (i64.add (local.get $e) (i64.extend_i32_s (local.get $xbits))))
  (if (i32.ge_s (local.get $point) (i32.const 0))
    (then (local.set $e (i64.add (local.get $e) (i64.extend_i32_s (i32.sub (local.get $point) (local.get $nbits)))))))
  ;; beyond ±5000 a 60-bit mantissa scales to 0 or infinity either way
  (if (i64.gt_s (local.get $e) (i64.const 5000)) (then (local.set $e (i64.const 5000))))
  (if (i64.lt_s (local.get $e) (i64.const -5000)) (then (local.set $e (i64.const -5000))))
  (call $scalbn (f64.convert_i64_s (local.get $m)) (i32.wrap_i64 (local.get $e))))

;; whether s from i starts with word w (lower-case letters) in any case
(func $starts_ci (param $s (ref $String)) (param $i i32) (param $w (ref $String)) (result i32)
  (local $k i32)
  (block $done
    (loop $l
      (br_if $done (i32.ge_u (local.get $k) (array.len (local.get $w))))
      (if (i32.ne (i32.or (call $byte_at (local.get $s) (i32.add (local.get $i) (local.get $k))) (i32.const 32))
                  (array.get_u $String (local.get $w) (local.get $k)))
        (then (return (i32.const 0))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $l)))
  (i32.const 1))

(func $is_alnum (param $c i32) (result i32)
  (i32.or (call $is_digit (local.get $c))
    (i32.lt_u (i32.sub (i32.or (local.get $c) (i32.const 32)) (i32.const 97)) (i32.const 26))))

;; stringToFloat(s): OCaml's float_of_string — every '_' is dropped; what is left must be read
;; whole by C's strtod: white space, a sign, then inf, infinity, nan or nan(letters and digits) in
;; any case, or 0x (0X) and a hexadecimal float ($hex_float), or a decimal float (digits with at
;; most one '.', at least one digit, then e (E), a sign and digits). A decimal's value is
;; JavaScript's Number of the same text (both round correctly), as the interpreter's.
(func $str_to_float (param $s (ref $String)) (result f64)
  (local $b (ref $String)) (local $n i32) (local $i i32) (local $j i32) (local $k i32) (local $c i32)
  (local $neg i32) (local $ok i32) (local $x f64)
  ;; b: s without its '_'s
  (local.set $n (array.len (local.get $s)))
  (local.set $b (array.new_default $String (local.get $n)))
  (block $copied
    (loop $copy
      (br_if $copied (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $c (array.get_u $String (local.get $s) (local.get $i)))
      (if (i32.ne (local.get $c) (i32.const 95))
        (then
          (array.set $String (local.get $b) (local.get $j) (local.get $c))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $copy)))
  (local.set $n (local.get $j))
  (local.set $b (call $str_sub (local.get $b) (i32.const 0) (local.get $n)))
  (local.set $i (call $skip_spaces (local.get $b) (i32.const 0)))
  (local.set $c (call $byte_at (local.get $b) (local.get $i)))
  (if (i32.or (i32.eq (local.get $c) (i32.const 45)) (i32.eq (local.get $c) (i32.const 43)))
    (then
      (local.set $neg (i32.eq (local.get $c) (i32.const 45)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))))
  (block $parsed
    (if (i32.and (i32.eq (call $byte_at (local.get $b) (local.get $i)) (i32.const 48))
          (i32.eq (i32.or (call $byte_at (local.get $b) (i32.add (local.get $i) (i32.const 1))) (i32.const 32)) (i32.const 120)))
      (then
        (local.set $x (call $hex_float (local.get $b) (i32.add (local.get $i) (i32.const 2))))
        (local.set $ok (f64.eq (local.get $x) (local.get $x)))
        (br $parsed)))
    (if (call $starts_ci (local.get $b) (local.get $i) (array.new_data $String $w_infinity (i32.const 0) (i32.const 8)))
      (then
        (local.set $x (f64.const inf))
        (local.set $ok (i32.eq (i32.add (local.get $i) (i32.const 8)) (local.get $n)))
        (br $parsed)))
    (if (call $starts_ci (local.get $b) (local.get $i) (array.new_data $String $w_infinity (i32.const 0) (i32.const 3)))
      (then
        (local.set $x (f64.const inf))
        (local.set $ok (i32.eq (i32.add (local.get $i) (i32.const 3)) (local.get $n)))
        (br $parsed)))
    (if (call $starts_ci (local.get $b) (local.get $i) (array.new_fixed $String 3 (i32.const 110) (i32.const 97) (i32.const 110)))
      (then
        (local.set $x (f64.const nan))
        (local.set $j (i32.add (local.get $i) (i32.const 3)))
        (if (i32.eq (call $byte_at (local.get $b) (local.get $j)) (i32.const 40))
          (then
            (local.set $k (i32.add (local.get $j) (i32.const 1)))
            (block $chars_done
              (loop $chars
                (br_if $chars_done (i32.eqz (call $is_alnum (call $byte_at (local.get $b) (local.get $k)))))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br $chars)))
            (if (i32.eq (call $byte_at (local.get $b) (local.get $k)) (i32.const 41))
              (then (local.set $j (i32.add (local.get $k) (i32.const 1)))))))
        (local.set $ok (i32.eq (local.get $j) (local.get $n)))
        (br $parsed)))
    ;; decimal: digits, '.', digits (at least one digit in all)
    (local.set $j (call $skip_digits (local.get $b) (local.get $i)))
    (local.set $k (i32.sub (local.get $j) (local.get $i)))
    (if (i32.eq (call $byte_at (local.get $b) (local.get $j)) (i32.const 46))
      (then
        (local.set $c (call $skip_digits (local.get $b) (i32.add (local.get $j) (i32.const 1))))
        (local.set $k (i32.add (local.get $k) (i32.sub (local.get $c) (i32.add (local.get $j) (i32.const 1)))))
        (local.set $j (local.get $c))))
    (br_if $parsed (i32.eqz (local.get $k)))
    ;; an exponent is read only when digits follow
    (if (i32.eq (i32.or (call $byte_at (local.get $b) (local.get $j)) (i32.const 32)) (i32.const 101))
      (then
        (local.set $k (i32.add (local.get $j) (i32.const 1)))
        (local.set $c (call $byte_at (local.get $b) (local.get $k)))
        (if (i32.or (i32.eq (local.get $c) (i32.const 45)) (i32.eq (local.get $c) (i32.const 43)))
          (then (local.set $k (i32.add (local.get $k) (i32.const 1)))))
        (local.set $c (call $skip_digits (local.get $b) (local.get $k)))
        (if (i32.gt_u (local.get $c) (local.get $k)) (then (local.set $j (local.get $c))))))
    (br_if $parsed (i32.ne (local.get $j) (local.get $n)))
    (local.set $x (call $host_parse_float (call $str_sub (local.get $b) (local.get $i) (i32.sub (local.get $n) (local.get $i)))))
    (local.set $ok (i32.const 1)))
  (if (i32.eqz (local.get $ok))
    (then (call $fail_parse (array.new_data $String $msg_notfloat (i32.const 0) (i32.const 30)) (local.get $s))))
  (select (f64.neg (local.get $x)) (local.get $x) (local.get $neg)))

;; intToChar(n): a Unicode scalar value (0 … 0x10FFFF but the surrogates), else a runtime error
;; naming n (Links' chr fails outside its range too)
(func $int_to_char (param $n i64) (result i32)
  (if (i32.or (i64.gt_u (local.get $n) (i64.const 0x10ffff))
        (i64.eq (i64.and (local.get $n) (i64.const -2048)) (i64.const 0xd800)))
    (then
      (call $host_fail (call $str_concat
        (call $str_concat (array.new_data $String $msg_badchar (i32.const 0) (i32.const 11)) (call $str_from_int (local.get $n)))
        (array.new_data $String $msg_badchar2 (i32.const 0) (i32.const 28))))
      (unreachable)))
  (i32.wrap_i64 (local.get $n)))

;; floatToInt(x): truncation, wrapping to 63 bits like the interpreter (BigInt(trunc(x)) mod 2^63);
;; infinities and NaN are errors. Beyond 2^63 x is reduced mod 2^64 first (exact: x is then an
;; integer and every step is exact in f64).
(func $float_to_int (param $x f64) (result i64)
  (if (f64.ne (f64.sub (local.get $x) (local.get $x)) (f64.const 0))
    (then
      (call $host_fail (array.new_data $String $msg_floattoint (i32.const 0) (i32.const 31)))
      (unreachable)))
  (local.set $x (f64.trunc (local.get $x)))
  (if (f64.ge (f64.abs (local.get $x)) (f64.const 9223372036854775808))
    (then
      (local.set $x (f64.sub (local.get $x)
        (f64.mul (f64.trunc (f64.div (local.get $x) (f64.const 18446744073709551616))) (f64.const 18446744073709551616))))
      (if (f64.ge (local.get $x) (f64.const 9223372036854775808))
        (then (local.set $x (f64.sub (local.get $x) (f64.const 18446744073709551616)))))
      (if (f64.lt (local.get $x) (f64.const -9223372036854775808))
        (then (local.set $x (f64.add (local.get $x) (f64.const 18446744073709551616)))))))
  (call $int_wrap63 (i64.trunc_sat_f64_s (local.get $x))))

;; ------------------------------------------------------------------------------ records
;; Row-polymorphic record operations whose labels are known only at run time. Label ids are
;; numbered in Links' label order, so both label arrays are sorted and a merge suffices.

;; (l1 = v1, ... | base): base's fields and the new ones (absent from base: the types say so)
(func $record_extend (param $base (ref $Record)) (param $ls (ref $Labels)) (param $vs (ref $Values)) (result (ref $Record))
  (local $bl (ref $Labels)) (local $bv (ref $Values)) (local $rl (ref $Labels)) (local $rv (ref $Values))
  (local $n i32) (local $m i32) (local $i i32) (local $j i32) (local $k i32)
  (local.set $bl (struct.get $Record 0 (local.get $base)))
  (local.set $bv (struct.get $Record 1 (local.get $base)))
  (local.set $n (array.len (local.get $bl)))
  (local.set $m (array.len (local.get $ls)))
  (local.set $rl (array.new_default $Labels (i32.add (local.get $n) (local.get $m))))
  (local.set $rv (array.new $Values (ref.null none) (i32.add (local.get $n) (local.get $m))))
  (block $done
    (loop $next
      (br_if $done (i32.ge_u (local.get $k) (i32.add (local.get $n) (local.get $m))))
      ;; take from base when the new labels are used up or base's next label is smaller
      ;; (no short-circuit operators in Wasm: the array reads are guarded by ifs)
      (if (if (result i32) (i32.ge_u (local.get $j) (local.get $m))
            (then (i32.const 1))
            (else (if (result i32) (i32.lt_u (local.get $i) (local.get $n))
              (then (i32.lt_u (array.get $Labels (local.get $bl) (local.get $i)) (array.get $Labels (local.get $ls) (local.get $j))))
              (else (i32.const 0)))))
        (then
          (array.set $Labels (local.get $rl) (local.get $k) (array.get $Labels (local.get $bl) (local.get $i)))
          (array.set $Values (local.get $rv) (local.get $k) (array.get $Values (local.get $bv) (local.get $i)))
          (local.set $i (i32.add (local.get $i) (i32.const 1))))
        (else
          (array.set $Labels (local.get $rl) (local.get $k) (array.get $Labels (local.get $ls) (local.get $j)))
          (array.set $Values (local.get $rv) (local.get $k) (array.get $Values (local.get $vs) (local.get $j)))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $next)))
  (struct.new $Record (local.get $rl) (local.get $rv)))

;; the rest r of a pattern (l1 = p1, ... | r): rec without the labels ls (all present in rec)
(func $record_remove (param $rec (ref $Record)) (param $ls (ref $Labels)) (result (ref $Record))
  (local $bl (ref $Labels)) (local $bv (ref $Values)) (local $rl (ref $Labels)) (local $rv (ref $Values))
  (local $n i32) (local $m i32) (local $i i32) (local $j i32) (local $k i32)
  (local.set $bl (struct.get $Record 0 (local.get $rec)))
  (local.set $bv (struct.get $Record 1 (local.get $rec)))
  (local.set $n (array.len (local.get $bl)))
  (local.set $m (array.len (local.get $ls)))
  (local.set $rl (array.new_default $Labels (i32.sub (local.get $n) (local.get $m))))
  (local.set $rv (array.new $Values (ref.null none) (i32.sub (local.get $n) (local.get $m))))
  (block $done
    (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (if (if (result i32) (i32.lt_u (local.get $j) (local.get $m))
            (then (i32.eq (array.get $Labels (local.get $bl) (local.get $i)) (array.get $Labels (local.get $ls) (local.get $j))))
            (else (i32.const 0)))
        (then (local.set $j (i32.add (local.get $j) (i32.const 1))))
        (else
          (array.set $Labels (local.get $rl) (local.get $k) (array.get $Labels (local.get $bl) (local.get $i)))
          (array.set $Values (local.get $rv) (local.get $k) (array.get $Values (local.get $bv) (local.get $i)))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
  (struct.new $Record (local.get $rl) (local.get $rv)))

;; ------------------------------------------------------------------------------ lists
(func $list_length (param $l (ref null $Cons)) (result i64)
  (local $n i64)
  (block $done
    (loop $lp
      (br_if $done (ref.is_null (local.get $l)))
      (local.set $n (i64.add (local.get $n) (i64.const 1)))
      (local.set $l (struct.get $Cons 1 (local.get $l)))
      (br $lp)))
  (local.get $n))

;; xs ++ ys: copies xs (its heads go through a temporary array; no recursion)
(func $list_append (param $xs (ref null $Cons)) (param $ys (ref null $Cons)) (result (ref null $Cons))
  (local $n i32) (local $i i32) (local $tmp (ref $Values)) (local $l (ref null $Cons))
  (if (ref.is_null (local.get $xs)) (then (return (local.get $ys))))
  (if (ref.is_null (local.get $ys)) (then (return (local.get $xs))))
  (local.set $n (i32.wrap_i64 (call $list_length (local.get $xs))))
  (local.set $tmp (array.new_default $Values (local.get $n)))
  (local.set $l (local.get $xs))
  (block $done
    (loop $lp
      (br_if $done (ref.is_null (local.get $l)))
      (array.set $Values (local.get $tmp) (local.get $i) (struct.get $Cons 0 (local.get $l)))
      (local.set $l (struct.get $Cons 1 (local.get $l)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $lp)))
  (local.set $l (local.get $ys))
  (block $done2
    (loop $lp2
      (br_if $done2 (i32.eqz (local.get $i)))
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (local.set $l (struct.new $Cons (array.get $Values (local.get $tmp) (local.get $i)) (local.get $l)))
      (br $lp2)))
  (local.get $l))

;; ------------------------------------------------------------------------------ boxing
;; A boxed Int is an i31 when it fits in 31 bits, else a $Int (docs/wasm-data-layout.md); a $Int
;; may also hold a small one (a transient box: backends/wasm/int-boxes.ts), so readers take both.
;; The code generators' calls of these two are written out in place (int-boxes.ts), with the same code.
(func $box_int (param $x i64) (result eqref)
  (if (result eqref) (i64.eq (local.get $x) (i64.shr_s (i64.shl (local.get $x) (i64.const 33)) (i64.const 33)))
    (then (ref.i31 (i32.wrap_i64 (local.get $x))))
    (else (struct.new $Int (local.get $x)))))
(func $unbox_int (param $v eqref) (result i64)
  (if (result i64) (ref.test (ref i31) (local.get $v))
    (then (i64.extend_i32_s (i31.get_s (ref.cast (ref i31) (local.get $v)))))
    (else (struct.get $Int 0 (ref.cast (ref $Int) (local.get $v))))))
(func $box_float (param $x f64) (result (ref $Float)) (struct.new $Float (local.get $x)))
(func $unbox_float (param $v eqref) (result f64) (struct.get $Float 0 (ref.cast (ref $Float) (local.get $v))))
(func $box_bool (param $b i32) (result (ref i31)) (ref.i31 (local.get $b)))
(func $unbox_bool (param $v eqref) (result i32) (i31.get_u (ref.cast (ref i31) (local.get $v))))
(func $box_char (param $c i32) (result (ref i31)) (ref.i31 (local.get $c)))
(func $unbox_char (param $v eqref) (result i32) (i31.get_u (ref.cast (ref i31) (local.get $v))))

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
