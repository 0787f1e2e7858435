// infer, part: the state the other parts share (binding level, environment of schemes,
// typenames, annotation scopes) and let-polymorphism on it: fresh variables at the current
// level, generalisation, instantiation and substitution of a scheme's variables.
import { type Span, typeError } from "../ir/common.js";
import type { TypeDecl } from "../ir/core.js";
import { type Kind, type Scheme, type TVar, type Type, forEachChild, freshVar, prune } from "../ir/types.js";
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
  /** Scopes of named type variables in annotations: one per function with a signature, one for the rest. */
  annotScopes: (Map<string, TVar> | "closed")[] = [new Map()];
}

// ------------------------------------------------------------ environment
export function bindGlobal(st: InferState, name: string, s: Scheme) {
  st.env.set(name, [s]);
}
export function pushBinding(st: InferState, name: string, s: Scheme) {
  let stack = st.env.get(name);
  if (!stack) st.env.set(name, (stack = []));
  stack.push(s);
}
export function popBinding(st: InferState, name: string) {
  st.env.get(name)!.pop();
}
export function withBindings<T>(st: InferState, binds: [string, Scheme][], f: () => T): T {
  for (const [n, s] of binds) pushBinding(st, n, s);
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
  return instantiate(st, s);
}

export function fresh(st: InferState, kind: Kind = "type"): TVar {
  return freshVar(kind, st.level);
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
  for (const v of s.vars) sub.set(v.id, fresh(st, v.kind));
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
        return { tag: "Alias", name: x.name, args: x.args.map(go), mu: x.mu, get body() { return (body ??= go(orig.body)); } };
      }
      case "RowExtend": return { tag: "RowExtend", label: x.label, presence: go(x.presence), rest: go(x.rest) };
      case "Pre": return { tag: "Pre", type: go(x.type) };
      case "RowEmpty": case "Abs": return x;
    }
  };
  return go(t);
}
