// The interpreter's implementation of prelude/primitives.ts (process primitives are in machine.ts).
import { linksIsFloat, linksIsInt, ocamlFloatOfString, ocamlIntOfString } from "./parse-number.js";
import { CharV, ConsV, RuntimeError, UNIT, type Value, arrayToList, compare, equal, listToArray, showFloat } from "./values.js";

/** Links' Int is OCaml's: 63-bit two's complement, wrapping. */
const MAX = (1n << 62n) - 1n, MIN = -(1n << 62n);
const wrap = (x: bigint) => (x > MAX || x < MIN ? BigInt.asIntN(63, x) : x);
const i = (v: Value) => v as bigint;
const f = (v: Value) => v as number;

// Strings are JS strings; Links counts code points (a surrogate pair is one character, as `[...s]`
// would). These count without an array of them: `strlen` of a 2^27-character string built that
// array and aborted the process ("invalid array length").
const isPair = (s: string, k: number) => {
  const c = s.charCodeAt(k);
  if (c < 0xd800 || c > 0xdbff || k + 1 >= s.length) return false;
  const d = s.charCodeAt(k + 1);
  return d >= 0xdc00 && d <= 0xdfff;
};
/** The number of code points of s. */
function codePoints(s: string): number {
  let n = 0;
  for (let k = 0; k < s.length; k += isPair(s, k) ? 2 : 1) n++;
  return n;
}
/** The UTF-16 offset `n` code points after offset `from` (s.length at the end), or -1 when s has fewer. */
function unitOffset(s: string, n: number, from: number): number {
  let k = from;
  for (let m = 0; m < n; m++) {
    if (k >= s.length) return -1;
    k += isPair(s, k) ? 2 : 1;
  }
  return k;
}

const table: Record<string, (a: Value[], out: (s: string) => void) => Value> = {
  "+": (a) => wrap(i(a[0]!) + i(a[1]!)),
  "-": (a) => wrap(i(a[0]!) - i(a[1]!)),
  "*": (a) => wrap(i(a[0]!) * i(a[1]!)),
  "/": (a) => {
    if (i(a[1]!) === 0n) throw new RuntimeError("division by zero");
    return wrap(i(a[0]!) / i(a[1]!));
  },
  mod: (a) => {
    if (i(a[1]!) === 0n) throw new RuntimeError("division by zero");
    return i(a[0]!) % i(a[1]!);
  },
  "^": (a) => (i(a[1]!) < 0n ? 0n : wrap(i(a[0]!) ** i(a[1]!))),
  negate: (a) => wrap(-i(a[0]!)),
  "+.": (a) => f(a[0]!) + f(a[1]!),
  "-.": (a) => f(a[0]!) - f(a[1]!),
  "*.": (a) => f(a[0]!) * f(a[1]!),
  "/.": (a) => f(a[0]!) / f(a[1]!),
  "^.": (a) => Math.pow(f(a[0]!), f(a[1]!)),
  negatef: (a) => -f(a[0]!),
  sqrt: (a) => Math.sqrt(f(a[0]!)),
  floor: (a) => Math.floor(f(a[0]!)),
  ceiling: (a) => Math.ceil(f(a[0]!)),
  exp: (a) => Math.exp(f(a[0]!)),
  log: (a) => Math.log(f(a[0]!)),
  sin: (a) => Math.sin(f(a[0]!)),
  cos: (a) => Math.cos(f(a[0]!)),
  "==": (a) => equal(a[0]!, a[1]!),
  "<>": (a) => !equal(a[0]!, a[1]!),
  // two floats compare as IEEE says (NaN is unordered: all four false), as in Links and on Wasm
  "<": (a) => (typeof a[0] === "number" ? a[0] < (a[1] as number) : compare(a[0]!, a[1]!) < 0),
  ">": (a) => (typeof a[0] === "number" ? a[0] > (a[1] as number) : compare(a[0]!, a[1]!) > 0),
  "<=": (a) => (typeof a[0] === "number" ? a[0] <= (a[1] as number) : compare(a[0]!, a[1]!) <= 0),
  ">=": (a) => (typeof a[0] === "number" ? a[0] >= (a[1] as number) : compare(a[0]!, a[1]!) >= 0),
  intToString: (a) => i(a[0]!).toString(),
  stringToInt: (a) => {
    const x = ocamlIntOfString(a[0] as string);
    if (x === undefined) throw new RuntimeError(`stringToInt: not an integer: "${a[0]}"`);
    return x;
  },
  intToFloat: (a) => Number(i(a[0]!)),
  floatToInt: (a) => {
    const x = f(a[0]!);
    if (!Number.isFinite(x)) throw new RuntimeError("floatToInt: not a finite number");
    return wrap(BigInt(Math.trunc(x)));
  },
  floatToString: (a) => showFloat(f(a[0]!)),
  stringToFloat: (a) => {
    const x = ocamlFloatOfString(a[0] as string);
    if (x === undefined) throw new RuntimeError(`stringToFloat: not a number: "${a[0]}"`);
    return x;
  },
  charToInt: (a) => BigInt((a[0] as CharV).c.codePointAt(0)!),
  intToChar: (a) => {
    const n = i(a[0]!);
    if (!(n >= 0n && n <= 0x10ffffn) || (n >= 0xd800n && n <= 0xdfffn)) throw new RuntimeError(`intToChar: ${n} is not a Unicode code point`);
    return new CharV(String.fromCodePoint(Number(n)));
  },
  charAt: (a) => {
    const s = a[0] as string, k = Number(i(a[1]!));
    const at = k < 0 ? -1 : unitOffset(s, k, 0);
    if (at < 0 || at >= s.length) throw new RuntimeError("charAt: index out of range");
    return new CharV(isPair(s, at) ? s.slice(at, at + 2) : s[at]!);
  },
  strsub: (a) => {
    const s = a[0] as string, start = Number(i(a[1]!)), len = Number(i(a[2]!));
    const from = start < 0 || len < 0 ? -1 : unitOffset(s, start, 0);
    const to = from < 0 ? -1 : unitOffset(s, len, from);
    if (to < 0) throw new RuntimeError("strsub: range out of bounds");
    return s.slice(from, to);
  },
  "^^": (a) => (a[0] as string) + (a[1] as string),
  strlen: (a) => BigInt(codePoints(a[0] as string)),
  explode: (a) => arrayToList([...(a[0] as string)].map((c) => new CharV(c))),
  implode: (a) => listToArray(a[0]!).map((c) => (c as CharV).c).join(""),
  "++": (a) => {
    const xs = listToArray(a[0]!);
    let l = a[1] as ConsV;
    for (let j = xs.length - 1; j >= 0; j--) l = new ConsV(xs[j]!, l);
    return l;
  },
  isInt: (a) => linksIsInt(a[0] as string),
  isFloat: (a) => linksIsFloat(a[0] as string),
  random: () => Math.random(),
  gen0: (a) => a[0]!,
  gen1: (a) => a[0]!,
  gen2: (a) => a[0]!,
  print: (a, out) => {
    out(a[0] as string);
    return UNIT;
  },
  error: (a) => {
    throw new RuntimeError(a[0] as string);
  },
};


export type PrimImpl = (a: Value[], out: (s: string) => void) => Value;

/** The implementation of a pure primitive, or undefined for the process primitives and unknown names. */
export function primitiveImpl(name: string): PrimImpl | undefined {
  return Object.hasOwn(table, name) ? table[name] : undefined;
}

export const implementedPrimitives = new Set([...Object.keys(table), "self", "recv", "send", "yield", "%tick", "gensym"]);
