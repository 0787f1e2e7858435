// Handlers: Boxed after `extract-handlers`, and ThreadedHandlers after `lower-param-handlers`.
//
// A language diff against Boxed (ir/boxed.ts; `handlersDef = extend(boxedDef, "Handlers", …)` in ir/kit.ts terms):
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
import type { CPat } from "./core.js";
import { tUnit } from "./types.js";
import * as K from "./kit.js";
import { type Atom, type Binder, type BoxedL, type FnOf, type ProgramOf, type Rep, binderToSExp, boxedDef, checkCoercion, printProgram, repStyle } from "./boxed.js";
import { checkFunctions } from "./closed.js";
import { PRIMITIVE_NAMES } from "./kit-check.js";
import type { SComp } from "./scheduled.js";

/**
 * A handled computation (made by extract-handlers): function `fn` applied to `args` (its free
 * variables) and then to one more argument, the value it is first resumed with (ignored).
 */
export interface Thunk { fn: string; args: Atom[] }
/**
 * The function a thunk runs (a handled computation's, a process's): its free variables, then one
 * more parameter, `NAME%start` (eq: the first resume's value, unused; codegen types a process's as
 * the continuation switched from), returning eq.
 */
export function thunkFn<C>(name: string, free: Binder[], body: C): FnOf<C> {
  const start: Binder = { name: `${name}%start`, rep: "eq", type: tUnit };
  return { name, params: [...free, start], captured: [], body, ret: "eq", type: tUnit, prelude: false };
}

/** A deep handler: call handler function `handler` on the handled computation `thunk`. */
export interface HandleCall { tag: "HandleCall"; handler: string; thunk: Thunk; args: Atom[]; params: { x: Binder; init: Atom }[]; rep: Rep }
/** A shallow handler, handled inline: resume `thunk` once, run the clause it stops at. */
export interface ShallowHandle<L extends K.Lang> { tag: "ShallowHandle"; thunk: Thunk; ops: K.OpClause<L>[]; ret: K.Clause<L>; rep: Rep }

type FromBoxed = Omit<BoxedL, "add" | "drop" | "opClause">;
/** Handlers as a diff of Boxed: `Handle` out, `HandleCall` and `ShallowHandle` in. */
export interface HandlersL extends FromBoxed { opClause: object; add: HandleCall | ShallowHandle<HandlersL>; drop: "Handle" }
/** ThreadedHandlers: Handlers whose operation clauses may be marked `direct` (by direct-resume). */
export interface ThreadedL extends FromBoxed { opClause: { direct?: boolean }; add: HandleCall | ShallowHandle<ThreadedL>; drop: "Handle" }

export type Comp = K.Comp<HandlersL>;
export type OpClause = K.OpClause<HandlersL>;
export type Clause = K.Clause<HandlersL>;
export type TComp = K.Comp<ThreadedL>;
export type TOpClause = K.OpClause<ThreadedL>;
export type TClause = K.Clause<ThreadedL>;

export interface HandlerFnOf<O, C> {
  name: string;
  /** variables the clauses use from the handle site, in their own representation */
  free: Binder[];
  /** the handler's parameters (eq): initial values come with the call, new ones with `k` */
  params: Binder[];
  ops: O[];
  ret: { pat: CPat; body: C };
}
export type HandlerFn = HandlerFnOf<OpClause, Comp>;
export type THandlerFn = HandlerFnOf<TOpClause, TComp>;
export type HandlersProgram = ProgramOf<Comp> & { handlers: HandlerFn[] };
export type ThreadedProgram = ProgramOf<TComp> & { handlers: THandlerFn[] };

// ---------------------------------------------------------------- the language
export const thunkS = (t: Thunk, pr: K.Printer): SExp => ["thunk", t.fn, ...t.args.map(pr.atom)];
export const handlersDef: K.LangDef = K.extend(boxedDef, "Handlers", {
  drop: ["Handle"],
  add: {
    HandleCall: {
      children: () => [], map: (c) => c,
      atoms: (c) => [...c.thunk.args, ...c.args, ...c.params.map((q: K.Node) => q.init)],
      print: (c, pr) => ["handle-call", c.handler, thunkS(c.thunk, pr), ["args", ...c.args.map(pr.atom)],
        ...(c.params.length ? [["params", ...c.params.map((q: K.Node) => [pr.binder(q.x), pr.atom(q.init)] as SExp)]] : [])],
    },
    ShallowHandle: {
      children: (c) => [
        ...c.ops.map((o: K.Node) => ({ comp: o.body, binds: K.opClauseBinds(o) })),
        { comp: c.ret.body, binds: K.patBinds(c.ret.pat) },
      ],
      map: (c, f) => ({ ...c, ops: c.ops.map((o: K.Node) => ({ ...o, body: f(o.body) })), ret: { ...c.ret, body: f(c.ret.body) } }),
      atoms: (c) => c.thunk.args,
      print: (c, pr) => ["shallow-handle", thunkS(c.thunk, pr), ...K.opClausesS(c.ops, c.ret, pr)],
    },
  },
});
export const threadedDef: K.LangDef = K.extend(handlersDef, "ThreadedHandlers", {});
export const handlersKit = K.kit<Comp, K.Value<HandlersL>, Atom>(handlersDef);
export const threadedKit = K.kit<TComp, K.Value<ThreadedL>, Atom>(threadedDef);
const { valueAtoms } = threadedKit;

// ---------------------------------------------------------------- printer
export function handlerToSExp(h: HandlerFnOf<K.Node, K.Node>, pr: K.Printer): SExp {
  return ["handler", h.name, ["free", ...h.free.map(binderToSExp)], ["params", ...h.params.map(binderToSExp)], ...K.opClausesS(h.ops, h.ret, pr)];
}
function printWithHandlers(def: K.LangDef, p: ProgramOf<K.Node> & { handlers: HandlerFnOf<K.Node, K.Node>[] }): string {
  const pr = K.kit(def).printer(repStyle(p.patReps));
  return printProgram(def, p as ProgramOf<K.Node, FnOf<K.Node>>, p.handlers.map((h) => handlerToSExp(h, pr)));
}
export const printHandlers = (p: HandlersProgram): string => printWithHandlers(handlersDef, p as never);
export const printThreaded = (p: ThreadedProgram): string => printWithHandlers(threadedDef, p as never);

// ---------------------------------------------------------------- validator
/**
 * Boxed's checks on functions, main and every handler clause (a unit with the handler's free
 * variables and parameters in scope), no inline `handle` left (not a form of the language), every
 * handle-call and shallow-handle names existing functions; `threaded`: no handler parameters
 * left on a handle-call, and every clause marked `direct` deserves it.
 */
export function checkHandlers(def: K.LangDef, p: ProgramOf<K.Node> & { handlers: HandlerFnOf<K.Node, K.Node>[] }, primitives: ReadonlySet<string>, threaded: boolean,
  more: (c: K.Node, err: (m: string) => void) => void = () => {}): string[] {
  const names = new Set(p.handlers.map((h) => h.name));
  const fns = new Set(p.functions.map((f) => f.name));
  const units = p.handlers.flatMap((h) => [
    ...h.ops.map((o) => ({ where: `handler ${h.name} clause ${o.op}`, params: [...h.free, ...h.params, ...K.opClauseBinds(o)], body: o.body })),
    { where: `handler ${h.name} return clause`, params: [...h.free, ...h.params, ...K.patBinds(h.ret.pat)], body: h.ret.body },
  ]);
  const direct = (o: K.Node, err: (m: string) => void) => {
    if (o.direct && !isDirect(o as unknown as TOpClause)) err(`operation clause ${o.op} is marked direct but its continuation is used otherwise`);
  };
  const errs = checkFunctions(def, p as never, primitives, {
    reps: true, patReps: p.patReps, value: checkCoercion, units,
    node: (c, err) => {
      if (c.tag === "HandleCall") {
        if (!names.has(c.handler)) err(`handle-call of unknown handler ${c.handler}`);
        if (!fns.has(c.thunk.fn)) err(`handle-call of unknown function ${c.thunk.fn}`);
        if (threaded && c.params.length > 0) err(`handle-call ${c.handler} still has handler parameters (lower-param-handlers threads them)`);
      }
      if (c.tag === "ShallowHandle") {
        if (!fns.has(c.thunk.fn)) err(`shallow-handle of unknown function ${c.thunk.fn}`);
        if (threaded) c.ops.forEach((o: K.Node) => direct(o, err));
      }
      more(c, err);
    },
  });
  if (threaded) for (const h of p.handlers) h.ops.forEach((o) => direct(o, (m) => errs.push(`handler ${h.name}: ${m}`)));
  return errs;
}
export const validateHandlers = (p: HandlersProgram, primitives: ReadonlySet<string> = PRIMITIVE_NAMES): string[] => checkHandlers(handlersDef, p as never, primitives, false);
export const validateThreadedHandlers = (p: ThreadedProgram, primitives: ReadonlySet<string> = PRIMITIVE_NAMES): string[] => checkHandlers(threadedDef, p as never, primitives, true);

/**
 * Can clause o resume its continuation directly (no closure, no one-shot box)? Yes when `k` is
 * `_` or a variable that the body uses only as the function of a call, at most once on any path.
 */
export function isDirect(o: TOpClause): boolean {
  if (!o.k || o.k.tag === "PAny") return true;
  return o.k.tag === "PVar" && continuationCalls(o.body, o.k.name) <= 1;
}

/** The most calls of `k` on any one path through c; Infinity if `k` is used other than as a callee. */
export function continuationCalls(c: TComp | SComp, k: string): number {
  const escapes = (atoms: Atom[]) => atoms.some((a) => a.tag === "Var" && a.name === k);
  const callee = (fn: Atom, args: Atom[]) => (escapes(args) ? Infinity : escapes([fn]) ? 1 : 0);
  const most = (cs: (TComp | SComp)[]) => Math.max(0, ...cs.map((x) => continuationCalls(x, k)));
  let n = 0;
  for (;;) {
    switch (c.tag) {
      case "Let": if (escapes(valueAtoms(c.value))) return Infinity; c = c.body; continue;
      case "LetApp": n += callee(c.fn, c.args); c = c.body; continue;
      case "LetComp": n += continuationCalls(c.comp, k); c = c.body; continue;
      case "LetRec": if (c.binds.some((b) => escapes(valueAtoms(b.value)))) return Infinity; c = c.body; continue;
      case "Return": return escapes([c.atom]) ? Infinity : n;
      case "App": return n + callee(c.fn, c.args);
      case "Do": return escapes(c.args) ? Infinity : n;
      case "If": return escapes([c.cond]) ? Infinity : n + most([c.then, c.else]);
      case "Case": return escapes([c.scrutinee]) ? Infinity : n + most(c.clauses.map((x) => x.body));
      // another process, or another handled computation: its own continuation
      case "Spawn": return ("thunk" in c ? escapes(c.thunk.args) : continuationCalls(c.body, k) > 0) ? Infinity : n;
      case "Schedule": return n;
      case "HandleCall": return escapes([...c.thunk.args, ...c.args, ...c.params.map((q) => q.init)]) ? Infinity : n;
      case "ShallowHandle":
        if (escapes(c.thunk.args)) return Infinity;
        return n + most([...c.ops.map((o) => o.body), c.ret.body]);
    }
  }
}
