// Types of the Links subset, as inference builds them, and their printer in Links notation.
//
// Rows (records, variants, effects) are Rémy-style: a chain of RowExtend nodes ending in
// RowEmpty (closed) or a row variable. A field's presence is Pre(type), Abs, or a presence
// variable (Links prints it `l{_}`). Type variables are mutable cells (union-find with levels).
// Aliases (`typename Maybe(a) = …`) are kept as Alias nodes wrapping their expansion so the
// printer can show `Maybe (Int)`; unification looks through them.

import { compareLabels } from "./common.js";

export type Kind = "type" | "row" | "presence";

export interface TVar {
  tag: "TVar";
  id: number;
  kind: Kind;
  ref: Type | undefined; // bound to another type when unified
  level: number; // for let-generalisation
  rigid?: string; // a rigid (skolem) variable from a signature, with its source name
  /** Links' linearity kind Any (may be linear; printed `a::Any`); absent: Unl (unrestricted) */
  any?: true;
}

export type Type =
  | TVar
  | { tag: "Con"; name: string; args: Type[] } // Int, Float, Bool, Char, String, List(elem), Process(row)
  | { tag: "Fun"; params: Type[]; eff: Type; ret: Type } // eff: a row
  // operation signature Op:(A) => B; `forall`: its own quantified variables (Op: forall a. () => a),
  // rigid and at level 0, instantiated afresh at every use
  | { tag: "Op"; params: Type[]; ret: Type; forall?: TVar[] }
  | { tag: "Record"; row: Type }
  | { tag: "Variant"; row: Type }
  | Alias
  | { tag: "RowEmpty" }
  | { tag: "RowExtend"; label: string; presence: Type; rest: Type }
  | { tag: "Pre"; type: Type }
  | { tag: "Abs" };

/**
 * A type name and its expansion. Inference also makes anonymous ones for equi-recursive types
 * (`mu`: the variable the recursion replaced): `mu a.[|Leaf|Node:(a, Int, a)|]` is an Alias whose
 * body reaches the Alias again; its args are the body's other free variables, so generalisation
 * and instantiation, which look at args only, see them.
 */
/** `decl`: which definition of the name (a user's typename may reuse a built-in's or the prelude's name with other parameters) */
export interface Alias { tag: "Alias"; name: string; args: Type[]; body: Type; mu?: TVar; decl?: object }

/**
 * The mu type whose body a type node is (inference's recursive types): a node reached directly —
 * not through its mu type — still prints as the mu type, `mu a.[|A:a|b|]` rather than one unrolling.
 */
export const muBodies = new WeakMap<Type, Alias>();

export interface Scheme {
  vars: TVar[];
  type: Type;
}

let nextVarId = 0;
export function freshVar(kind: Kind, level: number, any = false): TVar {
  const v: TVar = { tag: "TVar", id: ++nextVarId, kind, ref: undefined, level };
  if (any) v.any = true;
  return v;
}

export const tInt: Type = { tag: "Con", name: "Int", args: [] };
export const tFloat: Type = { tag: "Con", name: "Float", args: [] };
export const tBool: Type = { tag: "Con", name: "Bool", args: [] };
export const tChar: Type = { tag: "Con", name: "Char", args: [] };
export const tString: Type = { tag: "Con", name: "String", args: [] };
export const rowEmpty: Type = { tag: "RowEmpty" };
export const tUnit: Type = { tag: "Record", row: rowEmpty };
export const tList = (elem: Type): Type => ({ tag: "Con", name: "List", args: [elem] });

/** The effect label carrying a process's mailbox type (printed with an empty name: `{:Int|_}`). */
export const HEAR = "hear";
/** The effect label that marks a function wild (printed as `~>`). */
export const WILD = "wild";

export function prune(t: Type): Type {
  while (t.tag === "TVar" && t.ref) t = t.ref;
  return t;
}

/**
 * Follow variables and aliases to the structural type. An alias that only ever expands to
 * aliases (`typename Foo = forall a.Foo`) has no structure: it is returned as it is.
 */
export function resolve(t: Type): Type {
  for (let i = 0; ; i++) {
    t = prune(t);
    if (t.tag !== "Alias" || i > 100) return t;
    t = t.body;
  }
}

/** Apply `f` to each immediate component of `t` (aliases: their arguments, not their expansion). */
export function forEachChild(t: Type, f: (x: Type) => void): void {
  switch (t.tag) {
    case "Con": case "Alias": t.args.forEach(f); return;
    case "Fun": t.params.forEach(f); f(t.eff); f(t.ret); return;
    case "Op": t.params.forEach(f); f(t.ret); return;
    case "Record": case "Variant": f(t.row); return;
    case "RowExtend": f(t.presence); f(t.rest); return;
    case "Pre": f(t.type); return;
    case "TVar": case "RowEmpty": case "Abs": return;
  }
}

/** A row's fields and its tail; `stop`: a recursive row (a mu Alias) it should not expand (the printer's). */
export function rowFields(row: Type, stop?: (a: Alias) => boolean): { fields: [string, Type][]; tail: Type } {
  const fields: [string, Type][] = [];
  const res = (x: Type): Type => {
    for (let i = 0; ; i++) {
      x = prune(x);
      if (x.tag !== "Alias" || i > 100 || (stop && stop(x))) return x;
      x = x.body;
    }
  };
  let r = res(row);
  while (r.tag === "RowExtend") {
    fields.push([r.label, r.presence]);
    r = res(r.rest);
  }
  return { fields, tail: r };
}

export function mkRow(fields: [string, Type][], tail: Type): Type {
  let r = tail;
  for (let i = fields.length - 1; i >= 0; i--) r = { tag: "RowExtend", label: fields[i]![0], presence: fields[i]![1], rest: r };
  return r;
}

export function tupleType(items: Type[]): Type {
  return { tag: "Record", row: mkRow(items.map((t, i) => [String(i + 1), { tag: "Pre", type: t }]), rowEmpty) };
}

// ---------------------------------------------------------------- printer

/**
 * Print a type the way Links does: `(Int) -> Int`, `[Int]`, `(x:Int,y:String)`, `(Int, Bool)`,
 * `[|Foo:Int|Bar|_|]`, `() {Foo:() => a|_}-> a`, `Maybe (Int)`. Type variables are named a, b, …
 * in order of appearance; a variable that occurs once prints as `_` (and still uses up a letter,
 * as Links' printer does: `fun (x) { fun (y) { (x, y) } }` is `(a) -> (c) -> (a, c)`). Variables
 * written in a signature or annotation are renamed the same way, as Links does
 * (`(fun (x : [|Foo|Bar{p}|]) { … })` is `([|Bar{_}|Foo|]) -> Int`).
 */
export function printType(t: Type, names = new TypeNames(), syntax?: TypeSyntax): string {
  names.count(t);
  if (!syntax?.showQuantifiers) return new TypePrinter(names, syntax?.effectSugar ? { ...syntax, shared: sharedEffect(t) } : undefined).type(t);
  // every variable is bound by the quantifier, so each shows its name (none is the implicit one)
  names.bound = true;
  let body: string;
  try { body = new TypePrinter(names, syntax.effectSugar ? { ...syntax, shared: undefined } : undefined).type(t); } finally { names.bound = false; }
  const kind = (v: TVar) => (v.kind === "row" ? "::Row" : v.kind === "presence" ? "::Presence" : v.any ? "::(Any,Any)" : "");
  const vs = names.named();
  return vs.length === 0 ? body : `forall ${vs.map((v) => names.name(v) + kind(v)).join(",")}.${body}`;
}

/**
 * Links' effect sugar for printing (`--set=effect_sugar=true`, `--set=effect_sugar_policy=…`):
 * the effect variable of a function's last arrow (its implicit shared effect) is left out, and the
 * policy's options — Links' names: presence_omit, alias_omit, arrows_show_implicit_effect_variable,
 * arrows_curried_hide_fresh, contract_operation_arrows, open_default — say what else is.
 */
export interface TypeSyntax {
  effectSugar: boolean;
  policy: ReadonlySet<EffectSugarOption>;
  /** Links' show_quantifiers: `forall a,b::Row.…` before a polymorphic type, every variable named */
  showQuantifiers?: boolean;
}
export const EFFECT_SUGAR_OPTIONS = {
  presence_omit: "pres", alias_omit: "alias", arrows_show_implicit_effect_variable: "show_implicit",
  arrows_curried_hide_fresh: "chf", contract_operation_arrows: "contract", open_default: "open",
  final_arrow_shares_with_alias: "final_arrow", all_implicit_arrows_share: "all_arrows",
} as const;
export type EffectSugarOption = keyof typeof EFFECT_SUGAR_OPTIONS;
/** Links' default policy */
export const DEFAULT_EFFECT_SUGAR: readonly EffectSugarOption[] = ["presence_omit", "alias_omit", "contract_operation_arrows", "arrows_curried_hide_fresh"];

/** The implicit shared effect of a type: the row variable of its last arrow (through curried arrows and type names whose last argument is a row). */
function sharedEffect(t: Type): TVar | undefined {
  const sharing = (x: Type): boolean => {
    const p = prune(x);
    return p.tag === "Fun" || (p.tag === "Alias" && !p.mu && isRowArg(p.args[p.args.length - 1]));
  };
  for (let x = prune(t); ;) {
    if (x.tag === "Fun") {
      if (sharing(x.ret)) { x = prune(x.ret); continue; }
      const tail = rowFields(x.eff).tail;
      return tail.tag === "TVar" ? tail : undefined;
    }
    if (x.tag === "Alias" && !x.mu && isRowArg(x.args[x.args.length - 1])) {
      const tail = rowFields(x.args[x.args.length - 1]!).tail;
      return tail.tag === "TVar" ? tail : undefined;
    }
    return undefined;
  }
}

function isRowArg(a: Type | undefined): boolean {
  const p = a && prune(a);
  return !!p && (p.tag === "RowEmpty" || p.tag === "RowExtend" || (p.tag === "TVar" && p.kind === "row"));
}

export class TypeNames {
  private names = new Map<number, string>();
  private occurrences = new Map<number, number>();
  private muSeen = new Set<string>();
  private next = 0;
  /** the variables named so far, in order (not mu types' recursion variables) */
  private order: TVar[] = [];
  private muVars = new Set<number>();
  /** printing under a quantifier: a variable occurring once still shows its name */
  bound = false;
  /** the name of a mu type's recursion variable (bound by the mu, not by a quantifier) */
  muName(v: TVar): string {
    this.muVars.add(v.id);
    return this.name(v);
  }
  named(): TVar[] {
    return this.order.filter((v) => !this.muVars.has(v.id));
  }
  count(t: Type, seen = new Set<Type>()): void {
    t = prune(t);
    if (seen.has(t)) return;
    const mu = muBodies.get(t);
    if (mu && !this.muSeen.has(mu.name)) return this.count(mu, seen);
    switch (t.tag) {
      case "TVar":
        this.occurrences.set(t.id, (this.occurrences.get(t.id) ?? 0) + 1);
        return;
      case "Con": t.args.forEach((a) => this.count(a, seen)); return;
      case "Fun": t.params.forEach((a) => this.count(a, seen)); this.count(t.eff, seen); this.count(t.ret, seen); return;
      case "Op": t.params.forEach((a) => this.count(a, seen)); this.count(t.ret, seen); return;
      case "Record": case "Variant": this.count(t.row, seen); return;
      case "Alias":
        if (t.mu) {
          // the body once per type being counted (instances of one mu share its name); the
          // recursion variable is named when printed
          if (this.muSeen.has(t.name)) return;
          this.muSeen.add(t.name);
          this.count(t.body, seen);
          this.muSeen.delete(t.name);
          return;
        }
        seen.add(t); t.args.forEach((a) => this.count(a, seen)); seen.delete(t); return;
      case "RowExtend": this.count(t.presence, seen); this.count(t.rest, seen); return;
      case "Pre": this.count(t.type, seen); return;
      case "RowEmpty": case "Abs": return;
    }
  }
  /** The printed form of a variable: `_` when it occurs once, its name otherwise. */
  show(v: TVar): string {
    const n = this.name(v);
    return this.once(v) && !this.bound ? "_" : n;
  }
  once(v: TVar): boolean {
    return (this.occurrences.get(v.id) ?? 0) <= 1;
  }
  name(v: TVar): string {
    let n = this.names.get(v.id);
    if (!n) {
      const i = this.next++;
      n = String.fromCharCode(97 + (i % 26)) + (i >= 26 ? String(Math.floor(i / 26)) : "");
      this.names.set(v.id, n);
      this.order.push(v);
    }
    return n;
  }
}

/** `::Any` after a variable of linearity Any (Links prints the kind only when it is not the default). */
const kindSuffix = (v: TVar): string => (v.any ? "::Any" : "");

class TypePrinter {
  /** the mu types being printed (by name): inside its body, a mu type prints as its variable */
  private inMu = new Set<string>();
  constructor(private names: TypeNames, private sugar?: TypeSyntax & { shared: TVar | undefined }) {}

  private has(o: EffectSugarOption): boolean {
    return this.sugar?.policy.has(o) ?? false;
  }

  type(t: Type): string {
    t = prune(t);
    const mu = muBodies.get(t);
    if (mu && !this.inMu.has(mu.name)) return this.type(mu);
    switch (t.tag) {
      case "TVar":
        return this.names.show(t) + kindSuffix(t);
      case "Con":
        if (t.name === "List") return `[${this.type(t.args[0]!)}]`;
        if (t.args.length === 0) return t.name;
        return `${t.name} (${t.args.map((a) => this.arg(a)).join(",")})`;
      case "Alias":
        if (t.mu) {
          if (this.inMu.has(t.name)) return this.names.muName(t.mu);
          const v = this.names.muName(t.mu);
          this.inMu.add(t.name);
          try { return `mu ${v}.${this.type(t.body)}`; } finally { this.inMu.delete(t.name); }
        }
        {
          // alias_omit: an effect row argument that is only the implicit shared effect is left out
          const last = t.args[t.args.length - 1];
          const omit = this.has("alias_omit") && last !== undefined && isRowArg(last) && this.onlyShared(last);
          const args = omit ? t.args.slice(0, -1) : t.args;
          return args.length === 0 ? t.name : `${t.name} (${args.map((a) => this.arg(a)).join(",")})`;
        }
      case "Fun": return this.fun(t.params, t.eff, t.ret);
      case "Op": return `${this.quantifiers(t.forall)}(${t.params.map((p) => this.type(p)).join(", ")}) => ${this.type(t.ret)}`;
      case "Record": return this.record(t.row);
      case "Variant": return this.variant(t.row);
      case "RowEmpty": case "RowExtend": return `{${this.rowBody(t, ",")}}`;
      case "Pre": return this.type(t.type);
      case "Abs": return "-";
    }
  }

  /** An operation's own quantifiers: `forall a,b.` */
  private quantifiers(vs: TVar[] | undefined): string {
    return vs && vs.length > 0 ? `forall ${vs.map((v) => this.names.show(v)).join(",")}.` : "";
  }

  private arg(a: Type): string {
    const p = prune(a);
    if (isRowArg(p)) {
      const body = this.sugar ? this.effectRowBody(p) : this.rowBody(p, ",");
      return body.startsWith("|") ? `{ ${body}}` : `{${body}}`;
    }
    return this.type(a);
  }

  private rowVar(v: TVar): string {
    if (this.sugar && v === this.sugar.shared) {
      const n = this.names.name(v);
      return this.has("arrows_show_implicit_effect_variable") ? n : "_";
    }
    return this.names.show(v);
  }

  /** Is this row just the implicit shared effect (no field an effect row shows)? */
  private onlyShared(row: Type): boolean {
    const { fields, tail } = rowFields(row);
    return tail === this.sugar?.shared && this.effectFields(fields).length === 0;
  }

  /** The fields of an effect row that print: not `wild`; with presence_omit, not presence-polymorphic ones. */
  private effectFields(fields: [string, Type][]): [string, Type][] {
    return fields.filter(([l, p]) => l !== WILD && !(this.has("presence_omit") && prune(p).tag === "TVar"));
  }

  /** An effect row's inside under effect sugar: `E:a` for `E:() => a` (contract), `| .` when closed (open_default), no shared variable. */
  private effectRowBody(row: Type): string {
    const { fields, tail } = rowFields(row);
    const parts = this.effectFields(fields).sort(([a], [b]) => compareLabels(a, b)).map(([l, p]) => {
      const q = prune(p), op = q.tag === "Pre" ? resolve(q.type) : undefined;
      if (op?.tag === "Op" && op.params.length === 0 && this.has("contract_operation_arrows")) return `${l}:${this.type(op.ret)}`;
      return this.field(l, p, ":");
    });
    const body = parts.join(",");
    if (tail.tag === "TVar") {
      if (tail === this.sugar!.shared && this.has("open_default")) { this.names.name(tail); return body; }
      return `${body}|${this.rowVar(tail)}`;
    }
    return this.has("open_default") ? `${body}| .` : body;
  }

  /** The arrow of a function type under effect sugar (Links' rules for which variables an arrow shows). */
  private sugaredArrow(eff: Type, ret: Type, tilde: string): string {
    const { fields, tail } = rowFields(eff);
    if (this.effectFields(fields).length > 0) return `{${this.effectRowBody(eff)}}${tilde}>`;
    if (tail.tag !== "TVar") return this.has("open_default") ? `{ | .}${tilde}>` : `{}${tilde}>`;
    const shared = tail === this.sugar!.shared;
    const showImplicit = this.has("arrows_show_implicit_effect_variable");
    const curried = resolve(ret).tag === "Fun";
    const fresh = this.names.once(tail) && !this.names.bound;
    const skip = this.sugar!.shared === undefined
      ? fresh
      : shared ? !showImplicit : fresh && (showImplicit || (this.has("arrows_curried_hide_fresh") && curried));
    const v = this.rowVar(tail); // named even when hidden: a hidden variable still uses up its letter, as in Links
    return skip ? `${tilde}>` : `${tilde}${v}${tilde}>`;
  }

  /** A row's fields and tail, stopping at recursive rows (`mu` row variables). */
  private fieldsOf(row: Type) {
    return rowFields(row, (a) => a.mu !== undefined);
  }

  /**
   * Fields of a row separated by `sep`, then `|tail` when open (`|(mu r . …)` for a recursive row).
   * `kinded`: a record's or variant's row, whose variable shows its linearity (an effect row's does not).
   */
  private rowBody(row: Type, sep: string, field = (l: string, p: Type) => this.field(l, p, ":"), kinded = false): string {
    const { fields, tail } = this.fieldsOf(row);
    const parts = fields.sort(([a], [b]) => compareLabels(a, b)).map(([l, p]) => field(l, p));
    const body = parts.join(sep);
    if (tail.tag === "TVar") return `${body}|${this.rowVar(tail)}${kinded ? kindSuffix(tail) : ""}`;
    if (tail.tag === "Alias" && tail.mu) {
      const v = this.names.muName(tail.mu);
      if (this.inMu.has(tail.name)) return `${body}|${v}`;
      this.inMu.add(tail.name);
      try { return `${body}|(mu ${v} . ${this.rowBody(tail.body, sep, field)})`; } finally { this.inMu.delete(tail.name); }
    }
    return body;
  }

  private field(label: string, presence: Type, colon: string): string {
    const p = prune(presence);
    const l = label === HEAR ? "" : label;
    if (p.tag === "Abs") return `${l}-`;
    if (p.tag === "TVar") return `${l}{${this.names.show(p)}}`;
    if (p.tag === "Pre") {
      const inner = resolve(p.type);
      if (inner.tag === "Record" && rowFields(inner.row).fields.length === 0 && rowFields(inner.row).tail.tag === "RowEmpty" && colon === "variant") return l;
      if (inner.tag === "Op") {
        const params = inner.params.map((x) => this.type(x)).join(", ");
        return `${l}:${this.quantifiers(inner.forall)}(${params}) => ${this.type(inner.ret)}`;
      }
      return `${l}:${this.type(p.type)}`;
    }
    return `${l}:${this.type(p)}`;
  }

  private record(row: Type): string {
    const { fields, tail } = rowFields(row);
    const isTuple = fields.length !== 1 && tail.tag === "RowEmpty" && fields.every(([l], i) => fields.some(([m]) => m === String(i + 1)));
    if (isTuple && fields.length > 0) {
      const byIndex = [...fields].sort(([a], [b]) => Number(a) - Number(b));
      return `(${byIndex.map(([, p]) => this.presenceType(p)).join(", ")})`;
    }
    if (fields.length === 0 && tail.tag === "RowEmpty") return "()";
    return `(${this.rowBody(row, ",", undefined, true)})`;
  }

  private presenceType(p: Type): string {
    const q = prune(p);
    return q.tag === "Pre" ? this.type(q.type) : this.type(q);
  }

  private variant(row: Type): string {
    return `[|${this.rowBody(row, "|", (l, p) => this.field(l, p, "variant"), true)}|]`;
  }

  private fun(params: Type[], eff: Type, ret: Type): string {
    const args = `(${params.map((p) => this.type(p)).join(", ")})`;
    const { fields, tail } = rowFields(eff);
    const wild = fields.some(([l, p]) => l === WILD && prune(p).tag === "Pre");
    const rest = fields.filter(([l]) => l !== WILD);
    const tilde = wild ? "~" : "-";
    let arrow: string;
    if (this.sugar) {
      arrow = this.sugaredArrow(eff, ret, tilde);
    } else if (rest.length === 0 && tail.tag === "TVar") {
      const v = this.rowVar(tail);
      arrow = v === "_" ? `${tilde}>` : `${tilde}${v}${tilde}>`;
    } else if (rest.length === 0) {
      arrow = `{}${tilde}>`;
    } else {
      arrow = `{${this.rowBody(mkRow(rest, tail), ",")}}${tilde}>`;
    }
    return `${args} ${arrow} ${this.type(ret)}`;
  }
}
