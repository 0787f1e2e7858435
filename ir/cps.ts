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
//   (yield), (%tick)       () to k, after the other ready processes ran (%tick: only when its
//                          preemption budget is used up)
//   (let-app x (call f a…)) only for a primitive or a function that stays in direct style
//   (let-comp x c)          c is a Boxed computation in direct style (no call that may perform)
// A frame function (frame F (env …) x body) receives the value `x` returned to its frame; a
// handler (handler H shallow? (env …) (params …) clauses…) holds the operation clauses (their
// `k` is the resumption, a closure) and the return clause, all in CPS. Functions that perform
// no operation (marked `pure` by mark-pure) stay in direct style (Boxed) and get a CPS twin
// `f%cps`, run when direct calls nest too deeply.
import { type SExp, sexp } from "./common.js";
import type { CPat } from "./core.js";
import * as K from "./kit.js";
import { PRIMITIVE_NAMES, checkUnit, isPrimitiveCall } from "./kit-check.js";
import {
  type Atom, type Binder, type BoxedL, type Comp, type Fn, type ProgramOf, type Rep, binderToSExp, boxedDef, boxedKit, checkCoercion, fnToSExp, printProgram, repStyle,
} from "./boxed.js";
import { checkFunctions } from "./closed.js";
import { type Type, type TypeSyntax, printType } from "./types.js";
import { inPlaceS } from "./handlers.js";

export interface Push { tag: "Push"; frame: string; captured: Atom[]; body: CComp }
export interface Jump { tag: "Jump"; fn: Atom; args: Atom[]; known: string | undefined }
export interface CpsHandle { tag: "Handle"; handler: string; env: Atom[]; params: Atom[]; body: CComp }
export interface CpsSpawn { tag: "Spawn"; kind: K.SpawnKind; frame: string; captured: Atom[] }
/** `(recv)`, `(yield)`, `(%tick)`: a process primitive that may let other processes run, so it takes the continuation */
export interface Sched { tag: "Sched"; prim: SchedPrim }
export type SchedPrim = "recv" | "yield" | "%tick";
/** `(let-comp x c)`: c is Boxed, in direct style */
export interface DirectLet { tag: "LetComp"; x: Binder; comp: Comp; body: CComp }

/** CPS as a diff of Boxed: no tail calls, handles or spawns of the direct kind, no results to annotate. */
export interface CpsL extends Omit<BoxedL, "ann" | "add" | "drop"> {
  ann: object;
  add: Push | Jump | CpsHandle | CpsSpawn | Sched | DirectLet;
  drop: "App" | "Handle" | "Spawn" | "LetComp";
}
export type CComp = K.Comp<CpsL>;
export type CClause = K.Clause<CpsL>;

export interface CpsFn {
  name: string;
  params: Binder[];
  /** environment slots (eq), as in Boxed */
  captured: Binder[];
  body: CComp;
  type: Type;
  prelude: boolean;
}

export interface CpsOpClause { op: string; args: CPat[]; k: CPat | undefined; body: CComp; inPlace?: boolean }

/** The code after a non-tail call: `captured` are its fields (own representations), `x` the value. */
export interface FrameFn { name: string; captured: Binder[]; x: Binder; body: CComp; prelude: boolean }

export interface HandlerDef {
  name: string;
  shallow: boolean;
  /** the clauses' free variables, in their own representations */
  env: Binder[];
  /** handler parameters: initial values at the handle, new ones passed to `k` after the value */
  params: Binder[];
  /** `inPlace` (tail-resume): a `do` runs the clause where it is, in direct style (cpsInPlaceReason) */
  ops: CpsOpClause[];
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
  resultType: Type;
  /** how the result's type prints (Links' effect sugar settings, from the Source) */
  typeSyntax?: TypeSyntax;
  patReps: Map<string, Rep>;
  /** calls between preemption yields (the preempt pass's budget); undefined: no preemption */
  preempt?: number;
}

/** MarkedBoxed, the input of `cps`: Boxed whose functions mark-pure may have marked `pure`. */
export type MarkedFn = Fn & { pure?: boolean };
export type MarkedProgram = ProgramOf<Comp, MarkedFn>;
export const printMarked = (p: MarkedProgram): string => printProgram<Comp, MarkedFn>(boxedDef, p, [], (f) => (f.pure ? ["pure"] : []));

/** The name of the CPS twin of a direct function. */
export const cpsTwin = (f: string) => `${f}%cps`;

// ---------------------------------------------------------------- the language
const frameS = (head: string, c: K.Node, pr: K.Printer): SExp => [head, c.frame, ...c.captured.map(pr.atom)];
export const cpsDef: K.LangDef = K.extend(boxedDef, "CPS", {
  drop: ["App", "Handle", "Spawn", "LetComp"],
  add: {
    Push: {
      isLet: true,
      children: (c) => [{ comp: c.body, binds: [] }], map: (c, f) => ({ ...c, body: f(c.body) }),
      atoms: (c) => c.captured, print: (c, pr) => frameS("push", c, pr),
    },
    Handle: {
      isLet: true,
      children: (c) => [{ comp: c.body, binds: [] }], map: (c, f) => ({ ...c, body: f(c.body) }),
      atoms: (c) => [...c.env, ...c.params],
      print: (c, pr) => ["handle", c.handler, ["env", ...c.env.map(pr.atom)], ["params", ...c.params.map(pr.atom)]],
    },
    // the direct computation is Boxed: printed and checked as Boxed, not a CPS child
    LetComp: {
      isLet: true,
      children: (c) => [{ comp: c.body, binds: [c.x] }], map: (c, f) => ({ ...c, body: f(c.body) }),
      atoms: () => [],
      print: (c, pr) => ["let-comp", pr.binder(c.x), boxedKit.printer({ binder: pr.binder, pat: pr.pat }).comp(c.comp)],
    },
    Jump: { children: () => [], map: (c) => c, atoms: (c) => [c.fn, ...c.args], print: (c, pr) => ["jump", K.callS(c, pr)] },
    Spawn: { children: () => [], map: (c) => c, atoms: (c) => c.captured, print: (c, pr) => frameS(c.kind, c, pr) },
    Sched: { children: () => [], map: (c) => c, atoms: () => [], print: (c) => [c.prim] },
  },
});
export const cpsKit = K.kit<CComp, K.Value<CpsL>, Atom>(cpsDef);

// ---------------------------------------------------------------- printer
export function printCps(p: CpsProgram): string {
  const style = repStyle(p.patReps);
  const cps = (c: CComp) => cpsKit.compToSExp(c, style);
  const direct = (c: Comp) => boxedKit.compToSExp(c, style);
  const pr = cpsKit.printer(style);
  // prelude functions are left out, with the frames and handlers made from them
  const defs: SExp[] = [
    ...p.direct.filter((f) => !f.prelude).map((f) => fnToSExp(f, direct(f.body), "define-direct")),
    ...p.functions.filter((f) => !f.prelude).map((f): SExp => ["define", [f.name, ...f.params.map(binderToSExp)], ["env", ...f.captured.map(binderToSExp)], cps(f.body)]),
    ...p.frames.filter((f) => !f.prelude).map((f): SExp => ["frame", f.name, ["env", ...f.captured.map(binderToSExp)], binderToSExp(f.x), cps(f.body)]),
    ...p.handlers.filter((h) => !h.prelude).map((h): SExp => [
      "handler", h.name, ...(h.shallow ? ["shallow"] : []), ["env", ...h.env.map(binderToSExp)], ["params", ...h.params.map(binderToSExp)],
      ...inPlaceS(h.ops as unknown as K.Node[], K.opClausesS(h.ops as unknown as K.Node[], h.ret, pr))]),
  ];
  const main: SExp = "direct" in p.main ? ["main-direct", direct(K.skipPrelude(boxedDef, p.main.direct))] : ["main", cps(K.skipPrelude(cpsDef, p.main.cps))];
  return sexp(["program", ...defs, main, ["result-type", printType(p.resultType)]]);
}

// ---------------------------------------------------------------- validator
/**
 * The family's checks (scope, binders once, representations, only CPS's forms) on every CPS
 * function, frame, handler clause and main; Boxed's on the direct functions and a direct main (the
 * direct computations inside CPS code, `let-comp`, get only the purity check below); and: every push names a frame function and gives it as many values as it has
 * fields, in their representations; every handle names a handler; every jump or direct call of
 * a known function goes to a function of the right style; a direct computation performs nothing
 * and calls no closure; every name is defined once; every direct function has its CPS twin.
 */
export function validateCps(p: CpsProgram, primitives: ReadonlySet<string> = PRIMITIVE_NAMES): string[] {
  const errs: string[] = [];
  const direct = new Set(p.direct.map((f) => f.name));
  const cps = new Set(p.functions.map((f) => f.name));
  const frames = new Map(p.frames.map((f) => [f.name, f]));
  const handlers = new Set(p.handlers.map((h) => h.name));
  const seen = new Set<string>();
  for (const n of [...direct, ...cps, ...frames.keys(), ...handlers]) {
    if (seen.has(n)) errs.push(`${n} is defined twice`);
    seen.add(n);
  }
  for (const f of p.direct) if (!cps.has(cpsTwin(f.name))) errs.push(`direct function ${f.name} has no CPS twin ${cpsTwin(f.name)}`);
  const globals = new Set([...p.direct, ...p.functions].filter((f) => f.captured.length === 0).map((f) => f.name));
  const global = (n: string) => globals.has(n) || primitives.has(n);
  const directComps: { where: string; comp: Comp; locals: Set<string> }[] = [];
  const node = (where: string, locals: Set<string>) => (x: K.Node, err: (m: string) => void) => {
    switch (x.tag) {
      case "LetApp":
        if (x.known && !direct.has(x.known)) err(`direct call of ${x.known}, which is not a direct function`);
        if (!x.known && (!isPrimitiveCall(x.fn, locals) || takesContinuation(x.fn, locals))) err(`direct call of ${x.fn.tag === "Var" ? x.fn.name : "a literal"}, which is not a primitive that returns`);
        return;
      case "LetComp": directComps.push({ where, comp: x.comp as Comp, locals }); return;
      case "Spawn": case "Push": {
        const f = frames.get(x.frame);
        const what = x.tag === "Push" ? "push" : x.kind;
        if (!f) err(`${what} of unknown frame ${x.frame}`);
        else if (f.captured.length !== x.captured.length) err(`${what} of ${x.frame} with ${x.captured.length} values for ${f.captured.length} fields`);
        else x.captured.forEach((a: Atom, i: number) => { if (a.rep !== f.captured[i]!.rep) err(`${what} of ${x.frame}: field ${f.captured[i]!.name} is ${f.captured[i]!.rep}, given ${a.rep}`); });
        return;
      }
      case "Handle": if (!handlers.has(x.handler)) err(`handle of unknown handler ${x.handler}`); return;
      case "Jump": if (x.known && !cps.has(x.known)) err(`jump to ${x.known}, which is not a CPS function`); return;
    }
  };
  const unit = (where: string, params: K.Binder[], body: CComp) => {
    const outer = new Set(params.map((b) => b.name));
    // a form of another language stops the walk; checkUnit reports it with its place
    let locals = outer;
    try { locals = cpsKit.boundNames(body, new Set(outer)); } catch { /* reported below */ }
    checkUnit(cpsDef, where, params, body, { global, reps: true, patReps: p.patReps, value: checkCoercion, node: node(where, locals) }, errs);
  };
  for (const f of p.functions) unit(`function ${f.name}`, [...f.params, ...f.captured], f.body);
  for (const f of p.frames) unit(`frame ${f.name}`, [...f.captured, f.x], f.body);
  for (const h of p.handlers) {
    h.ops.forEach((o) => unit(`handler ${h.name} clause ${o.op}`, [...h.env, ...h.params, ...K.opClauseBinds(o as unknown as K.Node)], o.body));
    for (const o of h.ops.filter((x) => x.inPlace)) {
      const why = h.shallow ? "its handler is shallow" : cpsInPlaceReason(o);
      if (why) errs.push(`handler ${h.name}: operation clause ${o.op} is marked in-place but ${why}`);
      if (h.ops.some((x) => x.op === o.op && !x.inPlace)) errs.push(`handler ${h.name}: operation ${o.op} has clauses in place and clauses not`);
    }
    unit(`handler ${h.name} return clause`, [...h.env, ...h.params, ...K.patBinds(h.ret.pat)], h.ret.body);
  }
  if ("cps" in p.main) unit("main", [], p.main.cps);
  else directComps.push({ where: "main", comp: p.main.direct, locals: boxedKit.boundNames(p.main.direct) });
  // direct style: no operation, no handler, no call that could perform one
  for (const f of p.direct) {
    const bad = impureReason(f.body, direct, boxedKit.boundNames(f.body, new Set([...f.params, ...f.captured].map((b) => b.name))));
    if (bad) errs.push(`function ${f.name} is in direct style but ${bad}`);
  }
  for (const d of directComps) {
    const bad = impureReason(d.comp, direct, d.locals);
    if (bad) errs.push(`${d.where}: a direct computation ${bad}`);
  }
  const directMain = "direct" in p.main ? p.main.direct : undefined;
  errs.push(...checkFunctions(boxedDef, { functions: p.direct, main: directMain }, primitives, { reps: true, patReps: p.patReps, value: checkCoercion, others: p.functions }));
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
      case "Handle": return "handles operations";
      case "Spawn": return "uses processes";
      case "LetApp": case "App":
        if (x.known ? !pure.has(x.known) : !isPrimitiveCall(x.fn, locals) || takesContinuation(x.fn, locals)) return `calls ${x.known ?? (x.fn.tag === "Var" ? x.fn.name : "a literal")}`;
        break;
    }
    todo.push(...boxedKit.childComps(x));
  }
  return undefined;
}

/** `recv()`, `yield()`, `%tick()`: primitives that may let other processes run, so they take the continuation. */
export const schedPrim = (fn: Atom, locals: { has(name: string): boolean }): SchedPrim | undefined =>
  fn.tag === "Var" && (fn.name === "recv" || fn.name === "yield" || fn.name === "%tick") && isPrimitiveCall(fn, locals) ? fn.name : undefined;
const takesContinuation = (fn: Atom, locals: { has(name: string): boolean }): boolean => schedPrim(fn, locals) !== undefined;


/** Every variable bound in c (binders and pattern variables), with `outer` (parameters, environment). */
export const localNames = (c: Comp, outer: Binder[] = []): Set<string> => boxedKit.boundNames(c, new Set(outer.map((b) => b.name)));

/**
 * Why operation clause o cannot run in place, in direct style, where its operation is performed
 * (undefined: it can). It can when its `k` is a variable that the body jumps to exactly once on
 * every path, in tail position, and uses nowhere else, and nothing before that jump takes the
 * continuation: no push, handler, jump, `do` or process form (a `let-app` or `let-comp` in CPS
 * is direct already: it cannot perform).
 */
export function cpsInPlaceReason(o: CpsOpClause): string | undefined {
  if (o.k?.tag !== "PVar") return "its continuation is not a variable";
  const k = o.k.name;
  const uses = (atoms: Atom[]) => atoms.some((a) => a.tag === "Var" && a.name === k);
  const value = "its continuation is used as a value";
  const go = (c: CComp): string | undefined => {
    for (;;) {
      switch (c.tag) {
        case "Let": case "LetApp": case "LetRec":
          if (uses(cpsKit.ownAtoms(c))) return value;
          c = c.body;
          continue;
        case "LetComp":
          if (boxedKit.freeAtoms(c.comp).has(k)) return value;
          c = c.body;
          continue;
        case "Jump":
          if (c.fn.tag !== "Var" || c.fn.name !== k) return "it ends in a call other than of its continuation";
          return uses(c.args) ? value : undefined;
        case "If": return uses([c.cond]) ? value : go(c.then) ?? go(c.else);
        case "Case":
          if (uses([c.scrutinee])) return value;
          for (const x of c.clauses) { const why = go(x.body); if (why) return why; }
          return undefined;
        case "Return": return "a path returns without resuming";
        case "Do": return `it performs ${c.op}`;
        case "Push": return "it calls a function that may perform";
        case "Handle": return "it handles operations";
        default: return "it uses processes";
      }
    }
  };
  return go(o.body);
}
