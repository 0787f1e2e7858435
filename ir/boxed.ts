// Boxed: Closed with a machine representation on every binder and atom, and the coercions
// between representations made explicit. Produced by `box-poly`.
//
// Compared with Closed (ir/closed.ts): binders and atoms carry `rep`; two value forms are added,
// `(box R a)` (an unboxed R to the uniform `eq` representation) and `(unbox R a)` (back); a
// function lists its captured variables as `eq` environment slots and unboxes them on entry.
// Monomorphic code keeps Int as i64, Float as f64, Bool and Char as i32 and () as nothing; a
// polymorphic position (a type variable), a data-structure field, a closure's argument or result,
// and an environment slot are `eq` — the coercions sit exactly at those boundaries.
import { type SExp, sexp } from "./common.js";
import { type CPat, patToSExp } from "./core.js";
import type { Lit } from "./surface.js";
import { type Type, type TypeSyntax, printType, resolve, rowFields } from "./types.js";
import * as K from "./kit.js";
import { closedDef, checkFunctions } from "./closed.js";
import { PRIMITIVE_NAMES } from "./kit-check.js";

/** Machine representations. `eq` is `(ref null eq)`; the reference kinds are subtypes of it. */
export type Rep = "i64" | "f64" | "i32" | "unit" | "string" | "list" | "record" | "variant" | "closure" | "process" | "eq";

/** Representations that are references already: going to `eq` needs no boxing, only a cast back. */
export const isRef = (r: Rep) => r !== "i64" && r !== "f64" && r !== "i32" && r !== "unit";

/** The representation of a value of type `t` where that type is known. */
export function repOf(t: Type): Rep {
  const r = resolve(t);
  switch (r.tag) {
    case "Con":
      switch (r.name) {
        case "Int": return "i64";
        case "Float": return "f64";
        case "Bool": case "Char": return "i32";
        case "String": return "string";
        case "List": return "list";
        case "Process": return "process";
        default: return "eq";
      }
    case "Record": {
      const { fields, tail } = rowFields(r.row);
      return fields.length === 0 && tail.tag === "RowEmpty" ? "unit" : "record";
    }
    case "Variant": return "variant";
    case "Fun": return "closure";
    default: return "eq";
  }
}

export type Atom =
  | { tag: "Var"; name: string; type: Type; rep: Rep }
  | { tag: "Lit"; lit: Lit; type: Type; rep: Rep };
export interface Binder { name: string; type: Type; rep: Rep }
export interface MakeClosure { tag: "Closure"; fn: string; captured: Atom[]; type: Type }
export type Coercion = { tag: "Box"; atom: Atom; from: Rep } | { tag: "Unbox"; atom: Atom; to: Rep };

/** Boxed as a diff of Closed: representations on atoms, binders and results; box and unbox added. */
export interface BoxedL extends K.Lang {
  atom: Atom; binder: Binder; value: MakeClosure | Coercion; rec: MakeClosure;
  call: { known: string | undefined }; ann: { rep: Rep }; opClause: object; add: never; drop: never;
}
export type Value = K.Value<BoxedL>;
/** A pattern; its variables are bound with the representation recorded in `patReps`. */
export type Clause = K.Clause<BoxedL>;
export type OpClause = K.OpClause<BoxedL>;
export type Comp = K.Comp<BoxedL>;

/** A function of a language from Boxed on, over its computations C. */
export interface FnOf<C> {
  name: string;
  params: Binder[];
  /** environment slots, all `eq`, in order; the body unboxes them as needed */
  captured: Binder[];
  body: C;
  ret: Rep;
  type: Type;
  prelude: boolean;
}
export type Fn = FnOf<Comp>;

/** A program of a language from Boxed on, over its computations C and functions F. */
export interface ProgramOf<C, F = FnOf<C>> {
  functions: F[];
  main: C;
  resultType: Type;
  /** representation of every pattern variable (by its unique name) */
  patReps: Map<string, Rep>;
  /** which process primitives the program uses and the scheduler it needs (detect-actors) */
  actors?: Actors;
  /** operations the types let reach the top level unhandled (present in its open effect row): the
   * Wasm code generators report them at run time by name (infer) */
  topOps?: string[];
  /** how the result's type prints (Links' effect sugar settings, from the Source) */
  typeSyntax?: TypeSyntax;
}

/**
 * A scheduler level (passes/detect-actors.ts), from least to most: no process primitive; a
 * mailbox for main only; spawnWait only (one runnable process at a time); spawn; spawn and
 * spawnWait; spawnAngel; spawnAngel and spawnWait.
 */
export const LEVELS = ["none", "mailbox", "single", "several", "several-wait", "angels", "all"] as const;
export type Level = (typeof LEVELS)[number];
export interface Actors {
  level: Level;
  /** the process primitives and forms used, each with the first function using it */
  uses: [string, string][];
  /** calls between preemption checks (preempt); undefined: no preemption */
  preempt?: number;
}
/** Several processes may be runnable at once: the level needs a run queue and preemption. */
export const concurrent = (l: Level): boolean => LEVELS.indexOf(l) >= LEVELS.indexOf("several");
export const actorsToSExp = (a: Actors): SExp =>
  ["actors", a.level, ...(a.uses.length ? [["uses", ...a.uses.map(([u, where]) => `${u}@${where}`)] as SExp] : []), ...(a.preempt ? [["preempt-every", String(a.preempt)] as SExp] : [])];
export type BoxedProgram = ProgramOf<Comp>;

// ---------------------------------------------------------------- the language
export const coercionValues: Record<string, K.ValueDef> = {
  Box: { atoms: (v) => [v.atom], print: (v, pr) => ["box", v.from, pr.atom(v.atom)] },
  Unbox: { atoms: (v) => [v.atom], print: (v, pr) => ["unbox", v.to, pr.atom(v.atom)] },
};
export const boxedDef: K.LangDef = K.extend(closedDef, "Boxed", { addValues: coercionValues });
export const boxedKit = K.kit<Comp, Value, Atom>(boxedDef);

// ---------------------------------------------------------------- printer
const bind = (b: K.Binder): string => `${b.name}:${b.rep}`;
export const binderToSExp = bind;

/** A pattern with each variable's representation: `x:i64`. */
export function patWithReps(p: CPat, reps: Map<string, Rep>): SExp {
  const s = patToSExp(p);
  const annotate = (x: SExp): SExp => (typeof x === "string" ? (reps.has(x) ? `${x}:${reps.get(x)}` : x) : x.map(annotate));
  return annotate(s);
}
/** How binders and patterns print from Boxed on. */
export const repStyle = (patReps: Map<string, Rep>) => ({ binder: bind, pat: (q: CPat) => patWithReps(q, patReps) });

/** `(define (f x:rep…) (env …) (returns rep) body)`; `flags` go before the body. */
export const fnToSExp = (f: FnOf<K.Node>, body: SExp, head = "define", flags: SExp[] = []): SExp =>
  [head, [f.name, ...f.params.map(bind)], ["env", ...f.captured.map(bind)], ["returns", f.ret], ...flags, body];

/** A program of any language from Boxed on: its functions, `extra` definitions, main; prelude code left out. */
export function printProgram<C, F extends FnOf<C> = FnOf<C>>(def: K.LangDef, p: ProgramOf<C, F>, extra: SExp[] = [], flags: (f: F) => SExp[] = () => []): string {
  const k = K.kit<C, unknown, unknown>(def);
  const style = repStyle(p.patReps);
  const fns = p.functions.filter((f) => !f.prelude).map((f) => fnToSExp(f as FnOf<K.Node>, k.compToSExp(f.body, style), "define", flags(f)));
  return sexp(["program", ...(p.actors ? [actorsToSExp(p.actors)] : []), ...fns, ...extra, ["main", k.compToSExp(K.skipPrelude(def, p.main), style)], ["result-type", printType(p.resultType)]]);
}
export const printBoxed = (p: BoxedProgram): string => printProgram(boxedDef, p);

// ---------------------------------------------------------------- validator
/** box takes an unboxed representation, unbox an `eq`. */
export function checkCoercion(v: K.Node, err: (m: string) => void): void {
  if (v.tag === "Box" && (v.from === "eq" || v.atom.rep !== v.from)) err(`box ${v.from} of ${v.atom.rep}`);
  if (v.tag === "Unbox" && v.atom.rep !== "eq") err(`unbox of a ${v.atom.rep}, not an eq`);
}

/**
 * Closed's checks (scope, binders once, only Boxed's forms, closures and known calls) and every
 * use of a variable at the representation its binder gave it; coercions well-formed.
 */
export function validateBoxed(p: BoxedProgram, primitives: ReadonlySet<string> = PRIMITIVE_NAMES): string[] {
  return checkFunctions(boxedDef, p, primitives, { reps: true, patReps: p.patReps, value: checkCoercion });
}
