;; Part of the Links runtime for the Wasm GC backends (strings: concatenation, comparison, characters): module fields that
;; passes/codegen-module.ts's runtimeWat("runtime") appends after runtime.wat, which has the
;; types, imports and data these use. Definitions only (see runtime.wat's header).

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
