;; Part of the Links runtime for the Wasm GC backends (conversions between strings and numbers): module fields that
;; passes/codegen-module.ts's runtimeWat("runtime") appends after runtime.wat, which has the
;; types, imports and data these use. Definitions only (see runtime.wat's header).

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
