// infer, part: the state the other parts share (binding level, environment of schemes,
// typenames, annotation scopes) and let-polymorphism on it: fresh variables at the current
// level, generalisation, instantiation and substitution of a scheme's variables.
import { type Span, typeError } from "../ir/common.js";
import type { TypeDecl } from "../ir/core.js";
import { type Kind, type Scheme, type TVar, type Type, type TypeSyntax, forEachChild, freshVar, prune } from "../ir/types.js";
import type { UnifyState } from "./infer-unify.js";

export class InferState implements UnifyState {
  level = 1;
  env = new Map<string, Scheme[]>();
  aliases = new Map<string, TypeDecl>();
  aliasPairs = new Set<string>();
  /** While converting a signature, its named type variables are rigid (they may not be instantiated). */
  rigidVars = false;
  /** Converting a signature (not an annotation). */
  inSignature = false;
  /** Links' effect sugar settings (open_default changes what an effect row in a signature means) */
  typeSyntax: TypeSyntax | undefined;
  /** Scopes of named type variables in annotations: one per function with a signature, one for the rest. */
  annotScopes: (Map<string, TVar> | "closed")[] = [new Map()];
  /** Typing the program, not the prelude: Links declares the prelude's functions with signatures
   * (unrestricted variables, no wild recursion), which ours mostly leave out. Outside the prelude,
   * fresh variables of expressions and patterns have linearity Any (Links' kinds Any and Unl). */
  userCode = true;
  /** how many function literals (and deep-handler clauses) enclose the current expression */
  lam = 0;
  /** the uses of each local binding, innermost last (globals have none) */
  uses = new Map<string, Use[]>();
  /** the branches (case clauses, if arms, handler clauses) being typed, innermost last */
  frames: { branch: number; n: number; counts: Map<Use, number[]> }[] = [];
}

/**
 * How often a local variable is used, as Links counts for its linearity: a use inside a function
 * literal that does not bind it counts as many, and a variable used differently in the branches of
 * a case counts as many. A variable not used exactly once gets an unrestricted (Unl) type.
 */
interface Use { uses: number; lam: number; frame: number; type: Type; rec?: true }

// ------------------------------------------------------------ environment
export function bindGlobal(st: InferState, name: string, s: Scheme) {
  st.env.set(name, [s]);
}
export function pushBinding(st: InferState, name: string, s: Scheme) {
  let stack = st.env.get(name);
  if (!stack) st.env.set(name, (stack = []));
  stack.push(s);
  let uses = st.uses.get(name);
  if (!uses) st.uses.set(name, (uses = []));
  uses.push({ uses: 0, lam: st.lam, frame: st.frames.length, type: s.type });
}
export function popBinding(st: InferState, name: string) {
  st.env.get(name)!.pop();
  const u = st.uses.get(name)!.pop()!;
  if (u.uses !== 1) makeUnl(u.type);
}

function countUse(st: InferState, u: Use, n: number) {
  if (u.frame === st.frames.length) { u.uses += n; return; }
  const f = st.frames[st.frames.length - 1]!;
  let c = f.counts.get(u);
  if (!c) f.counts.set(u, (c = new Array<number>(f.n).fill(0)));
  c[f.branch]! += n;
}

/** Type `n` alternatives (`f(i)` each): a variable bound outside counts as used as often as in
 * every alternative when that is the same number, otherwise as many times. */
export function branches<T>(st: InferState, n: number, f: (i: number) => T): T[] {
  const frame = { branch: 0, n, counts: new Map<Use, number[]>() };
  st.frames.push(frame);
  const out: T[] = [];
  try {
    for (let i = 0; i < n; i++) { frame.branch = i; out.push(f(i)); }
  } finally {
    st.frames.pop();
  }
  for (const [u, c] of frame.counts) countUse(st, u, c.every((x) => x === c[0]) ? c[0]! : Infinity);
  return out;
}

/** Type the body of a function literal (or of a deep handler's clause): outer variables used in it count as used many times. */
export function inLambda<T>(st: InferState, f: () => T): T {
  st.lam++;
  try { return f(); } finally { st.lam--; }
}
/** `rec`: the names of a recursive group being typed, without signatures (see `recursiveUse`) */
export function withBindings<T>(st: InferState, binds: [string, Scheme][], f: () => T, rec?: readonly boolean[]): T {
  binds.forEach(([n, s], i) => {
    pushBinding(st, n, s);
    if (rec?.[i]) { const us = st.uses.get(n)!; us[us.length - 1]!.rec = true; }
  });
  try {
    return f();
  } finally {
    for (let i = binds.length - 1; i >= 0; i--) popBinding(st, binds[i]![0]);
  }
}
export function lookup(st: InferState, name: string, span: Span): Type {
  const stack = st.env.get(name);
  const s = stack?.[stack.length - 1];
  if (!s) throw typeError(`Unknown variable ${name}.`, span);
  const us = st.uses.get(name);
  const u = us?.[us.length - 1];
  if (u) countUse(st, u, u.lam < st.lam ? Infinity : 1);
  return instantiate(st, s);
}

/** Does `name` refer to a function of the recursive group being typed (one without a signature)? */
export function recursiveUse(st: InferState, name: string): boolean {
  const us = st.uses.get(name);
  return us?.[us.length - 1]?.rec === true;
}

/** A fresh unrestricted (Unl) variable. */
export function fresh(st: InferState, kind: Kind = "type"): TVar {
  return freshVar(kind, st.level);
}

/** A fresh variable of linearity Any where Links makes one (outside the prelude). */
export function freshAny(st: InferState, kind: Kind = "type"): TVar {
  return freshVar(kind, st.level, st.userCode);
}

export function mono(t: Type): Scheme {
  return { vars: [], type: t };
}

// ------------------------------------------------------------ generalisation
export function generalize(st: InferState, t: Type): Scheme {
  const vars: TVar[] = [];
  const seen = new Set<number>();
  const visit = (x: Type): void => {
    x = prune(x);
    if (x.tag !== "TVar") return forEachChild(x, visit);
    if (x.level > st.level && !seen.has(x.id)) { seen.add(x.id); vars.push(x); }
  };
  visit(t);
  return { vars, type: t };
}

/** A type that will not be generalised belongs to the current level. */
export function lowerLevels(st: InferState, t: Type): Type {
  const visit = (x: Type): void => {
    x = prune(x);
    if (x.tag !== "TVar") return forEachChild(x, visit);
    if (x.level > st.level) x.level = st.level;
  };
  visit(t);
  return t;
}

export function instantiate(st: InferState, s: Scheme): Type {
  if (s.vars.length === 0) return s.type;
  const sub = new Map<number, Type>();
  for (const v of s.vars) sub.set(v.id, freshVar(v.kind, st.level, v.any));
  return substitute(s.type, sub);
}

export function substitute(t: Type, sub: Map<number, Type>): Type {
  const go = (x: Type): Type => {
    x = prune(x);
    switch (x.tag) {
      case "TVar": return sub.get(x.id) ?? x;
      case "Con": return x.args.length ? { ...x, args: x.args.map(go) } : x;
      case "Fun": return { tag: "Fun", params: x.params.map(go), eff: go(x.eff), ret: go(x.ret) };
      case "Op": return { tag: "Op", params: x.params.map(go), ret: go(x.ret), ...(x.forall ? { forall: x.forall.map((v) => prune(go(v)) as TVar) } : {}) };
      case "Record": return { tag: "Record", row: go(x.row) };
      case "Variant": return { tag: "Variant", row: go(x.row) };
      case "Alias": {
        const orig = x;
        let body: Type | undefined;
        return { tag: "Alias", name: x.name, args: x.args.map(go), mu: x.mu, decl: x.decl, get body() { return (body ??= go(orig.body)); } };
      }
      case "RowExtend": return { tag: "RowExtend", label: x.label, presence: go(x.presence), rest: go(x.rest) };
      case "Pre": return { tag: "Pre", type: go(x.type) };
      case "RowEmpty": case "Abs": return x;
    }
  };
  return go(t);
}

/**
 * Make a type unrestricted (Links' `Unl.make_type`): its variables of linearity Any become Unl,
 * through records, variants, rows, presence and type names; a function, a list or an operation is
 * unrestricted whatever it contains, so the walk stops there.
 */
export function makeUnl(t: Type, seen?: Set<Type>): void {
  const x = prune(t);
  if (x.tag === "TVar") { delete x.any; return; }
  if (x.tag !== "Record" && x.tag !== "Variant" && x.tag !== "RowExtend" && x.tag !== "Pre" && x.tag !== "Alias") return;
  seen ??= new Set();
  if (seen.has(x)) return;
  seen.add(x);
  switch (x.tag) {
    case "Record": case "Variant": return makeUnl(x.row, seen);
    case "RowExtend": makeUnl(x.presence, seen); return makeUnl(x.rest, seen);
    case "Pre": return makeUnl(x.type, seen);
    // a type name's variables are its arguments (an inferred mu type's too): its body is not walked
    case "Alias": x.args.forEach((a) => makeUnl(a, seen)); return;
    default: return;
  }
}
