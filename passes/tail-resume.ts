// tail-resume: ThreadedHandlers → ThreadedHandlers (wasmfx) and CPS → CPS (cps); marks operation
// clauses `inPlace`; optional: --without tail-resume. The same decision on each backend's language.
// Example: `handle(loop())(s <- n) { case <Get => k> -> k(s, s) case <Set(x) => k> -> k((), x) … }`
//   (op Get () (direct k) (tail (k s s)))  ⇒  (op Get () (in-place k) (tail (k s s)))
// A deep handler's clause is in place when its `k` is a variable that the body calls exactly once
// on every path, in tail position, and uses nowhere else, and the body performs nothing before
// that call: no `do`, no handler, no process, no call of a closure or of a function that may
// perform (ir/handlers.ts `inPlaceReason`; on CPS, no push, jump or handler: ir/cps.ts
// `cpsInPlaceReason`). An operation is in place in a handler only when all its clauses there are.
// The code generators then run `do Op` as a call of the clause, found by walking the handlers
// installed around it (a chain of handler records: codegen-evidence.ts on wasmfx, the
// handler-frame list on cps), with no stack switch and no captured continuation; `k(v, s1)` sets
// the handler's parameters and returns v. Other clauses, shallow handlers' clauses (the handler is
// gone after the operation: they keep the general path) and programs whose processes switch
// stacks on wasmfx (scheduler levels past `mailbox`: ir/handlers.ts `inPlaceLevel`) stay as they
// are. Design and rejected alternatives: docs/tail-resumptive.md.
// Needs: ThreadedHandlers after direct-resume (unique binder names), or CPS. Guarantees: every
// clause marked inPlace passes inPlaceReason / cpsInPlaceReason, with every clause of its
// operation in its handler; nothing else changes.
import { type THandlerFn, type ThreadedProgram, inPlaceLevel, inPlaceReason, performFreeFunctions } from "../ir/handlers.js";
import { type CpsProgram, type HandlerDef, cpsInPlaceReason } from "../ir/cps.js";

/** The wasmfx pipeline's tail-resume: deep handlers' clauses in ThreadedHandlers. */
export function tailResume(p: ThreadedProgram): ThreadedProgram {
  if (!inPlaceLevel(p.actors?.level)) return p;
  const free = performFreeFunctions(p.functions);
  return { ...p, handlers: p.handlers.map((h) => mark(h, (o) => inPlaceReason(o, free, [...h.free, ...h.params].map((b) => b.name)) === undefined)) };
}

/** The cps pipeline's tail-resume: deep handlers' clauses in CPS. */
export function tailResumeCps(p: CpsProgram): CpsProgram {
  return { ...p, handlers: p.handlers.map((h) => (h.shallow ? h : mark(h, (o) => cpsInPlaceReason(o) === undefined))) };
}

/** h with every clause of each operation whose clauses all qualify marked inPlace. */
function mark<H extends THandlerFn | HandlerDef>(h: H, qualifies: (o: H["ops"][number]) => boolean): H {
  const ok = new Map<string, boolean>();
  for (const o of h.ops) ok.set(o.op, (ok.get(o.op) ?? true) && qualifies(o));
  return { ...h, ops: h.ops.map((o) => (ok.get(o.op) ? { ...o, inPlace: true } : o)) };
}
