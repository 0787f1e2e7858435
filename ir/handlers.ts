// Handlers: Boxed after `extract-handlers`, and ThreadedHandlers after `lower-param-handlers`.
//
// A language diff against Boxed (ir/boxed.ts, whose computation union carries the two new forms):
//   - (handle body clauses…)        is gone;
//   + (handle-call H thunk (args…) (params…))  a deep handler: handler function H runs the
//                                   handled computation `thunk` (a closure of no arguments, started
//                                   with cont.new) and resumes it with one clause per operation;
//   + (shallow-handle thunk clauses…)  a shallow handler, handled inline at its site;
//   + (handler H (free…) (params…) clauses…)  a handler function: `free` are the variables its
//                                   clauses use from the handle site (parameters in their own
//                                   representation), `params` the handler parameters (eq).
// ThreadedHandlers (lower-param-handlers) is the same with no `params` on handle-call: the
// initial parameter values are passed as the last `args`, and a resumption `k(v, s1, …)` passes
// the new ones back to H.
import type { SExp } from "./common.js";
import { type Binder, type BoxedProgram, type Clause, type Comp, type OpClause, binderToSExp, opClausesToSExp, printBoxed, validateBoxed } from "./boxed.js";

export interface HandlerFn {
  name: string;
  /** variables the clauses use from the handle site, in their own representation */
  free: Binder[];
  /** the handler's parameters (eq): initial values come with the call, new ones with `k` */
  params: Binder[];
  ops: OpClause[];
  ret: Clause;
}

export interface HandlersProgram extends BoxedProgram {
  handlers: HandlerFn[];
}

function handlerToSExp(h: HandlerFn, p: HandlersProgram): SExp {
  return ["handler", h.name, ["free", ...h.free.map(binderToSExp)], ["params", ...h.params.map(binderToSExp)], ...opClausesToSExp(h.ops, h.ret, p.patReps)];
}

export const printHandlers = (p: HandlersProgram): string => printBoxed(p, p.handlers.map((h) => handlerToSExp(h, p)));

/** Handlers: Boxed's checks, no inline `handle` left, every handle-call names a handler function. */
export function validateHandlers(p: HandlersProgram, threaded = false): string[] {
  const allowed = new Set(["HandleCall", "ShallowHandle", ...(threaded ? [] : ["HandleCall params"])]);
  const bodies: Comp[] = p.handlers.flatMap((h) => [...h.ops.map((o) => o.body), h.ret.body]);
  const errs = validateBoxed(p, allowed, bodies);
  const names = new Set(p.handlers.map((h) => h.name));
  const fns = new Set(p.functions.map((f) => f.name));
  const visit = (c: Comp): void => {
    for (;;) {
      switch (c.tag) {
        case "Let": case "LetApp": case "LetRec": c = c.body; continue;
        case "LetComp": visit(c.comp); c = c.body; continue;
        case "If": visit(c.then); visit(c.else); return;
        case "Case": case "Receive": c.clauses.forEach((k) => visit(k.body)); return;
        case "Spawn": return visit(c.body);
        case "HandleCall":
          if (!names.has(c.handler)) errs.push(`handle-call of unknown handler ${c.handler}`);
          if (!fns.has(c.thunk.fn)) errs.push(`handle-call of unknown function ${c.thunk.fn}`);
          return;
        case "ShallowHandle":
          if (!fns.has(c.thunk.fn)) errs.push(`shallow-handle of unknown function ${c.thunk.fn}`);
          c.ops.forEach((o) => visit(o.body)); visit(c.ret.body); return;
        default: return;
      }
    }
  };
  p.functions.forEach((f) => visit(f.body));
  bodies.forEach(visit);
  visit(p.main);
  return errs;
}

export const validateThreadedHandlers = (p: HandlersProgram): string[] => validateHandlers(p, true);
