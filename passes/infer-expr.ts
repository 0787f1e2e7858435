// infer, part: expressions and patterns. Each node gets its type; `eff` is the effect row of the
// enclosing function. Let/letrec chains (value restriction, signatures), handlers (which remove
// the operations they handle from the row), switch/receive clauses and pattern bindings.
import { type Span, fromPrelude, typeError } from "../ir/common.js";
import type { CExpr, CPat, Clause } from "../ir/core.js";
import {
  HEAR, WILD, type Scheme, type TVar, type Type, mkRow, resolve, rowEmpty, tBool, tChar, tFloat, tInt, tList, tString, tUnit,
} from "../ir/types.js";
import {
  type InferState, branches, fresh, freshAny, recursiveUse, generalize, inLambda, lookup, lowerLevels, makeUnl, mono, popBinding, pushBinding,
  withBindings,
} from "./infer-env.js";
import { type Signature, annotation, clauseAnnotation, signature } from "./infer-types.js";
import { expect, expectEffects } from "./infer-unify.js";

export function expr(st: InferState, e: CExpr, eff: Type): Type {
  const t = exprInner(st, e, eff);
  e.type = t;
  return t;
}

/**
 * A chain of Let/LetRec (a block, or a whole program) is walked iteratively, not recursively,
 * so long programs do not exhaust the JS stack.
 */
function bindingChain(st: InferState, e: CExpr, eff: Type): Type {
  const chain: CExpr[] = [];
  const bound: string[] = [];
  let cur = e;
  try {
    while (cur.tag === "Let" || cur.tag === "LetRec") {
      chain.push(cur);
      // the prelude's functions are unrestricted, as Links' signatures for them declare
      st.userCode = !fromPrelude(cur);
      if (cur.tag === "Let") {
        const s = letScheme(st, cur, eff);
        pushBinding(st, cur.name, s);
        bound.push(cur.name);
      } else {
        const schemes = letRecSchemes(st, cur);
        cur.binds.forEach((b, i) => { pushBinding(st, b.name, schemes[i]!); bound.push(b.name); });
      }
      cur = cur.body;
    }
    st.userCode = !fromPrelude(cur);
    const t = expr(st, cur, eff);
    for (const x of chain) x.type = t;
    return t;
  } finally {
    for (let i = bound.length - 1; i >= 0; i--) popBinding(st, bound[i]!);
  }
}

function letScheme(st: InferState, e: Extract<CExpr, { tag: "Let" }>, eff: Type): Scheme {
  st.level++;
  let sig: Signature | undefined;
  if (e.sig) {
    sig = signature(st, e.sig);
    st.annotScopes.push(sig.scope);
  }
  let t: Type;
  try {
    t = expr(st, e.rhs, eff);
    if (sig) expect(st, t, sig.type, e.rhs.span, `definition of ${e.name}`);
  } finally {
    if (sig) st.annotScopes.pop();
  }
  st.level--;
  if (sig && !isValue(e.rhs) && generalize(st, sig.type).vars.some((v) => v.rigid))
    throw typeError(`the signature of ${e.name} is polymorphic but its definition is not a value, so it cannot be generalised (value restriction)`, e.span);
  if (e.stmt) expect(st, t, tUnit, e.rhs.span, "statement (an expression followed by `;`)");
  const s = isValue(e.rhs) ? generalize(st, t) : mono(lowerLevels(st, t));
  e.scheme = s;
  return s;
}

function letRecSchemes(st: InferState, e: Extract<CExpr, { tag: "LetRec" }>): Scheme[] {
  st.level++;
  // a function without a signature has the shape of its curried literal: a recursive use sees
  // its argument-collecting arrows with effects of their own (see `recursiveUse`)
  const monos = e.binds.map((b) => (b.sig ? fresh(st) : curriedShape(st, b.fn)));
  // A function with a signature is used at its (polymorphic) signature inside the group too.
  const sigs = e.binds.map((b) => {
    if (!b.sig) return undefined;
    st.level++;
    const sig = signature(st, b.sig);
    st.level--;
    const scheme = generalize(st, sig.type);
    lowerLevels(st, sig.type);
    return { ...sig, scheme };
  });
  withBindings(st, e.binds.map((b, i) => [b.name, sigs[i]?.scheme ?? mono(monos[i]!)]), () => {
    e.binds.forEach((b, i) => {
      let scope: Map<string, TVar> | "closed" | undefined;
      const sig = sigs[i];
      if (sig) {
        expect(st, monos[i]!, sig.type, b.span, `function ${b.name}`);
        scope = sig.scope;
      }
      if (scope) st.annotScopes.push(scope);
      try {
        // with a signature, the body is checked against it: the parameters, the effect row (its
        // operations, polymorphic ones included) and the result are known while the body is typed
        const t = sig ? checkLam(st, b.fn, monos[i]!) : expr(st, b.fn, fresh(st, "row"));
        expect(st, t, monos[i]!, b.span, `function ${b.name}`);
      } finally {
        if (scope) st.annotScopes.pop();
      }
    });
  }, e.binds.map((b) => !b.sig));
  st.level--;
  const schemes = monos.map((m) => generalize(st, m));
  e.binds.forEach((b, i) => (b.scheme = schemes[i]));
  return schemes;
}

/**
 * A lambda checked against an expected function type (a signature's): its parameters and its
 * body's effect row are the expected ones, and a curried body is checked against the expected
 * result in turn. Anything else is inferred and then unified by the caller.
 */
function checkLam(st: InferState, e: CExpr, expected: Type): Type {
  const r = resolve(expected);
  if (e.tag !== "Lam" || r.tag !== "Fun" || r.params.length !== e.params.length) return expr(st, e, fresh(st, "row"));
  const body = e.body;
  withBindings(st, e.params.map((n, i) => [n, mono(r.params[i]!)]), () => {
    const t = body.tag === "Lam" ? checkLam(st, body, r.ret) : expr(st, body, r.eff);
    expect(st, t, r.ret, body.span);
  });
  e.type = r;
  return r;
}

function exprInner(st: InferState, e: CExpr, eff: Type): Type {
  switch (e.tag) {
    case "Lit":
      switch (e.lit.kind) {
        case "Int": return tInt;
        case "Float": return tFloat;
        case "String": return tString;
        case "Char": return tChar;
        case "Bool": return tBool;
      }
    // falls through (unreachable)
    case "Var": {
      if (!recursiveUse(st, e.name) || !st.userCode) return lookup(st, e.name, e.span);
      // Links: a recursive use of a function being inferred makes the calling context wild, and
      // the arrows that only collect arguments (all but the last of a curried function) get
      // fresh effects at each use, so they stay pure (`fun f(x)(y) {f(x)(y)}` is
      // `(_) -> (_::Any) ~> _::Any`)
      expectEffects(st, { tag: "RowExtend", label: WILD, presence: { tag: "Pre", type: tUnit }, rest: fresh(st, "row") }, eff, e.span, "recursive call");
      return freshCollectors(st, lookup(st, e.name, e.span));
    }
    case "Lam": {
      const params = e.params.map(() => freshAny(st));
      const bodyEff = fresh(st, "row");
      const ret = inLambda(st, () => withBindings(st, e.params.map((n, i) => [n, mono(params[i]!)]), () => expr(st, e.body, bodyEff)));
      return { tag: "Fun", params, eff: bodyEff, ret };
    }
    case "App": {
      const tf = expr(st, e.fn, eff);
      const targs = e.args.map((a) => expr(st, a, eff));
      const rf = resolve(tf);
      if (rf.tag === "Fun" && rf.params.length === targs.length) {
        targs.forEach((ta, i) => expect(st, ta, rf.params[i]!, e.args[i]!.span));
        expectEffects(st, rf.eff, eff, e.span);
        return rf.ret;
      }
      if (rf.tag === "Fun")
        throw typeError(`this function takes ${rf.params.length} argument(s) but is applied to ${targs.length}`, e.span);
      const ret = freshAny(st);
      expect(st, tf, { tag: "Fun", params: targs, eff, ret }, e.fn.span, "function");
      return ret;
    }
    case "Let": case "LetRec":
      return bindingChain(st, e, eff);
    case "If": {
      expect(st, expr(st, e.cond, eff), tBool, e.cond.span, "condition");
      const [t, te] = branches(st, 2, (i) => expr(st, i === 0 ? e.then : e.else, eff));
      expect(st, te!, t!, e.else.span, "else branch");
      return t!;
    }
    case "Con": {
      const ta = e.arg ? expr(st, e.arg, eff) : tUnit;
      return { tag: "Variant", row: { tag: "RowExtend", label: e.name, presence: { tag: "Pre", type: ta }, rest: freshAny(st, "row") } };
    }
    case "Record": {
      let rest: Type = rowEmpty;
      const fields: [string, Type][] = e.fields.map(([l, x]) => [l, { tag: "Pre", type: expr(st, x, eff) }]);
      if (e.ext) {
        const r = freshAny(st, "row");
        // the extended record must not already have these labels
        const without = mkRow(e.fields.map(([l]) => [l, { tag: "Abs" }]), r);
        expect(st, expr(st, e.ext, eff), { tag: "Record", row: without }, e.ext.span, "record");
        rest = r;
      }
      return { tag: "Record", row: mkRow(fields, rest) };
    }
    case "Proj": {
      const t = freshAny(st);
      const tr = expr(st, e.expr, eff);
      expect(st, tr, { tag: "Record", row: { tag: "RowExtend", label: e.label, presence: { tag: "Pre", type: t }, rest: freshAny(st, "row") } }, e.expr.span, "record");
      return t;
    }
    case "Update": {
      const r = freshAny(st, "row");
      const old = mkRow(e.fields.map(([l]) => [l, { tag: "Pre", type: freshAny(st) }]), r);
      expect(st, expr(st, e.record, eff), { tag: "Record", row: old }, e.record.span, "record");
      return { tag: "Record", row: mkRow(e.fields.map(([l, x]) => [l, { tag: "Pre", type: expr(st, x, eff) }]), r) };
    }
    case "Nil": return tList(freshAny(st));
    case "Cons": {
      const th = expr(st, e.head, eff);
      if (e.infix) makeUnl(th);
      const tl = tList(th);
      expect(st, expr(st, e.tail, eff), tl, e.tail.span, "list tail");
      return tl;
    }
    case "Case": {
      const ts = expr(st, e.scrutinee, eff);
      return clauses(st, ts, e.clauses, eff, e.span);
    }
    case "Receive": {
      const tm = fresh(st);
      // receiving is wild, like recv()
      const needed = mkRow([[HEAR, { tag: "Pre", type: tm }], [WILD, { tag: "Pre", type: tUnit }]], fresh(st, "row"));
      expectEffects(st, needed, eff, e.span);
      return clauses(st, tm, e.clauses, eff, e.span);
    }
    case "Do": {
      const targs = e.args.map((a) => expr(st, a, eff));
      const ret = fresh(st);
      const needed: Type = { tag: "RowExtend", label: e.op, presence: { tag: "Pre", type: { tag: "Op", params: targs, ret } }, rest: fresh(st, "row") };
      expectEffects(st, needed, eff, e.span, `operation ${e.op}`);
      return ret;
    }
    case "Handle": return handle(st, e, eff);
    case "Spawn": {
      const bodyEff: Type = { tag: "RowExtend", label: HEAR, presence: { tag: "Pre", type: fresh(st) }, rest: fresh(st, "row") };
      const t = inLambda(st, () => expr(st, e.body, bodyEff));
      if (e.kind === "spawnWait") return t;
      return { tag: "Con", name: "Process", args: [bodyEff] };
    }
    case "Annot": {
      const ta = annotation(st, e.annot);
      expect(st, expr(st, e.expr, eff), ta, e.expr.span);
      return ta;
    }
  }
}


/** The type of a function literal without its details: `(a) -e1-> (b) -e2-> c` for `fun(x)(y) {…}`. */
function curriedShape(st: InferState, fn: CExpr): Type {
  if (fn.tag !== "Lam") return fresh(st);
  return { tag: "Fun", params: fn.params.map(() => freshAny(st)), eff: fresh(st, "row"), ret: fn.body.tag === "Lam" ? curriedShape(st, fn.body) : freshAny(st) };
}

/** A curried function type whose argument-collecting arrows have fresh effect rows. */
function freshCollectors(st: InferState, t: Type): Type {
  const f = resolve(t);
  if (f.tag !== "Fun") return t;
  const r = resolve(f.ret);
  if (r.tag !== "Fun") return t;
  return { tag: "Fun", params: f.params, eff: fresh(st, "row"), ret: freshCollectors(st, r) };
}

/** Switch/receive clauses: top-level constructor patterns close the variant unless a clause catches all. */
function clauses(st: InferState, ts: Type, clauses: Clause[], eff: Type, span: Span): Type {
  const cons = new Map<string, Type>();
  let catchAll = false;
  for (const c of clauses) {
    const p = stripAs(c.pat);
    if (p.tag === "PCon") { if (!cons.has(p.name)) cons.set(p.name, freshAny(st)); }
    // a negative pattern matches every constructor but its own: it keeps the variant open
    else if (p.tag === "PVar" || p.tag === "PAny" || p.tag === "PNeg") catchAll = true;
  }
  if (cons.size > 0) {
    const row = mkRow([...cons].map(([l, t]) => [l, { tag: "Pre", type: t }]), catchAll ? freshAny(st, "row") : rowEmpty);
    expect(st, ts, { tag: "Variant", row }, span, "scrutinee");
  }
  const result = freshAny(st);
  branches(st, clauses.length, (i) => {
    const c = clauses[i]!;
    const binds: [string, Scheme][] = [];
    pat(st, c.pat, ts, binds);
    const tb = withBindings(st, binds, () => expr(st, c.body, eff));
    expect(st, tb, result, c.body.span, "case body");
  });
  return result;
}

function handle(st: InferState, e: Extract<CExpr, { tag: "Handle" }>, eff: Type): Type {
  // Operation signatures of the handled operations.
  // An annotated clause (`: (forall a. () => a)`) gives the operation's type: a polymorphic one
  // is handled polymorphically (its variables stay rigid in the clause) and instantiated by each
  // `do` in the handled computation.
  const sigs = new Map<string, { params: Type[]; ret: Type; forall?: TVar[] }>();
  for (const o of e.ops) {
    const prev = sigs.get(o.op);
    if (prev && prev.params.length !== o.args.length)
      throw typeError(`operation ${o.op} is handled with ${o.args.length} and ${prev.params.length} arguments`, o.span);
    if (prev) continue;
    if (o.annot) {
      const a = clauseAnnotation(st, o.annot);
      if (a.params.length !== o.args.length) throw typeError(`the annotation gives operation ${o.op} ${a.params.length} arguments, the clause ${o.args.length}`, o.span);
      sigs.set(o.op, a);
    } else sigs.set(o.op, { params: o.args.map(() => freshAny(st)), ret: freshAny(st) });
  }
  const rho = fresh(st, "row");
  const inner = mkRow([...sigs].map(([op, s]) => [op, { tag: "Pre", type: { tag: "Op", params: s.params, ret: s.ret, ...(s.forall ? { forall: s.forall } : {}) } }]), rho);
  const outer = mkRow([...sigs].map(([op]) => [op, fresh(st, "presence")]), rho);
  // handling is wild (`~>`), as in Links
  expectEffects(st, { tag: "RowExtend", label: WILD, presence: { tag: "Pre", type: tUnit }, rest: fresh(st, "row") }, eff, e.span, "handler");
  expectEffects(st, outer, eff, e.span, "handler");
  const paramTypes = e.params.map((p) => expr(st, p.init, eff));
  const paramBinds: [string, Scheme][] = e.params.map((p, i) => [p.name, mono(paramTypes[i]!)]);
  const tb = expr(st, e.body, inner);
  const result = freshAny(st);
  // the clauses are alternatives; a deep handler's operation clauses run again at every operation,
  // so the variables they use from outside count as used many times (as in a function literal)
  branches(st, e.ops.length + 1, (i) => {
    if (i === 0) {
      const binds: [string, Scheme][] = [...paramBinds];
      pat(st, e.ret.pat, tb, binds);
      const t = withBindings(st, binds, () => expr(st, e.ret.body, eff));
      expect(st, t, result, e.ret.body.span, "return clause");
      return;
    }
    const o = e.ops[i - 1]!;
    const s = sigs.get(o.op)!;
    const binds: [string, Scheme][] = [...paramBinds];
    o.args.forEach((a, i) => pat(st, a, s.params[i]!, binds));
    if (o.k) {
      const kType: Type = e.shallow
        ? { tag: "Fun", params: [s.ret], eff: inner, ret: tb }
        // a deep resumption's own effects are left open, as Links leaves them (its typing unifies
        // the clause's context, not k's row, with the handler's outer effects): monadic
        // reflection passes k to a function that wants it pure
        : { tag: "Fun", params: [s.ret, ...paramTypes], eff: fresh(st, "row"), ret: result };
      pat(st, o.k, kType, binds);
    }
    const body = () => withBindings(st, binds, () => expr(st, o.body, eff));
    const t = e.shallow ? body() : inLambda(st, body);
    expect(st, t, result, o.body.span, "operation clause");
  });
  return result;
}

/**
 * Type pattern p against t, adding its variables to `binds`. Returns the type of the values p
 * matches: t, except for a negative pattern, whose excluded constructors are absent from it
 * (Links: `fun(-Foo as r) { r }` : ([|Foo:_|b|]) -> [|Foo-|b|]).
 */
function pat(st: InferState, p: CPat, t: Type, binds: [string, Scheme][]): Type {
  switch (p.tag) {
    case "PAny": makeUnl(t); return t;
    case "PVar": p.type = t; binds.push([p.name, mono(t)]); return t;
    case "PLit": {
      const lt = p.lit.kind === "Int" ? tInt : p.lit.kind === "Float" ? tFloat : p.lit.kind === "String" ? tString : p.lit.kind === "Char" ? tChar : tBool;
      expect(st, t, lt, p.span, "pattern");
      return t;
    }
    case "PCon": {
      const ta = p.arg ? freshAny(st) : tUnit;
      expect(st, t, { tag: "Variant", row: { tag: "RowExtend", label: p.name, presence: { tag: "Pre", type: ta }, rest: freshAny(st, "row") } }, p.span, "pattern");
      if (p.arg) pat(st, p.arg, ta, binds);
      return t;
    }
    case "PRecord": {
      const fieldTypes = p.fields.map(() => freshAny(st));
      const rest = p.rest ? freshAny(st, "row") : rowEmpty;
      expect(st, t, { tag: "Record", row: mkRow(p.fields.map(([l], i) => [l, { tag: "Pre", type: fieldTypes[i]! }]), rest) }, p.span, "pattern");
      p.fields.forEach(([, q], i) => pat(st, q, fieldTypes[i]!, binds));
      // the rest is the record without the matched labels (Links: `(l=_|r)` gives r : (l-|b))
      if (p.rest) pat(st, p.rest, { tag: "Record", row: mkRow(p.fields.map(([l]) => [l, { tag: "Abs" }]), rest) }, binds);
      return t;
    }
    case "PNil": expect(st, t, tList(freshAny(st)), p.span, "pattern"); return t;
    case "PCons": {
      const te = freshAny(st);
      expect(st, t, tList(te), p.span, "pattern");
      pat(st, p.head, te, binds);
      pat(st, p.tail, tList(te), binds);
      return t;
    }
    case "PAs": {
      const r = pat(st, p.pat, t, binds);
      p.type = r;
      binds.push([p.name, mono(r)]);
      return r;
    }
    case "PNeg": {
      // the excluded constructors are present (with any payload) in what is matched, absent
      // from what matches
      const rest = freshAny(st, "row");
      expect(st, t, { tag: "Variant", row: mkRow(p.names.map((n) => [n, { tag: "Pre", type: freshAny(st) }]), rest) }, p.span, "pattern");
      return { tag: "Variant", row: mkRow(p.names.map((n) => [n, { tag: "Abs" }]), rest) };
    }
    case "PAnnot": {
      // the annotation types what the pattern matches (for a negative pattern, less than t)
      const ta = annotation(st, p.type);
      if (stripAs(p.pat).tag !== "PNeg") {
        expect(st, t, ta, p.span, "pattern");
        return pat(st, p.pat, ta, binds);
      }
      const r = pat(st, p.pat, t, binds);
      expect(st, r, ta, p.span, "pattern");
      return r;
    }
  }
}


function stripAs(p: CPat): CPat {
  while (p.tag === "PAs" || p.tag === "PAnnot") p = p.pat;
  return p;
}

function isValue(e: CExpr): boolean {
  switch (e.tag) {
    case "Lit": case "Var": case "Lam": case "Nil": return true;
    case "Con": return !e.arg || isValue(e.arg);
    case "Record": return e.fields.every(([, x]) => isValue(x)) && (!e.ext || isValue(e.ext));
    case "Cons": return isValue(e.head) && isValue(e.tail);
    case "Annot": return isValue(e.expr);
    default: return false;
  }
}
