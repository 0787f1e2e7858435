// The ANF family's shared structure: ANF, Closed, Boxed, Handlers, ThreadedHandlers and CPS are
// one computation language parameterised by what each of them fixes (its atoms, binders, own
// value forms, what a call and a clause carry, the annotation on computations), with forms
// added and removed — a language defined as a diff of the one before it, as in nanopass.
//
// Two halves:
//   - types: `Lang` and the generic `Comp<L>`, `Value<L>`, `Clause<L>`, `OpClause<L>`; a language
//     file writes `interface ClosedL extends …` and gets its whole computation union from here;
//   - definitions at run time: a `LangDef` is a table from each form's tag to how to walk it
//     (children with the names bound for them, own atoms, map) and print it. `extend` makes a
//     language's table from its parent's. From one table come the traversal (`kit`), the printer
//     and the scope/representation/form checks of the validators (ir/kit-check.ts).
import { type SExp, type Span, internalError } from "./common.js";
import { type CPat, patToSExp, patVars } from "./core.js";
import { type Lit, litToSExp } from "./surface.js";
import type { Type } from "./types.js";

// ---------------------------------------------------------------- types
/** What a language of the family fixes. */
export interface Lang {
  atom: { tag: "Var"; name: string } | { tag: "Lit"; lit: Lit };
  binder: { name: string };
  /** value forms besides atoms and data (ANF: lambdas; Closed: closures; Boxed: + box, unbox) */
  value: { tag: string };
  /** what a `letrec` binds */
  rec: { tag: string };
  /** fields of a call besides the callee and arguments (Closed on: `known`) */
  call: object;
  /** fields of every computation that has a result of its own (a type, or a representation) */
  ann: object;
  /** fields of an operation clause besides op, args, k, body (ThreadedHandlers: `direct`) */
  opClause: object;
  /** computation forms the language adds */
  add: { tag: string };
  /** tags of the base forms the language removes */
  drop: string;
}

/** Data constructions over atoms of type A (the same in every language of the family). */
export type DataValue<A> =
  | { tag: "Con"; name: string; arg: A | undefined; type: Type }
  | { tag: "Record"; fields: [string, A][]; ext: A | undefined; type: Type }
  | { tag: "Update"; record: A; fields: [string, A][]; type: Type }
  | { tag: "Proj"; record: A; label: string; type: Type }
  | { tag: "Nil"; type: Type }
  | { tag: "Cons"; head: A; tail: A; type: Type };

export type Value<L extends Lang> = L["atom"] | DataValue<L["atom"]> | L["value"];
export interface Clause<L extends Lang> { pat: CPat; body: Comp<L> }
export type OpClause<L extends Lang> = { op: string; args: CPat[]; k: CPat | undefined; body: Comp<L> } & L["opClause"];
export interface HandlerParam<L extends Lang> { x: L["binder"]; init: L["atom"] }
export type SpawnKind = "spawn" | "spawnWait" | "spawnAngel";

/**
 * Where in the source a computation that can fail at run time comes from (a call: a primitive's
 * error, a stack overflow, a resumption used twice; a case: no clause matches; a `do`: no
 * handler): the Wasm code generators mark its code with it, and a runtime error names it.
 * Optional: a pass that makes such a form without one loses only the error's location.
 */
export interface At { span?: Span }

/** The base forms: a chain of let-forms ending in a tail computation. */
export type BaseComp<L extends Lang> =
  | { tag: "Let"; x: L["binder"]; value: Value<L>; body: Comp<L> }
  | ({ tag: "LetApp"; x: L["binder"]; fn: L["atom"]; args: L["atom"][]; body: Comp<L> } & L["call"] & At)
  | { tag: "LetComp"; x: L["binder"]; comp: Comp<L>; body: Comp<L> }
  | { tag: "LetRec"; binds: { x: L["binder"]; value: L["rec"] }[]; body: Comp<L> }
  | { tag: "Return"; atom: L["atom"] }
  | ({ tag: "App"; fn: L["atom"]; args: L["atom"][] } & L["call"] & L["ann"] & At)
  | ({ tag: "If"; cond: L["atom"]; then: Comp<L>; else: Comp<L> } & L["ann"])
  | ({ tag: "Case"; scrutinee: L["atom"]; clauses: Clause<L>[] } & L["ann"] & At)
  | ({ tag: "Do"; op: string; args: L["atom"][] } & L["ann"] & At)
  | ({ tag: "Handle"; shallow: boolean; body: Comp<L>; params: HandlerParam<L>[]; ops: OpClause<L>[]; ret: Clause<L> } & L["ann"])
  | ({ tag: "Spawn"; kind: SpawnKind; body: Comp<L> } & L["ann"]);

/** A language's computations: the base forms it keeps and the forms it adds. */
export type Comp<L extends Lang> = Exclude<BaseComp<L>, { tag: L["drop"] }> | L["add"];

// ---------------------------------------------------------------- definitions at run time
// Inside the kit nodes are handled by their tags only; the languages' own functions are typed.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Node = { tag: string } & Record<string, any>;
export type Atom = { tag: "Var"; name: string; rep?: string } | { tag: "Lit"; lit: Lit; rep?: string };
export type Binder = { name: string; rep?: string };
/** A name a form binds for one of its children: a binder, or a pattern variable. */
export type Bound = Binder;

export interface Child { comp: Node; binds: Bound[] }

export interface Printer {
  comp(c: Node): SExp;
  value(v: Node): SExp;
  atom(a: Atom): SExp;
  binder(b: Binder): SExp;
  pat(p: CPat): SExp;
}

/** How to walk and print one computation form. */
export interface FormDef {
  /** the computations directly inside, each with the names this form binds for it */
  children(c: Node, def: LangDef): Child[];
  /** the form with `f` applied to each child (in `children`' order) */
  map(c: Node, f: (x: Node) => Node, def: LangDef): Node;
  /** the atoms the form itself reads (`def`: the language, for the values inside) */
  atoms(c: Node, def: LangDef): Atom[];
  /** names the form binds for its own atoms (letrec's) */
  ownScope?(c: Node): Bound[];
  /** a let-form prints as one item of a flat `(seq …)` and continues with its `body` */
  isLet?: boolean;
  print(c: Node, pr: Printer): SExp;
}

/** How to walk and print one value form. */
export interface ValueDef {
  atoms(v: Node): Atom[];
  children?(v: Node): Child[];
  map?(v: Node, f: (x: Node) => Node): Node;
  print(v: Node, pr: Printer): SExp;
}

export interface LangDef {
  name: string;
  forms: Readonly<Record<string, FormDef>>;
  values: Readonly<Record<string, ValueDef>>;
}

/** A language as a diff of `base`: forms and value forms removed and added. */
export function extend(base: LangDef, name: string, diff: {
  drop?: string[]; add?: Record<string, FormDef>; dropValues?: string[]; addValues?: Record<string, ValueDef>;
}): LangDef {
  const without = <T>(r: Readonly<Record<string, T>>, tags: string[] = []) => Object.fromEntries(Object.entries(r).filter(([t]) => !tags.includes(t)));
  return {
    name,
    forms: { ...without(base.forms, diff.drop), ...diff.add },
    values: { ...without(base.values, diff.dropValues), ...diff.addValues },
  };
}

/** The form's definition, or an error naming the language: a form of another language. */
export function formOf(def: LangDef, c: Node): FormDef {
  const f = def.forms[c.tag];
  if (!f) throw internalError(`the form ${c.tag} does not belong to ${def.name}`);
  return f;
}
export function valueOf(def: LangDef, v: Node): ValueDef | undefined {
  return v.tag === "Var" || v.tag === "Lit" ? undefined : def.values[v.tag];
}

// ---------------------------------------------------------------- helpers for form definitions
/** A pattern's variables as names bound by it. */
export const patBinds = (p: CPat): Bound[] => patVars(p).map((name) => ({ name }));
const clauseChild = (k: Node): Child => ({ comp: k.body, binds: patBinds(k.pat) });
const mapClause = (k: Node, f: (x: Node) => Node): Node => ({ ...k, body: f(k.body) });
const leaf = (atoms: (c: Node) => Atom[], print: (c: Node, pr: Printer) => SExp): FormDef => ({ children: () => [], map: (c) => c, atoms, print });
/** A call's printed form: `(call f a…)` for a known function, `(f a…)` otherwise. */
export const callS = (c: Node, pr: Printer): SExp =>
  c.known ? ["call", c.known, ...c.args.map(pr.atom)] : [pr.atom(c.fn), ...c.args.map(pr.atom)];

/** Operation clauses' names: the argument patterns' and the continuation's variables. */
export const opClauseBinds = (o: Node): Bound[] =>
  [...o.args.flatMap((a: CPat) => patVars(a)), ...(o.k ? patVars(o.k) : [])].map((name): Bound => ({ name }));

/** `(op Name (args) k body)…` and `(return pat body)`; a clause marked `direct` prints `(direct k)`. */
export function opClausesS(ops: Node[], ret: { pat: CPat; body: Node }, pr: Printer): SExp[] {
  return [
    ...ops.map((o) => { const k = o.k ? pr.pat(o.k) : "_"; return ["op", o.op, o.args.map(pr.pat), o.direct ? ["direct", k] : k, pr.comp(o.body)] as SExp; }),
    ["return", pr.pat(ret.pat), pr.comp(ret.body)],
  ];
}

export const dataValues: Record<string, ValueDef> = {
  Con: { atoms: (v) => (v.arg ? [v.arg] : []), print: (v, pr) => (v.arg ? ["con", v.name, pr.atom(v.arg)] : ["con", v.name]) },
  Record: {
    atoms: (v) => [...v.fields.map(([, a]: [string, Atom]) => a), ...(v.ext ? [v.ext] : [])],
    print: (v, pr) => ["record", ...v.fields.map(([l, a]: [string, Atom]) => [l, pr.atom(a)] as SExp), ...(v.ext ? ["|", pr.atom(v.ext)] : [])],
  },
  Update: { atoms: (v) => [v.record, ...v.fields.map(([, a]: [string, Atom]) => a)], print: (v, pr) => ["update", pr.atom(v.record), ...v.fields.map(([l, a]: [string, Atom]) => [l, pr.atom(a)] as SExp)] },
  Proj: { atoms: (v) => [v.record], print: (v, pr) => ["proj", pr.atom(v.record), v.label] },
  Nil: { atoms: () => [], print: () => "nil" },
  Cons: { atoms: (v) => [v.head, v.tail], print: (v, pr) => ["cons", pr.atom(v.head), pr.atom(v.tail)] },
};

/** A value's atoms and the computations inside it, as a language defines them. */
function valueAtomsIn(def: LangDef, v: Node): Atom[] {
  const d = valueOf(def, v);
  return d ? d.atoms(v) : [v as Atom];
}
function valueChildren(def: LangDef, v: Node): Child[] {
  return valueOf(def, v)?.children?.(v) ?? [];
}
function mapValue(def: LangDef, v: Node, f: (x: Node) => Node): Node {
  const d = valueOf(def, v);
  return d?.map ? d.map(v, f) : v;
}

/** The base forms (ANF's). A language's table starts here (see ir/anf.ts) and is extended. */
export const baseForms: Readonly<Record<string, FormDef>> = {
    Let: {
      isLet: true,
      children: (c, def) => [...valueChildren(def, c.value), { comp: c.body, binds: [c.x] }],
      map: (c, f, def) => ({ ...c, value: mapValue(def, c.value, f), body: f(c.body) }),
      atoms: (c, def) => valueAtomsIn(def, c.value),
      print: (c, pr) => ["let", pr.binder(c.x), pr.value(c.value)],
    },
    LetApp: {
      isLet: true,
      children: (c) => [{ comp: c.body, binds: [c.x] }],
      map: (c, f) => ({ ...c, body: f(c.body) }),
      atoms: (c) => [c.fn, ...c.args],
      print: (c, pr) => ["let-app", pr.binder(c.x), callS(c, pr)],
    },
    LetComp: {
      isLet: true,
      children: (c) => [{ comp: c.comp, binds: [] }, { comp: c.body, binds: [c.x] }],
      map: (c, f) => ({ ...c, comp: f(c.comp), body: f(c.body) }),
      atoms: () => [],
      print: (c, pr) => ["let-comp", pr.binder(c.x), pr.comp(c.comp)],
    },
    LetRec: {
      isLet: true,
      children: (c, def) => {
        const xs: Bound[] = c.binds.map((b: Node) => b.x);
        const fns = c.binds.flatMap((b: Node) => valueChildren(def, b.value));
        return [...fns.map((ch: Child) => ({ comp: ch.comp, binds: [...xs, ...ch.binds] })), { comp: c.body, binds: xs }];
      },
      map: (c, f, def) => ({ ...c, binds: c.binds.map((b: Node) => ({ ...b, value: mapValue(def, b.value, f) })), body: f(c.body) }),
      atoms: (c, def) => c.binds.flatMap((b: Node) => valueAtomsIn(def, b.value)),
      ownScope: (c) => c.binds.map((b: Node) => b.x),
      print: (c, pr) => ["letrec", ...c.binds.map((b: Node) => [pr.binder(b.x), pr.value(b.value)] as SExp)],
    },
    Return: leaf((c) => [c.atom], (c, pr) => ["return", pr.atom(c.atom)]),
    App: leaf((c) => [c.fn, ...c.args], (c, pr) => ["tail", callS(c, pr)]),
    If: {
      children: (c) => [{ comp: c.then, binds: [] }, { comp: c.else, binds: [] }],
      map: (c, f) => ({ ...c, then: f(c.then), else: f(c.else) }),
      atoms: (c) => [c.cond],
      print: (c, pr) => ["if", pr.atom(c.cond), pr.comp(c.then), pr.comp(c.else)],
    },
    Case: {
      children: (c) => c.clauses.map(clauseChild),
      map: (c, f) => ({ ...c, clauses: c.clauses.map((k: Node) => mapClause(k, f)) }),
      atoms: (c) => [c.scrutinee],
      print: (c, pr) => ["case", pr.atom(c.scrutinee), ...c.clauses.map((k: Node) => [pr.pat(k.pat), pr.comp(k.body)] as SExp)],
    },
    Do: leaf((c) => c.args, (c, pr) => ["do", c.op, ...c.args.map(pr.atom)]),
    Handle: {
      children: (c) => {
        const params: Bound[] = c.params.map((q: Node) => q.x);
        return [
          { comp: c.body, binds: [] },
          ...c.ops.map((o: Node) => ({ comp: o.body, binds: [...params, ...opClauseBinds(o)] })),
          { comp: c.ret.body, binds: [...params, ...patBinds(c.ret.pat)] },
        ];
      },
      map: (c, f) => ({ ...c, body: f(c.body), ops: c.ops.map((o: Node) => mapClause(o, f)), ret: mapClause(c.ret, f) }),
      atoms: (c) => c.params.map((q: Node) => q.init),
      print: (c, pr) => [c.shallow ? "shallow-handle" : "handle", pr.comp(c.body),
        ["params", ...c.params.map((q: Node) => [pr.binder(q.x), pr.atom(q.init)] as SExp)], ...opClausesS(c.ops, c.ret, pr)],
    },
    Spawn: {
      children: (c) => [{ comp: c.body, binds: [] }],
      map: (c, f) => ({ ...c, body: f(c.body) }),
      atoms: () => [],
      print: (c, pr) => [c.kind, pr.comp(c.body)],
    },
};

// ---------------------------------------------------------------- traversal and printing
/** The generic traversal of a language, typed by its computations C, values V and atoms A. */
export interface Kit<C, V, A> {
  def: LangDef;
  /** the computations directly inside c (lambda bodies included) */
  childComps(c: C): C[];
  /** c with `f` applied to each computation directly inside it */
  mapChildComps(c: C, f: (x: C) => C): C;
  /**
   * For a pass into another language D that keeps c's form: c with each computation directly
   * inside it translated by `f` (the caller handles the forms D does not have).
   */
  translate<D>(c: C, f: (x: C) => D): D;
  /**
   * `translate` along a whole let chain without recursion (a 10,000-binding block is fine): `f`
   * on every computation inside a let-form other than its body, `tail` on the chain's last
   * computation.
   */
  translateChain<D>(c: C, f: (x: C) => D, tail: (x: C) => D): D;
  /** `f` on c and every computation inside it, iteratively (long let chains are fine) */
  everyComp(c: C, f: (x: C) => void): void;
  /** the atoms c itself reads (not those of the computations inside it) */
  ownAtoms(c: C): A[];
  valueAtoms(v: V): A[];
  /** every name bound inside c (binders and pattern variables) */
  boundNames(c: C, out?: Set<string>): Set<string>;
  /**
   * The variables c uses and does not bind, each with the atom of its first use. Binders are
   * unique in a unit in every language of the family, so "not bound in c" is "free in c".
   */
  freeAtoms(c: C): Map<string, A>;
  /** print c; `binder` and `pat` say how binders and patterns look in this language */
  compToSExp(c: C, style?: Partial<Pick<Printer, "binder" | "pat">>): SExp;
  valueToSExp(v: V, style?: Partial<Pick<Printer, "binder" | "pat">>): SExp;
  printer(style?: Partial<Pick<Printer, "binder" | "pat">>): Printer;
}

export function kit<C, V, A>(def: LangDef): Kit<C, V, A> {
  const children = (c: Node) => formOf(def, c).children(c, def);
  const everyComp = (c: Node, f: (x: Node) => void) => {
    const todo = [c];
    while (todo.length > 0) {
      const x = todo.pop()!;
      f(x);
      // children in reverse onto the stack: visited in order (a pre-order walk, left to right)
      const ks = children(x);
      for (let i = ks.length - 1; i >= 0; i--) todo.push(ks[i]!.comp);
    }
  };
  const printer = (style: Partial<Pick<Printer, "binder" | "pat">> = {}): Printer => {
    const pr: Printer = {
      atom: (a) => (a.tag === "Var" ? a.name : litToSExp(a.lit)),
      binder: style.binder ?? ((b) => b.name),
      pat: style.pat ?? patToSExp,
      value: (v) => { const d = valueOf(def, v); return d ? d.print(v, pr) : pr.atom(v as Atom); },
      comp: (c) => {
        // binding chains print flat: (seq item… tail)
        const items: SExp[] = [];
        let cur = c;
        for (let f = formOf(def, cur); f.isLet; f = formOf(def, cur)) { items.push(f.print(cur, pr)); cur = cur.body; }
        const tail = formOf(def, cur).print(cur, pr);
        return items.length === 0 ? tail : ["seq", ...items, tail];
      },
    };
    return pr;
  };
  // free variables, memoised per node: a pass that asks for the free variables of every suffix of
  // a long let chain (cps: one frame per non-tail call) pays for the chain once, not once a suffix.
  // Order: first use in a pre-order walk, left to right.
  const freeCache = new WeakMap<Node, Map<string, Atom>>();
  const freeOf = (c: Node): Map<string, Atom> => {
    const hit = freeCache.get(c);
    if (hit) return hit;
    // the let chain from c down to a node already known (or the chain's end), then back up
    const chain: Node[] = [];
    let cur = c;
    while (!freeCache.has(cur) && formOf(def, cur).isLet) { chain.push(cur); cur = cur.body; }
    if (!freeCache.has(cur)) chain.push(cur);
    for (let i = chain.length - 1; i >= 0; i--) {
      const x = chain[i]!;
      const f = formOf(def, x);
      const own = new Set((f.ownScope?.(x) ?? []).map((b) => b.name));
      const out = new Map<string, Atom>();
      for (const a of f.atoms(x, def)) if (a.tag === "Var" && !own.has(a.name) && !out.has(a.name)) out.set(a.name, a);
      for (const ch of f.children(x, def)) {
        const bound = new Set(ch.binds.map((b) => b.name));
        for (const [n, a] of freeOf(ch.comp)) if (!bound.has(n) && !out.has(n)) out.set(n, a);
      }
      freeCache.set(x, out);
    }
    return freeCache.get(c)!;
  };
  const k: Kit<Node, Node, Atom> = {
    def,
    childComps: (c) => children(c).map((x) => x.comp),
    mapChildComps: (c, f) => formOf(def, c).map(c, f, def),
    translate: (c, f) => formOf(def, c).map(c, f as unknown as (x: Node) => Node, def) as never,
    translateChain: (c, f, tail) => {
      const chain: Node[] = [];
      let cur = c as Node;
      for (let form = formOf(def, cur); form.isLet; form = formOf(def, cur)) { chain.push(cur); cur = cur.body; }
      let out = tail(cur as never) as unknown as Node;
      for (let i = chain.length - 1; i >= 0; i--) {
        const x = chain[i]!;
        // a let-form's body is its last child: everything else goes through f
        const n = formOf(def, x).children(x, def).length;
        let k = 0;
        const body = out;
        out = formOf(def, x).map(x, (y) => (++k === n ? body : (f(y as never) as unknown as Node)), def);
      }
      return out as never;
    },
    everyComp,
    ownAtoms: (c) => formOf(def, c).atoms(c, def),
    valueAtoms: (v) => valueAtomsIn(def, v),
    boundNames: (c, out = new Set()) => {
      everyComp(c, (x) => {
        for (const b of formOf(def, x).ownScope?.(x) ?? []) out.add(b.name);
        for (const ch of children(x)) for (const b of ch.binds) out.add(b.name);
      });
      return out;
    },
    freeAtoms: (c) => new Map(freeOf(c)),
    compToSExp: (c, style) => printer(style).comp(c),
    valueToSExp: (v, style) => printer(style).value(v),
    printer,
  };
  return k as unknown as Kit<C, V, A>;
}

// ---------------------------------------------------------------- the prelude
/**
 * Names the prelude binds start with `%` from `anf` on (anf renames them; a Links identifier
 * cannot contain `%`): dumps and passes tell prelude code from the user's by its names.
 */
export const isPreludeName = (name: string): boolean => name.startsWith("%");

/** c without its leading let-forms that bind only prelude names (what dumps show of `main`). */
export function skipPrelude<C>(def: LangDef, c: C): C {
  let cur = c as Node;
  for (;;) {
    const f = formOf(def, cur);
    if (!f.isLet) return cur as C;
    const names = f.children(cur, def).at(-1)!.binds.map((b) => b.name);
    if (names.length === 0 || !names.every(isPreludeName)) return cur as C;
    cur = cur.body;
  }
}
