// CPS: Boxed in continuation-passing style, for the cps backend. Produced by `cps`.
//
// Every CPS function takes, after its parameters, the current continuation: a stack of pure
// frames `k` (the rest of the enclosing function bodies, innermost first, ending where the
// nearest handler begins) and a stack of handler frames `h`. Nothing returns to a caller: a
// computation ends by passing a value to `k` or by a tail call. Compared with Boxed:
//   (push F a…)            k := a frame of frame function F over a… on top of k; then the body
//   (jump f a…)            a tail call of a CPS function or closure with the same k and h
//   (return a)             pass a to k (to the handler frame's return clause when k is empty)
//   (do Op a…)             find the innermost handler of Op in h, capture the frames up to it
//   (handle H (env a…) (params b…) body)   h := a frame of handler H (its clauses' free
//                          variables a…, parameter values b…) over k and h; k := empty; then body
//   (spawn kind F a…)      a new process (spawn, spawnAngel, spawnWait) running frame F over a…
//                          on an empty continuation; the pid (or, spawnWait, its result) to k
//   (recv)                 the next message of the running process to k (it waits when there is none)
//   (let-app x (call f a…)) only for a primitive or a function that stays in direct style
//   (let-comp x c)          c is a Boxed computation in direct style (no call that may perform)
// A frame function (frame F (env …) x body) receives the value `x` returned to its frame; a
// handler (handler H shallow? (env …) (params …) clauses…) holds the operation clauses (their
// `k` is the resumption, a closure) and the return clause, all in CPS. Functions that perform
// no operation (marked `pure` by mark-pure) stay in direct style (Boxed) and get a CPS twin
// `f%cps`, run when direct calls nest too deeply.
import { type SExp, sexp } from "./common.js";
import type { CPat } from "./core.js";
import { type Atom, type Binder, type Comp, type Fn, type MakeClosure, type Rep, type Value, atomS, binderToSExp, bindingToSExp, callToSExp, patWithReps, childComps, compToSExp, everyComp, valueAtoms, validateBoxed } from "./boxed.js";
import { patVars } from "./core.js";
import { PRIMITIVES } from "../prelude/primitives.js";
import { type Type, printType } from "./types.js";

export type CComp =
  | { tag: "Let"; x: Binder; value: Value; body: CComp }
  | { tag: "LetApp"; x: Binder; fn: Atom; args: Atom[]; known: string | undefined; body: CComp }
  | { tag: "LetComp"; x: Binder; comp: Comp; body: CComp }
  | { tag: "LetRec"; binds: { x: Binder; closure: MakeClosure }[]; body: CComp }
  | { tag: "Push"; frame: string; captured: Atom[]; body: CComp }
  | { tag: "Return"; atom: Atom }
  | { tag: "Jump"; fn: Atom; args: Atom[]; known: string | undefined }
  | { tag: "If"; cond: Atom; then: CComp; else: CComp }
  | { tag: "Case"; scrutinee: Atom; clauses: CClause[] }
  | { tag: "Do"; op: string; args: Atom[] }
  | { tag: "Handle"; handler: string; env: Atom[]; params: Atom[]; body: CComp }
  | { tag: "Spawn"; kind: "spawn" | "spawnWait" | "spawnAngel"; frame: string; captured: Atom[] }
  | { tag: "Recv" };

export interface CClause { pat: CPat; body: CComp }

export interface CpsFn {
  name: string;
  params: Binder[];
  /** environment slots (eq), as in Boxed */
  captured: Binder[];
  body: CComp;
  type: Type;
  prelude: boolean;
}

/** The code after a non-tail call: `captured` are its fields (own representations), `x` the value. */
export interface FrameFn { name: string; captured: Binder[]; x: Binder; body: CComp; prelude: boolean }

export interface HandlerDef {
  name: string;
  shallow: boolean;
  /** the clauses' free variables, in their own representations */
  env: Binder[];
  /** handler parameters: initial values at the handle, new ones passed to `k` after the value */
  params: Binder[];
  ops: { op: string; args: CPat[]; k: CPat | undefined; body: CComp }[];
  ret: CClause;
  prelude: boolean;
}

export interface CpsProgram {
  /** functions that stay in direct style (Boxed); each has a CPS twin `name%cps` in `functions` */
  direct: Fn[];
  functions: CpsFn[];
  frames: FrameFn[];
  handlers: HandlerDef[];
  /** main in direct style when it performs nothing, else in CPS */
  main: { direct: Comp } | { cps: CComp };
  preludeBindings: number;
  resultType: Type;
  patReps: Map<string, Rep>;
}

/** The name of the CPS twin of a direct function. */
export const cpsTwin = (f: string) => `${f}%cps`;

// ---------------------------------------------------------------- traversal
export function cchildren(c: CComp): CComp[] {
  switch (c.tag) {
    case "Let": case "LetApp": case "LetComp": case "LetRec": case "Push": case "Handle": return [c.body];
    case "If": return [c.then, c.else];
    case "Case": return c.clauses.map((k) => k.body);
    case "Return": case "Jump": case "Do": case "Spawn": case "Recv": return [];
  }
}

/** Call `f` on c and every CPS computation inside it (iteratively). */
export function everyCComp(c: CComp, f: (x: CComp) => void): void {
  const todo = [c];
  while (todo.length > 0) {
    const x = todo.pop()!;
    f(x);
    todo.push(...cchildren(x));
  }
}

// ---------------------------------------------------------------- printer
export function ccompToSExp(c: CComp, reps: Map<string, Rep>): SExp {
  const items: SExp[] = [];
  const go = (x: CComp) => ccompToSExp(x, reps);
  for (;;) {
    switch (c.tag) {
      case "Let": case "LetApp": case "LetComp": case "LetRec": items.push(bindingToSExp(c, reps)); c = c.body; continue;
      case "Push": items.push(["push", c.frame, ...c.captured.map(atomS)]); c = c.body; continue;
      case "Handle": items.push(["handle", c.handler, ["env", ...c.env.map(atomS)], ["params", ...c.params.map(atomS)]]); c = c.body; continue;
    }
    break;
  }
  let tail: SExp;
  switch (c.tag) {
    case "Return": tail = ["return", atomS(c.atom)]; break;
    case "Jump": tail = ["jump", callToSExp(c.fn, c.args, c.known)]; break;
    case "If": tail = ["if", atomS(c.cond), go(c.then), go(c.else)]; break;
    case "Case": tail = ["case", atomS(c.scrutinee), ...c.clauses.map((k) => [patWithReps(k.pat, reps), go(k.body)] as SExp)]; break;
    case "Do": tail = ["do", c.op, ...c.args.map(atomS)]; break;
    case "Spawn": tail = [c.kind, c.frame, ...c.captured.map(atomS)]; break;
    case "Recv": tail = ["recv"]; break;
  }
  return items.length === 0 ? tail : ["seq", ...items, tail];
}

export function printCps(p: CpsProgram): string {
  const r = p.patReps;
  const direct = p.direct.filter((f) => !f.prelude).map((f): SExp =>
    ["define-direct", [f.name, ...f.params.map(binderToSExp)], ["env", ...f.captured.map(binderToSExp)], ["returns", f.ret], compToSExp(f.body, r)]);
  const fns = p.functions.filter((f) => !f.prelude).map((f): SExp =>
    ["define", [f.name, ...f.params.map(binderToSExp)], ["env", ...f.captured.map(binderToSExp)], ccompToSExp(f.body, r)]);
  // frames and handlers made from prelude functions are left out with them
  const frames = p.frames.filter((f) => !f.prelude).map((f): SExp => ["frame", f.name, ["env", ...f.captured.map(binderToSExp)], binderToSExp(f.x), ccompToSExp(f.body, r)]);
  const handlers = p.handlers.filter((h) => !h.prelude).map((h): SExp => [
    "handler", h.name, ...(h.shallow ? ["shallow"] : []), ["env", ...h.env.map(binderToSExp)], ["params", ...h.params.map(binderToSExp)],
    ...h.ops.map((o) => ["op", o.op, o.args.map((q) => patWithReps(q, r)), o.k ? patWithReps(o.k, r) : "_", ccompToSExp(o.body, r)] as SExp),
    ["return", patWithReps(h.ret.pat, r), ccompToSExp(h.ret.body, r)],
  ]);
  // (main without the prelude's bindings, as printBoxed shows it)
  const skip = <C extends { tag: string }>(c: C): C => {
    for (let i = 0; i < p.preludeBindings && ["Let", "LetApp", "LetComp", "LetRec"].includes(c.tag); i++) c = (c as unknown as { body: C }).body;
    return c;
  };
  const main: SExp = "direct" in p.main ? ["main-direct", compToSExp(skip(p.main.direct), r)] : ["main", ccompToSExp(skip(p.main.cps), r)];
  return sexp(["program", ...direct, ...fns, ...frames, ...handlers, main, ["result-type", printType(p.resultType)]]);
}

// ---------------------------------------------------------------- validator
/**
 * Boxed's representation checks on the direct parts and: every push names a frame function and
 * gives it as many values as it has fields, every handle names a handler, every jump or direct
 * call of a known function goes to a function of the right style, a direct computation calls no
 * closure, and every name is defined once.
 */
export function validateCps(p: CpsProgram): string[] {
  const errs: string[] = [];
  const direct = new Set(p.direct.map((f) => f.name));
  const cps = new Set(p.functions.map((f) => f.name));
  const frames = new Map(p.frames.map((f) => [f.name, f]));
  const handlers = new Set(p.handlers.map((h) => h.name));
  const seen = new Set<string>();
  for (const n of [...direct, ...p.functions.map((f) => f.name), ...frames.keys(), ...handlers]) {
    if (seen.has(n)) errs.push(`${n} is defined twice`);
    seen.add(n);
  }
  for (const f of p.direct) if (!cps.has(cpsTwin(f.name))) errs.push(`direct function ${f.name} has no CPS twin ${cpsTwin(f.name)}`);
  // the direct parts: Boxed's checks (the CPS parts' direct computations ride along as extras)
  const directComps: Comp[] = [];
  const reps = new Map<string, Rep>(p.patReps);
  const bind = (b: Binder) => reps.set(b.name, b.rep);
  const atom = (a: Atom) => {
    if (a.tag === "Var" && reps.has(a.name) && reps.get(a.name) !== a.rep) errs.push(`${a.name} is bound as ${reps.get(a.name)} but used as ${a.rep}`);
  };
  const directCall = (known: string | undefined, fn: Atom) => {
    if (known && !direct.has(known)) errs.push(`direct call of ${known}, which is not a direct function`);
    if (!known && (!isPrimitiveCall(fn, reps) || isRecv(fn, reps))) errs.push(`direct call of ${fn.tag === "Var" ? fn.name : "a literal"}, which is not a primitive that returns`);
  };
  const comp = (c: CComp): void => everyCComp(c, (x) => {
    switch (x.tag) {
      case "Let": valueAtoms(x.value).forEach(atom); bind(x.x); return;
      case "LetApp": directCall(x.known, x.fn); x.args.forEach(atom); bind(x.x); return;
      case "LetComp": directComps.push(x.comp); bind(x.x); return;
      case "LetRec": x.binds.forEach((b) => { bind(b.x); b.closure.captured.forEach(atom); }); return;
      case "Recv": return;
      case "Spawn": case "Push": {
        const f = frames.get(x.frame);
        if (!f) errs.push(`push of unknown frame ${x.frame}`);
        else if (f.captured.length !== x.captured.length) errs.push(`push of ${x.frame} with ${x.captured.length} values for ${f.captured.length} fields`);
        else x.captured.forEach((a, i) => { atom(a); if (a.rep !== f.captured[i]!.rep) errs.push(`push of ${x.frame}: field ${f.captured[i]!.name} is ${f.captured[i]!.rep}, given ${a.rep}`); });
        return;
      }
      case "Handle": if (!handlers.has(x.handler)) errs.push(`handle of unknown handler ${x.handler}`); x.env.forEach(atom); x.params.forEach(atom); return;
      case "Jump": if (x.known && !cps.has(x.known)) errs.push(`jump to ${x.known}, which is not a CPS function`); x.args.forEach(atom); return;
      case "Return": atom(x.atom); return;
      case "If": atom(x.cond); return;
      case "Case": atom(x.scrutinee); return;
      case "Do": x.args.forEach(atom); return;
    }
  });
  for (const f of p.functions) { f.params.forEach(bind); f.captured.forEach(bind); comp(f.body); }
  for (const f of p.frames) { f.captured.forEach(bind); bind(f.x); comp(f.body); }
  for (const h of p.handlers) {
    h.env.forEach(bind); h.params.forEach(bind);
    h.ops.forEach((o) => comp(o.body));
    comp(h.ret.body);
  }
  if ("cps" in p.main) comp(p.main.cps); else directComps.push(p.main.direct);
  // direct style: no operation, no handler, no call that could perform one
  const noEffects = (c: Comp, where: string) => {
    const bad = impureReason(c, direct, reps);
    if (bad) errs.push(`${where} is in direct style but ${bad}`);
  };
  p.direct.forEach((f) => noEffects(f.body, `function ${f.name}`));
  directComps.forEach((c, i) => noEffects(c, `direct computation ${i + 1}`));
  errs.push(...validateBoxed({ functions: p.direct, patReps: p.patReps }, new Set(), directComps));
  return errs;
}

/**
 * Why Boxed computation c may perform an operation (undefined: it cannot). It may when it
 * performs or handles one, or calls a closure or a known function outside `pure`. Primitives are
 * pure (printing is not an effect handlers can catch); `locals` are the variables bound around
 * c, which may shadow a primitive's name.
 */
export function impureReason(c: Comp, pure: ReadonlySet<string>, locals: { has(name: string): boolean }): string | undefined {
  const todo = [c];
  while (todo.length > 0) {
    const x = todo.pop()!;
    switch (x.tag) {
      case "Do": return `performs ${x.op}`;
      case "Handle": case "HandleCall": case "ShallowHandle": return "handles operations";
      case "Spawn": case "Receive": return "uses processes";
      case "LetApp": case "App":
        if (x.known ? !pure.has(x.known) : !isPrimitiveCall(x.fn, locals) || isRecv(x.fn, locals)) return `calls ${x.known ?? (x.fn.tag === "Var" ? x.fn.name : "a literal")}`;
        break;
    }
    todo.push(...childComps(x));
  }
  return undefined;
}

/** `recv()`: a primitive that may wait for a message, so it takes the continuation. */
export const isRecv = (fn: Atom, locals: { has(name: string): boolean }): boolean => fn.tag === "Var" && fn.name === "recv" && isPrimitiveCall(fn, locals);

/** A call of `fn` is a primitive's when fn names a primitive that no local variable shadows. */
export const isPrimitiveCall = (fn: Atom, locals: { has(name: string): boolean }): boolean =>
  fn.tag === "Var" && Object.hasOwn(PRIMITIVES, fn.name) && !locals.has(fn.name);

/** Every variable bound in c (binders and pattern variables), with `outer` (parameters, environment). */
export function localNames(c: Comp, outer: Binder[] = []): Set<string> {
  const out = new Set(outer.map((b) => b.name));
  everyComp(c, (x) => {
    switch (x.tag) {
      case "Let": case "LetApp": case "LetComp": out.add(x.x.name); break;
      case "LetRec": x.binds.forEach((b) => out.add(b.x.name)); break;
      case "Case": case "Receive": x.clauses.forEach((k) => patVars(k.pat).forEach((n) => out.add(n))); break;
      case "Handle":
        x.params.forEach((q) => out.add(q.x.name));
        x.ops.forEach((o) => [...o.args, ...(o.k ? [o.k] : [])].forEach((q) => patVars(q).forEach((n) => out.add(n))));
        patVars(x.ret.pat).forEach((n) => out.add(n));
        break;
    }
  });
  return out;
}
