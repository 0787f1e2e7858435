// Closed: ANF after closure conversion. Produced by `closure-convert`.
//
// Compared with ANF (ir/anf.ts): no lambdas. Every function is lifted to the program's list of
// functions, with its parameters and the free variables it captures (read from its
// environment on entry). In the code, a lambda becomes `(closure f captured…)` and a recursive
// group becomes `letrec` of closures. A call whose callee is known gets `known: f`: the code
// generator calls f directly (passing the closure only when f captures something).
import { type SExp, sexp } from "./common.js";
import type { Atom, Binder } from "./anf.js";
import { anfDef } from "./anf.js";
import { type Type, type TypeSyntax, printType } from "./types.js";
import * as K from "./kit.js";
import { PRIMITIVE_NAMES, checkUnit } from "./kit-check.js";

export type { Atom, Binder };

export interface MakeClosure { tag: "Closure"; fn: string; captured: Atom[]; type: Type }

/** Closed as a diff of ANF: lambdas out, closures in; calls say which function they call when known. */
export interface ClosedL extends K.Lang {
  atom: Atom; binder: Binder; value: MakeClosure; rec: MakeClosure; call: { known: string | undefined }; ann: { type: Type }; opClause: object; add: never; drop: never;
}
export type Value = K.Value<ClosedL>;
export type Clause = K.Clause<ClosedL>;
export type OpClause = K.OpClause<ClosedL>;
export type Comp = K.Comp<ClosedL>;

/** A lifted function. `captured` is empty for a closed function (its closure is a constant). */
export interface Fn {
  name: string;
  params: Binder[];
  captured: Binder[];
  body: Comp;
  /** the function's type (a Fun type) */
  type: Type;
  /** defined in the prelude (hidden in dumps; anf gives the prelude's names a `%` prefix) */
  prelude: boolean;
}

export interface ClosedProgram {
  functions: Fn[];
  main: Comp;
  resultType: Type;
  /** operations the types let reach the top level unhandled (present in its open effect row): the
   * Wasm code generators report them at run time by name (infer) */
  topOps?: string[];
  /** how the result's type prints (Links' effect sugar settings, from the Source) */
  typeSyntax?: TypeSyntax;
}

// ---------------------------------------------------------------- the language
/** `(closure f a…)`: function f's closure over the captured atoms. */
export const closureValue: K.ValueDef = {
  atoms: (v) => v.captured,
  print: (v, pr) => ["closure", v.fn, ...v.captured.map(pr.atom)],
};
export const closedDef: K.LangDef = K.extend(anfDef, "Closed", {
  dropValues: ["Lam"], addValues: { Closure: closureValue },
  // a tail call prints as (tail (call f a…)) for a known function, (tail (f a…)) otherwise
  add: { App: K.baseForms.App! },
});
export const closedKit = K.kit<Comp, Value, Atom>(closedDef);
const compToSExp = (c: Comp): SExp => closedKit.compToSExp(c);

export function fnToSExp(f: Fn): SExp {
  return ["define", [f.name, ...f.params.map((p) => p.name)], ["captures", ...f.captured.map((b) => b.name)], compToSExp(f.body)];
}

export function printClosed(p: ClosedProgram): string {
  const main = K.skipPrelude(closedDef, p.main);
  return sexp(["program", ...p.functions.filter((f) => !f.prelude).map(fnToSExp), ["main", compToSExp(main)], ["result-type", printType(p.resultType)]]);
}

// ---------------------------------------------------------------- validator
/**
 * The family's checks (ir/kit-check.ts) with each function a unit — its parameters and captured
 * variables in scope, closed functions (capturing nothing) in scope everywhere as constants —
 * and: closures and known calls name existing functions, a closure captures as many atoms as its
 * function declares, a known call passes as many arguments as the function takes.
 */
export function validateClosed(p: ClosedProgram, primitives: ReadonlySet<string> = PRIMITIVE_NAMES): string[] {
  return checkFunctions(closedDef, p, primitives);
}

/** Closed's checks for any later language whose functions and main are Closed-shaped (Boxed, Handlers). */
export function checkFunctions(
  def: K.LangDef,
  p: { functions: { name: string; params: Binder[] | K.Binder[]; captured: K.Binder[]; body: K.Node }[]; main?: K.Node },
  primitives: ReadonlySet<string>,
  opts: Partial<import("./kit-check.js").CheckOptions> & {
    /** more units to check: e.g. handler clauses */
    units?: { where: string; params: K.Binder[]; body: K.Node }[];
    /** functions defined elsewhere that closures and calls may name (the cps backend's CPS functions) */
    others?: { name: string; params: unknown[]; captured: unknown[] }[];
  } = {},
): string[] {
  const errs: string[] = [];
  const all = [...p.functions, ...(opts.others ?? [])];
  const fns = new Map(all.map((f) => [f.name, f]));
  const globals = new Set(all.filter((f) => f.captured.length === 0).map((f) => f.name));
  const closure = (v: K.Node, err: (m: string) => void) => {
    const f = fns.get(v.fn);
    if (!f) return err(`closure of unknown function ${v.fn}`);
    if (f.captured.length !== v.captured.length) err(`closure of ${v.fn} captures ${v.captured.length} values, the function expects ${f.captured.length}`);
  };
  const node = (c: K.Node, err: (m: string) => void) => {
    if ((c.tag === "LetApp" || c.tag === "App") && c.known !== undefined) {
      const f = fns.get(c.known);
      if (!f) err(`call of unknown function ${c.known}`);
      else if (f.params.length !== c.args.length) err(`call of ${c.known} with ${c.args.length} arguments, the function takes ${f.params.length}`);
    }
    if (c.tag === "LetRec") c.binds.forEach((b: K.Node) => closure(b.value, err));
    opts.node?.(c, err);
  };
  const value = (v: K.Node, err: (m: string) => void) => {
    if (v.tag === "Closure") closure(v, err);
    opts.value?.(v, err);
  };
  const o = { ...opts, global: (n: string) => globals.has(n) || primitives.has(n), node, value };
  for (const f of p.functions) checkUnit(def, `function ${f.name}`, [...f.params, ...f.captured], f.body, o, errs);
  for (const u of opts.units ?? []) checkUnit(def, u.where, u.params, u.body, o, errs);
  if (p.main) checkUnit(def, "main", [], p.main, o, errs);
  return errs;
}
