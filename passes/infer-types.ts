// infer, part: type expressions (signatures, annotations, typenames, primitive types) to types.
// Named variables of a signature are rigid; typename uses become lazily expanded aliases, with
// Links' effect sugar for implicit and omitted effect-row arguments.
import { type Span, typeError, unsupported } from "../ir/common.js";
import type { TypeDecl } from "../ir/core.js";
import type { RowExpr, TypeArg, TypeExpr } from "../ir/surface.js";
import {
  HEAR, WILD, type Kind, type Scheme, type TVar, type Type, mkRow, rowEmpty, tBool, tChar, tFloat, tInt, tList, tString, tUnit, tupleType,
} from "../ir/types.js";
import { type InferState, fresh, generalize, substitute } from "./infer-env.js";
import { bindRecursive } from "./infer-unify.js";

/** A signature's type, and the scope of its named variables in the body's annotations. */
export interface Signature {
  type: Type;
  scope: Map<string, TVar> | "closed";
}

export function schemeOf(st: InferState, texpr: TypeExpr): Scheme {
  st.level++;
  const t = typeOf(st, texpr, new Map());
  st.level--;
  return generalize(st, t);
}

function typeOf(st: InferState, te: TypeExpr, vars: Map<string, TVar>): Type {
  switch (te.tag) {
    case "TVar": return namedVar(st, te.name, "type", vars);
    case "TCon": return typeCon(st, te, vars);
    case "TFun":
    {
      // with effect sugar, a plain arrow shares the signature's implicit effect unless it only
      // collects arguments of a curried function (its result is an arrow): that one is fresh
      const shares = !!st.typeSyntax?.effectSugar && !te.op && !(te.ret.tag === "TFun" && !te.ret.op) && !takesImplicitEffect(st, te.ret);
      return { tag: "Fun", params: te.params.map((p) => typeOf(st, p, vars)), eff: rowOf(st, te.effects, vars, "effect", te.span, shares), ret: typeOf(st, te.ret, vars) };
    }
    case "TRecord": return { tag: "Record", row: rowOf(st, te.row, vars, "record", te.span) };
    case "TTuple": return te.items.length === 1 ? typeOf(st, te.items[0]!, vars) : tupleType(te.items.map((x) => typeOf(st, x, vars)));
    case "TVariant": return { tag: "Variant", row: rowOf(st, te.row, vars, "variant", te.span) };
    case "TList": return tList(typeOf(st, te.elem, vars));
    case "TForall": return typeOf(st, te.body, vars);
    case "TMu": {
      // mu a . T: a stands for the whole type inside T
      const key = `type:${te.name}`, outer = vars.get(key);
      const a = fresh(st, "type");
      vars.set(key, a);
      const body = typeOf(st, te.body, vars);
      if (outer) vars.set(key, outer); else vars.delete(key);
      return bindRecursive(a, body);
    }
  }
}

function namedVar(st: InferState, name: string, kind: Kind, vars: Map<string, TVar>): TVar {
  if (name === "_") {
    // an anonymous variable written in a signature is rigid too: the definition may not refine it
    const v = fresh(st, kind);
    if (st.rigidVars && st.inSignature) v.rigid = "_";
    return v;
  }
  const key = `${kind}:${name}`;
  let v = vars.get(key);
  if (!v) {
    vars.set(key, (v = fresh(st, kind)));
    if (st.rigidVars) v.rigid = name;
  }
  return v;
}

/**
 * A signature's type. Its named variables are rigid. With an explicit `forall`, every named
 * variable must be quantified, and the names are not in scope in the body's annotations;
 * otherwise annotations in the body refer to the signature's variables.
 */
export function signature(st: InferState, te: TypeExpr): Signature {
  if (st.typeSyntax?.effectSugar) te = propagateShared(te);
  st.rigidVars = true;
  st.inSignature = true;
  try {
    const vars = new Map<string, TVar>();
    if (te.tag === "TForall") {
      const quantified = new Set(te.vars.map((v) => v.replace(/::.*/, "")));
      // a variable it does not quantify may be the enclosing signature's (scoped type variables:
      // an inner `sig g : forall b.(a, b) -> …` in a function whose signature names a)
      const outer = st.annotScopes[st.annotScopes.length - 1];
      if (outer && outer !== "closed")
        for (const [key, v] of outer) if (!quantified.has(key.slice(key.indexOf(":") + 1))) vars.set(key, v);
      const type = typeOf(st, te.body, vars);
      for (const key of vars.keys()) {
        const name = key.slice(key.indexOf(":") + 1);
        if (!quantified.has(name) && !name.startsWith("%") && !(outer && outer !== "closed" && outer.has(key))) throw typeError(`the type variable ${name} is not bound by the signature's forall`, te.span);
      }
      return { type, scope: "closed" };
    }
    return { type: typeOf(st, te, vars), scope: vars };
  } finally {
    st.rigidVars = false;
    st.inSignature = false;
  }
}

/** An annotation `e : T`: its named variables are rigid, scoped as `annotScope` says. */
export function annotation(st: InferState, te: TypeExpr): Type {
  const scope = annotScope(st);
  st.rigidVars = true;
  try {
    return typeOf(st, te, scope);
  } finally {
    st.rigidVars = false;
  }
}

function annotScope(st: InferState): Map<string, TVar> {
  const top = st.annotScopes[st.annotScopes.length - 1]!;
  // In a function whose signature quantifies explicitly, the signature's variables are not in
  // scope in annotations, and no other named variable is either.
  if (top === "closed") return new Proxy(new Map<string, TVar>(), {
    get: (m, prop) => prop === "get"
      ? (key: string) => { throw typeError(`the type variable ${key.slice(key.indexOf(":") + 1)} is not bound (the enclosing signature quantifies its variables with forall)`); }
      : Reflect.get(m, prop, m),
  });
  return top;
}

function typeCon(st: InferState, te: Extract<TypeExpr, { tag: "TCon" }>, vars: Map<string, TVar>): Type {
  const args = [...te.args];
  const argType = (i: number): Type => {
    const a = args[i];
    if (!a) throw typeError(`type constructor ${te.name} needs more arguments`, te.span);
    return a.tag === "Type" ? typeOf(st, a.type, vars) : rowOf(st, a.row, vars, "effect", te.span);
  };
  const argRow = (i: number): Type => {
    const a = args[i];
    if (!a) return fresh(st, "row");
    if (a.tag === "Row") return rowOf(st, a.row, vars, "effect", te.span);
    if (a.type.tag === "TVar") return namedVar(st, a.type.name, "row", vars);
    throw typeError(`type constructor ${te.name} expects a row argument`, te.span);
  };
  const arity = (n: number) => {
    if (args.length !== n) throw typeError(`type constructor ${te.name} takes ${n} argument(s) but is given ${args.length}`, te.span);
  };
  let decl = st.aliases.get(te.name);
  if (decl) {
    // A typename whose body has arrows with anonymous effects takes the effect row as an
    // implicit last argument (Links' effect sugar): `typename Comp(a) = () ~> a` … `Comp(a, {E|e})`.
    if (args.length === decl.params.length + 1 && args[args.length - 1]!.tag === "Row")
      decl = { ...decl, params: [...decl.params, IMPLICIT_EFFECT], type: withImplicitEffect(decl.type) };
    // with effect sugar on, it always does; omitted, the argument is the signature's shared effect
    else if (st.typeSyntax?.effectSugar && args.length === decl.params.length && rowVarsOf(withImplicitEffect(decl.type)).has(IMPLICIT_EFFECT)) {
      decl = { ...decl, params: [...decl.params, IMPLICIT_EFFECT], type: withImplicitEffect(decl.type) };
      (args as TypeArg[]).push({ tag: "Row", row: { fields: [], rest: "_" } });
    }
    // Trailing effect parameters may be omitted (Links' effect sugar): they become fresh rows.
    if (args.length < decl.params.length && decl.params.slice(args.length).every((p) => rowVarsOf(decl!.type).has(p)))
      for (let i = args.length; i < decl.params.length; i++) (args as TypeArg[]).push({ tag: "Row", row: { fields: [], rest: "_" } });
    // a user's typename shadows a built-in type of the same name
    arity(decl.params.length);
    const d = decl;
    return alias(st, d, d.params.map((_, i) => argType(i)));
  }
  switch (te.name) {
    case "Int": arity(0); return tInt;
    case "Float": arity(0); return tFloat;
    case "Bool": arity(0); return tBool;
    case "Char": arity(0); return tChar;
    case "String": arity(0); return tString;
    case "List": arity(1); return tList(argType(0));
    case "Process": case "Mailbox": return { tag: "Con", name: "Process", args: [argRow(0)] };
    case "Comp": { // Links' prelude: typename Comp(a, e::Eff) = () ~e~> a; Comp(a) has an anonymous row
      const a = argType(0), e = argRow(1);
      return { tag: "Alias", name: "Comp", args: [a, e], decl: BUILTIN_COMP, body: { tag: "Fun", params: [], eff: { tag: "RowExtend", label: WILD, presence: { tag: "Pre", type: tUnit }, rest: e }, ret: a } };
    }
  }
  throw typeError(`unknown type constructor ${te.name}`, te.span);
}

const BUILTIN_COMP = {};

function alias(st: InferState, decl: TypeDecl, args: Type[]): Type {
  let body: Type | undefined;
  return {
    tag: "Alias", name: decl.name, args, decl,
    get body(): Type {
      if (!body) {
        const vars = new Map<string, TVar>();
        // Bind the parameters; the expansion shares the argument types.
        const sub = new Map<number, Type>();
        decl.params.forEach((p, i) => {
          const v = namedVar(st, p, "type", vars);
          sub.set(v.id, args[i]!);
          const rv = namedVar(st, p, "row", vars);
          sub.set(rv.id, args[i]!);
        });
        body = substitute(typeOf(st, decl.type, vars), sub);
      }
      return body;
    },
  };
}

function rowOf(st: InferState, r: RowExpr, vars: Map<string, TVar>, sort: "record" | "variant" | "effect", span: Span, shares = false): Type {
  const fields: [string, Type][] = r.fields.map((f) => {
    const label = f.label === "" ? HEAR : f.label;
    switch (f.presence.kind) {
      case "absent": return [label, { tag: "Abs" }];
      case "poly": return [label, namedVar(st, f.presence.name, "presence", vars)];
      case "present": {
        const te = f.presence.type;
        const t: Type = sort === "effect" && label !== HEAR && label !== WILD ? opTypeOf(st, te, vars) : te ? typeOf(st, te, vars) : tUnit;
        return [label, { tag: "Pre", type: t }];
      }
    }
  });
  if (r.wild && !fields.some(([l]) => l === WILD)) fields.push([WILD, { tag: "Pre", type: tUnit }]);
  // Links' effect sugar `open_default`: an effect row without a tail is open, `| .` closes one
  const openDefault = st.typeSyntax?.policy.has("open_default") ?? false;
  if (r.dot && !(openDefault && sort === "effect"))
    throw typeError("`| .` closes an effect row only where effect rows are open by default (--set effect_sugar=true --set effect_sugar_policy=open_default)", span);
  const tail: Type = r.rest === undefined ? (openDefault && sort === "effect" && !r.dot ? fresh(st, "row") : rowEmpty)
    : r.implicit ? (shares ? sharedEffectVar(st, vars) : fresh(st, "row"))
    : r.rest === "_" && sort === "effect" && st.typeSyntax?.effectSugar ? sharedEffectVar(st, vars)
    : namedVar(st, r.rest, "row", vars);
  return mkRow(fields, tail);
}

/** With effect sugar, every `_` effect row of one signature is the same (flexible) variable: its implicit shared effect. */
function sharedEffectVar(st: InferState, vars: Map<string, TVar>): TVar {
  let v = vars.get(SHARED_EFFECT);
  if (!v) vars.set(SHARED_EFFECT, (v = fresh(st, "row")));
  return v;
}
const SHARED_EFFECT = "row:%shared-effect";

/**
 * Can `te` share the implicit effect: a type name whose last parameter is an effect row (written,
 * `typename CF(a, e::Eff)`, or implicit: its body has arrows without explicit rows)? An arrow
 * whose result is one only collects arguments, as one whose result is an arrow does.
 */
function takesImplicitEffect(st: InferState, te: TypeExpr): boolean {
  if (te.tag !== "TCon") return false;
  const decl = st.aliases.get(te.name);
  if (!decl) return te.name === "Comp";
  const last = decl.params[decl.params.length - 1];
  return (last !== undefined && rowVarsOf(decl.type).has(last)) || rowVarsOf(withImplicitEffect(decl.type)).has(IMPLICIT_EFFECT);
}

/**
 * Links' effect sugar: the operations of one `_` effect row of a signature are in every other
 * (presence-polymorphic, `E{_}`), since they are all the signature's one shared effect:
 * `(() {E:()|_}~> ()) -> () { |_}~> ()` is `(() {E:()|_}~> ()) -> () {E{_}|_}~> ()`.
 */
function propagateShared(te: TypeExpr): TypeExpr {
  const labels = new Set<string>();
  const shared = (r: RowExpr) => r.rest === "_" && !r.implicit;
  const walk = (t: TypeExpr, onRow: (r: RowExpr) => RowExpr): TypeExpr => {
    const w = (x: TypeExpr) => walk(x, onRow);
    const fields = (r: RowExpr): RowExpr => ({ ...r, fields: r.fields.map((f) => f.presence.kind === "present" && f.presence.type ? { ...f, presence: { ...f.presence, type: w(f.presence.type) } } : f) });
    switch (t.tag) {
      case "TFun": return { ...t, params: t.params.map(w), effects: onRow(fields(t.effects)), ret: w(t.ret) };
      case "TCon": return { ...t, args: t.args.map((a) => (a.tag === "Type" ? { tag: "Type", type: w(a.type) } : { tag: "Row", row: onRow(fields(a.row)) })) };
      case "TRecord": case "TVariant": return { ...t, row: fields(t.row) };
      case "TTuple": return { ...t, items: t.items.map(w) };
      case "TList": return { ...t, elem: w(t.elem) };
      case "TMu": case "TForall": return { ...t, body: w(t.body) };
      case "TVar": return t;
    }
  };
  walk(te, (r) => { if (shared(r)) r.fields.forEach((f) => f.label !== "" && labels.add(f.label)); return r; });
  if (labels.size === 0) return te;
  return walk(te, (r) => shared(r)
    ? { ...r, fields: [...r.fields, ...[...labels].filter((l) => !r.fields.some((f) => f.label === l)).map((label) => ({ label, presence: { kind: "poly" as const, name: "_" } }))] }
    : r);
}

/**
 * An operation's type in an effect row (or a handler clause's annotation): `(A) => B`, or a bare
 * `B` for `() => B`. `Op: forall a. (A) => B` is polymorphic: its variables are rigid, at level 0
 * (never generalised with the enclosing type) and instantiated at each use (infer-unify's polyOps).
 */
function opTypeOf(st: InferState, te: TypeExpr | undefined, vars: Map<string, TVar>): Type {
  // the quantified names shadow the enclosing ones while the operation type is read; other named
  // variables are the enclosing type's (added to `vars` on first use)
  const forall: TVar[] = [];
  const shadowed = new Map<string, TVar | undefined>();
  if (te && te.tag === "TForall") {
    for (const name of te.vars.map((v) => v.replace(/::.*/, ""))) {
      const v = fresh(st, "type");
      v.level = 0;
      v.rigid = name;
      const key = `type:${name}`;
      if (!shadowed.has(key)) shadowed.set(key, vars.get(key));
      vars.set(key, v);
      forall.push(v);
    }
  }
  try {
    while (te && te.tag === "TForall") te = te.body;
    const q = forall.length ? { forall } : {};
    if (te && te.tag === "TFun" && (te as { op?: boolean }).op) return { tag: "Op", params: te.params.map((p) => typeOf(st, p, vars)), ret: typeOf(st, te.ret, vars), ...q };
    return { tag: "Op", params: [], ret: te ? typeOf(st, te, vars) : tUnit, ...q };
  } finally {
    for (const [key, old] of shadowed) if (old) vars.set(key, old); else vars.delete(key);
  }
}

/** A handler clause's annotation `case <Op(…) => k> : T -> …`: the operation's type, in the annotation scope. */
export function clauseAnnotation(st: InferState, te: TypeExpr): Extract<Type, { tag: "Op" }> {
  const inner = te.tag === "TForall" ? te.body : te;
  // `(A) => B` parses as an operation arrow only inside rows: here a function type stands for it
  const asOp: TypeExpr = inner.tag === "TFun" ? { ...inner, op: true } as TypeExpr : inner;
  return opTypeOf(st, te.tag === "TForall" ? { ...te, body: asOp } : asOp, annotScope(st)) as Extract<Type, { tag: "Op" }>;
}

const IMPLICIT_EFFECT = "%implicit-effect";

/** Make every arrow with an anonymous effect row in `t` use the row variable IMPLICIT_EFFECT. */
function withImplicitEffect(t: TypeExpr): TypeExpr {
  const go = (x: TypeExpr): TypeExpr => {
    switch (x.tag) {
      case "TFun": return { ...x, params: x.params.map(go), ret: go(x.ret), effects: x.effects.rest === "_" && !x.op ? { ...x.effects, rest: IMPLICIT_EFFECT, implicit: false } : x.effects };
      case "TCon": return { ...x, args: x.args.map((a) => (a.tag === "Type" ? { tag: "Type", type: go(a.type) } : a)) };
      case "TTuple": return { ...x, items: x.items.map(go) };
      case "TList": return { ...x, elem: go(x.elem) };
      case "TMu": case "TForall": return { ...x, body: go(x.body) };
      case "TRecord": case "TVariant":
        return { ...x, row: { ...x.row, fields: x.row.fields.map((f) => (f.presence.kind === "present" && f.presence.type ? { ...f, presence: { ...f.presence, type: go(f.presence.type) } } : f)) } };
      default: return x;
    }
  };
  return go(t);
}

/** Names used as row variables (row tails) anywhere in a type expression. */
function rowVarsOf(t: TypeExpr, out = new Set<string>()): Set<string> {
  const row = (r: RowExpr) => {
    if (r.rest) out.add(r.rest);
    for (const f of r.fields) if (f.presence.kind === "present" && f.presence.type) rowVarsOf(f.presence.type, out);
  };
  switch (t.tag) {
    case "TCon": t.args.forEach((a) => (a.tag === "Type" ? rowVarsOf(a.type, out) : row(a.row))); break;
    case "TFun": t.params.forEach((p) => rowVarsOf(p, out)); row(t.effects); rowVarsOf(t.ret, out); break;
    case "TRecord": case "TVariant": row(t.row); break;
    case "TTuple": t.items.forEach((x) => rowVarsOf(x, out)); break;
    case "TList": rowVarsOf(t.elem, out); break;
    case "TMu": case "TForall": rowVarsOf(t.body, out); break;
    case "TVar": break;
  }
  return out;
}
