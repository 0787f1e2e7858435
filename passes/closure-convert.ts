// closure-convert: ANF → Closed
// Example: `fun add(n) { fun(x) { x + n } } add(1)(2)`
//   ⇒ (define (add n) (captures) (seq (let t (closure t n)) (return t)))
//      (define (t x) (captures n) (tail + x n))
//      (main (seq (letrec (add (closure add))) (let-app t_1 (call add 1)) (tail (t_1 2))))
// Needs: ANF with unique binders. Guarantees: no lambdas remain; every lambda is a lifted
// function named after its binder, capturing exactly its free variables except closed
// functions (those that capture nothing, transitively: their closures are constants); a call
// whose callee is a function binder, with as many arguments as it has parameters, is `known`.
import type { CPat } from "../ir/core.js";
import type * as A from "../ir/anf.js";
import { anfKit } from "../ir/anf.js";
import type { Atom, Binder, ClosedProgram, Comp, Fn, MakeClosure, Value } from "../ir/closed.js";

const { everyComp, freeAtoms, boundNames, translate } = anfKit;

export function closureConvert(p: A.AnfProgram): ClosedProgram {
  const lams = new Map<string, A.Lam>();
  collectLams(p.body, lams);
  // free variables of each lambda, then the closed ones by fixpoint
  const fv = new Map<string, Set<string>>();
  for (const [name, lam] of lams) fv.set(name, freeOfLam(lam));
  // names not bound anywhere in the program are primitives: they never make a function open
  const binders = boundNames(p.body);
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
  return { functions: conv.functions, main, resultType: p.resultType, topOps: p.topOps, typeSyntax: p.typeSyntax };
}

/** Every lambda's binder (let or letrec) → the lambda. */
function collectLams(c: A.Comp, out: Map<string, A.Lam>): void {
  everyComp(c, (x) => {
    if (x.tag === "Let" && x.value.tag === "Lam") out.set(x.x.name, x.value);
    if (x.tag === "LetRec") x.binds.forEach((b) => out.set(b.x.name, b.value));
  });
}

/** Free variables of a lambda (names not bound inside it; primitives included, filtered later). */
function freeOfLam(l: A.Lam): Set<string> {
  const params = new Set(l.params.map((q) => q.name));
  return new Set([...freeAtoms(l.body).keys()].filter((n) => !params.has(n)));
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
          const { x, fn, args, span } = c;
          this.types.set(x.name, x);
          const known = this.known(fn, args);
          chain.push((body) => ({ tag: "LetApp", x, fn, args, known, span, body }));
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
          const binds = c.binds.map((b) => ({ x: b.x, value: this.lift(b.x.name, b.value) }));
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

  /** A tail computation: a call gets `known`; the others only have their computations converted. */
  private tail(c: A.Comp): Comp {
    if (c.tag === "App") return { ...c, known: this.known(c.fn, c.args) };
    // the binders of patterns and handler parameters, so that lambdas inside can capture them
    if (c.tag === "Handle") c.params.forEach((q) => this.types.set(q.x.name, q.x));
    if (c.tag === "Case") c.clauses.forEach((k) => this.patTypes(k.pat));
    if (c.tag === "Handle") [...c.ops.flatMap((o) => [...o.args, ...(o.k ? [o.k] : [])]), c.ret.pat].forEach((q) => this.patTypes(q));
    // ANF and Closed share these forms: only the computations inside change language
    return translate(c, (x) => this.comp(x));
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
