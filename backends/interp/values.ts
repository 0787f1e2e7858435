// Runtime values of the reference interpreter, structural equality/ordering, and printing in
// Links notation (`[1, 2]`, `(x = 1, y = "a")`, `Just(42)`, `fun`).
import type { Lam } from "../../ir/core.js";
import { CompileError, compareLabels } from "../../ir/common.js";
// record labels that are Links keywords print quoted, as Links prints them
import { KEYWORDS } from "../../passes/lexer.js";

export type Value =
  | bigint // Int (64-bit, wrapping)
  | number // Float
  | boolean // Bool
  | string // String
  | CharV
  | RecordV // records, tuples, unit
  | VariantV
  | ConsV
  | NilV
  | Closure
  | PrimV
  | ContV
  | ProcessV;

export class CharV { constructor(readonly c: string) {} }
export class RecordV { constructor(readonly fields: ReadonlyMap<string, Value>) {} }
export class VariantV { constructor(readonly name: string, readonly arg: Value | undefined) {} }
export class ConsV { constructor(readonly head: Value, readonly tail: ListV) {} }
export class NilV {}
export type ListV = ConsV | NilV;
export const NIL = new NilV();
export const UNIT = new RecordV(new Map());

/**
 * An environment: a persistent list of bindings, innermost first. `depth` counts the bindings
 * below this one; `jump` is a skew-binary jump pointer (Myers' random-access stack), so the
 * binding at any depth is found in O(log n) steps — a program of 100,000 top-level bindings
 * looks up a prelude function without walking them all.
 */
export class Env {
  readonly depth: number;
  readonly jump: Env | undefined;
  constructor(readonly name: string, public value: Value, readonly next: Env | undefined) {
    this.depth = next ? next.depth + 1 : 0;
    const j = next?.jump;
    this.jump = next && j && j.jump && next.depth - j.depth === j.depth - j.jump.depth ? j.jump : next;
  }

  /** The binding `d` nodes up the list (0: this one). */
  up(d: number): Env {
    const target = this.depth - d;
    let e: Env = this;
    while (e.depth > target) e = e.jump && e.jump.depth >= target ? e.jump : e.next!;
    return e;
  }
}

export class Closure { constructor(readonly lam: Lam, readonly env: Env | undefined) {} }
/** A primitive function; `impl` is set for the pure ones (process primitives are the machine's). */
export class PrimV {
  constructor(readonly name: string, readonly impl: ((a: Value[], out: (s: string) => void) => Value) | undefined) {}
}
export class ProcessV { constructor(readonly id: number) {} }

/** A captured continuation: the frames between the `do` and its handler (see machine.ts). */
export class ContV {
  constructor(
    readonly frames: readonly unknown[],
    readonly shallow: boolean,
    readonly op: string,
  ) {}
}


export class RuntimeError extends CompileError {
  constructor(message: string) {
    super("runtime", message);
  }
}

export function listToArray(l: Value): Value[] {
  const out: Value[] = [];
  let c = l;
  while (c instanceof ConsV) { out.push(c.head); c = c.tail; }
  return out;
}
export function arrayToList(xs: readonly Value[]): ListV {
  let l: ListV = NIL;
  for (let i = xs.length - 1; i >= 0; i--) l = new ConsV(xs[i]!, l);
  return l;
}
export function tuple(...xs: Value[]): RecordV {
  return new RecordV(new Map(xs.map((x, i) => [String(i + 1), x])));
}

// ---------------------------------------------------------------- equality and ordering
export function equal(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object") return false;
  if (a instanceof CharV) return b instanceof CharV && a.c === b.c;
  if (a instanceof ConsV) {
    let x: Value = a, y: Value = b;
    while (x instanceof ConsV && y instanceof ConsV) {
      if (!equal(x.head, y.head)) return false;
      x = x.tail; y = y.tail;
    }
    return x instanceof NilV && y instanceof NilV;
  }
  if (a instanceof NilV) return b instanceof NilV;
  if (a instanceof RecordV) {
    if (!(b instanceof RecordV) || a.fields.size !== b.fields.size) return false;
    for (const [l, v] of a.fields) { const w = b.fields.get(l); if (w === undefined || !equal(v, w)) return false; }
    return true;
  }
  if (a instanceof VariantV) {
    return b instanceof VariantV && a.name === b.name && (a.arg === undefined ? b.arg === undefined : b.arg !== undefined && equal(a.arg, b.arg));
  }
  if (a instanceof ProcessV) return b instanceof ProcessV && a.id === b.id;
  throw new RuntimeError("equality is not defined on functions or continuations");
}

/**
 * Links' order (its lib.ml `less`): inside records and lists a NaN is neither less nor greater
 * (0: the next field decides, as Links' record `less` and the runtime's compare_values do; the
 * comparison operators on two floats are IEEE's, see primitives.ts); strings and chars by code
 * point (OCaml compares UTF-8 bytes), not by JavaScript's UTF-16 units.
 */
/** Order two strings by code point: UTF-16 order except that surrogates (astral characters) sort above U+E000–U+FFFF. */
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  const key = (u: number) => (u >= 0xd800 && u <= 0xdfff ? u + 0x2000 : u >= 0xe000 ? u - 0x800 : u);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i), y = b.charCodeAt(i);
    if (x !== y) return key(x) < key(y) ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

export function compare(a: Value, b: Value): number {
  if (typeof a === "bigint" && typeof b === "bigint") return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "number" && typeof b === "number") return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "string" && typeof b === "string") return compareCodePoints(a, b);
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  if (a instanceof CharV && b instanceof CharV) return compareCodePoints(a.c, b.c);
  if ((a instanceof ConsV || a instanceof NilV) && (b instanceof ConsV || b instanceof NilV)) {
    let x: Value = a, y: Value = b;
    while (x instanceof ConsV && y instanceof ConsV) {
      const c = compare(x.head, y.head);
      if (c !== 0) return c;
      x = x.tail; y = y.tail;
    }
    return x instanceof NilV ? (y instanceof NilV ? 0 : -1) : 1;
  }
  if (a instanceof RecordV && b instanceof RecordV) {
    const labels = [...a.fields.keys()].sort(compareLabels);
    for (const l of labels) {
      const c = compare(a.fields.get(l)!, b.fields.get(l)!);
      if (c !== 0) return c;
    }
    return 0;
  }
  if (a instanceof VariantV && b instanceof VariantV) {
    if (a.name !== b.name) return a.name < b.name ? -1 : 1;
    if (a.arg === undefined || b.arg === undefined) return 0;
    return compare(a.arg, b.arg);
  }
  throw new RuntimeError("comparison is not defined on functions or continuations");
}


// ---------------------------------------------------------------- printing


/**
 * Floats print like Links: C's `%.12g` (12 significant digits, exponent form below 1e-4 or from
 * 1e12, with at least two exponent digits), plus `.0` when that leaves no decimal point.
 */
export function showFloat(f: number): string {
  if (Number.isNaN(f)) return "nan";
  if (!Number.isFinite(f)) return f > 0 ? "inf" : "-inf";
  if (f === 0) return Object.is(f, -0) ? "-0.0" : "0.0";
  const exp = Math.floor(Math.log10(Math.abs(Number(f.toPrecision(12)))));
  let s: string;
  if (exp < -4 || exp >= 12) {
    const [m, e] = f.toExponential(11).split("e") as [string, string];
    const mant = m.includes(".") ? m.replace(/0+$/, "").replace(/\.$/, "") : m;
    const n = Number(e);
    s = `${mant}e${n < 0 ? "-" : "+"}${String(Math.abs(n)).padStart(2, "0")}`;
  } else {
    s = f.toFixed(Math.max(0, 11 - exp));
    if (s.includes(".")) s = s.replace(/0+$/, "").replace(/\.$/, "");
  }
  if (!/[.e]/.test(s)) s += ".0";
  return s;
}

export function escapeString(s: string): string {
  let out = "";
  for (const ch of s) {
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else out += ch;
  }
  return out;
}

function showChar(c: string): string {
  if (c === "'") return "'\\''";
  if (c === "\\") return "'\\\\'";
  if (c === "\n") return "'\\n'";
  if (c === "\t") return "'\\t'";
  return `'${c}'`;
}

export function showValue(v: Value): string {
  switch (typeof v) {
    case "bigint": return v.toString();
    case "number": return showFloat(v);
    case "boolean": return String(v);
    case "string": return `"${escapeString(v)}"`;
  }
  if (v instanceof CharV) return showChar(v.c);
  if (v instanceof NilV) return "[]";
  if (v instanceof ConsV) return `[${listToArray(v).map(showValue).join(", ")}]`;
  if (v instanceof RecordV) {
    const labels = [...v.fields.keys()];
    if (labels.length === 0) return "()";
    const isTuple = labels.length > 1 && labels.every((l, i) => labels.includes(String(i + 1)));
    if (isTuple) return `(${labels.map((_, i) => showValue(v.fields.get(String(i + 1))!)).join(", ")})`;
    return `(${labels.sort(compareLabels).map((l) => `${KEYWORDS.has(l) ? `"${l}"` : l} = ${showValue(v.fields.get(l)!)}`).join(", ")})`;
  }
  if (v instanceof VariantV) {
    if (v.arg === undefined) return v.name;
    const a = showValue(v.arg);
    return v.arg instanceof RecordV && a.startsWith("(") ? `${v.name}${a}` : `${v.name}(${a})`;
  }
  if (v instanceof Closure || v instanceof PrimV || v instanceof ContV) return "fun";
  // as Links prints a server pid (core/value.ml): main is MAIN, the processes spawned srvPid_0, 1, …
  if (v instanceof ProcessV) return `Pid Server (${v.id === 0 ? "MAIN" : `srvPid_${v.id - 1}`})`;
  return "?";
}
