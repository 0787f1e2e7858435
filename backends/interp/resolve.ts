// Lexical addresses for the interpreter: before a run, each variable occurrence in Core gets the
// number of environment nodes between it and its binder (`depth`), computed with a scope that
// grows exactly as the machine pushes Env nodes (machine.ts: one per binder — let, each function
// of a letrec, each parameter, each pattern variable in matchPat's order, a handler's parameters
// before its clauses' patterns). Without it, the machine's first lookup of each occurrence walked
// the environment by name: O(bindings) per occurrence, quadratic on long programs (100,000
// top-level statements). Occurrences of primitives (bound nowhere) get depth -1. The machine
// checks the name at the address it is given and falls back to a search, so a resolver that ever
// disagreed with the machine would cost time, not correctness.
import { type CExpr, type CPat, patVars } from "../../ir/core.js";

export function resolveAddresses(root: CExpr): void {
  /** innermost binder last; `index` maps a name to its positions in `scope` */
  const scope: string[] = [];
  const index = new Map<string, number[]>();
  const push = (n: string) => {
    let ps = index.get(n);
    if (!ps) index.set(n, (ps = []));
    ps.push(scope.length);
    scope.push(n);
  };
  const pop = (k: number) => {
    for (let i = 0; i < k; i++) index.get(scope.pop()!)!.pop();
  };
  const pats = (ps: (CPat | undefined)[]) => {
    let k = 0;
    for (const p of ps) if (p) for (const n of patVars(p)) { push(n); k++; }
    return k;
  };
  const under = (names: string[], body: CExpr) => {
    names.forEach(push);
    go(body);
    pop(names.length);
  };

  function go(e: CExpr): void {
    // a chain of lets and letrecs (a block, the whole program) iteratively: it may be very long
    let pushed = 0;
    while (e.tag === "Let" || e.tag === "LetRec") {
      if (e.tag === "Let") {
        go(e.rhs);
        push(e.name);
        pushed++;
      } else {
        for (const b of e.binds) push(b.name);
        pushed += e.binds.length;
        for (const b of e.binds) go(b.fn);
      }
      e = e.body;
    }
    one(e);
    pop(pushed);
  }

  function one(e: CExpr): void {
    switch (e.tag) {
      case "Var": {
        const ps = index.get(e.name);
        const at = ps?.[ps.length - 1];
        // a name bound nowhere is a primitive: -1 tells the machine not to search for it
        (e as { depth?: number }).depth = at === undefined ? -1 : scope.length - 1 - at;
        return;
      }
      case "Lit": case "Nil": return;
      case "Lam": return under(e.params, e.body);
      case "Case": case "Receive":
        if (e.tag === "Case") go(e.scrutinee);
        for (const c of e.clauses) { const k = pats([c.pat]); go(c.body); pop(k); }
        return;
      case "Handle": {
        for (const q of e.params) go(q.init);
        go(e.body);
        const params = e.params.map((q) => q.name);
        params.forEach(push);
        { const k = pats([e.ret.pat]); go(e.ret.body); pop(k); }
        for (const o of e.ops) { const k = pats([...o.args, o.k]); go(o.body); pop(k); }
        pop(params.length);
        return;
      }
      default: {
        // every other form evaluates its sub-expressions in the same scope
        const subs: CExpr[] = [];
        switch (e.tag) {
          case "App": subs.push(e.fn, ...e.args); break;
          case "If": subs.push(e.cond, e.then, e.else); break;
          case "Con": if (e.arg) subs.push(e.arg); break;
          case "Record": subs.push(...e.fields.map(([, x]) => x), ...(e.ext ? [e.ext] : [])); break;
          case "Proj": subs.push(e.expr); break;
          case "Update": subs.push(e.record, ...e.fields.map(([, x]) => x)); break;
          case "Cons": subs.push(e.head, e.tail); break;
          case "Do": subs.push(...e.args); break;
          case "Spawn": subs.push(e.body); break;
          case "Annot": subs.push(e.expr); break;
        }
        for (const s of subs) go(s);
      }
    }
  }
  go(root);
}
