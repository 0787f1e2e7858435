// The differential fuzzer's generator, part two (part one: tools/fuzz-gen.ts): switch with nested
// patterns, printing intermediate values, effect handlers and processes, bounded and deep
// recursion, and top-level polymorphic functions used at several types.
//
// Operations get fresh names per handler (`Ask3`, `Put7`) with a random signature; a handled body
// is a block that performs each of the handler's operations at least once (and, for `forward`,
// one of an enclosing handler's). A continuation `k` is never put in the environment, so it is
// resumed exactly as the clause template says: once (tail or `var r = k(v); …`), never (abort),
// or twice (multishot; wasmfx must then stop with its one-shot error). Shallow handlers are
// recursive local functions `fun sh(m) { shallowhandle(m()) { case <Op(p) -> k> -> sh(fun() { k(v) }) … } }`.
// Processes: `spawnWait { var me = self(); var w = spawn { receive { case Req(x) -> me ! Resp(…) } }; w ! Req(…);
// receive { case Resp(y) -> … } }` — the worker does not print, so the output is deterministic.
import { Fn, Int, type Node, type Ty, Unit, charLit, ex, isTuple, raw, stmt, stringLit, tyEq } from "./fuzz-ast.js";
import type { Ctx, Gen, OpSig, Var } from "./fuzz-gen.js";

const OP_NAMES = ["Ask", "Tell", "Get", "Put", "Emit", "Flip", "Read", "Log"];

// ---------------------------------------------------------------- switch and patterns
interface Pat { text: string; binds: Var[] }

export function pattern(g: Gen, ty: Ty, depth = 0): Pat {
  const r = g.rng;
  const v = (): Pat => { const name = g.fresh("q"); return { text: name, binds: [{ name, ty }] }; };
  const specific = (): Pat | undefined => {
    if (depth >= 2) return undefined;
    switch (ty.t) {
      case "Int": return { text: r.pick(["0", "1", "2", "-1", "42", "4611686018427387903", "-4611686018427387903"]), binds: [] };
      case "String": return { text: stringLit(r.pick(["", "a", "hello", "λx.x", "42"])), binds: [] };
      case "Char": return { text: charLit(r.pick(["a", "z", "λ", "\n", " "])), binds: [] };
      case "Bool": return { text: r.pick(["true", "false"]), binds: [] };
      case "Unit": return { text: "()", binds: [] };
      case "List": {
        const k = r.int(0, 2);
        if (k === 0) return { text: "[]", binds: [] };
        if (k === 1) { const a = pattern(g, ty.el, depth + 1), b = pattern(g, ty, depth + 1); return { text: `(${a.text} :: ${b.text})`, binds: [...a.binds, ...b.binds] }; }
        const ps = [pattern(g, ty.el, depth + 1), pattern(g, ty.el, depth + 1)];
        return { text: `[${ps.map((p) => p.text).join(", ")}]`, binds: ps.flatMap((p) => p.binds) };
      }
      case "Rec": {
        const ps = ty.fields.map(([l, x]) => [l, pattern(g, x, depth + 1)] as const);
        const text = isTuple(ty) ? `(${ps.map(([, p]) => p.text).join(", ")})` : `(${ps.map(([l, p]) => `${l} = ${p.text}`).join(", ")})`;
        return { text, binds: ps.flatMap(([, p]) => p.binds) };
      }
      case "Variant": {
        const [tag, x] = r.pick(ty.cases);
        if (!x) return { text: tag, binds: [] };
        const p = pattern(g, x, depth + 1);
        return { text: `${tag}(${p.text})`, binds: p.binds };
      }
      default: return undefined;
    }
  };
  return r.weighted<() => Pat>([[1, () => ({ text: "_", binds: [] })], [1.5, v], [3, () => specific() ?? v()]])();
}

/** `switch (e) { case p -> … … case _ -> … }` (always a catch-all last; variants: a case per tag first, usually). */
export function switchExpr(g: Gen, ty: Ty, c: Ctx): Node {
  const r = g.rng;
  const vars = c.vars.filter((v) => v.ty.t !== "Fn");
  const fromVar = vars.length > 0 && r.bool(0.4) ? r.pick(vars) : undefined;
  const s = fromVar?.ty ?? g.randTy(1);
  const scrut = fromVar ? ex(s, fromVar.name) : g.expr(s, c);
  const pats: Pat[] = s.t === "Variant" && r.bool(0.7)
    ? s.cases.map(([tag, x]) => { if (!x) return { text: tag, binds: [] }; const p = pattern(g, x, 1); return { text: `${tag}(${p.text})`, binds: p.binds }; })
    : Array.from({ length: r.int(1, 3) }, () => pattern(g, s));
  const cases = pats.map((p) => raw(` case ${p.text} -> `, g.expr(ty, { ...c, vars: [...c.vars, ...p.binds] })));
  return ex(ty, "(switch (", scrut, ") {", ...cases, " case _ -> ", g.expr(ty, c), " })");
}

// ---------------------------------------------------------------- printing values
/** Links text of a String expression showing the value of `v` (a name or a projection of one). */
export function showText(g: Gen, ty: Ty, v: string): string {
  switch (ty.t) {
    case "Int": return `intToString(${v})`;
    case "Float": return `floatToString(${v})`;
    case "String": return v;
    case "Char": return `implode([${v}])`;
    case "Bool": return `(if (${v}) "true" else "false")`;
    case "Unit": return '"()"';
    case "Fn": return '"<fun>"';
    case "List": {
      const acc = g.fresh("acc"), x = g.fresh("x");
      return `("[" ^^ fold_left(fun(${acc}, ${x}) { ${acc} ^^ ${showText(g, ty.el, x)} ^^ ";" }, "", ${v}) ^^ "]")`;
    }
    case "Rec": return `("(" ^^ ${ty.fields.map(([l, x]) => `"${l}=" ^^ ${showText(g, x, `${v}.${l}`)}`).join(' ^^ "," ^^ ')} ^^ ")")`;
    case "Variant": {
      const cases = ty.cases.map(([tag, x]) => {
        if (!x) return `case ${tag} -> "${tag}"`;
        const y = g.fresh("y");
        return `case ${tag}(${y}) -> "${tag}(" ^^ ${showText(g, x, y)} ^^ ")"`;
      });
      return `(switch (${v}) { ${cases.join(" ")} })`;
    }
  }
}

// ---------------------------------------------------------------- operations
function newOp(g: Gen): OpSig {
  const sig: OpSig = { name: g.fresh(g.rng.pick(OP_NAMES)), arg: g.rng.bool(0.4) ? null : g.randTy(1, { small: true }), res: g.randTy(1, { small: true }) };
  g.ops.set(sig.name, sig);
  return sig;
}

const doText = (g: Gen, op: OpSig, c: Ctx): Node =>
  op.arg ? ex(op.res, `(do ${op.name}(`, g.expr(op.arg, c), "))") : ex(op.res, `(do ${op.name})`);

export function doOp(g: Gen, op: OpSig, c: Ctx): Node {
  return doText(g, op, c);
}

/** `var v = do Op(…);` (or `do Op(…);` for a unit result) */
function performStmt(g: Gen, op: OpSig, c: Ctx): { node: Node; ctx: Ctx } {
  if (op.res.t === "Unit") return { node: stmt(doText(g, op, c), "; "), ctx: c };
  if (g.rng.bool(0.15)) return { node: stmt("ignore(", doText(g, op, c), "); "), ctx: c };
  const v = g.fresh("v");
  return { node: stmt(`var ${v} = `, doText(g, op, c), "; "), ctx: { ...c, vars: [...c.vars, { name: v, ty: op.res }] } };
}

export function doStmt(g: Gen, c: Ctx): { node: Node; ctx: Ctx } {
  return performStmt(g, g.ops.get(g.rng.pick(c.ops))!, c);
}

/** The computation a handler handles: a block performing each of `ops` (and maybe an enclosing handler's). */
function handledBody(g: Gen, ty: Ty, c: Ctx, ops: OpSig[], outer: string[]): Node {
  const must = ops.map((o) => performStmt(g, o, c).node);
  if (outer.length > 0 && g.on("forward") && g.rng.bool(0.6)) {
    g.use("forward");
    must.push(performStmt(g, g.ops.get(g.rng.pick(outer))!, c).node);
  }
  return g.block(ty, c, must);
}

interface Clause { ops: OpSig[]; body: Node; result: Ty }

/** The handled computation, its result type and its operations (1 or 2 fresh ones). */
function computation(g: Gen, c: Ctx, extraLoops = 0): Clause {
  const ops = g.rng.bool(0.3) ? [newOp(g), newOp(g)] : [newOp(g)];
  const result = g.randTy(1);
  const inner: Ctx = { ...c, ops: [...c.ops, ...ops.map((o) => o.name)], loops: c.loops + extraLoops };
  return { ops, body: handledBody(g, result, inner, ops, c.ops), result };
}

const withVars = (c: Ctx, ...vs: (Var | undefined)[]): Ctx => ({ ...c, vars: [...c.vars, ...vs.filter((v): v is Var => v !== undefined)] });
const argVar = (g: Gen, op: OpSig): Var | undefined => (op.arg ? { name: g.fresh("p"), ty: op.arg } : undefined);
const opHead = (op: OpSig, p: Var | undefined, arrow: string, k: string) => `<${op.name}${p ? `(${p.name})` : ""} ${arrow} ${k}>`;

/** A clause body using `resume(v)` (an expression of the handler's result type) once, never, or (multishot) twice. */
function clauseBody(g: Gen, ty: Ty, cc: Ctx, res: Ty, resume: (v: Node) => (string | Node)[], multishot: boolean): Node {
  const r = g.rng;
  if (multishot) {
    const r1 = g.fresh("r"), r2 = g.fresh("r");
    return ex(ty, `{ var ${r1} = `, ...resume(g.expr(res, cc)), `; var ${r2} = `, ...resume(g.expr(res, cc)), "; ",
      g.expr(ty, withVars(cc, { name: r1, ty }, { name: r2, ty })), " }");
  }
  return r.weighted<() => Node>([
    [3, () => ex(ty, ...resume(g.expr(res, cc)))],
    [2, () => { const v = g.fresh("r"); return ex(ty, `{ var ${v} = `, ...resume(g.expr(res, cc)), "; ", g.expr(ty, withVars(cc, { name: v, ty })), " }"); }],
    [1, () => g.expr(ty, cc)],
  ])();
}

function returnClause(g: Gen, ty: Ty, c: Ctx, result: Ty, extra?: Var): Node {
  if (!extra && tyEq(ty, result) && g.rng.bool(0.25)) return raw("");
  const x = g.fresh("x");
  return raw(` case ${x} -> `, g.expr(ty, withVars(c, { name: x, ty: result }, extra)));
}

export function deepHandler(g: Gen, ty: Ty, c: Ctx, multishot = false): Node {
  g.use("deep");
  if (!multishot && g.on("resume-under") && g.rng.bool(0.25)) return resumeUnder(g, ty, c);
  const comp = computation(g, c, multishot ? 2 : 0);
  const clauses = comp.ops.map((op, i) => {
    const p = argVar(g, op), k = g.fresh("k");
    const body = clauseBody(g, ty, withVars(c, p), op.res, (v) => [`${k}(`, v, ")"], multishot && i === 0);
    return raw(` case ${opHead(op, p, "=>", k)} -> `, body);
  });
  return ex(ty, "(handle(", comp.body, ") {", ...clauses, returnClause(g, ty, c, comp.result), " })");
}

/**
 * A deep handler whose clause resumes under a handler of another operation X, which the
 * computation performs only after the handled one: X is forwarded out of the resumed computation to
 * the clause's handler. `handle({ …; do Op(a); …; do X(b); … }) { case <Op(p) => k> -> handle(k(v)) { case <X(q) => k2> -> k2(w) } … }`
 */
function resumeUnder(g: Gen, ty: Ty, c: Ctx): Node {
  g.use("resume-under");
  const op = newOp(g), x = newOp(g);
  const result = g.randTy(1);
  const before: Ctx = { ...c, ops: [...c.ops, op.name] }, after: Ctx = { ...before, ops: [...before.ops, x.name] };
  const first = g.block(Unit, before);
  const body = ex(result, "{ ", stmt("ignore(", first, "); "), performStmt(g, op, before).node, performStmt(g, x, after).node, g.expr(result, after), " }");
  const p = argVar(g, op), k = g.fresh("k"), q = argVar(g, x), k2 = g.fresh("k");
  const cc = withVars(c, p);
  const inner = raw(`(handle(${k}(`, g.expr(op.res, cc), `)) { case ${opHead(x, q, "=>", k2)} -> ${k2}(`, g.expr(x.res, withVars(cc, q)), ") })");
  return ex(ty, "(handle(", body, ") {", ` case ${opHead(op, p, "=>", k)} -> `, inner, returnClause(g, ty, c, result), " })");
}

export function multishotHandler(g: Gen, ty: Ty, c: Ctx): Node {
  g.use("multishot");
  return deepHandler(g, ty, c, true);
}

export function paramHandler(g: Gen, ty: Ty, c: Ctx): Node {
  g.use("param");
  const st: Var = { name: g.fresh("s"), ty: g.randTy(1, { small: true }) };
  const init = g.expr(st.ty, c);
  const comp = computation(g, c);
  const clauses = comp.ops.map((op) => {
    const p = argVar(g, op), k = g.fresh("k");
    const cc = withVars(c, p, st);
    const body = clauseBody(g, ty, cc, op.res, (v) => [`${k}(`, v, ", ", g.expr(st.ty, cc), ")"], false);
    return raw(` case ${opHead(op, p, "=>", k)} -> `, body);
  });
  return ex(ty, "(handle(", comp.body, `)(${st.name} <- `, init, ") {", ...clauses, returnClause(g, ty, c, comp.result, st), " })");
}

export function shallowHandler(g: Gen, ty: Ty, c: Ctx): Node {
  g.use("shallow");
  const sh = g.fresh("sh"), m = g.fresh("m");
  const comp = computation(g, c);
  const clauses = comp.ops.map((op) => {
    const p = argVar(g, op), k = g.fresh("k");
    const body = clauseBody(g, ty, withVars(c, p), op.res, (v) => [`${sh}(fun() { ${k}(`, v, ") })"], false);
    return raw(` case ${opHead(op, p, "->", k)} -> `, body);
  });
  const ret = returnClause(g, ty, c, comp.result);
  return ex(ty, `({ fun ${sh}(${m}) { shallowhandle(${m}()) {`, ...clauses, ret, ` } } ${sh}(fun() { `, comp.body, " }) })");
}

// ---------------------------------------------------------------- processes and recursion
export function processExpr(g: Gen, ty: Ty, c: Ctx): Node {
  g.use("process");
  const a = g.randTy(1), b = g.randTy(1);
  const me = g.fresh("me"), w = g.fresh("w"), x = g.fresh("x"), n = g.fresh("");
  const req = `Req${n}`, resp = `Resp${n}`;
  const pc: Ctx = { ...c, ops: [], inProc: true };
  const wc: Ctx = { ...withVars(pc, { name: x, ty: a }), noPrint: true };
  const two = g.rng.bool(0.3);
  const replies: (string | Node)[] = [`${me} ! ${resp}(`, g.expr(b, wc), ")"];
  if (two) replies.push(`; ${me} ! ${resp}(`, g.expr(b, wc), ")");
  const ys = (two ? [g.fresh("y"), g.fresh("y")] : [g.fresh("y")]).map((name) => ({ name, ty: b }));
  const recvs = ys.map((y) => `var ${y.name} = receive { case ${resp}(${y.name}_) -> ${y.name}_ }; `);
  return ex(ty, `(spawnWait { var ${me} = self(); var ${w} = spawn { receive { case ${req}(${x}) -> { `, ...replies,
    ` } } }; ${w} ! ${req}(`, g.expr(a, pc), "); ", ...recvs, g.expr(ty, withVars(pc, ...ys)), " })");
}

export function recursion(g: Gen, ty: Ty, c: Ctx): Node {
  g.use("recursion");
  const f = g.fresh("rec"), n: Var = { name: g.fresh("n"), ty: Int };
  const bound = g.rng.bool(0.4) ? ex(Int, String(g.rng.int(0, 6))) : g.call(Int, "mod", [g.expr(Int, c), ex(Int, "6")]);
  const lc: Ctx = { ...c, loops: c.loops + 1 };
  if (g.rng.bool()) {
    const acc: Var = { name: g.fresh("acc"), ty };
    const step = g.expr(ty, withVars(lc, n, acc));
    return ex(ty, `({ fun ${f}(${n.name}, ${acc.name}) { if (${n.name} <= 0) ${acc.name} else ${f}(${n.name} - 1, `, step,
      `) } ${f}(`, bound, ", ", g.expr(ty, c), ") })");
  }
  const rv: Var = { name: g.fresh("r"), ty };
  const base = g.expr(ty, withVars(lc, n)), step = g.expr(ty, withVars(lc, n, rv));
  return ex(ty, `({ fun ${f}(${n.name}) { if (${n.name} <= 0) `, base, ` else { var ${rv.name} = ${f}(${n.name} - 1); `, step,
    ` } } ${f}(`, bound, ") })");
}


// ---------------------------------------------------------------- deep recursion
/** A non-tail recursion thousands of calls deep, or a tail-recursive loop of 100,000 iterations. */
export function deepRecursion(g: Gen, c: Ctx): Node {
  g.use("deep-recursion");
  const f = g.fresh("deep"), n: Var = { name: g.fresh("n"), ty: Int };
  const lc: Ctx = { ...withVars(c, n), loops: 2 };
  if (g.rng.bool(0.3)) {
    // a long list through the prelude's (non-tail-recursive) map and the runtime's equality and printing
    const len = g.rng.pick([1000, 20000, 50000]), x = g.fresh("x");
    return ex(Int, `length({ var ${f} = map(fun(${x}) { ${x} * 2 }, [1..${len}]); print(intToString(sum(${f})) ^^ "\\n"); if (${f} == ${f}) ${f} else [] })`);
  }
  if (g.rng.bool(0.6)) {
    const depth = g.rng.pick([1000, 5000, 20000, 50000]);
    return ex(Int, `({ fun ${f}(${n.name}) { if (${n.name} <= 0) 0 else `, g.leaf(Int, lc), ` + ${f}(${n.name} - 1) } ${f}(${depth}) })`);
  }
  const acc: Var = { name: g.fresh("acc"), ty: Int };
  return ex(Int, `({ fun ${f}(${n.name}, ${acc.name}) { if (${n.name} <= 0) ${acc.name} else ${f}(${n.name} - 1, ${acc.name} + `,
    g.leaf(Int, withVars(lc, acc)), `) } ${f}(100000, `, g.expr(Int, c), ") })");
}

// ---------------------------------------------------------------- polymorphic functions
/** The top-level polymorphic functions a program declares (feature `poly`), by kind. */
export const POLY_KINDS = ["id", "twice", "swap", "geta", "seta", "extz", "pair", "konst"] as const;
export type PolyKind = (typeof POLY_KINDS)[number];

export function polyDecl(kind: PolyKind, name: string): string {
  switch (kind) {
    case "id": return `fun ${name}(x) { x }`;
    case "twice": return `fun ${name}(f, x) { f(f(x)) }`;
    case "swap": return `fun ${name}(p) { (p.2, p.1) }`;
    case "geta": return `fun ${name}(r) { r.a }`;
    case "seta": return `fun ${name}(r, v) { (r with a = v) }`;
    case "extz": return `fun ${name}(r, v) { (z = v | r) }`;
    case "pair": return `fun ${name}(x, y) { (x, y) }`;
    case "konst": return `fun ${name}(x) { fun(_) { x } }`;
  }
}

/** A use of one of the program's polymorphic functions at type `ty` (undefined if none fits). */
export function polyCall(g: Gen, polys: Map<PolyKind, string>, ty: Ty, c: Ctx): Node | undefined {
  const r = g.rng, e = (t: Ty) => g.expr(t, c);
  const fits: (() => Node)[] = [];
  const has = (k: PolyKind) => polys.has(k);
  const name = (k: PolyKind) => polys.get(k)!;
  if (has("id")) fits.push(() => ex(ty, `${name("id")}(`, e(ty), ")"));
  if (has("twice")) fits.push(() => ex(ty, `${name("twice")}(`, g.lambda(Fn([ty], ty, g.someOps(c)), c), ", ", e(ty), ")"));
  if (has("konst")) fits.push(() => ex(ty, `${name("konst")}(`, e(ty), ")(", e(g.randTy(1)), ")"));
  if (has("geta")) fits.push(() => ex(ty, `${name("geta")}(`, e(g.recordTy(1, ["a", ty])), ")"));
  if (ty.t === "Rec" && ty.fields.length === 2 && isTuple(ty)) {
    const [[, a], [, b]] = ty.fields as [[string, Ty], [string, Ty]];
    if (has("swap")) fits.push(() => ex(ty, `${name("swap")}(`, e({ t: "Rec", fields: [["1", b], ["2", a]] }), ")"));
    if (has("pair")) fits.push(() => ex(ty, `${name("pair")}(`, e(a), ", ", e(b), ")"));
  }
  if (ty.t === "Rec" && !isTuple(ty)) {
    const a = ty.fields.find(([l]) => l === "a");
    if (a && has("seta")) fits.push(() => ex(ty, `${name("seta")}(`, e(ty), ", ", e(a[1]), ")"));
    const z = ty.fields.find(([l]) => l === "z");
    if (z && has("extz")) {
      const rest: Ty = { t: "Rec", fields: ty.fields.filter(([l]) => l !== "z") };
      fits.push(() => ex(ty, `${name("extz")}(`, rest.t === "Rec" && rest.fields.length === 0 ? ex(rest, "()") : e(rest), ", ", e(z[1]), ")"));
    }
  }
  return fits.length === 0 ? undefined : r.pick(fits)();
}
