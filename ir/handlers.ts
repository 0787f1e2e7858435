// Handlers: Boxed after `extract-handlers`, and ThreadedHandlers after `lower-param-handlers`.
//
// A language diff against Boxed (ir/boxed.ts, whose computation union carries the two new forms):
//   - (handle body clauses…)        is gone;
//   + (handle-call H (thunk f a…) (args…) (params…))  a deep handler: handler function H runs the
//                                   handled computation `f(a…)` (f's last parameter takes the value
//                                   of the first resume, unused) and resumes it with one clause per
//                                   operation;
//   + (shallow-handle (thunk f a…) clauses…)  a shallow handler, handled inline at its site;
//   + (handler H (free…) (params…) clauses…)  a handler function: `free` are the variables its
//                                   clauses use from the handle site (parameters in their own
//                                   representation), `params` the handler parameters (eq).
// ThreadedHandlers (lower-param-handlers) is the same with no `params` on handle-call: the
// initial parameter values are passed as the last `args`, and a resumption `k(v, s1, …)` passes
// the new ones back to H. Its operation clauses may be marked `(direct k)` (direct-resume): `k`
// is a variable (or `_`) that the body only calls, at most once on any path.
import type { SExp } from "./common.js";
import { type Atom, type Binder, type BoxedProgram, type Clause, type Comp, type OpClause, binderToSExp, everyComp, opClausesToSExp, printBoxed, valueAtoms, validateBoxed } from "./boxed.js";

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
    if (c.tag === "HandleCall") {
      if (!names.has(c.handler)) errs.push(`handle-call of unknown handler ${c.handler}`);
      if (!fns.has(c.thunk.fn)) errs.push(`handle-call of unknown function ${c.thunk.fn}`);
    }
    if (c.tag === "ShallowHandle" && !fns.has(c.thunk.fn)) errs.push(`shallow-handle of unknown function ${c.thunk.fn}`);
  };
  for (const body of [...p.functions.map((f) => f.body), ...bodies, p.main]) everyComp(body, visit);
  return errs;
}

/** ThreadedHandlers: Handlers' checks, no handler parameters left, every `direct` clause deserves it. */
export function validateThreadedHandlers(p: HandlersProgram): string[] {
  const errs = validateHandlers(p, true);
  // every operation clause: the handler functions' and the shallow handlers' anywhere
  const all: OpClause[] = p.handlers.flatMap((h) => h.ops);
  const bodies = [...p.functions.map((f) => f.body), p.main, ...p.handlers.flatMap((h) => [...h.ops.map((o) => o.body), h.ret.body])];
  for (const body of bodies) everyComp(body, (c) => { if (c.tag === "ShallowHandle") all.push(...c.ops); });
  for (const o of all) {
    if (o.direct && !isDirect(o)) errs.push(`operation clause ${o.op} is marked direct but its continuation is used otherwise`);
  }
  return errs;
}

/**
 * Can clause o resume its continuation directly (no closure, no one-shot box)? Yes when `k` is
 * `_` or a variable that the body uses only as the function of a call, at most once on any path.
 */
export function isDirect(o: OpClause): boolean {
  if (!o.k || o.k.tag === "PAny") return true;
  return o.k.tag === "PVar" && continuationCalls(o.body, o.k.name) <= 1;
}

/** The most calls of `k` on any one path through c; Infinity if `k` is used other than as a callee. */
export function continuationCalls(c: Comp, k: string): number {
  const escapes = (atoms: Atom[]) => atoms.some((a) => a.tag === "Var" && a.name === k);
  const callee = (fn: Atom, args: Atom[]) => (escapes(args) ? Infinity : escapes([fn]) ? 1 : 0);
  const most = (cs: Comp[]) => Math.max(0, ...cs.map((x) => continuationCalls(x, k)));
  let n = 0;
  for (;;) {
    switch (c.tag) {
      case "Let": if (escapes(valueAtoms(c.value))) return Infinity; c = c.body; continue;
      case "LetApp": n += callee(c.fn, c.args); c = c.body; continue;
      case "LetComp": n += continuationCalls(c.comp, k); c = c.body; continue;
      case "LetRec": if (c.binds.some((b) => escapes(valueAtoms(b.closure)))) return Infinity; c = c.body; continue;
      case "Return": return escapes([c.atom]) ? Infinity : n;
      case "App": return n + callee(c.fn, c.args);
      case "Do": return escapes(c.args) ? Infinity : n;
      case "If": return escapes([c.cond]) ? Infinity : n + most([c.then, c.else]);
      case "Case": return escapes([c.scrutinee]) ? Infinity : n + most(c.clauses.map((x) => x.body));
      case "Receive": return n + most(c.clauses.map((x) => x.body));
      // another process, or another handled computation: its own continuation
      case "Spawn": return continuationCalls(c.body, k) > 0 ? Infinity : n;
      case "Handle": return Infinity;
      case "HandleCall": return escapes([...c.thunk.args, ...c.args, ...c.params.map((q) => q.init)]) ? Infinity : n;
      case "ShallowHandle":
        if (escapes(c.thunk.args)) return Infinity;
        return n + most([...c.ops.map((o) => o.body), c.ret.body]);
    }
  }
}
