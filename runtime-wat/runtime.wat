;; Links runtime for the Wasm GC backends: value types, imports, messages, output, Ints, records,
;; lists and boxing. Layout: docs/wasm-data-layout.md. The rest of the runtime is in parts that
;; follow this text, in this order: strings.wat (strings and characters), show-float.wat
;; (Float -> String), conversions.wat (strings to numbers and back), equality.wat (structural
;; equality and ordering); passes/codegen-module.ts's runtimeWat("runtime") joins them. Below,
;; "this file" and "this text" are the joined text.
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
