// The hand-written Wasm runtime (runtime-wat/runtime.wat and its parts), the binaryen wrapper and the Node host:
// value printing against the interpreter's printer, strings, Int helpers, lists, boxing, generic
// equality/ordering against the interpreter's equal/compare, and that the optimiser drops
// whatever a program does not use.
import { runtimeWat } from "../passes/codegen-module.js";
import { beforeAll, describe, expect, it } from "vitest";
import { CompileError } from "../ir/common.js";
import { assemble, loadBinaryen } from "../backends/wasm/binaryen.js";

beforeAll(() => loadBinaryen());
import { instantiate } from "../backends/wasm/node.js";
import { UNHANDLED_MESSAGE } from "../backends/wasm/host.js";
import { inlineIntBoxes } from "../backends/wasm/int-boxes.js";
import { I, type Instr, type WasmFunc, type WasmModule } from "../ir/wasm.js";
import {
  CharV, ConsV, NIL, NilV, RecordV, UNIT, type Value, VariantV, compare, equal, escapeString, showFloat, showValue,
} from "../backends/interp/values.js";

const RUNTIME = runtimeWat("runtime");

// ---------------------------------------------------------------- helpers
/** Constructor names by id: deliberately not in name order, so ordering must go through $ctor_name. */
const CTORS = ["Zed", "Apple", "Mango", "Bar", "Apples"];
/** Label ids are assigned in Links' label order (compareLabels), as the code generator must. */
const LABELS = ["1", "2", "3", "10", "a", "b", "name", "x"];

const bytes = (s: string) => [...new TextEncoder().encode(s)];
const strLit = (s: string) =>
  `(array.new_fixed $String ${bytes(s).length}${bytes(s).map((b) => ` (i32.const ${b})`).join("")})`;

const CTOR_NAME = `(func $ctor_name (param $id i32) (result (ref $String))
${CTORS.map((n, i) => `  (if (i32.eq (local.get $id) (i32.const ${i})) (then (return ${strLit(n)})))`).join("\n")}
  (unreachable))
(func $nl (call $print_string (array.new_fixed $String 1 (i32.const 10))))
(func $sp (call $print_string (array.new_fixed $String 1 (i32.const 32))))`;

const testModule = (fields: string) => `(module\n${RUNTIME}\n${CTOR_NAME}\n${fields}\n)`;
const withMain = (body: string, extra = "") => testModule(`${extra}\n(func (export "main")\n${body})`);

function run(wat: string, optimize: 0 | 2 = 0): string {
  let out = "";
  instantiate(assemble(wat, { optimize }).binary, { write: (s) => (out += s) }).run();
  return out;
}

/** Run and return [output, error]. */
function runCatching(wat: string, optimize: 0 | 2 = 0): [string, unknown] {
  let out = "";
  try {
    instantiate(assemble(wat, { optimize }).binary, { write: (s) => (out += s) }).run();
    return [out, undefined];
  } catch (e) {
    return [out, e];
  }
}

const f64Lit = (x: number) => {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, x);
  return `(f64.reinterpret_i64 (i64.const ${dv.getBigInt64(0)}))`;
};

/** Deterministic PRNG (mulberry32). */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]! };
}

/** Random doubles: raw bit patterns, [0,1), wide magnitudes, short decimals, 12-digit ties, big integers. */
function randomDoubles(n: number, seed: number): number[] {
  const r = rng(seed), dv = new DataView(new ArrayBuffer(8)), out: number[] = [];
  while (out.length < n) {
    const k = r.int(6);
    let x: number;
    if (k === 0) {
      dv.setUint32(0, r.int(2 ** 32)); dv.setUint32(4, r.int(2 ** 32)); x = dv.getFloat64(0);
    } else if (k === 1) x = r.next();
    else if (k === 2) x = (r.next() - 0.5) * 10 ** (r.int(60) - 30);
    else if (k === 3) x = Math.round(r.next() * 1e6) / 10 ** r.int(9);
    else if (k === 4) x = Number(`${r.int(1e12)}5e${r.int(40) - 25}`);
    else x = r.int(2 ** 30) * 2 ** 23 * 2 ** (r.int(80) - 40);
    out.push(x);
  }
  return out;
}

const FLOAT_TABLE = [
  0, -0, 1, -1, 0.5, 2.5, 0.1, 0.2, 0.30000000000000004, 1 / 3, 2 / 3, 3.14, 3.141592653589793, 1e-4, 1e-5, 1.5e-7,
  9.999999999995e-5, 9.9999999999949e-5, 123456, 1e11, 999999999999, 999999999999.5, 1e12, 1e15, 1e20, 1e21, 1e100,
  100000000000.5, 1000000000005, 123456789012.5, 2 ** 53, 2 ** 63, 5e-324, 2.2250738585072014e-308,
  Number.MAX_VALUE, Number.EPSILON, 12345.678, -1e-7, NaN, Infinity, -Infinity, 1.005, 4.35,
];

// ---------------------------------------------------------------- printing
describe("runtime.wat: printing", () => {
  it("prints Ints (0, -5, the 63-bit extremes), Bools, quoted Chars and Strings", () => {
    const wat = withMain(`
      (call $print_int (i64.const 0)) (call $nl)
      (call $print_int (i64.const -5)) (call $nl)
      (call $print_int (i64.const 4611686018427387903)) (call $nl)
      (call $print_int (i64.const -4611686018427387904)) (call $nl)
      (call $print_bool (i32.const 1)) (call $sp) (call $print_bool (i32.const 0)) (call $nl)
      (call $print_string ${strLit("raw \"é\"\n")})`);
    const expected = "0\n-5\n4611686018427387903\n-4611686018427387904\ntrue false\nraw \"é\"\n";
    expect(run(wat, 0)).toBe(expected);
    expect(run(wat, 2)).toBe(expected);
  });

  it("prints a table of floats and 200 random doubles exactly as showFloat", () => {
    const xs = [...FLOAT_TABLE, ...randomDoubles(200, 1)];
    const wat = withMain(xs.map((x) => `(call $print_float ${f64Lit(x)}) (call $nl)`).join("\n"));
    const expected = xs.map((x) => showFloat(x) + "\n").join("");
    expect(run(wat, 0)).toBe(expected);
    expect(run(wat, 2)).toBe(expected);
  });

  it("formats 20000 more random doubles exactly as showFloat (through an exported formatter)", () => {
    const prog = instantiate(assemble(testModule(`(func (export "fmt") (param f64) (result (ref $String))
      (call $str_from_float (local.get 0)))`), { optimize: 2 }).binary, { write() {} });
    const fmt = prog.exports.fmt as (x: number) => unknown;
    const bad: string[] = [];
    for (const x of randomDoubles(20000, 2)) {
      const got = prog.readString(fmt(x)), want = showFloat(x);
      if (got !== want) bad.push(`${x}: ${got} vs ${want}`);
    }
    expect(bad).toEqual([]);
  });

  it("quotes Strings as escapeString and Chars as the interpreter's showChar", () => {
    const strings = ["", "plain", 'say "hi"', "back\\slash", "tab\tnew\nline\rret", "é€😀", "'single'", "\"\\\n\t\r"];
    const chars = ["a", "'", "\\", "\n", "\t", '"', "é", "€", "😀", " "];
    const wat = withMain([
      ...strings.map((s) => `(call $print_string_quoted ${strLit(s)}) (call $nl)`),
      ...chars.map((c) => `(call $print_char_quoted (i32.const ${c.codePointAt(0)})) (call $nl)`),
    ].join("\n"));
    const expected = [...strings.map((s) => `"${escapeString(s)}"`), ...chars.map((c) => showValue(new CharV(c)))]
      .map((l) => l + "\n").join("");
    expect(run(wat, 0)).toBe(expected);
    expect(run(wat, 2)).toBe(expected);
  });

  it("concatenates, compares and converts strings", () => {
    const wat = withMain(`
      (call $print_string (call $str_concat ${strLit("ab")} ${strLit("cé")})) (call $nl)
      (call $print_int (i64.extend_i32_u (call $str_eq ${strLit("abc")} ${strLit("abc")}))) (call $sp)
      (call $print_int (i64.extend_i32_u (call $str_eq ${strLit("abc")} ${strLit("abd")}))) (call $sp)
      (call $print_int (i64.extend_i32_s (call $str_compare ${strLit("ab")} ${strLit("abc")}))) (call $sp)
      (call $print_int (i64.extend_i32_s (call $str_compare ${strLit("b")} ${strLit("abc")}))) (call $sp)
      (call $print_int (i64.extend_i32_s (call $str_compare ${strLit("é")} ${strLit("z")}))) (call $sp)
      (call $print_int (i64.extend_i32_s (call $str_compare ${strLit("")} ${strLit("")}))) (call $nl)
      (call $print_string (call $str_from_char (i32.const 128512))) (call $nl)`);
    expect(run(wat, 2)).toBe("abcé\n1 0 -1 1 1 0\n😀\n");
  });
});

// ---------------------------------------------------------------- Int
describe("runtime.wat: Int helpers", () => {
  const MAX = (1n << 62n) - 1n, MIN = -(1n << 62n);
  const wrap = (x: bigint) => (x > MAX || x < MIN ? BigInt.asIntN(63, x) : x);
  const cases: [string, bigint, bigint, bigint][] = [
    ["int_div", 7n, -2n, wrap(7n / -2n)], ["int_div", MIN, -1n, wrap(MIN / -1n)], ["int_div", -9n, 3n, -3n],
    ["int_mod", -7n, 2n, -7n % 2n], ["int_mod", 7n, -3n, 7n % -3n], ["int_mod", MIN, -1n, 0n],
    ["int_pow", 2n, 62n, wrap(2n ** 62n)], ["int_pow", 3n, 40n, wrap(3n ** 40n)], ["int_pow", 7n, 0n, 1n],
    ["int_pow", 0n, 0n, 1n], ["int_pow", 5n, -1n, 0n], ["int_pow", -3n, 3n, -27n],
    ["int_wrap63", MAX + 1n, 0n, MIN], ["int_wrap63", MIN - 1n, 0n, MAX],
  ];
  it("divides, takes remainders and powers as the interpreter, wrapping to 63 bits", () => {
    const wat = withMain(cases.map(([f, a, b]) =>
      `(call $print_int (call $${f} (i64.const ${a})${f === "int_wrap63" ? "" : ` (i64.const ${b})`})) (call $nl)`).join("\n"));
    const expected = cases.map(([, , , r]) => `${r}\n`).join("");
    expect(run(wat, 0)).toBe(expected);
    expect(run(wat, 2)).toBe(expected);
  });

  it.each(["int_div", "int_mod"])("%s by zero is the runtime error \"division by zero\", after earlier output", (f) => {
    const wat = withMain(`(call $print_string ${strLit("before")}) (call $nl)
      (call $print_int (call $${f} (i64.const 1) (i64.const 0)))`);
    for (const o of [0, 2] as const) {
      const [out, err] = runCatching(wat, o);
      expect(out).toBe("before\n");
      expect(err).toBeInstanceOf(CompileError);
      expect((err as CompileError).kind).toBe("runtime");
      expect((err as CompileError).message).toBe("division by zero");
    }
  });
});

// ---------------------------------------------------------------- lists and boxing
describe("runtime.wat: lists and boxes", () => {
  it("appends and measures 100k-element lists without deep recursion", () => {
    // xs = [0 .. 99999], ys = [100000 .. 199999]; zs = xs ++ ys is checked element by element,
    // compared with a directly built [0 .. 199999] and with one differing in the last element.
    const build = (from: number, to: number, last = to) => `
      (local.set $l (ref.null none)) (local.set $i (i64.const ${to}))
      (block $b (loop $lp
        (br_if $b (i64.lt_s (local.get $i) (i64.const ${from})))
        (local.set $l (struct.new $Cons
          (call $box_int (select (i64.const ${last}) (local.get $i) (i64.eq (local.get $i) (i64.const ${to}))))
          (local.get $l)))
        (local.set $i (i64.sub (local.get $i) (i64.const 1)))
        (br $lp)))`;
    const wat = withMain(`
      (local $l (ref null $Cons)) (local $i i64) (local $xs (ref null $Cons)) (local $ys (ref null $Cons))
      (local $zs (ref null $Cons)) (local $bad i64)
      ${build(0, 99999)} (local.set $xs (local.get $l))
      ${build(100000, 199999)} (local.set $ys (local.get $l))
      (local.set $zs (call $list_append (local.get $xs) (local.get $ys)))
      (call $print_int (call $list_length (local.get $zs))) (call $sp)
      (call $print_int (call $list_length (local.get $xs))) (call $sp)
      (call $print_int (call $list_length (call $list_append (ref.null none) (local.get $ys)))) (call $sp)
      (call $print_int (call $list_length (call $list_append (local.get $xs) (ref.null none)))) (call $nl)
      (local.set $l (local.get $zs)) (local.set $i (i64.const 0))
      (block $b (loop $lp
        (br_if $b (ref.is_null (local.get $l)))
        (if (i64.ne (call $unbox_int (struct.get $Cons 0 (local.get $l))) (local.get $i))
          (then (local.set $bad (i64.add (local.get $bad) (i64.const 1)))))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (local.set $l (struct.get $Cons 1 (local.get $l)))
        (br $lp)))
      (call $print_int (local.get $bad)) (call $nl)
      ${build(0, 199999)}
      (call $print_int (i64.extend_i32_u (call $eq_values (local.get $zs) (local.get $l)))) (call $sp)
      (call $print_int (i64.extend_i32_s (call $compare_values (local.get $zs) (local.get $l)))) (call $sp)
      ${build(0, 199999, 200000)}
      (call $print_int (i64.extend_i32_u (call $eq_values (local.get $zs) (local.get $l)))) (call $sp)
      (call $print_int (i64.extend_i32_s (call $compare_values (local.get $zs) (local.get $l)))) (call $sp)
      (call $print_int (i64.extend_i32_s (call $compare_values (local.get $l) (local.get $zs)))) (call $sp)
      (call $print_int (i64.extend_i32_s (call $compare_values (local.get $xs) (local.get $zs)))) (call $nl)`);
    const expected = "200000 100000 100000 100000\n0\n1 0 0 -1 1 -1\n";
    expect(run(wat, 0)).toBe(expected);
    expect(run(wat, 2)).toBe(expected);
  });

  it("boxes and unboxes Int, Float, Bool and Char", () => {
    const wat = withMain(`
      (call $print_int (call $unbox_int (call $box_int (i64.const -4611686018427387904)))) (call $sp)
      (call $print_float (call $unbox_float (call $box_float (f64.const -2.5)))) (call $sp)
      (call $print_bool (call $unbox_bool (call $box_bool (i32.const 1)))) (call $sp)
      (call $print_char_quoted (call $unbox_char (call $box_char (i32.const 1114111))))`);
    expect(run(wat, 2)).toBe(`-4611686018427387904 -2.5 true ${showValue(new CharV(String.fromCodePoint(0x10ffff)))}`);
  });
});

// ---------------------------------------------------------------- equality and ordering
type Ty =
  | { k: "int" | "float" | "bool" | "char" | "string" | "unit" }
  | { k: "list"; of: Ty }
  | { k: "record"; fields: [string, Ty][] }
  | { k: "variant"; cases: [string, Ty | undefined][] };

function genTy(r: ReturnType<typeof rng>, depth: number): Ty {
  const leaf = ["int", "float", "bool", "char", "string", "unit"] as const;
  const k = depth <= 0 ? 0 : r.int(4);
  if (k === 0) return { k: r.pick(leaf) };
  if (k === 1) return { k: "list", of: genTy(r, depth - 1) };
  if (k === 2) {
    const labels = LABELS.filter(() => r.next() < 0.4);
    if (labels.length === 0) labels.push(r.pick(LABELS));
    return { k: "record", fields: labels.map((l) => [l, genTy(r, depth - 1)]) };
  }
  const names = CTORS.filter(() => r.next() < 0.6);
  if (names.length === 0) names.push(r.pick(CTORS));
  return { k: "variant", cases: names.map((n) => [n, r.next() < 0.3 ? undefined : genTy(r, depth - 1)]) };
}

function genVal(r: ReturnType<typeof rng>, t: Ty): Value {
  switch (t.k) {
    case "int": return r.pick([0n, 1n, -1n, 2n, 4611686018427387903n, -4611686018427387904n]);
    case "float": return r.pick([0, -0, 0.5, -1.5, NaN, 1e300, Infinity]);
    case "bool": return r.next() < 0.5;
    case "char": return new CharV(r.pick(["a", "b", "é", "\n", "€"]));
    case "string": return r.pick(["", "a", "ab", "b", "é", "a€", "ab\n"]);
    case "unit": return UNIT;
    case "list": {
      let l: ConsV | NilV = NIL;
      for (let n = r.int(4); n > 0; n--) l = new ConsV(genVal(r, t.of), l);
      return l;
    }
    case "record": return new RecordV(new Map(t.fields.map(([l, ft]) => [l, genVal(r, ft)])));
    case "variant": {
      const [name, pt] = r.pick(t.cases);
      return new VariantV(name, pt === undefined ? undefined : genVal(r, pt));
    }
  }
}

/** A structurally equal copy with no shared objects (the interpreter's equal short-cuts on identity). */
function clone(v: Value): Value {
  if (v instanceof ConsV) return new ConsV(clone(v.head), clone(v.tail) as ConsV | NilV);
  if (v instanceof NilV) return new NilV();
  if (v instanceof RecordV) return new RecordV(new Map([...v.fields].map(([l, x]) => [l, clone(x)])));
  if (v instanceof VariantV) return new VariantV(v.name, v.arg === undefined ? undefined : clone(v.arg));
  if (v instanceof CharV) return new CharV(v.c);
  return v;
}

/** A boxed value as a WAT expression of type eqref, following docs/wasm-data-layout.md. */
function toWat(v: Value): string {
  switch (typeof v) {
    case "bigint": return `(struct.new $Int (i64.const ${v}))`;
    case "number": return `(struct.new $Float ${f64Lit(v)})`;
    case "boolean": return `(ref.i31 (i32.const ${v ? 1 : 0}))`;
    case "string": return strLit(v);
  }
  if (v instanceof CharV) return `(ref.i31 (i32.const ${v.c.codePointAt(0)}))`;
  if (v instanceof NilV) return "(ref.null none)";
  if (v instanceof ConsV) return `(struct.new $Cons ${toWat(v.head)} ${toWat(v.tail)})`;
  if (v instanceof RecordV) {
    if (v.fields.size === 0) return "(ref.i31 (i32.const 0))"; // ()
    const ls = [...v.fields.keys()].sort((a, b) => LABELS.indexOf(a) - LABELS.indexOf(b));
    return `(struct.new $Record (array.new_fixed $Labels ${ls.length} ${ls.map((l) => `(i32.const ${LABELS.indexOf(l)})`).join(" ")})
      (array.new_fixed $Values ${ls.length} ${ls.map((l) => toWat(v.fields.get(l)!)).join(" ")}))`;
  }
  if (v instanceof VariantV) {
    return `(struct.new $Variant (i32.const ${CTORS.indexOf(v.name)}) ${v.arg === undefined ? "(ref.null none)" : toWat(v.arg)})`;
  }
  throw new Error(`toWat: ${showValue(v)}`);
}

describe("runtime.wat: eq_values and compare_values", () => {
  it("agree with the interpreter's equal and compare on 400 random pairs of nested values", () => {
    const r = rng(7);
    const pairs: [Value, Value][] = [];
    while (pairs.length < 400) {
      const t = genTy(r, r.int(4));
      const a = genVal(r, t);
      const k = r.int(3);
      pairs.push([a, k === 0 ? clone(a) : genVal(r, t)]);
    }
    const wat = withMain(pairs.map(([a, b], i) => `
      ;; ${i}
      (call $print_int (i64.extend_i32_u (call $eq_values ${toWat(a)} ${toWat(b)}))) (call $sp)
      (call $print_int (i64.extend_i32_s (call $compare_values ${toWat(a)} ${toWat(b)}))) (call $nl)`).join("\n"));
    const expected = pairs.map(([a, b]) => `${equal(a, b) ? 1 : 0} ${Math.sign(compare(a, b))}\n`).join("");
    expect(expected).toContain("1 0"); // some equal pairs
    expect(expected).toContain("-1");
    expect(run(wat, 0)).toBe(expected);
    expect(run(wat, 2)).toBe(expected);
  });

  it("equality on functions is the interpreter's runtime error", () => {
    const clo = "(struct.new $Closure (ref.null func) (ref.null none))";
    const [, err] = runCatching(withMain(`(drop (call $eq_values ${clo} ${clo}))`));
    expect((err as CompileError).message).toBe("equality is not defined on functions or continuations");
    const [, err2] = runCatching(withMain(`(drop (call $compare_values ${clo} ${clo}))`));
    expect((err2 as CompileError).message).toBe("comparison is not defined on functions or continuations");
  });
});

// ---------------------------------------------------------------- host, binaryen wrapper, sizes
describe("host and binaryen wrapper", () => {
  it("host imports work inside a continuation, and a function that resumes may allocate", () => {
    const wat = testModule(`
      (type $ft (func)) (type $ct (cont $ft)) (tag $yield)
      (elem declare func $body)
      (func $body (type $ft)
        (call $print_int (i64.const 1))
        (suspend $yield)
        (call $print_float (f64.const 2.5))
        (drop (call $int_div (i64.const 1) (i64.const 0))))
      (func (export "main") (local $k (ref null $ct))
        (local.set $k (cont.new $ct (ref.func $body)))
        (block $on (result (ref $ct))
          (resume $ct (on $yield $on) (local.get $k)) (return))
        (local.set $k)
        (call $print_string ${strLit("|")})
        (resume $ct (local.get $k)))`);
    for (const o of [0, 2] as const) {
      const [out, err] = runCatching(wat, o);
      expect(out).toBe("1|2.5");
      expect((err as CompileError).message).toBe("division by zero");
    }
  });

  it("an operation no handler catches at run time is a runtime error with a message, not a trap", () => {
    const wat = testModule(`
      (tag $op (param eqref) (result eqref))
      (func (export "main")
        (call $print_string ${strLit("before")})
        (drop (suspend $op (ref.null none))))`);
    for (const o of [0, 2] as const) {
      const [out, err] = runCatching(wat, o);
      expect(out).toBe("before");
      expect(err).toBeInstanceOf(CompileError);
      expect((err as CompileError).message).toBe(UNHANDLED_MESSAGE);
    }
  });

  it("splices into a generated module either way the runtime header describes", () => {
    const main = `(func (export "main") (call $x (array.new_fixed $String 2 (i32.const 111) (i32.const 107))))`;
    const host = (wat: string) => {
      let out = "";
      instantiate(assemble(wat, { optimize: 2 }).binary, { write: (s) => (out += s) }).run();
      return out;
    };
    // (a) generated imports with inline types first
    const a = `(module (import "host" "write" (func $x (param (ref $String))))\n${RUNTIME}\n${CTOR_NAME}\n${main})`;
    // (b) split at the marker: generated named types and imports between the two halves
    const [head, defs] = RUNTIME.split(/^;; @@runtime-definitions.*$/m) as [string, string];
    const b = `(module ${head}\n(type $out (func (param (ref $String))))\n(import "host" "write" (func $x (type $out)))
      ${defs}\n${CTOR_NAME}\n${main})`;
    expect(host(a)).toBe("ok");
    expect(host(b)).toBe("ok");
  });

  it("reports invalid modules as internal errors with binaryen's message", () => {
    const bad = () => assemble("(module (func $f (result i32) (i64.const 1)))", { optimize: 0 });
    expect(bad).toThrow(CompileError);
    expect(bad).toThrow(/function body type must match/);
    const unparsable = () => assemble("(module\n  (func $f (result i32)\n    (i64.cnst 1)))", { optimize: 0 });
    expect(unparsable).toThrow(/unrecognized instruction[\s\S]*> 3: {5}\(i64.cnst 1\)/);
    try { bad(); } catch (e) { expect((e as CompileError).kind).toBe("internal"); }
  });

  it("drops unused runtime functions when optimising (sizes and assemble times are logged)", () => {
    // the whole runtime: every function exported, so none can be removed
    const names = [...RUNTIME.matchAll(/^\(func \$(\w+)/gm)].map((m) => m[1]!);
    expect(names.length).toBeGreaterThan(40);
    const whole = testModule(`${names.map((n) => `(export "rt_${n}" (func $${n}))`).join("\n")}
      (func (export "main"))`);
    const printInt = withMain("(call $print_int (i64.const 42))");
    const wholeO0 = assemble(whole, { optimize: 0 }).size;
    const wholeO2 = assemble(whole, { optimize: 2 }).size;
    const small = assemble(printInt, { optimize: 2 });
    expect(run(printInt, 2)).toBe("42");
    expect(small.wat).not.toContain("str_from_float");
    expect(small.size * 5).toBeLessThan(wholeO2);

    const time = (f: () => void, n = 10) => {
      f(); f(); // warm-up
      const t0 = performance.now();
      for (let i = 0; i < n; i++) f();
      return (performance.now() - t0) / n;
    };
    const tO0 = time(() => assemble(printInt, { optimize: 0 }));
    const tO2 = time(() => assemble(printInt, { optimize: 2 }));
    console.info(`runtime sizes: whole runtime -O0 ${wholeO0} B, -O2 ${wholeO2} B; print_int-only program -O2 ${small.size} B; ` +
      `assemble (runtime + print_int main) after warm-up: -O0 ${tO0.toFixed(1)} ms, -O2 ${tO2.toFixed(1)} ms`);
  });
});

describe("int-boxes: box_int and unbox_int written out in place (backends/wasm/int-boxes.ts)", () => {
  const call = (f: string, ...args: Instr[]) => I("call", [f], ...args);
  const x = I("local.get", ["$x"]);
  const fn = (name: string, body: Instr[], extra: Partial<WasmFunc> = {}): WasmFunc =>
    ({ name, params: [["x", "i64"]], results: [], locals: [], body, ...extra });
  const module = (functions: WasmFunc[]): WasmModule =>
    ({ imports: [], runtime: "", types: [], tags: [], globals: [], functions, data: [], declared: [] });
  const text = (f: WasmFunc) => JSON.stringify(f.body);

  it("writes a box and an unboxing out, drops unbox(box(x)), and keeps a copy's box a $Int struct", () => {
    const [small, copy] = inlineIntBoxes(module([
      fn("small", [I("drop", [], call("$box_int", x)), I("drop", [], call("$unbox_int", call("$box_int", x))), I("drop", [], call("$unbox_int", I("local.get", ["$y"])))]),
      fn("h$ip0$0", [I("drop", [], call("$box_int", x))], { inPlaceCopy: true }),
    ])).functions;
    expect(text(small!)).not.toMatch(/box_int/);
    expect(text(small!)).toMatch(/ref\.i31/);
    expect(small!.body[1]).toEqual(I("drop", [], x));
    expect(small!.locals.map(([n]) => n)).toEqual(["%bx", "%ub"]);
    expect(copy!.body[0]).toEqual(I("drop", [], I("struct.new", ["$Int"], x)));
  });

  it("leaves the calls in a function with more than 64 boxes and unboxings (binaryen's time on it)", () => {
    const many = (n: number) => fn("big", Array.from({ length: n }, () => I("drop", [], call("$box_int", x))));
    expect(text(inlineIntBoxes(module([many(64)])).functions[0]!)).not.toMatch(/box_int/);
    const big = inlineIntBoxes(module([many(65)])).functions[0]!;
    expect(big.body.every((i) => typeof i !== "string" && i.args[0] && typeof i.args[0] !== "string" && i.args[0].op === "call")).toBe(true);
    expect(big.locals).toEqual([]);
  });
});
