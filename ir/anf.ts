// ANF: A-normal form. Produced by `anf` from TypedCore, consumed by `closure-convert`.
//
// Compared with Core: every argument of an operation is an atom (a variable or a literal);
// a computation is a chain of bindings — let-value (`let x = v`), let-apply (`let x = f(a…)`),
// let-computation (`let x = if/case/do/handle …`, a computation whose result is bound) and
// letrec — ending in a tail computation (return an atom, a tail call, if, case, …).
// Every binder is unique in the program (the pass renames), and atoms and binders keep their
// inferred types for the representation choice made by `box-poly`. The prelude's names start
// with `%` (no Links name can), which is how dumps and passes tell prelude code from the user's.
// ANF is the first language of the family in ir/kit.ts; the ones after it are diffs of it.
import { sexp } from "./common.js";
import type { Lit } from "./surface.js";
import { type Type, type TypeSyntax, printType } from "./types.js";
import * as K from "./kit.js";
import { PRIMITIVE_NAMES, checkUnit } from "./kit-check.js";

export type Atom =
  | { tag: "Var"; name: string; type: Type }
  | { tag: "Lit"; lit: Lit; type: Type };

export interface Lam { tag: "Lam"; params: Binder[]; body: Comp; name: string | undefined; type: Type }
export interface Binder { name: string; type: Type }
export type { DataValue } from "./kit.js";

/** ANF as a language of the family (ir/kit.ts): typed atoms and binders, lambdas as values. */
export interface AnfL extends K.Lang {
  atom: Atom; binder: Binder; value: Lam; rec: Lam; call: object; ann: { type: Type }; opClause: object; add: never; drop: never;
}
/** Values: what a let-value binds. None of them has an effect or a call. */
export type Value = K.Value<AnfL>;
export type Clause = K.Clause<AnfL>;
export type OpClause = K.OpClause<AnfL>;
/** Computations: let-value, let-apply, let-computation and letrec continue a chain; the others end it. */
export type Comp = K.Comp<AnfL>;

export interface AnfProgram {
  /** the whole program: the prelude's bindings (names starting with `%`) enclose the user's code */
  body: Comp;
  resultType: Type;
  /** operations the types let reach the top level unhandled (present in its open effect row): the
   * Wasm code generators report them at run time by name (infer) */
  topOps?: string[];
  /** how the result's type prints (Links' effect sugar settings, from the Source) */
  typeSyntax?: TypeSyntax;
}

// ---------------------------------------------------------------- the language
export const anfDef: K.LangDef = {
  name: "ANF",
  // a tail call prints as (tail-app f a…): ANF has no known calls yet
  forms: { ...K.baseForms, App: { ...K.baseForms.App!, print: (c, pr) => ["tail-app", pr.atom(c.fn), ...c.args.map(pr.atom)] } },
  values: {
    ...K.dataValues,
    Lam: {
      atoms: () => [],
      children: (v) => [{ comp: v.body, binds: v.params }],
      map: (v, f) => ({ ...v, body: f(v.body) }),
      print: (v, pr) => ["lambda", v.params.map((p: Binder) => p.name), pr.comp(v.body)],
    },
  },
};
export const anfKit = K.kit<Comp, Value, Atom>(anfDef);
export const compToSExp = (c: Comp) => anfKit.compToSExp(c);

export function printAnf(p: AnfProgram): string {
  return sexp(["program", compToSExp(K.skipPrelude(anfDef, p.body)), ["result-type", printType(p.resultType)]]);
}

// ---------------------------------------------------------------- validator
/**
 * The family's checks (ir/kit-check.ts; the whole program is one unit, so every binder is unique
 * in the program) and every atom and binder has a type.
 */
export function validateAnf(p: AnfProgram, primitives: ReadonlySet<string> = PRIMITIVE_NAMES): string[] {
  const errs: string[] = [];
  const typed = (what: string, x: { type?: Type }, err: (m: string) => void) => { if (!x.type) err(`${what} has no type`); };
  checkUnit(anfDef, "program", [], p.body, {
    global: (n) => primitives.has(n),
    node: (c, err) => {
      for (const a of anfDef.forms[c.tag]!.atoms(c, anfDef)) typed(a.tag === "Var" ? `atom ${a.name}` : "a literal", a as { type?: Type }, err);
      if ("x" in c) typed(`binder ${c.x.name}`, c.x, err);
      if (c.tag === "LetRec") c.binds.forEach((b: { x: Binder }) => typed(`binder ${b.x.name}`, b.x, err));
    },
    value: (v, err) => { if (v.tag === "Lam") v.params.forEach((q: Binder) => typed(`parameter ${q.name}`, q, err)); },
  }, errs);
  return errs;
}
