// direct-resume: ThreadedHandlers → ThreadedHandlers (marks operation clauses; optional: --without direct-resume)
// Example: `case <Op(x) => k> -> var y = k(()); y + x`
//   (op Op (x) k (seq (let-app y (k ())) …))  ⇒  (op Op (x) (direct k) (seq (let-app y (k ())) …))
// A clause is `direct` when its continuation is `_`, or a variable the body only ever calls, at
// most once on any path (ir/handlers.ts `isDirect`). The code generator then resumes such a
// continuation in place — the deep handler's function called on it, or a bare `resume` for a
// shallow one — instead of allocating a closure over a one-shot box for `k` and checking the box
// on every call: a call that runs at most once cannot be a second resumption.
// Needs: ThreadedHandlers (unique binder names). Guarantees: every clause marked direct passes
// `isDirect`; nothing else changes.
import { type TComp, type TOpClause, type ThreadedProgram, isDirect, threadedKit } from "../ir/handlers.js";

export function directResume(p: ThreadedProgram): ThreadedProgram {
  return {
    ...p,
    functions: p.functions.map((f) => ({ ...f, body: mark(f.body) })),
    handlers: p.handlers.map((h) => ({ ...h, ops: h.ops.map(clause), ret: { ...h.ret, body: mark(h.ret.body) } })),
    main: mark(p.main),
  };
}

const clause = (o: TOpClause): TOpClause => ({ ...o, body: mark(o.body), direct: isDirect(o) });

function mark(c: TComp): TComp {
  return threadedKit.translateChain(c, mark, (t) =>
    t.tag === "ShallowHandle" ? { ...t, ops: t.ops.map(clause), ret: { ...t.ret, body: mark(t.ret.body) } } : threadedKit.mapChildComps(t, mark));
}
