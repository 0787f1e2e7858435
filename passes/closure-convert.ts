// closure-convert: ANF → Closed
// Example: `fun add(n) { fun(x) { x + n } } add(1)(2)`
//   ⇒ (define (add n) (captures) (seq (let t (closure t n)) (return t)))
//      (define (t x) (captures n) (tail + x n))
//      (main (seq (letrec (add (closure add))) (let-app t_1 (call add 1)) (tail (t_1 2))))
// Needs: ANF with unique binders. Guarantees: no lambdas remain; every lambda is a lifted
// function named after its binder, capturing exactly its free variables except closed
// functions (those that capture nothing, transitively: their closures are constants); a call
// whose callee is a function binder, with as many arguments as it has parameters, is `known`.
import { internalError } from "../ir/common.js";
import { type CPat, patVars } from "../ir/core.js";
import type * as A from "../ir/anf.js";
import type { Atom, Binder, ClosedProgram, Comp, Fn, MakeClosure, Value } from "../ir/closed.js";

export function closureConvert(p: A.AnfProgram): ClosedProgram {
  const lams = new Map<string, A.Lam>();
  collectLams(p.body, lams);
  // free variables of each lambda, then the closed ones by fixpoint
  const fv = new Map<string, Set<string>>();
  for (const [name, lam] of lams) fv.set(name, freeOfLam(lam));
  // names not bound anywhere in the program are primitives: they never make a function open
  const binders = allBinders(p.body);
  const closed = new Set(lams.keys());
  for (let changed = true; changed;) {
    changed = false;
    for (const name of closed) {
      for (const v of fv.get(name)!) {
        if (binders.has(v) && !closed.has(v)) { closed.delete(name); changed = true; break; }
      }
    }
  }
  const conv = new Converter(lams, fv, closed);
  const main = conv.comp(p.body);
  return { functions: conv.functions, main, preludeBindings: p.preludeBindings, resultType: p.resultType };
}

/** Every name bound in the program (binders are unique after anf). */
function allBinders(c: A.Comp, out = new Set<string>()): Set<string> {
  const lam = (l: A.Lam) => { l.params.forEach((q) => out.add(q.name)); allBinders(l.body, out); };
  const pats = (ps: CPat[]) => ps.forEach((q) => patVars(q).forEach((v) => out.add(v)));
  for (;;) {
    switch (c.tag) {
      case "Let": out.add(c.x.name); if (c.value.tag === "Lam") lam(c.value); c = c.body; continue;
      case "LetRec": c.binds.forEach((b) => { out.add(b.x.name); lam(b.lam); }); c = c.body; continue;
      case "LetApp": out.add(c.x.name); c = c.body; continue;
      case "LetComp": out.add(c.x.name); allBinders(c.comp, out); c = c.body; continue;
      case "If": allBinders(c.then, out); allBinders(c.else, out); return out;
      case "Case": case "Receive": c.clauses.forEach((k) => { pats([k.pat]); allBinders(k.body, out); }); return out;
      case "Handle":
        allBinders(c.body, out);
        c.params.forEach((q) => out.add(q.x.name));
        c.ops.forEach((o) => { pats(o.args); if (o.k) pats([o.k]); allBinders(o.body, out); });
        pats([c.ret.pat]);
        allBinders(c.ret.body, out);
        return out;
      case "Spawn": allBinders(c.body, out); return out;
      case "Return": case "App": case "Do": return out;
    }
  }
}

/** Every lambda's binder (let or letrec) → the lambda. */
function collectLams(c: A.Comp, out: Map<string, A.Lam>): void {
  const lam = (name: string, l: A.Lam) => { out.set(name, l); collectLams(l.body, out); };
  for (;;) {
    switch (c.tag) {
      case "Let": if (c.value.tag === "Lam") lam(c.x.name, c.value); c = c.body; continue;
      case "LetRec": c.binds.forEach((b) => lam(b.x.name, b.lam)); c = c.body; continue;
      case "LetApp": c = c.body; continue;
      case "LetComp": collectLams(c.comp, out); c = c.body; continue;
      case "If": collectLams(c.then, out); collectLams(c.else, out); return;
      case "Case": case "Receive": c.clauses.forEach((k) => collectLams(k.body, out)); return;
      case "Handle": collectLams(c.body, out); c.ops.forEach((o) => collectLams(o.body, out)); collectLams(c.ret.body, out); return;
      case "Spawn": collectLams(c.body, out); return;
      case "Return": case "App": case "Do": return;
    }
  }
}

/** Free variables of a lambda (names not bound inside it; primitives included, filtered later). */
function freeOfLam(l: A.Lam): Set<string> {
  const out = new Set<string>();
  freeComp(l.body, new Set(l.params.map((q) => q.name)), out);
  return out;
}

function freeComp(c: A.Comp, bound: Set<string>, out: Set<string>): void {
  const atom = (a: A.Atom, b: Set<string>) => { if (a.tag === "Var" && !b.has(a.name)) out.add(a.name); };
  const b = new Set(bound);
  for (;;) {
    switch (c.tag) {
      case "Let": freeValue(c.value, b, out); b.add(c.x.name); c = c.body; continue;
      case "LetApp": atom(c.fn, b); c.args.forEach((a) => atom(a, b)); b.add(c.x.name); c = c.body; continue;
      case "LetComp": freeComp(c.comp, b, out); b.add(c.x.name); c = c.body; continue;
      case "LetRec": c.binds.forEach((x) => b.add(x.x.name)); c.binds.forEach((x) => freeValue(x.lam, b, out)); c = c.body; continue;
      case "Return": return atom(c.atom, b);
      case "App": atom(c.fn, b); c.args.forEach((a) => atom(a, b)); return;
      case "If": atom(c.cond, b); freeComp(c.then, b, out); freeComp(c.else, b, out); return;
      case "Case": atom(c.scrutinee, b); c.clauses.forEach((k) => freeComp(k.body, new Set([...b, ...patVars(k.pat)]), out)); return;
      case "Receive": c.clauses.forEach((k) => freeComp(k.body, new Set([...b, ...patVars(k.pat)]), out)); return;
      case "Do": c.args.forEach((a) => atom(a, b)); return;
      case "Spawn": return freeComp(c.body, b, out);
      case "Handle": {
        freeComp(c.body, b, out);
        c.params.forEach((q) => atom(q.init, b));
        const inner = new Set([...b, ...c.params.map((q) => q.x.name)]);
        c.ops.forEach((o) => freeComp(o.body, new Set([...inner, ...o.args.flatMap((a) => patVars(a)), ...(o.k ? patVars(o.k) : [])]), out));
        freeComp(c.ret.body, new Set([...inner, ...patVars(c.ret.pat)]), out);
        return;
      }
    }
  }
}

function freeValue(v: A.Value, b: Set<string>, out: Set<string>): void {
  const atom = (a: A.Atom) => { if (a.tag === "Var" && !b.has(a.name)) out.add(a.name); };
  switch (v.tag) {
    case "Var": case "Lit": return atom(v);
    case "Lam": return freeComp(v.body, new Set([...b, ...v.params.map((q) => q.name)]), out);
    case "Con": if (v.arg) atom(v.arg); return;
    case "Record": v.fields.forEach(([, a]) => atom(a)); if (v.ext) atom(v.ext); return;
    case "Update": atom(v.record); v.fields.forEach(([, a]) => atom(a)); return;
    case "Proj": return atom(v.record);
    case "Nil": return;
    case "Cons": atom(v.head); atom(v.tail); return;
  }
}

class Converter {
  functions: Fn[] = [];
  /** binder name → type, for captured variables */
  private types = new Map<string, Binder>();

  constructor(
    private lams: Map<string, A.Lam>,
    private fv: Map<string, Set<string>>,
    private closed: Set<string>,
  ) {}

  /** What a lambda captures: its free variables that are bound (not primitives), minus closed functions. */
  private captures(name: string): Binder[] {
    return [...this.fv.get(name)!].filter((v) => this.types.has(v) && !this.closed.has(v)).map((v) => this.types.get(v)!);
  }

  private lift(name: string, lam: A.Lam): MakeClosure {
    lam.params.forEach((q) => this.types.set(q.name, q));
    const captured = this.captures(name);
    const body = this.comp(lam.body);
    this.functions.push({ name, params: lam.params, captured, body, type: lam.type, prelude: name.startsWith("%") });
    return { tag: "Closure", fn: name, captured: captured.map((b): Atom => ({ tag: "Var", name: b.name, type: b.type })), type: lam.type };
  }

  private known(fn: Atom, args: Atom[]): string | undefined {
    if (fn.tag !== "Var") return undefined;
    const lam = this.lams.get(fn.name);
    return lam && lam.params.length === args.length ? fn.name : undefined;
  }

  private value(v: A.Value, name: string): Value {
    return v.tag === "Lam" ? this.lift(name, v) : v;
  }

  comp(c: A.Comp): Comp {
    // binding chains are converted iteratively
    const chain: ((body: Comp) => Comp)[] = [];
    for (;;) {
      switch (c.tag) {
        case "Let": {
          const x = c.x;
          this.types.set(x.name, x);
          const v = this.value(c.value, x.name);
          chain.push((body) => ({ tag: "Let", x, value: v, body }));
          c = c.body;
          continue;
        }
        case "LetApp": {
          const { x, fn, args } = c;
          this.types.set(x.name, x);
          const known = this.known(fn, args);
          chain.push((body) => ({ tag: "LetApp", x, fn, args, known, body }));
          c = c.body;
          continue;
        }
        case "LetComp": {
          const x = c.x;
          const inner = this.comp(c.comp);
          this.types.set(x.name, x);
          chain.push((body) => ({ tag: "LetComp", x, comp: inner, body }));
          c = c.body;
          continue;
        }
        case "LetRec": {
          c.binds.forEach((b) => this.types.set(b.x.name, b.x));
          const binds = c.binds.map((b) => ({ x: b.x, closure: this.lift(b.x.name, b.lam) }));
          chain.push((body) => ({ tag: "LetRec", binds, body }));
          c = c.body;
          continue;
        }
      }
      break;
    }
    let tail = this.tail(c);
    for (let i = chain.length - 1; i >= 0; i--) tail = chain[i]!(tail);
    return tail;
  }

  private tail(c: A.Comp): Comp {
    switch (c.tag) {
      case "Return": return c;
      case "App": return { ...c, known: this.known(c.fn, c.args) };
      case "If": return { ...c, then: this.comp(c.then), else: this.comp(c.else) };
      case "Case": case "Receive": {
        const clauses = c.clauses.map((k) => { this.patTypes(k.pat); return { pat: k.pat, body: this.comp(k.body) }; });
        return { ...c, clauses };
      }
      case "Do": return c;
      case "Spawn": return { ...c, body: this.comp(c.body) };
      case "Handle": {
        const body = this.comp(c.body);
        c.params.forEach((q) => this.types.set(q.x.name, q.x));
        const ops = c.ops.map((o) => {
          o.args.forEach((a) => this.patTypes(a));
          if (o.k) this.patTypes(o.k);
          return { ...o, body: this.comp(o.body) };
        });
        this.patTypes(c.ret.pat);
        return { ...c, body, ops, ret: { pat: c.ret.pat, body: this.comp(c.ret.body) } };
      }
      default: throw internalError(`closure-convert: unexpected ${c.tag} in tail position`);
    }
  }

  /** Record the binders of a pattern (so lambdas inside can capture them). */
  private patTypes(p: CPat): void {
    switch (p.tag) {
      case "PVar": this.types.set(p.name, { name: p.name, type: p.type! }); return;
      case "PAs": this.types.set(p.name, { name: p.name, type: p.type! }); this.patTypes(p.pat); return;
      case "PCon": if (p.arg) this.patTypes(p.arg); return;
      case "PRecord": p.fields.forEach(([, q]) => this.patTypes(q)); if (p.rest) this.patTypes(p.rest); return;
      case "PCons": this.patTypes(p.head); this.patTypes(p.tail); return;
      case "PAnnot": this.patTypes(p.pat); return;
      default: return;
    }
  }
}
