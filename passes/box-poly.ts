// box-poly: Closed → Boxed
// Example: `fun id(x) { x } id(1) + 2`
//   ⇒ (define (id x:eq) (env) (returns eq) (return x))
//      (main (seq (let t:eq (box i64 1)) (let-app t_1:eq (call id t)) (let t_2:i64 (unbox i64 t_1))
//                 (tail (+ t_2 2))))
// Needs: Closed with types on binders and atoms. Guarantees: every binder and atom has a
// representation (ir/boxed.ts: i64, f64, i32, unit, a reference kind, or eq); values cross
// between an unboxed representation and eq only through explicit `box`/`unbox`, placed at the
// boundaries: polymorphic parameters and results, data-structure fields, closure calls (all eq)
// and environment slots (eq). Monomorphic code never boxes. A tail call whose result needs a
// coercion stops being a tail call.
import { internalError } from "../ir/common.js";
import type { CPat } from "../ir/core.js";
import type * as C from "../ir/closed.js";
import type { TypeExpr } from "../ir/surface.js";
import { type Atom, type Binder, type BoxedProgram, type Comp, type Fn, type Rep, type Value, isRef, repOf } from "../ir/boxed.js";
import { resolve } from "../ir/types.js";

/** Representations of the primitives' parameters and results, from their Links types. */
export type PrimitiveReps = ReadonlyMap<string, { params: Rep[]; ret: Rep }>;

export function primitiveReps(types: ReadonlyMap<string, TypeExpr>): PrimitiveReps {
  const out = new Map<string, { params: Rep[]; ret: Rep }>();
  for (const [name, t] of types) if (t.tag === "TFun") out.set(name, { params: t.params.map(repOfTypeExpr), ret: repOfTypeExpr(t.ret) });
  return out;
}

function repOfTypeExpr(t: TypeExpr): Rep {
  switch (t.tag) {
    case "TCon":
      switch (t.name) {
        case "Int": return "i64";
        case "Float": return "f64";
        case "Bool": case "Char": return "i32";
        case "String": return "string";
        case "Process": return "process";
        default: return "eq";
      }
    case "TList": return "list";
    case "TTuple": return t.items.length === 0 ? "unit" : "record";
    case "TRecord": return t.row.fields.length === 0 && t.row.rest === undefined ? "unit" : "record";
    case "TVariant": return "variant";
    case "TFun": return "closure";
    default: return "eq";
  }
}

export function boxPoly(p: C.ClosedProgram, prims: PrimitiveReps): BoxedProgram {
  const b = new Boxer(p, prims);
  const functions = p.functions.map((f) => b.fn(f));
  const main = b.comp(p.main, repOf(p.resultType));
  return { functions, main, resultType: p.resultType, patReps: b.patReps, topOps: p.topOps, typeSyntax: p.typeSyntax };
}

type Pre = ((body: Comp) => Comp)[];
/** A result in representation `have` can stand where `want` is expected without a coercion. */
const fits = (have: Rep, want: Rep) => have === want || (want === "eq" && isRef(have));
const COMPARISONS = new Set(["==", "<>", "<", ">", "<=", ">="]);
const wrap = (pre: Pre, c: Comp): Comp => pre.reduceRight((acc, f) => f(acc), c);

class Boxer {
  private reps = new Map<string, Rep>();
  private fns = new Map<string, { params: Rep[]; ret: Rep }>();
  patReps = new Map<string, Rep>();
  private counter = 0;

  constructor(p: C.ClosedProgram, private prims: PrimitiveReps) {
    for (const f of p.functions) {
      const t = resolve(f.type);
      if (t.tag !== "Fun") throw internalError(`box-poly: function ${f.name} does not have a function type`);
      this.fns.set(f.name, { params: t.params.map(repOf), ret: repOf(t.ret) });
      this.reps.set(f.name, "closure");
    }
  }

  /** Coercion temporaries are named `b$N`: `$` cannot occur in a Links identifier, so no clash. */
  private fresh(rep: Rep, type: C.Binder["type"]): Binder {
    const name = `b$${++this.counter}`;
    this.reps.set(name, rep);
    return { name, type, rep };
  }

  private binder(x: C.Binder, rep = repOf(x.type)): Binder {
    this.reps.set(x.name, rep);
    return { ...x, rep };
  }

  private atom(a: C.Atom): Atom {
    if (a.tag === "Lit") return { ...a, rep: repOf(a.type) };
    // variables not bound in the program are primitives used as values: closures
    return { ...a, rep: this.reps.get(a.name) ?? "closure" };
  }

  /**
   * A record or list operand: a variable held as eq (a handler parameter) is cast to `to` first;
   * other representations (including () for a record) are used as they are.
   */
  private structure(a: C.Atom, to: Rep, pre: Pre): Atom {
    const x = this.atom(a);
    return x.rep === "eq" ? this.coerce(x, to, pre) : x;
  }

  /** `a` in a position that needs `to`: coercions go into `pre`. */
  private coerce(a: Atom, to: Rep, pre: Pre): Atom {
    if (a.rep === to) return a;
    if (to === "eq") {
      if (isRef(a.rep)) return a; // a reference is an eq already (implicit upcast)
      const t = this.fresh("eq", a.type);
      pre.push((body) => ({ tag: "Let", x: t, value: { tag: "Box", atom: a, from: a.rep }, body }));
      return { tag: "Var", name: t.name, type: a.type, rep: "eq" };
    }
    if (a.rep === "eq") {
      const t = this.fresh(to, a.type);
      pre.push((body) => ({ tag: "Let", x: t, value: { tag: "Unbox", atom: a, to }, body }));
      return { tag: "Var", name: t.name, type: a.type, rep: to };
    }
    // () is the empty record: as a record (an open row instantiated to nothing) it is the shared
    // empty $Record; a record typed () carries nothing
    if (a.rep === "record" && to === "unit") return { ...a, rep: "unit" };
    if (a.rep === "unit" && to === "record") {
      const t = this.fresh(to, a.type);
      pre.push((body) => ({ tag: "Let", x: t, value: { tag: "Box", atom: a, from: "unit" }, body }));
      return { tag: "Var", name: t.name, type: a.type, rep: to };
    }
    // two different concrete representations: only possible between reference kinds
    if (isRef(a.rep) && isRef(to)) {
      const t = this.fresh(to, a.type);
      pre.push((body) => ({ tag: "Let", x: t, value: { tag: "Unbox", atom: { ...a, rep: "eq" }, to }, body }));
      return { tag: "Var", name: t.name, type: a.type, rep: to };
    }
    throw internalError(`box-poly: cannot use a ${a.rep} as a ${to}`);
  }

  /** The callee, its signature, and the arguments coerced to its parameters (coercions into `pre`). */
  private callOperands(c: { fn: C.Atom; args: C.Atom[]; known: string | undefined }, pre: Pre) {
    const fn = this.atom(c.fn);
    const sig = this.callee(fn, c.known, c.args.map((a) => this.atom(a)));
    return { fn, sig, args: c.args.map((a, i) => this.coerce(this.atom(a), sig.params[i]!, pre)) };
  }

  /**
   * Signature of a callee: a known function, a primitive, or a closure (all eq). The comparison
   * primitives are polymorphic but specialised to their arguments' representation when both
   * agree, so that monomorphic comparisons do not box.
   */
  private callee(fn: Atom, known: string | undefined, args: Atom[]): { params: Rep[]; ret: Rep } {
    if (known) return this.fns.get(known)!;
    if (fn.tag === "Var" && !this.reps.has(fn.name) && this.prims.has(fn.name)) {
      const sig = this.prims.get(fn.name)!;
      if (COMPARISONS.has(fn.name) && args.length === 2 && args[0]!.rep === args[1]!.rep && args[0]!.rep !== "eq" && !isRef(args[0]!.rep))
        return { params: [args[0]!.rep, args[1]!.rep], ret: sig.ret };
      return sig;
    }
    return { params: args.map(() => "eq"), ret: "eq" };
  }

  fn(f: C.Fn): Fn {
    const info = this.fns.get(f.name)!;
    const params = f.params.map((q, i) => this.binder(q, info.params[i]));
    const pre: Pre = [];
    const captured = f.captured.map((q) => {
      const rep = repOf(q.type);
      if (rep === "eq") return this.binder(q, "eq");
      const slot = this.fresh("eq", q.type);
      const x = this.binder(q, rep);
      pre.push((body) => ({ tag: "Let", x, value: { tag: "Unbox", atom: { tag: "Var", name: slot.name, type: q.type, rep: "eq" }, to: rep }, body }));
      return slot;
    });
    const body = wrap(pre, this.comp(f.body, info.ret));
    return { name: f.name, params, captured, body, ret: info.ret, type: f.type, prelude: f.prelude };
  }

  /** Convert a computation whose result is needed in representation `want`. */
  comp(c: C.Comp, want: Rep): Comp {
    const pre: Pre = [];
    for (;;) {
      switch (c.tag) {
        case "Let": {
          const x = this.binder(c.x);
          const v = this.value(c.value, x, pre);
          if (v) pre.push((body) => ({ tag: "Let", x, value: v, body }));
          c = c.body;
          continue;
        }
        case "LetApp": {
          const { known, span } = c; // (the closures below must not see `c` move on)
          const { fn, args, sig } = this.callOperands(c, pre);
          const want = repOf(c.x.type);
          if (fits(sig.ret, want)) {
            const x = this.binder(c.x, sig.ret);
            pre.push((body) => ({ tag: "LetApp", x, fn, args, known, span, body }));
          } else {
            const raw = this.fresh(sig.ret, c.x.type);
            pre.push((body) => ({ tag: "LetApp", x: raw, fn, args, known, span, body }));
            const coerced = this.coerce({ tag: "Var", name: raw.name, type: c.x.type, rep: sig.ret }, want, pre);
            const x = this.binder(c.x, want);
            pre.push((body) => ({ tag: "Let", x, value: coerced, body }));
          }
          c = c.body;
          continue;
        }
        case "LetComp": {
          const rep = repOf(c.x.type);
          const inner = this.comp(c.comp, rep);
          const x = this.binder(c.x, rep);
          pre.push((body) => ({ tag: "LetComp", x, comp: inner, body }));
          c = c.body;
          continue;
        }
        case "LetRec": {
          const xs = c.binds.map((b) => this.binder(b.x, "closure"));
          const binds = c.binds.map((b, i) => ({ x: xs[i]!, value: this.closure(b.value, pre) }));
          pre.push((body) => ({ tag: "LetRec", binds, body }));
          c = c.body;
          continue;
        }
      }
      break;
    }
    return wrap(pre, this.tail(c, want));
  }

  private closure(v: C.MakeClosure, pre: Pre): import("../ir/boxed.js").MakeClosure {
    return { tag: "Closure", fn: v.fn, captured: v.captured.map((a) => this.coerce(this.atom(a), "eq", pre)), type: v.type };
  }

  /** The value bound to x (coercions into `pre`); undefined when `pre` already binds x. */
  private value(v: C.Value, x: Binder, pre: Pre): Value | undefined {
    switch (v.tag) {
      case "Var": case "Lit": return this.coerce(this.atom(v), x.rep, pre);
      case "Closure": return this.closure(v, pre);
      case "Con": return { ...v, arg: v.arg && this.coerce(this.atom(v.arg), "eq", pre) };
      case "Record": return { ...v, fields: v.fields.map(([l, a]) => [l, this.coerce(this.atom(a), "eq", pre)]), ext: v.ext && this.structure(v.ext, "record", pre) };
      case "Update": return { ...v, record: this.structure(v.record, "record", pre), fields: v.fields.map(([l, a]) => [l, this.coerce(this.atom(a), "eq", pre)]) };
      case "Nil": return v;
      case "Cons": return { ...v, head: this.coerce(this.atom(v.head), "eq", pre), tail: this.structure(v.tail, "list", pre) };
      case "Proj": {
        // fields are eq: project into an eq temporary, then unbox into x
        const proj: Value = { ...v, record: this.structure(v.record, "record", pre) };
        if (x.rep === "eq") return proj;
        const t = this.fresh("eq", x.type);
        pre.push((body) => ({ tag: "Let", x: t, value: proj, body }));
        return this.coerce({ tag: "Var", name: t.name, type: x.type, rep: "eq" }, x.rep, pre);
      }
    }
  }

  private tail(c: C.Comp, want: Rep): Comp {
    const pre: Pre = [];
    switch (c.tag) {
      case "Return": return wrap(pre, { tag: "Return", atom: this.coerce(this.atom(c.atom), want, pre) });
      case "App": {
        const { known, span } = c;
        const { fn, args, sig } = this.callOperands(c, pre);
        if (fits(sig.ret, want)) return wrap(pre, { tag: "App", fn, args, known, rep: sig.ret, span });
        const raw = this.fresh(sig.ret, c.type);
        pre.push((body) => ({ tag: "LetApp", x: raw, fn, args, known, span, body }));
        const out = this.coerce({ tag: "Var", name: raw.name, type: c.type, rep: sig.ret }, want, pre);
        return wrap(pre, { tag: "Return", atom: out });
      }
      case "If": {
        const cond = this.coerce(this.atom(c.cond), "i32", pre);
        return wrap(pre, { tag: "If", cond, then: this.comp(c.then, want), else: this.comp(c.else, want), rep: want });
      }
      case "Case": {
        const scrutinee = this.atom(c.scrutinee);
        const clauses = c.clauses.map((k) => { this.patVars(k.pat); return { pat: k.pat, body: this.comp(k.body, want) }; });
        return wrap(pre, { tag: "Case", scrutinee, clauses, rep: want, span: c.span });
      }
      // effects and processes: results are eq (they cross a handler or a scheduler), coerced to `want`
      case "Do": case "Handle": case "Spawn": {
        const eqComp = this.effectful(c, pre);
        if (want === "eq") return wrap(pre, eqComp);
        const t = this.fresh("eq", c.type);
        pre.push((body) => ({ tag: "LetComp", x: t, comp: eqComp, body }));
        const out = this.coerce({ tag: "Var", name: t.name, type: c.type, rep: "eq" }, want, pre);
        return wrap(pre, { tag: "Return", atom: out });
      }
      default: throw internalError(`box-poly: unexpected ${c.tag} in tail position`);
    }
  }

  private effectful(c: Extract<C.Comp, { tag: "Do" | "Handle" | "Spawn" }>, pre: Pre): Comp {
    switch (c.tag) {
      case "Do": return { tag: "Do", op: c.op, args: c.args.map((a) => this.coerce(this.atom(a), "eq", pre)), rep: "eq", span: c.span };
      case "Spawn": return { tag: "Spawn", kind: c.kind, body: this.comp(c.body, "eq"), rep: "eq" };
      case "Handle": {
        const body = this.comp(c.body, "eq");
        const params = c.params.map((q) => ({ init: this.coerce(this.atom(q.init), "eq", pre), x: this.binder(q.x, "eq") }));
        const ops = c.ops.map((o) => { o.args.forEach((a) => this.patVars(a)); if (o.k) this.patVars(o.k); return { ...o, body: this.comp(o.body, "eq") }; });
        this.patVars(c.ret.pat);
        return { tag: "Handle", shallow: c.shallow, body, params, ops, ret: { pat: c.ret.pat, body: this.comp(c.ret.body, "eq") }, rep: "eq" };
      }
    }
  }

  /** Pattern variables get the representation of their own type. */
  private patVars(p: CPat): void {
    switch (p.tag) {
      case "PVar": this.patRep(p.name, p.type); return;
      case "PAs": this.patRep(p.name, p.type); this.patVars(p.pat); return;
      case "PCon": if (p.arg) this.patVars(p.arg); return;
      case "PRecord": p.fields.forEach(([, q]) => this.patVars(q)); if (p.rest) this.patVars(p.rest); return;
      case "PCons": this.patVars(p.head); this.patVars(p.tail); return;
      case "PAnnot": this.patVars(p.pat); return;
      default: return;
    }
  }
  private patRep(name: string, type: C.Binder["type"] | undefined) {
    const rep = type ? repOf(type) : "eq";
    this.patReps.set(name, rep);
    this.reps.set(name, rep);
  }
}
