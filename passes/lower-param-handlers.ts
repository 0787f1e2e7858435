// lower-param-handlers: Handlers → ThreadedHandlers
// Example: `handle (body) (s <- 0) { case Get(k) -> k(s, s) … }`
//   (handle-call handler_2 (closure handlee_1) (args) (params (s:eq t_3)))
//   ⇒ (handle-call handler_2 (closure handlee_1) (args t_3))
// A handler's parameters become values threaded through its resume loop: the handler function
// takes them after its free variables; the handle site passes the initial values as the last
// arguments; a resumption `k(v, s1, …)` (built by the code generator) passes the new ones back to
// the handler function together with the resumed continuation.
// Needs: Handlers. Guarantees: no handle-call has `params`; a handler function's `params` are
// the last parameters of its resume loop, in order.
import { type Comp, type HandlersProgram, type TComp, type ThreadedProgram, handlersKit } from "../ir/handlers.js";

export function lowerParamHandlers(p: HandlersProgram): ThreadedProgram {
  return {
    ...p,
    functions: p.functions.map((f) => ({ ...f, body: lower(f.body) })),
    handlers: p.handlers.map((h) => ({ ...h, ops: h.ops.map((o) => ({ ...o, body: lower(o.body) })), ret: { ...h.ret, body: lower(h.ret.body) } })),
    main: lower(p.main),
  };
}

function lower(c: Comp): TComp {
  return handlersKit.translateChain(c, lower, (t) =>
    t.tag === "HandleCall" ? { ...t, args: [...t.args, ...t.params.map((q) => q.init)], params: [] } : handlersKit.translate(t, lower));
}
