// The differential fuzzer's program generator (tools/fuzz.ts): random well-typed programs of the
// Links subset, type-directed — `expr(ty, ctx)` builds an expression of a wanted type from an
// environment of typed variables and the operations handled around it. This file has the base
// types (Int at the 63-bit edges, Float specials, strings and chars beyond ASCII, lists, records,
// variants, closures), blocks and statements, and whole programs; tools/fuzz-gen-fx.ts has switch
// and patterns, handlers (deep, shallow, parameterised, forwarding, multishot), processes,
// recursion and polymorphic functions. Each feature can be excluded (FEATURES). Every program
// terminates: recursion is bounded (`mod(e, 6)` calls; fixed depths up to 50,000 for
// `deep-recursion`), ranges and replicate are small.
import { Bool, Char, Float, Fn, Int, List, type Node, Rng, Str, type Ty, Tuple, Unit, charLit, ex, firstOrder, hasFloat, isTuple, join, print, raw, stmt, stringLit, tyEq } from "./fuzz-ast.js";
import { POLY_KINDS, type PolyKind, deepHandler, deepRecursion, doOp, doStmt, multishotHandler, paramHandler, polyCall, polyDecl, processExpr, recursion, shallowHandler, showText, switchExpr } from "./fuzz-gen-fx.js";

/** Generator features; `exclude` switches one off (e.g. a known bug's trigger). */
export const FEATURES: Readonly<Record<string, string>> = {
  "int-edge": "Int literals at the 63-bit edges: max_int, min_int (written `-4611686018427387903 - 1`: a literal beyond max_int is a syntax error, as in Links), 2^31, 2^32, 2^53 ± 1, …",
  "div-zero": "divisors that may be zero (`/`, `mod`)",
  "float-special": "infinities and tiny, huge and random floats",
  nan: "NaN (`0.0 /. 0.0`)",
  "nan-compare": "ordering comparisons (<, <=, >, >=) on values containing floats (NaN unordered, as in Links)",
  "neg-zero": "the literal `-.0.0`",
  "inf-literal": "float literals too big for a double (1.0e309: inf)",
  "unit-compare": "==, <, … on two unit values (() == (), not () < ())",
  astral: "characters outside the BMP (emoji) in strings and chars",
  "high-bmp": "characters U+E000 … U+FFFF (strings and chars order by code point: '😀' > 'ｱ')",
  "bad-char": "intToChar of a number that is not a Unicode scalar value (a runtime error naming it)",
  "parse-empty": "isInt, isFloat, stringToInt, stringToFloat of empty and odd strings (\"\", \"-\", \" 1\", \"0x1F\", \"1_000\", \"1e\", \"inf\", …: Links' rules, OCaml's int_of_string and float_of_string)",
  partial: "hd, charAt, strsub, floatToInt that may fail at run time, and error(…)",
  records: "records: construction, projection, update, patterns",
  variants: "variants, switch on them",
  closures: "lambdas, captured variables, higher-order prelude functions, local functions",
  recursion: "bounded recursive local functions",
  "deep-recursion": "non-tail recursion 1,000 … 50,000 calls deep, tail-recursive loops of 100,000 iterations (known: wasmfx on Node overflows its stack)",
  poly: "top-level polymorphic functions (id, twice, swap, row-polymorphic projection, update and extension) used at several types",
  deep: "deep handlers",
  shallow: "shallow handlers (a recursive handler function)",
  param: "parameterised handlers",
  forward: "nested handlers whose body performs an outer handler's operation",
  "resume-under": "a deep handler clause resuming its continuation under a handler of another operation the computation performs later",
  multishot: "a continuation resumed twice (compared on interp and cps; wasmfx must report `continuation resumed twice`)",
  process: "spawnWait, spawn, self, !, receive (deterministic: one request, one or two replies)",
  "process-print": "a Process value in the printed result (`Pid Server (srvPid_0)`, as Links prints it)",
};

export interface GenOptions {
  /** about how many expression nodes (default 60) */
  maxSize?: number;
  exclude?: readonly string[];
}

export interface Var { name: string; ty: Ty }
export interface Ctx {
  vars: Var[];
  /** the operations handled around this point (performing one is allowed) */
  ops: string[];
  depth: number;
  /** inside a worker process: no output (its interleaving would not be deterministic) */
  noPrint: boolean;
  /** nesting of bounded loops and multishot handlers (bounds the run time) */
  loops: number;
  /** inside a process: no handler of the main process is around, no more processes */
  inProc: boolean;
}
export interface OpSig { name: string; arg: Ty | null; res: Ty }
export type Prod = readonly [number, () => Node];

export interface Generated {
  root: Node;
  text: string;
  /** the features the program uses (multishot: wasmfx may stop with the one-shot error) */
  used: Set<string>;
}

const MAX_DEPTH = 7;
/** the least Int: its magnitude is beyond max_int, so it has no literal (as in Links) */
const MIN_INT = "(-4611686018427387903 - 1)";
const EDGE_INTS = ["4611686018427387903", MIN_INT, "4611686018427387902", "-4611686018427387903", "2147483647",
  "2147483648", "-2147483648", "4294967295", "4294967296", "9007199254740991", "9007199254740993", "-9007199254740993",
  "1000000000000000000", "3037000499", "3037000500"];
const PLAIN_FLOATS = ["0.0", "1.0", "0.5", "2.5", "3.14159", "0.1", "0.2", "100.0", "1.0e10", "1.0e-10", "123456.789", "7.0", "1.5e15"];
const EDGE_FLOATS = ["1.0e300", "1.0e-300", "5.0e-324", "1.7976931348623157e308", "2.2250738585072014e-308", "9007199254740993.0",
  "0.30000000000000004", "1.0e21", "1.0e22", "1.0e-7", "1.0e-5", "123456789012345680000.0", "0.000123", "1.0e16", "1.0e15"];
const BMP_CHARS = [..."abcxyzABZ019 _-+.,;:!?()[]{}<>=|&*/#%@$~^", "\n", "\t", "'", '"', "\\", "\x01", "\x7f", ..."éßλЖ日€ñü"];
const ASTRAL = ["😀", "𝄞", "🎉"];
/** BMP characters above the surrogates: UTF-16 order and code point order differ between them and astral ones */
const HIGH_BMP = ["ｱ", "\ufffd", "\ufe4f"];
const WORDS = ["hello", "wörld", "Links", "λx.x", "日本語", "a b", "", "42", "-7", "3.5", "true", "\"q\"", "back\\slash", "tab\there", "line\nbreak"];
const CODE_POINTS = [0, 9, 10, 65, 97, 127, 128, 233, 955, 2047, 2048, 8364, 65535, 65536, 128512, 1114111];
const BAD_CODE_POINTS = ["(-1)", "1114112", "55296", "57343", MIN_INT, "4611686018427387903"];
/** strings for isInt, isFloat, stringToInt, stringToFloat: Links' (OCaml's) edges */
const INT_STRINGS = ["0", "12", "-42", "+7", "007", "0x1F", "-0X10", "0o17", "0b101", "0u42", "1_000", "4611686018427387903",
  "-4611686018427387904", "0x7fffffffffffffff"];
const ODD_INT_STRINGS = ["", "-", "+", " 1", "1 ", " -42 ", "_1", "1e3", "12\n", "4611686018427387904", "0x8000000000000000", "0x", "1.5"];
const FLOAT_STRINGS = ["1.5", " 2.0e3", "-0.25", "1e5", "1.", ".5", "+.5", "inf", "-Infinity", "nan", "NaN", "0.1", "1_000.5",
  "0x1p4", "-0x1.8p-3", "1e400", "7"];
const ODD_FLOAT_STRINGS = ["", "-", " 2.0e3 ", "1e", "1e+", "0x", "0x1p", "infinit", "nan(", "_", "1.5.2", "e5"];
const LABELS = ["a", "b", "c", "name", "x", "y", "z"];
const TAGS = ["Foo", "Bar", "Baz", "Leaf", "Node", "Red", "Green", "Some"];

export class Gen {
  readonly rng: Rng;
  fuel: number;
  private n = 0;
  private readonly excluded: Set<string>;
  readonly ops = new Map<string, OpSig>();
  readonly used = new Set<string>();
  private readonly pool: Ty[] = [];
  /** the program's polymorphic functions (feature `poly`) */
  readonly polys = new Map<PolyKind, string>();

  constructor(seed: number, opts: GenOptions = {}) {
    this.rng = new Rng(seed);
    this.fuel = opts.maxSize ?? 60;
    this.excluded = new Set(opts.exclude ?? []);
  }

  on(f: string): boolean { return !this.excluded.has(f); }
  use(f: string): void { this.used.add(f); }
  fresh(prefix: string): string { return `${prefix}${++this.n}`; }

  /** Run `f` with a share of the remaining fuel (so the first of several parts does not take it all). */
  slice<T>(share: number, f: () => T): T {
    const saved = this.fuel;
    const give = Math.max(1, Math.floor(saved * share));
    this.fuel = give;
    const r = f();
    this.fuel = saved - (give - Math.max(this.fuel, 0));
    return r;
  }

  // ------------------------------------------------------------ types
  randTy(depth = 0, opts: { firstOrder?: boolean; small?: boolean } = {}): Ty {
    const r = this.rng;
    const ok = (t: Ty) => !(opts.firstOrder && !firstOrder(t)) && !(opts.small && t.t === "Fn");
    if (this.pool.length > 0 && r.bool(0.3)) {
      const t = r.pick(this.pool);
      if (ok(t)) return t;
    }
    const deep = depth < (opts.small ? 1 : 2);
    const t: Ty = r.weighted<() => Ty>([
      [5, () => Int], [3, () => Str], [2, () => Bool], [2, () => Float], [1, () => Char], [0.4, () => Unit],
      [deep ? 2 : 0, () => List(this.randTy(depth + 1, opts))],
      [deep ? 1 : 0, () => Tuple(...Array.from({ length: r.int(2, 3) }, () => this.randTy(depth + 1, opts)))],
      [deep && this.on("records") ? 1 : 0, () => this.recordTy(depth)],
      [deep && this.on("variants") ? 1 : 0, () => this.variantTy(depth)],
      [depth === 0 && !opts.firstOrder && !opts.small && this.on("closures") ? 0.6 : 0,
        () => Fn(Array.from({ length: r.int(1, 2) }, () => this.randTy(depth + 1, { firstOrder: true })), this.randTy(depth + 1))],
    ])();
    if (t.t !== "Int" && t.t !== "String" && t.t !== "Bool" && t.t !== "Float" && t.t !== "Char" && t.t !== "Unit") this.pool.push(t);
    return t;
  }

  recordTy(depth: number, must?: [string, Ty]): Ty {
    const labels = new Set<string>(must ? [must[0]] : []);
    const k = this.rng.int(1, 3);
    while (labels.size < k) labels.add(this.rng.pick(LABELS));
    return { t: "Rec", fields: [...labels].sort().map((l): [string, Ty] => [l, must && l === must[0] ? must[1] : this.randTy(depth + 1)]) };
  }

  variantTy(depth: number): Ty {
    const k = this.rng.int(1, 3);
    const suffix = ++this.n;
    const tags = [...new Set(Array.from({ length: k }, () => this.rng.pick(TAGS)))];
    return { t: "Variant", cases: tags.map((c): [string, Ty | null] => [`${c}${suffix}`, this.rng.bool(0.35) ? null : this.randTy(depth + 1)]) };
  }

  // ------------------------------------------------------------ literals
  intLit(): string {
    const r = this.rng;
    const s = r.weighted<() => string>([
      [6, () => String(r.int(-5, 20))], [2, () => String(r.int(-100000, 100000))],
      [this.on("int-edge") ? 1.5 : 0, () => r.pick(EDGE_INTS)],
    ])();
    return s.startsWith("-") ? `(${s})` : s;
  }

  floatLit(): string {
    const r = this.rng;
    const neg = (s: string) => `(-.${s})`;
    const random = () => `${r.int(0, 9)}.${r.int(0, 99999)}e${r.bool() ? "-" : ""}${r.int(0, 307)}`;
    return r.weighted<() => string>([
      [5, () => r.pick(PLAIN_FLOATS)], [1, () => neg(r.pick(PLAIN_FLOATS.slice(1)))],
      [this.on("float-special") ? 1.5 : 0, () => r.pick(EDGE_FLOATS)], [this.on("float-special") ? 1 : 0, random],
      [this.on("float-special") ? 0.5 : 0, () => r.pick(["(1.0 /. 0.0)", "(-.1.0 /. 0.0)"])],
      [this.on("inf-literal") ? 0.2 : 0, () => { this.use("inf-literal"); return r.pick(["1.0e309", "2.5e400", "(-.1.0e999)"]); }],
      [this.on("nan") ? 0.4 : 0, () => { this.use("nan"); return "(0.0 /. 0.0)"; }],
      [this.on("neg-zero") ? 0.4 : 0, () => { this.use("neg-zero"); return "(-.0.0)"; }],
    ])();
  }

  char(): string {
    if (this.on("astral") && this.rng.bool(0.08)) { this.use("astral"); return this.rng.pick(ASTRAL); }
    if (this.on("high-bmp") && this.rng.bool(0.05)) { this.use("high-bmp"); return this.rng.pick(HIGH_BMP); }
    return this.rng.pick(BMP_CHARS);
  }

  strValue(): string {
    const r = this.rng;
    if (r.bool(0.35)) return r.pick(WORDS);
    return Array.from({ length: r.int(0, 5) }, () => this.char()).join("");
  }

  literal(ty: Ty, c: Ctx): Node {
    switch (ty.t) {
      case "Int": return ex(ty, this.intLit());
      case "Float": return ex(ty, this.floatLit());
      case "Bool": return ex(ty, this.rng.pick(["true", "false"]));
      case "Char": return ex(ty, charLit(this.char()));
      case "String": return ex(ty, stringLit(this.strValue()));
      case "Unit": return ex(ty, "()");
      case "List": return ex(ty, "[", ...join(Array.from({ length: this.rng.int(0, 3) }, () => this.leaf(ty.el, c))), "]");
      case "Rec":
        if (isTuple(ty)) return ex(ty, "(", ...join(ty.fields.map(([, x]) => this.leaf(x, c))), ")");
        return ex(ty, "(", ...join(ty.fields.map(([l, x]) => raw(`${l} = `, this.leaf(x, c)))), ")");
      case "Variant": {
        const [tag, x] = this.rng.pick(ty.cases);
        return x ? ex(ty, `${tag}(`, this.leaf(x, c), ")") : ex(ty, tag);
      }
      case "Fn": return this.lambda(ty, c, true);
    }
  }

  /** A variable of the type (if one is in scope, usually) or a literal. */
  leaf(ty: Ty, c: Ctx): Node {
    const vs = c.vars.filter((v) => tyEq(v.ty, ty));
    if (vs.length > 0 && this.rng.bool(0.6)) return ex(ty, this.rng.pick(vs).name);
    return this.literal(ty, c);
  }

  // ------------------------------------------------------------ expressions
  expr(ty: Ty, c: Ctx): Node {
    this.fuel--;
    if (this.fuel <= 0 || c.depth >= MAX_DEPTH) return this.leaf(ty, c);
    const d: Ctx = { ...c, depth: c.depth + 1 };
    const fns = c.vars.filter((v) => v.ty.t === "Fn" && tyEq(v.ty.ret, ty) && v.ty.ops.every((o) => c.ops.includes(o)));
    const ops = c.ops.map((o) => this.ops.get(o)!).filter((o) => tyEq(o.res, ty));
    const prods: Prod[] = [
      [3 + 2 * c.depth, () => this.leaf(ty, c)],
      [1, () => ex(ty, "(if (", this.expr(Bool, d), ") ", this.expr(ty, d), " else ", this.expr(ty, d), ")")],
      [0.8, () => this.block(ty, d)],
      [0.7, () => switchExpr(this, ty, d)],
      [fns.length > 0 ? 2 : 0, () => { const f = this.rng.pick(fns); return this.call(ty, f.name, (f.ty as { args: Ty[] }).args.map((a) => this.expr(a, d))); }],
      [this.on("closures") ? 0.3 : 0, () => { const a = this.randTy(1); return ex(ty, "(", this.lambda(Fn([a], ty, this.someOps(c)), d), ")(", this.expr(a, d), ")"); }],
      [this.on("records") ? 0.4 : 0, () => this.projection(ty, d)],
      [ops.length > 0 ? 2.5 : 0, () => doOp(this, this.rng.pick(ops), d)],
      [this.on("deep") ? 0.35 : 0, () => deepHandler(this, ty, d)],
      [this.on("param") ? 0.25 : 0, () => paramHandler(this, ty, d)],
      [this.on("shallow") ? 0.25 : 0, () => shallowHandler(this, ty, d)],
      [this.on("multishot") && c.loops === 0 ? 0.2 : 0, () => multishotHandler(this, ty, d)],
      [this.on("process") && !c.inProc ? 0.15 : 0, () => processExpr(this, ty, d)],
      [this.on("recursion") && c.loops < 2 ? 0.3 : 0, () => recursion(this, ty, d)],
      [this.on("deep-recursion") && ty.t === "Int" && c.loops === 0 ? 0.1 : 0, () => deepRecursion(this, d)],
      [this.polys.size > 0 ? 0.8 : 0, () => polyCall(this, this.polys, ty, d) ?? this.leaf(ty, c)],
      [this.on("partial") ? 0.01 : 0, () => { this.use("partial"); return ex(ty, "(error(", this.expr(Str, d), "))"); }],
      [this.on("partial") ? 0.03 : 0, () => { this.use("partial"); return this.call(ty, "hd", [this.expr(List(ty), d)]); }],
      ...this.typed(ty, d),
    ];
    return this.rng.weighted(prods)();
  }

  call(ty: Ty, f: string, args: Node[]): Node {
    return ex(ty, `${f}(`, ...join(args), ")");
  }

  bin(ty: Ty, a: Node, op: string, b: Node): Node {
    return ex(ty, "(", a, ` ${op} `, b, ")");
  }

  /** A random subset of the operations handled here (a local function's or a lambda's effects). */
  someOps(c: Ctx): string[] {
    return c.ops.filter(() => this.rng.bool(0.3));
  }

  /** `fun(p1, p2) { body }`; the body may perform the function type's operations. */
  lambda(ty: Ty & { t: "Fn" }, c: Ctx, small = false): Node {
    const ps = ty.args.map((a) => ({ name: this.fresh("p"), ty: a }));
    const body: Ctx = { ...c, vars: [...c.vars, ...ps], ops: ty.ops, depth: c.depth + 1 };
    return ex(ty, `(fun(${ps.map((p) => p.name).join(", ")}) { `, small ? this.leaf(ty.ret, body) : this.expr(ty.ret, body), " })");
  }

  projection(ty: Ty, c: Ctx): Node {
    if (this.rng.bool(0.4)) {
      const t = Tuple(...Array.from({ length: 2 }, () => this.randTy(1)));
      const i = this.rng.int(0, 1);
      (t as { fields: [string, Ty][] }).fields[i]![1] = ty;
      return ex(ty, "(", this.expr(t, c), `).${i + 1}`);
    }
    const label = this.rng.pick(LABELS);
    return ex(ty, "(", this.expr(this.recordTy(1, [label, ty]), c), `).${label}`);
  }

  divisor(c: Ctx): Node {
    if (this.on("div-zero") && this.rng.bool(0.3)) { this.use("div-zero"); return this.expr(Int, c); }
    return ex(Int, this.rng.pick(["1", "2", "3", "7", "10", "(-1)", "(-3)", "4611686018427387903", MIN_INT, "1000000007"]));
  }

  /** A string argument for the parsing primitives: an empty or odd one only if `parse-empty` is on. */
  parseArg(s: Node): Node {
    if (this.on("parse-empty")) { this.use("parse-empty"); return s; }
    return ex(Str, '("1" ^^ ', s, ")");
  }

  /** A literal string for the parsing primitives: one of `good`, or (feature `parse-empty`) of `odd`. */
  parseLit(good: readonly string[], odd: readonly string[]): Node {
    if (this.on("parse-empty") && this.rng.bool(0.35)) { this.use("parse-empty"); return ex(Str, stringLit(this.rng.pick(odd))); }
    return ex(Str, stringLit(this.rng.pick(good)));
  }

  /** Productions specific to the wanted type. */
  typed(ty: Ty, c: Ctx): Prod[] {
    const r = this.rng, e = (t: Ty) => this.expr(t, c), anyTy = () => this.randTy(1);
    const hofOps = this.someOps(c);
    switch (ty.t) {
      case "Int": return [
        [3, () => this.bin(ty, e(Int), r.pick(["+", "-", "*"]), e(Int))],
        [1, () => r.bool() ? this.bin(ty, e(Int), "/", this.divisor(c)) : this.call(ty, "mod", [e(Int), this.divisor(c)])],
        [0.3, () => this.bin(ty, e(Int), "^", ex(Int, (n => (n < 0 ? `(${n})` : String(n)))(r.int(-2, 64))))],
        [0.3, () => ex(ty, "(-", e(Int), ")")],
        [0.5, () => this.call(ty, "strlen", [e(Str)])],
        [0.5, () => this.call(ty, "length", [e(List(anyTy()))])],
        [0.3, () => this.call(ty, "charToInt", [e(Char)])],
        [0.3, () => this.call(ty, "abs", [e(Int)])],
        [0.3, () => this.call(ty, r.pick(["sum", "product"]), [e(List(Int))])],
        [this.on("partial") ? 0.08 : 0, () => { this.use("partial"); return this.call(ty, "floatToInt", [e(Float)]); }],
        [0.3, () => this.call(ty, "stringToInt", [this.call(Str, "intToString", [e(Int)])])],
        [0.2, () => this.call(ty, "stringToInt", [this.parseLit(INT_STRINGS, ODD_INT_STRINGS)])],
        [this.on("closures") ? 0.4 : 0, () => {
          const a = anyTy(), acc = this.fresh("acc"), x = this.fresh("x");
          const body: Ctx = { ...c, vars: [...c.vars, { name: acc, ty: Int }, { name: x, ty: a }], ops: hofOps };
          return ex(ty, `fold_left(fun(${acc}, ${x}) { `, this.expr(Int, body), " }, ", e(Int), ", ", e(List(a)), ")");
        }],
      ];
      case "Float": return [
        [3, () => this.bin(ty, e(Float), r.pick(["+.", "-.", "*.", "/."]), e(Float))],
        [1, () => this.call(ty, "intToFloat", [e(Int)])],
        [1, () => this.call(ty, r.pick(["sqrt", "floor", "ceiling", "exp", "log", "sin", "cos", "negatef"]), [e(Float)])],
        [0.3, () => this.bin(ty, e(Float), "^.", e(Float))],
        [0.3, () => this.call(ty, "stringToFloat", [this.call(Str, "floatToString", [e(Float)])])],
        [0.15, () => this.call(ty, "stringToFloat", [this.parseLit(FLOAT_STRINGS, ODD_FLOAT_STRINGS)])],
      ];
      case "Bool": return [
        [3, () => this.comparison(c)],
        [1, () => this.call(ty, "not", [e(Bool)])],
        [1.5, () => this.bin(ty, e(Bool), r.pick(["&&", "||"]), e(Bool))],
        [0.4, () => this.call(ty, r.pick(["isInt", "isFloat"]), [this.parseArg(e(Str))])],
        [0.2, () => this.call(ty, r.pick(["isInt", "isFloat"]), [this.parseLit([...INT_STRINGS, ...FLOAT_STRINGS], [...ODD_INT_STRINGS, ...ODD_FLOAT_STRINGS])])],
        [0.3, () => this.call(ty, r.pick(["even", "odd"]), [e(Int)])],
        [0.3, () => { const a = this.randTy(1, { firstOrder: true }); return this.call(ty, "elem", [e(a), e(List(a))]); }],
        [0.3, () => this.call(ty, "isEmpty", [e(List(anyTy()))])],
        [this.on("closures") ? 0.3 : 0, () => { const a = anyTy(); return this.call(ty, r.pick(["any", "all"]), [this.lambda(Fn([a], Bool, hofOps), c), e(List(a))]); }],
      ];
      case "Char": return [
        [1, () => { const s = r.pick([...WORDS.filter((w) => w !== ""), ...(this.on("astral") ? ["a😀b", "🎉"] : [])]); return this.call(ty, "charAt", [ex(Str, stringLit(s)), ex(Int, String(r.int(0, [...s].length - 1)))]); }],
        [this.on("partial") ? 0.1 : 0, () => { this.use("partial"); return this.call(ty, "charAt", [e(Str), e(Int)]); }],
        [0.5, () => this.call(ty, "intToChar", [ex(Int, "(97 + ", this.call(Int, "mod", [e(Int), ex(Int, "26")]), ")")])],
        [0.4, () => this.call(ty, "intToChar", [ex(Int, String(r.pick(CODE_POINTS.filter((p) => this.on("astral") || p < 65536))))])],
        [this.on("bad-char") ? 0.2 : 0, () => { this.use("bad-char"); return this.call(ty, "intToChar", [ex(Int, r.pick(BAD_CODE_POINTS))]); }],
        [0.3, () => this.call(ty, "hd", [this.call(List(Char), "explode", [ex(Str, "(", e(Str), ' ^^ "z")')])])],
      ];
      case "String": return [
        [3, () => this.bin(ty, e(Str), "^^", e(Str))],
        [2, () => this.call(ty, "intToString", [e(Int)])],
        [2, () => this.call(ty, "floatToString", [e(Float)])],
        [0.6, () => this.call(ty, "implode", [e(List(Char))])],
        [0.5, () => { const s = [...r.pick([...WORDS, ...(this.on("astral") ? ["a😀b", "🎉"] : [])])]; const i = r.int(0, s.length), n = r.int(0, s.length - i); return this.call(ty, "strsub", [ex(Str, stringLit(s.join(""))), ex(Int, String(i)), ex(Int, String(n))]); }],
        [this.on("partial") ? 0.07 : 0, () => { this.use("partial"); return this.call(ty, "strsub", [e(Str), e(Int), e(Int)]); }],
        [0.5, () => { const a = anyTy(); const v = this.fresh("s"); return ex(ty, `(fun(${v}) { `, ex(Str, showText(this, a, v)), " })(", e(a), ")"); }],
      ];
      case "Unit": return [
        [c.noPrint ? 0 : 2, () => this.call(ty, "print", [e(Str)])],
        [1, () => this.call(ty, "ignore", [e(anyTy())])],
      ];
      case "List": return [
        [2, () => this.bin(ty, e(ty.el), "::", e(ty))],
        [1.5, () => this.bin(ty, e(ty), "++", e(ty))],
        [0.6, () => this.call(ty, this.on("partial") && r.bool(0.15) ? "tl" : "reverse", [e(ty)])],
        [0.5, () => this.call(ty, r.pick(["take", "drop"]), [e(Int), e(ty)])],
        [this.on("closures") ? 1.5 : 0, () => { const a = anyTy(); return this.call(ty, "map", [this.lambda(Fn([a], ty.el, hofOps), c), e(List(a))]); }],
        [this.on("closures") ? 1 : 0, () => this.call(ty, "filter", [this.lambda(Fn([ty.el], Bool, hofOps), c), e(ty)])],
        [ty.el.t === "Int" ? 1 : 0, () => ex(ty, "[", this.call(Int, "mod", [e(Int), ex(Int, "10")]), "..", ex(Int, String(r.int(-2, 8))), "]")],
        [1, () => {
          const a = anyTy(), x = this.fresh("x");
          const body: Ctx = { ...c, vars: [...c.vars, { name: x, ty: a }] };
          const where = r.bool(0.4) ? [" where (", this.expr(Bool, body), ")"] : [];
          return ex(ty, `(for (${x} <- `, e(List(a)), ")", ...where, " [", this.expr(ty.el, body), "])");
        }],
        [ty.el.t === "Char" ? 1.5 : 0, () => this.call(ty, "explode", [e(Str)])],
        [firstOrder(ty.el) && (!hasFloat(ty.el) || this.on("nan-compare")) ? 0.3 : 0, () => this.call(ty, "sort", [e(ty)])],
        [isTuple(ty.el) && (ty.el as { fields: unknown[] }).fields.length === 2 ? 0.5 : 0, () => {
          const [[, a], [, b]] = (ty.el as { fields: [string, Ty][] }).fields as [[string, Ty], [string, Ty]];
          return this.call(ty, "zip", [e(List(a)), e(List(b))]);
        }],
        [0.3, () => this.call(ty, "replicate", [this.call(Int, "mod", [e(Int), ex(Int, "4")]), e(ty.el)])],
      ];
      case "Rec": return [
        [1, () => {
          const [l, x] = r.pick(ty.fields);
          return ex(ty, "(", e(ty), ` with ${l} = `, e(x), ")");
        }],
        [1, () => isTuple(ty)
          ? ex(ty, "(", ...join(ty.fields.map(([, x]) => e(x))), ")")
          : ex(ty, "(", ...join(ty.fields.map(([l, x]) => raw(`${l} = `, e(x)))), ")")],
      ];
      case "Variant": return [[2, () => {
        const [tag, x] = r.pick(ty.cases);
        return x ? ex(ty, `${tag}(`, e(x), ")") : ex(ty, tag);
      }]];
      case "Fn": return [
        [2, () => this.lambda(ty, c)],
        [ty.args.length === 1 && ty.ops.length === 0 ? 0.3 : 0, () => {
          const b = this.randTy(1, { firstOrder: true });
          return this.call(ty, "compose", [e(Fn([b], ty.ret)), e(Fn([ty.args[0]!], b))]);
        }],
      ];
    }
  }

  comparison(c: Ctx): Node {
    let t = this.on("unit-compare") && this.rng.bool(0.04) ? Unit : this.randTy(1, { firstOrder: true });
    if (t.t === "Unit") {
      if (this.on("unit-compare")) this.use("unit-compare");
      else t = Int;
    }
    const ordered = !hasFloat(t) || this.on("nan-compare");
    const op = this.rng.pick(ordered ? ["==", "<>", "<", ">", "<=", ">="] : ["==", "<>"]);
    if (hasFloat(t) && op !== "==" && op !== "<>") this.use("nan-compare");
    return this.bin(Bool, this.expr(t, c), op, this.expr(t, c));
  }

  // ------------------------------------------------------------ blocks and statements
  /** `{ statements; e }` */
  block(ty: Ty, c: Ctx, must: Node[] = []): Node {
    const { nodes, ctx } = this.stmts(c, this.rng.int(1, 3), must);
    return ex(ty, "{ ", ...nodes, this.expr(ty, ctx), " }");
  }

  /** Statements: `var` bindings (the context grows), prints of intermediate values, local functions, operations. */
  stmts(c: Ctx, k: number, must: Node[] = []): { nodes: Node[]; ctx: Ctx } {
    let ctx = c;
    const nodes: Node[] = [];
    const at = must.map(() => this.rng.int(0, k));
    for (let i = 0; i <= k; i++) {
      for (let j = 0; j < must.length; j++) if (at[j] === i) nodes.push(must[j]!);
      if (i === k) break;
      const r = this.slice(1 / (k - i + 1), () => this.stmt(ctx));
      nodes.push(r.node);
      ctx = r.ctx;
    }
    return { nodes, ctx };
  }

  stmt(c: Ctx): { node: Node; ctx: Ctx } {
    const r = this.rng;
    const bind = (v: Var, node: Node) => ({ node, ctx: { ...c, vars: [...c.vars, v] } });
    const printable = c.vars.filter((v) => v.ty.t !== "Fn");
    return r.weighted<() => { node: Node; ctx: Ctx }>([
      [3, () => { const ty = this.randTy(); const v = this.fresh("v"); return bind({ name: v, ty }, stmt(`var ${v} = `, this.expr(ty, c), "; ")); }],
      [0.5, () => {
        const a = this.randTy(1), b = this.randTy(1), x = this.fresh("v"), y = this.fresh("v");
        return { node: stmt(`var (${x}, ${y}) = `, this.expr(Tuple(a, b), c), "; "), ctx: { ...c, vars: [...c.vars, { name: x, ty: a }, { name: y, ty: b }] } };
      }],
      [c.noPrint ? 0 : printable.length > 0 ? 2.5 : 0.5, () => {
        if (printable.length === 0) return { node: stmt("print(", this.expr(Str, c), ' ^^ "\\n"); '), ctx: c };
        const v = r.pick(printable.slice(-3));
        return { node: stmt("print(", ex(Str, showText(this, v.ty, v.name)), ' ^^ "\\n"); '), ctx: c };
      }],
      [this.on("closures") ? 0.7 : 0, () => {
        const ty = Fn(Array.from({ length: r.int(1, 2) }, () => this.randTy(1)), this.randTy(1), this.someOps(c)) as Ty & { t: "Fn" };
        const f = this.fresh("f"), ps = ty.args.map((a) => ({ name: this.fresh("p"), ty: a }));
        const body: Ctx = { ...c, vars: [...c.vars, ...ps], ops: ty.ops, depth: c.depth + 1 };
        return bind({ name: f, ty }, stmt(`fun ${f}(${ps.map((p) => p.name).join(", ")}) { `, this.expr(ty.ret, body), " } "));
      }],
      [c.ops.length > 0 ? 2 : 0, () => doStmt(this, c)],
      [0.3, () => ({ node: stmt("ignore(", { parts: [this.expr(this.randTy(1), c)], any: true }, "); "), ctx: c })],
    ])();
  }

  // ------------------------------------------------------------ programs
  program(): Generated {
    const c0: Ctx = { vars: [], ops: [], depth: 0, noPrint: false, loops: 0, inProc: false };
    const parts: Node[] = [];
    let c = c0;
    if (this.on("poly")) {
      for (const kind of POLY_KINDS) {
        if (!this.rng.bool(0.5)) continue;
        const name = this.fresh(kind);
        this.polys.set(kind, name);
        parts.push(stmt(polyDecl(kind, name), "\n"));
      }
      if (this.polys.size > 0) this.use("poly");
    }
    // top-level functions (pure), then statements, then the final expression
    for (let i = this.rng.int(0, 2); i > 0; i--) {
      const ty = Fn(Array.from({ length: this.rng.int(1, 2) }, () => this.randTy(1)), this.randTy(1)) as Ty & { t: "Fn" };
      const f = this.fresh("f"), ps = ty.args.map((a) => ({ name: this.fresh("p"), ty: a }));
      const body = this.slice(0.25, () => this.expr(ty.ret, { ...c, vars: [...c.vars, ...ps], depth: 1 }));
      parts.push(stmt(`fun ${f}(${ps.map((p) => p.name).join(", ")}) {\n  `, body, "\n}\n"));
      c = { ...c, vars: [...c.vars, { name: f, ty }] };
      // call it once at least
      const v = this.fresh("v");
      parts.push(stmt(`var ${v} = `, this.call(ty.ret, f, ty.args.map((a) => this.leaf(a, c))), ";\n"));
      parts.push(stmt("print(", ex(Str, showText(this, ty.ret, v)), ' ^^ "\\n");\n'));
      c = { ...c, vars: [...c.vars, { name: v, ty: ty.ret }] };
    }
    const { nodes, ctx } = this.slice(0.7, () => this.stmts(c, this.rng.int(2, 6)));
    for (const n of nodes) parts.push(n, raw("\n"));
    const ty = this.randTy(0, { firstOrder: true });
    let final = this.expr(ty, { ...ctx, depth: 0 });
    if (this.on("process-print") && this.rng.bool(0.03)) {
      this.use("process-print");
      final = raw(`(${this.rng.pick(["spawn { () }", "self()", "[spawn { () }, spawn { 1 }]", "(p = self(), q = spawnWait { 2 })"])}, `, final, ")");
    }
    parts.push(final, raw("\n"));
    const root = raw(...parts);
    return { root, text: print(root), used: this.used };
  }
}

export function generate(seed: number, opts: GenOptions = {}): Generated {
  return new Gen(seed, opts).program();
}
