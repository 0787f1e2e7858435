// Reading numbers from strings as Links does (docs/front-end-and-interpreter.md, "Where Links'
// behaviour is the reference"): isInt and isFloat are its prelude's regular expressions (OCaml Str:
// matched from the start of the string, `$` also matches before a newline), stringToInt is OCaml's
// int_of_string and stringToFloat OCaml's float_of_string (Links' core/lib.ml). The Wasm
// backends' runtime (runtime-wat/conversions.wat) is the same code, step for step.
// Strings are looked at as UTF-8 bytes would be: every character these functions accept is ASCII.

const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";
/** C's isspace */
const isSpace = (c: string | undefined) => c === " " || (c !== undefined && c >= "\t" && c <= "\r");
/** a digit's value in bases up to 16, else 99 */
function digitValue(c: string | undefined): number {
  if (c === undefined) return 99;
  if (isDigit(c)) return c.charCodeAt(0) - 48;
  const l = c.charCodeAt(0) | 32;
  return l >= 97 && l <= 102 ? l - 87 : 99;
}
/** s[i]'s code with bit 5 set: an ASCII letter's lower case (0 past the end) */
const lower = (s: string, i: number) => (i < s.length ? s.charCodeAt(i) | 32 : 0);
const skipDigits = (s: string, i: number) => { while (isDigit(s[i])) i++; return i; };
const skipSpaces = (s: string, i: number) => { while (isSpace(s[i])) i++; return i; };
/** Str's `$`: the end of s, or a newline */
const atLineEnd = (s: string, i: number) => i >= s.length || s[i] === "\n";

/** isInt(s): Links' `s =~ /-?[0-9]+$/` */
export function linksIsInt(s: string): boolean {
  const i = s[0] === "-" ? 1 : 0;
  const j = skipDigits(s, i);
  return j > i && atLineEnd(s, j);
}

/** isFloat(s): Links' `s =~ /-?[0-9]+(\.[0-9]+)?$/` */
export function linksIsFloat(s: string): boolean {
  const i = s[0] === "-" ? 1 : 0;
  let j = skipDigits(s, i);
  if (j === i) return false;
  if (s[j] === ".") {
    const k = skipDigits(s, j + 1);
    if (k > j + 1) j = k;
  }
  return atLineEnd(s, j);
}

const U64 = (1n << 64n) - 1n;

/**
 * OCaml's int_of_string on a 63-bit int: an optional sign, then decimal digits, or 0x (0X) hex, 0o
 * octal, 0b binary, 0u decimal digits; `_` allowed after the first digit; nothing else (no white
 * space). A decimal number must lie in -2^62 … 2^62-1, a prefixed one below 2^63 (it then wraps
 * to 63 bits: 0x7fffffffffffffff is -1). Undefined when s is not such a number.
 */
export function ocamlIntOfString(s: string): bigint | undefined {
  let i = 0, neg = false, base = 10n, signed = true;
  if (s[0] === "-" || s[0] === "+") { neg = s[0] === "-"; i = 1; }
  if (s[i] === "0") {
    const c = lower(s, i + 1);
    if (c === 120) { base = 16n; signed = false; } // x
    else if (c === 111) { base = 8n; signed = false; } // o
    else if (c === 98) { base = 2n; signed = false; } // b
    else if (c === 117) signed = false; // u
    if (!signed) i += 2;
  }
  const first = digitValue(s[i]);
  if (BigInt(first) >= base) return undefined;
  let res = BigInt(first);
  const threshold = U64 / base;
  for (i++; ; i++) {
    if (s[i] === "_") continue;
    const d = BigInt(digitValue(s[i]));
    if (d >= base) break;
    // OCaml's parse_intnat: unsigned 64-bit overflow is an error
    if (res > threshold) return undefined;
    res = (base * res + d) & U64;
    if (res < d) return undefined;
  }
  if (i !== s.length) return undefined;
  if (signed ? res > (1n << 62n) - (neg ? 0n : 1n) : res >= 1n << 63n) return undefined;
  return BigInt.asIntN(63, neg ? -res : res);
}

/** x * 2^n rounded once (musl's scalbn, C's ldexp) */
function scalbn(x: number, n: number): number {
  if (n > 1023) {
    x *= 2 ** 1023; n -= 1023;
    if (n > 1023) { x *= 2 ** 1023; n -= 1023; if (n > 1023) n = 1023; }
  } else if (n < -1022) {
    x *= 2 ** -969; n += 969;
    if (n < -1022) { x *= 2 ** -969; n += 969; if (n < -1022) n = -1022; }
  }
  const f = new Float64Array(1);
  new BigUint64Array(f.buffer)[0] = BigInt(n + 1023) << 52n;
  return x * f[0]!;
}

/**
 * The hexadecimal float in s from i (after "0x"), as OCaml's caml_float_of_hex: hex digits with at
 * most one '.', at least one digit, then optionally p (P), white space, a sign and decimal digits up
 * to the end; the first 60 significant bits, the rest rounded to odd, converted to a double and
 * scaled by 2^exponent. Undefined when s is not of that form.
 */
function hexFloat(s: string, i: number): number | undefined {
  let m = 0n, nbits = 0, mbits = 0, xbits = 0, point = -1, e = 0;
  while (i < s.length) {
    const c = s[i++]!;
    if (c === ".") {
      if (point >= 0) return undefined;
      point = nbits;
      continue;
    }
    if (c === "p" || c === "P") {
      if (i >= s.length) return undefined;
      i = skipSpaces(s, i);
      let eneg = false;
      if (s[i] === "-" || s[i] === "+") { eneg = s[i] === "-"; i++; }
      const j = skipDigits(s, i);
      if (j === i || j !== s.length) return undefined;
      // saturates: beyond 10^8 the result is 0 or infinite anyway
      for (; i < j; i++) if (e < 100000000) e = e * 10 + (s.charCodeAt(i) - 48);
      if (eneg) e = -e;
      break;
    }
    const d = digitValue(c);
    if (d >= 16) return undefined;
    nbits += 4;
    if (d === 0 && m === 0n) continue; // leading zeros are skipped
    if (mbits < 60) { m = (m << 4n) + BigInt(d); mbits += 4; }
    else { if (d !== 0) m |= 1n; xbits += 4; } // round to odd
  }
  if (nbits === 0) return undefined;
  e += xbits;
  if (point >= 0) e += point - nbits;
  // beyond ±5000 a 60-bit mantissa scales to 0 or infinity either way
  e = Math.max(-5000, Math.min(5000, e));
  return scalbn(Number(m), e);
}

/** whether s from i starts with the lower-case word w, in any case */
const startsCI = (s: string, i: number, w: string) => [...w].every((c, k) => lower(s, i + k) === c.charCodeAt(0));

/**
 * OCaml's float_of_string: every `_` is dropped; what is left must be read whole by C's strtod:
 * white space, a sign, then inf, infinity, nan or nan(letters and digits) in any case, or 0x (0X)
 * and a hexadecimal float, or a decimal float (digits with at most one '.', at least one digit,
 * then e (E), a sign and digits). A decimal's value is JavaScript's Number of the same text (as on
 * Wasm: both round correctly). Undefined when s is not such a number.
 */
export function ocamlFloatOfString(s0: string): number | undefined {
  const s = s0.replaceAll("_", "");
  const n = s.length;
  let i = skipSpaces(s, 0), neg = false;
  if (s[i] === "-" || s[i] === "+") { neg = s[i] === "-"; i++; }
  const signed = (x: number | undefined) => (x === undefined ? undefined : neg ? -x : x);
  if (s[i] === "0" && lower(s, i + 1) === 120) return signed(hexFloat(s, i + 2));
  if (startsCI(s, i, "infinity")) return i + 8 === n ? signed(Infinity) : undefined;
  if (startsCI(s, i, "inf")) return i + 3 === n ? signed(Infinity) : undefined;
  if (startsCI(s, i, "nan")) {
    let j = i + 3;
    if (s[j] === "(") {
      let k = j + 1;
      while (isDigit(s[k]) || (lower(s, k) >= 97 && lower(s, k) <= 122)) k++;
      if (s[k] === ")") j = k + 1;
    }
    return j === n ? NaN : undefined;
  }
  let j = skipDigits(s, i), digits = j - i;
  if (s[j] === ".") { const k = skipDigits(s, j + 1); digits += k - (j + 1); j = k; }
  if (digits === 0) return undefined;
  if (s[j] === "e" || s[j] === "E") {
    let k = j + 1;
    if (s[k] === "-" || s[k] === "+") k++;
    const l = skipDigits(s, k);
    if (l > k) j = l;
  }
  if (j !== n) return undefined;
  return signed(Number(s.slice(i)));
}
