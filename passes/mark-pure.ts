// mark-pure: MarkedBoxed → MarkedBoxed (marks functions `pure`; cps backend only; optional: --without mark-pure)
// Example: `fun fib(n) { if (n < 2) n else fib(n - 1) + fib(n - 2) }` ⇒
//   (define (fib n:i64) (env) (returns i64) pure …)   — the cps pass keeps it in direct style.
// A function is pure when no call of it can perform an operation: its body performs none,
// handles none, uses no process, and calls only primitives and pure functions — a greatest
// fixpoint over the known-call graph, so recursion stays pure. A call through a closure counts
// as impure (the closure is not known). Without this pass every function is in CPS (the
// bench's "cps, no selective CPS" column); with it, pure code runs as the wasmfx backend runs it.
// Needs: Boxed with unique variable names per function. Guarantees: only `pure` flags change.
import { type MarkedProgram, impureReason, localNames } from "../ir/cps.js";

export function markPure(p: MarkedProgram): MarkedProgram {
  const pure = new Set(p.functions.map((f) => f.name));
  const locals = new Map(p.functions.map((f) => [f.name, localNames(f.body, [...f.params, ...f.captured])]));
  for (let changed = true; changed;) {
    changed = false;
    for (const f of p.functions) {
      if (pure.has(f.name) && impureReason(f.body, pure, locals.get(f.name)!)) {
        pure.delete(f.name);
        changed = true;
      }
    }
  }
  return { ...p, functions: p.functions.map((f) => ({ ...f, pure: pure.has(f.name) })) };
}
