// The differential fuzzer's program representation (tools/fuzz.ts): a seeded PRNG, the
// generator's types (a monomorphic subset of Links types) and the generated AST — a tree of text
// fragments and child nodes, where a node that is an expression carries its type so the shrinker
// (tools/fuzz-shrink.ts) can replace it by a simpler expression of the same type, and a node that
// is a statement may be dropped. Printing is concatenation.

// ---------------------------------------------------------------- PRNG
/** mulberry32: a small, fast, deterministic 32-bit PRNG. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** a float in [0, 1) */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** an integer in [lo, hi] */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  bool(p = 0.5): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    if (xs.length === 0) throw new Error("pick from an empty list");
    return xs[Math.floor(this.next() * xs.length)]!;
  }
  /** pick by weight; entries with weight 0 are never picked */
  weighted<T>(xs: readonly (readonly [number, T])[]): T {
    const total = xs.reduce((a, [w]) => a + w, 0);
    let r = this.next() * total;
    for (const [w, x] of xs) {
      if (w <= 0) continue;
      if (r < w) return x;
      r -= w;
    }
    return xs.filter(([w]) => w > 0).at(-1)![1];
  }
}

/** A 32-bit seed derived from a run's seed and a program's index (so program i is the same whatever --count is). */
export function programSeed(seed: number, index: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ (index + 0x7f4a7c15), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

// ---------------------------------------------------------------- types
export type Ty =
  | { t: "Int" } | { t: "Float" } | { t: "Bool" } | { t: "Char" } | { t: "String" } | { t: "Unit" }
  | { t: "List"; el: Ty }
  /** records; a tuple is a record with labels "1", "2", … (printed `(a, b)`) */
  | { t: "Rec"; fields: [string, Ty][] }
  /** a closed variant; a case without a payload has `null` */
  | { t: "Variant"; cases: [string, Ty | null][] }
  /** a function that may perform the operations `ops` (their signatures are the program's) */
  | { t: "Fn"; args: Ty[]; ret: Ty; ops: string[] };

export const Int: Ty = { t: "Int" }, Float: Ty = { t: "Float" }, Bool: Ty = { t: "Bool" };
export const Char: Ty = { t: "Char" }, Str: Ty = { t: "String" }, Unit: Ty = { t: "Unit" };
export const List = (el: Ty): Ty => ({ t: "List", el });
export const Tuple = (...ts: Ty[]): Ty => ({ t: "Rec", fields: ts.map((x, i) => [String(i + 1), x]) });
export type FnTy = Extract<Ty, { t: "Fn" }>;
export const Fn = (args: Ty[], ret: Ty, ops: string[] = []): FnTy => ({ t: "Fn", args, ret, ops: [...ops].sort() });

export const isTuple = (ty: Ty): boolean => ty.t === "Rec" && ty.fields.length >= 2 && ty.fields.every(([l], i) => l === String(i + 1));

export function tyEq(a: Ty, b: Ty): boolean {
  return tyKey(a) === tyKey(b);
}

/** A canonical string for a type (also readable: used in comments and debugging). */
export function tyKey(ty: Ty): string {
  switch (ty.t) {
    case "List": return `[${tyKey(ty.el)}]`;
    case "Rec": return `(${ty.fields.map(([l, x]) => `${l}:${tyKey(x)}`).join(",")})`;
    case "Variant": return `[|${ty.cases.map(([c, x]) => (x ? `${c}:${tyKey(x)}` : c)).join("|")}|]`;
    case "Fn": return `(${ty.args.map(tyKey).join(",")}) {${ty.ops.join(",")}}-> ${tyKey(ty.ret)}`;
    default: return ty.t;
  }
}

/** Whether values of the type can be compared with `==` and `<` (no functions inside). */
export function firstOrder(ty: Ty): boolean {
  switch (ty.t) {
    case "Fn": return false;
    case "List": return firstOrder(ty.el);
    case "Rec": return ty.fields.every(([, x]) => firstOrder(x));
    case "Variant": return ty.cases.every(([, x]) => x === null || firstOrder(x));
    default: return true;
  }
}

/** Whether the type mentions Float (NaN and -0.0 make comparisons interesting). */
export function hasFloat(ty: Ty): boolean {
  switch (ty.t) {
    case "Float": return true;
    case "List": return hasFloat(ty.el);
    case "Rec": return ty.fields.some(([, x]) => hasFloat(x));
    case "Variant": return ty.cases.some(([, x]) => x !== null && hasFloat(x));
    case "Fn": return false;
    default: return false;
  }
}

export function tySize(ty: Ty): number {
  switch (ty.t) {
    case "List": return 1 + tySize(ty.el);
    case "Rec": return 1 + ty.fields.reduce((a, [, x]) => a + tySize(x), 0);
    case "Variant": return 1 + ty.cases.reduce((a, [, x]) => a + (x ? tySize(x) : 0), 0);
    case "Fn": return 1 + ty.args.reduce((a, x) => a + tySize(x), 0) + tySize(ty.ret);
    default: return 1;
  }
}

// ---------------------------------------------------------------- the AST
/** A piece of program text: fragments and child nodes. */
export interface Node {
  parts: (string | Node)[];
  /** an expression of this type: the shrinker may replace it by a simpler one of the same type */
  ty?: Ty;
  /** a statement (`…;` in a block or at top level) the shrinker may drop */
  drop?: boolean;
  /** its context takes any type (the argument of `ignore`): the shrinker may put any sub-expression here */
  any?: boolean;
}

/** An expression node: `ex(ty, "(", a, " + ", b, ")")`. */
export const ex = (ty: Ty, ...parts: (string | Node)[]): Node => ({ parts, ty });
/** A plain node (not replaceable): patterns, declarations' heads, glue. */
export const raw = (...parts: (string | Node)[]): Node => ({ parts });
/** A droppable statement. */
export const stmt = (...parts: (string | Node)[]): Node => ({ parts, drop: true });

/** `a, b, c` as parts */
export function join(xs: Node[], sep = ", "): (string | Node)[] {
  return xs.flatMap((x, i) => (i === 0 ? [x] : [sep, x]));
}

export function print(n: Node | string): string {
  if (typeof n === "string") return n;
  let s = "";
  const go = (x: Node | string) => {
    if (typeof x === "string") s += x;
    else for (const p of x.parts) go(p);
  };
  go(n);
  return s;
}

export function nodeSize(n: Node): number {
  let k = 1;
  for (const p of n.parts) if (typeof p !== "string") k += nodeSize(p);
  return k;
}

// ---------------------------------------------------------------- literals and defaults
/** Links string literal text (escapes for quotes, backslash and control characters). */
export function stringLit(s: string): string {
  let out = '"';
  for (const ch of s) out += escapeChar(ch, '"');
  return out + '"';
}

export function charLit(ch: string): string {
  return `'${escapeChar(ch, "'")}'`;
}

function escapeChar(ch: string, quote: string): string {
  if (ch === quote || ch === "\\") return "\\" + ch;
  if (ch === "\n") return "\\n";
  if (ch === "\t") return "\\t";
  if (ch === "\r") return "\\r";
  const c = ch.codePointAt(0)!;
  if (c < 32 || c === 127) return "\\x" + c.toString(16).padStart(2, "0");
  return ch;
}

/** The simplest expression of a type (what the shrinker replaces subtrees with). */
export function defaultText(ty: Ty): string {
  switch (ty.t) {
    case "Int": return "0";
    case "Float": return "0.0";
    case "Bool": return "false";
    case "Char": return "'a'";
    case "String": return '""';
    case "Unit": return "()";
    case "List": return "[]";
    case "Rec":
      if (isTuple(ty)) return `(${ty.fields.map(([, x]) => defaultText(x)).join(", ")})`;
      return `(${ty.fields.map(([l, x]) => `${l} = ${defaultText(x)}`).join(", ")})`;
    case "Variant": {
      const [c, x] = ty.cases[0]!;
      return x ? `${c}(${defaultText(x)})` : c;
    }
    case "Fn": return `fun(${ty.args.map(() => "_").join(", ")}) { ${defaultText(ty.ret)} }`;
  }
}

/** Every node of a tree, parents before children (the shrinker's visiting order). */
export function allNodes(root: Node): Node[] {
  const out: Node[] = [];
  const go = (n: Node) => {
    out.push(n);
    for (const p of n.parts) if (typeof p !== "string") go(p);
  };
  go(root);
  return out;
}

/** A deep copy of a tree with one node replaced (by identity) or removed (replacement undefined). */
export function replaceNode(root: Node, target: Node, replacement: Node | undefined): Node {
  const go = (n: Node): Node | undefined => {
    if (n === target) return replacement;
    let changed = false;
    const parts: (string | Node)[] = [];
    for (const p of n.parts) {
      if (typeof p === "string") { parts.push(p); continue; }
      const q = go(p);
      if (q !== p) changed = true;
      if (q !== undefined) parts.push(q);
    }
    return changed ? { ...n, parts } : n;
  };
  return go(root) ?? raw();
}
