// The checks every language of the ANF family shares (ir/kit.ts), run by the languages'
// validators for `--check`: only the language's own forms appear; every binder is bound once in
// its unit (a function, a handler, main); every variable is used in the scope of its binder (or
// names a primitive or a global function); where the language has representations, each use of
// a variable has the representation its binder gave it. Iterative: long let chains are fine.
import { type Atom, type Bound, type LangDef, type Node, formOf, valueOf } from "./kit.js";
import { PRIMITIVES } from "../prelude/primitives.js";

/** The primitives' names: in scope everywhere unless a local binder shadows them. */
export const PRIMITIVE_NAMES: ReadonlySet<string> = new Set(Object.keys(PRIMITIVES));

/** A call of `fn` (a use of it) is a primitive's when fn names a primitive that no local variable shadows. */
export const isPrimitiveCall = (fn: { tag: string; name?: string }, locals: { has(name: string): boolean }): boolean =>
  fn.tag === "Var" && PRIMITIVE_NAMES.has(fn.name!) && !locals.has(fn.name!);

export interface CheckOptions {
  /** names in scope everywhere: primitives, functions that are constants */
  global: (name: string) => boolean;
  /** check that every use of a variable has its binder's representation (Boxed and later) */
  reps?: boolean;
  /** representations of pattern variables (by unique name) */
  patReps?: ReadonlyMap<string, string>;
  /** language-specific checks of one computation (its tag belongs to the language) */
  node?: (c: Node, err: (msg: string) => void) => void;
  /** language-specific checks of one value */
  value?: (v: Node, err: (msg: string) => void) => void;
}

/**
 * Check one unit: `body` with `params` (parameters, environment slots) in scope. Problems are
 * pushed onto `errs` as `where: message`.
 */
export function checkUnit(def: LangDef, where: string, params: Bound[], body: Node, opts: CheckOptions, errs: string[]): void {
  const err = (msg: string) => errs.push(`${where}: ${msg}`);
  const scope = new Map<string, number>();
  const bound = new Set<string>(); // every name bound in the unit so far (each once)
  const reps = new Map<string, string | undefined>();
  const outOfScope = new Set<string>();
  /** The binders a node introduces (each binder object once, though a handler's parameters are in scope in several clauses). */
  const declare = (bs: Iterable<Bound>) => {
    for (const b of bs) {
      if (bound.has(b.name)) { err(`${b.name} is bound more than once`); continue; }
      bound.add(b.name);
      if (opts.reps) {
        const r = b.rep ?? opts.patReps?.get(b.name);
        if (!r) err(`${b.name} has no representation`);
        reps.set(b.name, r);
      }
    }
  };
  const enter = (bs: Bound[]) => { for (const b of bs) scope.set(b.name, (scope.get(b.name) ?? 0) + 1); };
  const exit = (bs: Bound[]) => { for (const b of bs) scope.set(b.name, scope.get(b.name)! - 1); };
  const atom = (a: Atom) => {
    if (a.tag !== "Var") return;
    if (!scope.get(a.name)) {
      if (!opts.global(a.name)) outOfScope.add(a.name);
      return;
    }
    if (opts.reps) {
      if (!a.rep) err(`the use of ${a.name} has no representation`);
      else if (reps.get(a.name) !== undefined && reps.get(a.name) !== a.rep) err(`${a.name} is bound as ${reps.get(a.name)} but used as ${a.rep}`);
    }
  };
  const value = (v: Node) => {
    if (v.tag === "Var" || v.tag === "Lit") return;
    if (!valueOf(def, v)) err(`the value form ${v.tag} does not belong to ${def.name}`);
    else opts.value?.(v, err);
  };

  declare(params);
  enter(params);
  type Step = { enter: Node; binds: Bound[] } | { exit: Bound[] };
  const todo: Step[] = [{ enter: body, binds: [] }];
  while (todo.length > 0) {
    const s = todo.pop()!;
    if ("exit" in s) { exit(s.exit); continue; }
    const c = s.enter;
    enter(s.binds);
    todo.push({ exit: s.binds });
    let f;
    try {
      f = formOf(def, c);
    } catch {
      err(`the form ${c.tag} does not belong to ${def.name}`);
      continue;
    }
    const own = f.ownScope?.(c) ?? [];
    const children = f.children(c, def);
    declare(new Set([...own, ...children.flatMap((ch) => ch.binds)]));
    enter(own);
    f.atoms(c, def).forEach(atom);
    if (c.tag === "Let") value(c.value);
    if (c.tag === "LetRec") c.binds.forEach((b: Node) => value(b.value));
    opts.node?.(c, err);
    exit(own);
    for (let i = children.length - 1; i >= 0; i--) todo.push({ enter: children[i]!.comp, binds: children[i]!.binds });
  }
  for (const name of outOfScope) err(bound.has(name) ? `${name} is used outside the scope of its binder` : `${name} is not bound`);
}
