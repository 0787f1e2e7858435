// infer, part: unification. Types, Rémy-style rows (records, variants, effects) and presence
// flags; the occurs check and level adjustment when a variable is bound; recursive typenames
// unified coinductively; and the two Links-style type-error messages (`expect`, `expectEffects`).
import { type Span, typeError } from "../ir/common.js";
import { makeUnl, substitute } from "./infer-env.js";
import { type Alias, type TVar, type Type, TypeNames, muBodies, forEachChild, freshVar, printType, prune, resolve, rowEmpty, rowFields } from "../ir/types.js";

/** What unification keeps between calls: the pairs of type names being unified (see `unify`). */
export interface UnifyState {
  aliasPairs: Set<string>;
  /** the let-level: an instance of a polymorphic operation's type is made at it */
  level: number;
}

class UnifyError extends Error {
  constructor(readonly reason?: string) {
    super(reason);
  }
}

export function unify(st: UnifyState, a: Type, b: Type): void {
  a = prune(a);
  b = prune(b);
  if (a === b) return;
  if (a.tag === "TVar") return bindVar(a, b);
  if (b.tag === "TVar") return bindVar(b, a);
  if (a.tag === "Alias" && b.tag === "Alias" && a.name === b.name && a.decl === b.decl && a.args.length === b.args.length) {
    a.args.forEach((x, i) => unify(st, x, b.args[i]!));
    return;
  }
  if (a.tag === "Alias" || b.tag === "Alias") {
    // Recursive type names unify coinductively: a pair already being unified is assumed equal.
    const key = `${typeKey(a)}=${typeKey(b)}`;
    if (st.aliasPairs.has(key)) return;
    st.aliasPairs.add(key);
    try {
      return a.tag === "Alias" ? unify(st, a.body, b) : unify(st, a, (b as Extract<Type, { tag: "Alias" }>).body);
    } finally {
      st.aliasPairs.delete(key);
    }
  }
  switch (a.tag) {
    case "Con":
      if (b.tag !== "Con" || a.name !== b.name || a.args.length !== b.args.length) throw new UnifyError();
      a.args.forEach((x, i) => unify(st, x, b.args[i]!));
      return;
    case "Fun":
      if (b.tag !== "Fun" || a.params.length !== b.params.length) throw new UnifyError();
      a.params.forEach((x, i) => unify(st, x, b.params[i]!));
      unify(st, a.eff, b.eff);
      unify(st, a.ret, b.ret);
      return;
    case "Op": {
      if (b.tag !== "Op" || a.params.length !== b.params.length) throw new UnifyError();
      const [x, y] = polyOps(st, a, b);
      x.params.forEach((p, i) => unify(st, p, y.params[i]!));
      unify(st, x.ret, y.ret);
      return;
    }
    case "Record": case "Variant":
      if (b.tag !== a.tag) throw new UnifyError();
      return unify(st, a.row, b.row);
    case "RowEmpty":
      if (b.tag === "RowEmpty") return;
      if (b.tag === "RowExtend") return unify(st, b, a);
      throw new UnifyError();
    case "RowExtend": {
      if (b.tag !== "RowExtend" && b.tag !== "RowEmpty") throw new UnifyError();
      if (unifySameTail(st, a, b)) return;
      const tailBefore = rowFields(a.rest).tail;
      const [p, rest] = rewriteRow(b, a.label);
      if (tailBefore.tag === "TVar" && tailBefore.ref) throw new UnifyError(); // recursive row
      unify(st, a.presence, p);
      unify(st, a.rest, rest);
      return;
    }
    case "Pre":
      if (b.tag !== "Pre") throw new UnifyError();
      return unify(st, a.type, b.type);
    case "Abs":
      if (b.tag !== "Abs") throw new UnifyError();
      return;
  }
}

type OpType = Extract<Type, { tag: "Op" }>;
/**
 * Two operation types made comparable: a polymorphic one against a monomorphic one (a `do`, a
 * handler clause without annotation) is instantiated afresh; two polymorphic ones must quantify
 * as many variables, which are identified (equal up to renaming).
 */
function polyOps(st: UnifyState, a: OpType, b: OpType): [OpType, OpType] {
  const qa = a.forall ?? [], qb = b.forall ?? [];
  if (qa.length === 0 && qb.length === 0) return [a, b];
  if (qa.length > 0 && qb.length > 0) {
    if (qa.length !== qb.length) throw new UnifyError();
    return [a, substitute(b, new Map(qb.map((v, i) => [v.id, qa[i]!]))) as OpType];
  }
  const inst = (o: OpType): OpType =>
    substitute({ ...o, forall: undefined }, new Map(o.forall!.map((v) => [v.id, freshVar(v.kind, st.level, v.any)]))) as OpType;
  return qa.length > 0 ? [inst(a), b] : [a, inst(b)];
}

/**
 * Two rows ending in the same variable: a label in one but not the other can only be absent
 * (binding the variable would make the row recursive). Returns false when the tails differ.
 */
function unifySameTail(st: UnifyState, a: Type, b: Type): boolean {
  const ra = rowFields(a), rb = rowFields(b);
  if (ra.tail.tag !== "TVar" || ra.tail !== rb.tail) return false;
  const fa = new Map(ra.fields), fb = new Map(rb.fields);
  for (const [l, p] of fa) unify(st, p, fb.get(l) ?? { tag: "Abs" });
  for (const [l, p] of fb) if (!fa.has(l)) unify(st, p, { tag: "Abs" });
  return true;
}

/** Bring `label` to the front of `row`: its presence and the rest of the row. */
function rewriteRow(row: Type, label: string): [Type, Type] {
  const r = resolve(row);
  if (r.tag === "RowExtend") {
    if (r.label === label) return [r.presence, r.rest];
    const [p, rest] = rewriteRow(r.rest, label);
    return [p, { tag: "RowExtend", label: r.label, presence: r.presence, rest }];
  }
  // a rigid row (from a signature) cannot grow: a label not in it is absent from it
  if (r.tag === "TVar" && r.rigid) return [{ tag: "Abs" }, r];
  if (r.tag === "TVar") {
    const p = freshVar("presence", r.level);
    const rest = freshVar("row", r.level, r.any);
    bindVar(r, { tag: "RowExtend", label, presence: p, rest });
    return [p, rest];
  }
  if (r.tag === "RowEmpty") return [{ tag: "Abs" }, rowEmpty];
  throw new UnifyError();
}

/** Types in which no unbound type variable is reachable (a binding never changes, so they stay so): bindVar's occurs check skips them. */
const ground = new WeakSet<Type>();

function bindVar(v: TVar, t: Type): void {
  if (t.tag === "TVar" && t.id === v.id) return;
  if (v.rigid) {
    // a rigid variable only unifies with a flexible one, which then points to it
    if (t.tag === "TVar" && !t.rigid) return bindVar(t, v);
    throw new UnifyError();
  }
  // occurs check and level adjustment, skipping subterms known to have no variable (`ground`):
  // without, `r.a.a…a` on a record nested n deep walked the whole rest of it at each `.a` (O(n²))
  let occurs = false;
  const visit = (x: Type): boolean => {
    x = prune(x);
    if (x.tag !== "TVar") {
      if (ground.has(x)) return false;
      let vars = false;
      forEachChild(x, (c) => { if (visit(c)) vars = true; });
      if (!vars) ground.add(x);
      return vars;
    }
    if (x.id === v.id) occurs = true;
    else if (x.level > v.level) {
      // a rigid variable may not escape into an enclosing scope
      if (x.rigid) throw new UnifyError(`the quantified type variable ${x.rigid} would escape their scope`);
      x.level = v.level;
    }
    return true;
  };
  visit(t);
  if (!occurs) {
    v.ref = t;
    // an unrestricted variable makes what it stands for unrestricted (presence flags carry no linearity)
    if (!v.any && v.kind !== "presence") makeUnl(t);
    return;
  }
  // v = t[v]: an equi-recursive type, as Links infers one, when every occurrence of v is guarded
  const pt = prune(t);
  if (v.kind === "presence" && pt.tag === "Pre" && guarded(v, pt.type)) {
    // a field present with a type that mentions the field's own presence: the type is recursive
    const x = freshVar("type", v.level);
    v.ref = { tag: "Pre", type: x };
    return bindVar(x, pt.type);
  }
  if (v.kind === "presence" || !guarded(v, t)) throw new UnifyError();
  bindRecursive(v, t);
}

/**
 * Bind v to `mu v.t` (t mentions v): an anonymous Alias whose body is t, so the type is cyclic
 * through the Alias; its args are t's other free variables. Returns the Alias.
 */
export function bindRecursive(v: TVar, t: Type): Type {
  const args: TVar[] = [];
  const collect = (x: Type): void => {
    x = prune(x);
    if (x.tag !== "TVar") return forEachChild(x, collect);
    if (x.id !== v.id && !args.includes(x)) args.push(x);
  };
  collect(t);
  const mu: Alias = { tag: "Alias", name: `%mu${v.id}`, args, body: t, mu: v };
  v.ref = mu;
  muBodies.set(t, mu);
  if (!v.any) makeUnl(mu);
  return mu;
}


/**
 * Does `v` occur in t only inside fields of rows (records, variants, effect rows)? Links'
 * "guarded" recursive types (its default, `infer_recursive_types=guarded`): a one-element tuple
 * and a list are not guards, a function's single parameter is not (several form a tuple, which is).
 */
function guarded(v: TVar, t: Type, aliases = new Set<string>()): boolean {
  const g = (x: Type): boolean => guarded(v, x, aliases);
  const x = prune(t);
  switch (x.tag) {
    case "TVar": return x.id !== v.id;
    case "Con": return x.args.every(g);
    case "Fun": return (x.params.length !== 1 || g(x.params[0]!)) && g(x.eff) && g(x.ret);
    case "Op": return (x.params.length !== 1 || g(x.params[0]!)) && g(x.ret);
    case "Record": {
      const { fields, tail } = rowFields(x.row);
      if (fields.length === 1 && fields[0]![0] === "1" && tail.tag === "RowEmpty") return g(fields[0]![1]);
      return g(x.row);
    }
    case "Variant": return g(x.row);
    // a row's fields guard; its tail does not
    case "RowExtend": return g(rowFields(x).tail);
    case "Alias": {
      if (aliases.has(x.name)) return true;
      aliases.add(x.name);
      try { return g(x.body); } finally { aliases.delete(x.name); }
    }
    case "Pre": return g(x.type);
    case "RowEmpty": case "Abs": return true;
  }
}

/** Unify a with b; on failure, a type error at `span` with the message `why` writes (names shared by both types). */
function unifyOr(st: UnifyState, a: Type, b: Type, span: Span, why: (e: UnifyError, names: TypeNames) => string): void {
  try {
    unify(st, a, b);
  } catch (e) {
    if (!(e instanceof UnifyError)) throw e;
    const names = new TypeNames();
    names.count(a);
    names.count(b);
    throw typeError(why(e, names), span);
  }
}

/** Unify `actual` (the type of the expression at `span`) with `expected`, with a Links-style message. */
export function expect(st: UnifyState, actual: Type, expected: Type, span: Span, what = "expression"): void {
  unifyOr(st, actual, expected, span, (e, names) => e.reason
    ? `${e.reason}, in the ${what}`
    : `the ${what} has type\n    ${printType(actual, names)}\nbut it is expected to have type\n    ${printType(expected, names)}`);
}

/** The callee's (or operation's) effects must be allowed by the current effect row. */
export function expectEffects(st: UnifyState, needed: Type, eff: Type, span: Span, what = "call"): void {
  unifyOr(st, needed, eff, span, (_e, names) =>
    `the effects of this ${what}\n    {${printType({ tag: "Record", row: needed }, names).slice(1, -1)}}\nare not allowed by the enclosing effect row\n    {${printType({ tag: "Record", row: eff }, names).slice(1, -1)}}`);
}

/** A structural key for a type (variables by identity), used to detect recursive alias unification. */
function typeKey(t: Type, depth = 0): string {
  t = prune(t);
  if (depth > 6) return "…";
  const k = (x: Type) => typeKey(x, depth + 1);
  switch (t.tag) {
    case "TVar": return `'${t.id}`;
    case "Con": return `${t.name}(${t.args.map(k).join(",")})`;
    case "Fun": return `(${t.params.map(k).join(",")})-${k(t.eff)}->${k(t.ret)}`;
    case "Op": return `(${t.params.map(k).join(",")})=>${k(t.ret)}`;
    case "Record": return `{${k(t.row)}}`;
    case "Variant": return `[${k(t.row)}]`;
    case "Alias": return `${t.name}(${t.args.map(k).join(",")})`;
    case "RowEmpty": return "·";
    case "RowExtend": return `${t.label}:${k(t.presence)};${k(t.rest)}`;
    case "Pre": return k(t.type);
    case "Abs": return "-";
  }
}
