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
// is a variable (or `_`) that the body only calls, at most once on any path; and a deep handler's
// clauses `(in-place k)` (tail-resume): the body calls `k` exactly once, in tail position, and
// performs nothing (`inPlaceReason`), so a `do` can run the clause where it is.
import type { SExp } from "./common.js";
import type { CPat } from "./core.js";
import { tUnit } from "./types.js";
import * as K from "./kit.js";
import { type Atom, type Binder, type BoxedL, type FnOf, type Level, type ProgramOf, type Rep, binderToSExp, boxedDef, checkCoercion, printProgram, repStyle } from "./boxed.js";
import { checkFunctions } from "./closed.js";
import { PRIMITIVE_NAMES, isPrimitiveCall } from "./kit-check.js";
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
/** ThreadedHandlers: Handlers whose operation clauses may be marked `direct` (direct-resume) and `inPlace` (tail-resume). */
export interface ThreadedL extends FromBoxed { opClause: { direct?: boolean; inPlace?: boolean }; add: HandleCall | ShallowHandle<ThreadedL>; drop: "Handle" }

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
  return ["handler", h.name, ["free", ...h.free.map(binderToSExp)], ["params", ...h.params.map(binderToSExp)], ...inPlaceS(h.ops, K.opClausesS(h.ops, h.ret, pr))];
}
/** Operation clauses as the kit prints them, those marked `inPlace` with `(in-place k)` for their continuation. */
export function inPlaceS(ops: K.Node[], printed: SExp[]): SExp[] {
  return printed.map((s, i) => {
    const o = ops[i];
    if (!o?.inPlace || !Array.isArray(s)) return s;
    const k = s[3]!;
    return [s[0]!, s[1]!, s[2]!, ["in-place", Array.isArray(k) ? k[1]! : k], ...s.slice(4)];
  });
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
 * left on a handle-call, every clause marked `direct` deserves it, and every clause marked
 * `inPlace` too (a deep handler's, at a scheduler level with one stack, with all clauses of its
 * operation: `inPlaceReason`).
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
    if (o.inPlace) err(`operation clause ${o.op} of a shallow handler is marked in-place`);
  };
  const bound = K.kit<Unit, unknown, Atom>(def).boundNames;
  // (only when a clause is marked; a form of another language is reported by the checks below)
  let free: Set<string> | undefined;
  const reason = (o: TOpClause, outer: string[]) => {
    try {
      free ??= performFreeFunctions(p.functions as never, bound);
      return inPlaceReason(o, free, outer, bound);
    } catch { return undefined; }
  };
  const inPlace = (h: HandlerFnOf<K.Node, K.Node>, err: (m: string) => void) => {
    for (const o of h.ops) {
      if (!o.inPlace) continue;
      if (!inPlaceLevel(p.actors?.level)) err(`operation clause ${o.op} is marked in-place at scheduler level ${p.actors?.level}`);
      const why = reason(o as unknown as TOpClause, [...h.free, ...h.params].map((b) => b.name));
      if (why) err(`operation clause ${o.op} is marked in-place but ${why}`);
      if (h.ops.some((x) => x.op === o.op && !x.inPlace)) err(`operation ${o.op} has clauses in place and clauses not`);
    }
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
  if (threaded) for (const h of p.handlers) {
    const err = (m: string) => errs.push(`handler ${h.name}: ${m}`);
    h.ops.forEach((o) => { if (o.direct && !isDirect(o as unknown as TOpClause)) err(`operation clause ${o.op} is marked direct but its continuation is used otherwise`); });
    inPlace(h, err);
  }
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

// ---------------------------------------------------------------- in place (tail-resume)
/**
 * Whether in-place clauses may run at this scheduler level on the wasmfx backend: the handler
 * chain they are looked up in is one global (codegen-evidence.ts), which processes switching
 * stacks would each need their own copy of. Levels none and mailbox have one stack.
 */
export const inPlaceLevel = (level: Level | undefined): boolean => level === undefined || level === "none" || level === "mailbox";

type Unit = TComp | SComp;
/** The names bound in a computation, by its language's kit (ThreadedHandlers' or Scheduled's). */
type BoundNames = (c: Unit, out?: Set<string>) => Set<string>;
const UNIT_RETURN = { tag: "Return", atom: { tag: "Lit", lit: { kind: "Bool", value: true }, rep: "i32", type: tUnit } } as unknown as Unit;
/** f's value, computed on the first call */
const lazy = <T>(f: () => T): (() => T) => { let v: T | undefined; return () => (v ??= f()); };
/** recv, yield, %tick: primitives that may switch to another process */
const SWITCHING = new Set(["recv", "yield", "%tick"]);

/**
 * Why clause o cannot run in place (undefined: it can). It can when `k` is a variable that the
 * body calls exactly once on every path, in tail position, and uses nowhere else, and the body
 * performs nothing on the way: no `do`, no handler, no process form, no call of a closure or of a
 * function outside `free` (performFreeFunctions), no primitive that may switch processes.
 * `outer`: the handler's free variables and parameters (they may shadow a primitive's name).
 */
export function inPlaceReason(o: TOpClause, free: ReadonlySet<string>, outer: string[] = [], bound: BoundNames = threadedKit.boundNames as BoundNames): string | undefined {
  if (o.k?.tag !== "PVar") return "its continuation is not a variable";
  const k = o.k.name;
  const locals = lazy(() => bound(o.body, new Set([...outer, ...o.args.flatMap((q) => K.patBinds(q).map((b) => b.name)), k])));
  return tailResumes(o.body as Unit, k, free, locals);
}

/** Why c does not end in exactly one tail call of `k` on every path, performing nothing before it. */
function tailResumes(c: Unit, k: string, free: ReadonlySet<string>, locals: () => ReadonlySet<string>): string | undefined {
  const uses = (atoms: Atom[]) => atoms.some((a) => a.tag === "Var" && a.name === k);
  for (;;) {
    switch (c.tag) {
      case "Let": case "LetRec": case "LetApp": case "LetComp": {
        // the binding alone (its body is the rest of this chain)
        const why = c.tag === "LetComp" ? performs(c.comp, k, free, locals) : performs({ ...c, body: UNIT_RETURN } as Unit, k, free, locals);
        if (why) return why;
        c = c.body;
        continue;
      }
      case "App":
        if (c.fn.tag !== "Var" || c.fn.name !== k) return "it ends in a call other than of its continuation";
        return uses(c.args) ? "its continuation is passed to itself" : undefined;
      case "If": return uses([c.cond]) ? "its continuation is used as a value" : tailResumes(c.then, k, free, locals) ?? tailResumes(c.else, k, free, locals);
      case "Case":
        if (uses([c.scrutinee])) return "its continuation is used as a value";
        for (const x of c.clauses) { const why = tailResumes(x.body, k, free, locals); if (why) return why; }
        return undefined;
      case "Return": return "a path returns without resuming";
      default: return performs(c, k, free, locals) ?? "a path does not resume";
    }
  }
}

/** Why c may perform (or handle an operation, or switch processes, or use `k`); undefined: it cannot. */
function performs(c: Unit, k: string | undefined, free: ReadonlySet<string>, locals: () => ReadonlySet<string>): string | undefined {
  const uses = (atoms: Atom[]) => atoms.some((a) => a.tag === "Var" && a.name === k);
  const value = "its continuation is used as a value";
  const call = (fn: Atom, args: Atom[], known: string | undefined) => {
    if (uses(args)) return value;
    if (known) return free.has(known) ? undefined : `it calls ${known}, which may perform`;
    if (fn.tag === "Var" && fn.name === k) return "its continuation is called before the end";
    if (fn.tag !== "Var" || !PRIMITIVE_NAMES.has(fn.name) || !isPrimitiveCall(fn, locals())) return "it calls a closure";
    return SWITCHING.has(fn.name) ? `it calls ${fn.name}` : undefined;
  };
  const todo: Unit[] = [c];
  while (todo.length > 0) {
    const x = todo.pop()!;
    let why: string | undefined;
    switch (x.tag) {
      case "Let": why = uses(valueAtoms(x.value)) ? value : undefined; todo.push(x.body); break;
      case "LetRec": why = x.binds.some((b) => uses(valueAtoms(b.value))) ? value : undefined; todo.push(x.body); break;
      case "LetApp": why = call(x.fn, x.args, x.known); todo.push(x.body); break;
      case "LetComp": todo.push(x.comp, x.body); break;
      case "App": why = call(x.fn, x.args, x.known); break;
      case "Return": why = uses([x.atom]) ? value : undefined; break;
      case "If": why = uses([x.cond]) ? value : undefined; todo.push(x.then, x.else); break;
      case "Case": why = uses([x.scrutinee]) ? value : undefined; todo.push(...x.clauses.map((q) => q.body)); break;
      case "Do": why = `it performs ${x.op}`; break;
      case "HandleCall": case "ShallowHandle": why = "it handles operations"; break;
      case "Spawn": case "Schedule": why = "it uses processes"; break;
    }
    if (why) return why;
  }
  return undefined;
}

/**
 * The functions no call of which can perform: their bodies perform nothing (`performs`) and call
 * only primitives and such functions — a greatest fixpoint over known calls, as mark-pure's.
 */
export function performFreeFunctions(fns: FnOf<Unit>[], bound: BoundNames = threadedKit.boundNames as BoundNames): Set<string> {
  const free = new Set(fns.map((f) => f.name));
  // (a function's local names only matter where it calls a primitive's name: computed then, once)
  const locals = new Map(fns.map((f) => [f.name, lazy(() => bound(f.body, new Set([...f.params, ...f.captured].map((b) => b.name))))]));
  for (let changed = true; changed;) {
    changed = false;
    for (const f of fns) if (free.has(f.name) && performs(f.body, undefined, free, locals.get(f.name)!)) { free.delete(f.name); changed = true; }
  }
  return free;
}
