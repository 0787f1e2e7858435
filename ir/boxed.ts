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
import type { CPat } from "./core.js";
import type { DataValue } from "./anf.js";
import { patToSExp } from "./core.js";
import { type Lit, litToSExp } from "./surface.js";
import { type Type, printType, resolve, rowFields } from "./types.js";

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

export type Value =
  | Atom
  | MakeClosure
  | { tag: "Box"; atom: Atom; from: Rep }
  | { tag: "Unbox"; atom: Atom; to: Rep }
  | DataValue<Atom>;

/** A pattern; its variables are bound with the representation recorded in `reps`. */
export interface Clause { pat: CPat; body: Comp }
export interface OpClause {
  op: string; args: CPat[]; k: CPat | undefined; body: Comp;
  /** set by direct-resume: `k` is only ever called, at most once on any path through `body` */
  direct?: boolean;
}

export type Comp =
  | { tag: "Let"; x: Binder; value: Value; body: Comp }
  | { tag: "LetApp"; x: Binder; fn: Atom; args: Atom[]; known: string | undefined; body: Comp }
  | { tag: "LetComp"; x: Binder; comp: Comp; body: Comp }
  | { tag: "LetRec"; binds: { x: Binder; closure: MakeClosure }[]; body: Comp }
  | { tag: "Return"; atom: Atom }
  | { tag: "App"; fn: Atom; args: Atom[]; known: string | undefined; rep: Rep }
  | { tag: "If"; cond: Atom; then: Comp; else: Comp; rep: Rep }
  | { tag: "Case"; scrutinee: Atom; clauses: Clause[]; rep: Rep }
  | { tag: "Do"; op: string; args: Atom[]; rep: Rep }
  | { tag: "Handle"; shallow: boolean; body: Comp; params: { x: Binder; init: Atom }[]; ops: OpClause[]; ret: Clause; rep: Rep }
  | { tag: "Spawn"; kind: "spawn" | "spawnWait" | "spawnAngel"; body: Comp; rep: Rep }
  | { tag: "Receive"; clauses: Clause[]; rep: Rep }
  // ---- Handlers (ir/handlers.ts) only: what extract-handlers makes of `Handle` ----
  /** a deep handler: call handler function `handler` on the handled computation `thunk` */
  | { tag: "HandleCall"; handler: string; thunk: Thunk; args: Atom[]; params: { x: Binder; init: Atom }[]; rep: Rep }
  /** a shallow handler, handled inline: resume `thunk` once, run the clause it stops at */
  | { tag: "ShallowHandle"; thunk: Thunk; ops: OpClause[]; ret: Clause; rep: Rep };

/**
 * A handled computation (made by extract-handlers): function `fn` applied to `args` (its free
 * variables) and then to one more argument, the value it is first resumed with (ignored).
 */
export interface Thunk { fn: string; args: Atom[] }

export interface Fn {
  name: string;
  params: Binder[];
  /** environment slots, all `eq`, in order; the body unboxes them as needed */
  captured: Binder[];
  body: Comp;
  ret: Rep;
  type: Type;
  prelude: boolean;
  /** set by mark-pure (cps backend): no call of it can perform an operation */
  pure?: boolean;
}

export interface BoxedProgram {
  functions: Fn[];
  main: Comp;
  preludeBindings: number;
  resultType: Type;
  /** representation of every pattern variable (by its unique name) */
  patReps: Map<string, Rep>;
}

// ---------------------------------------------------------------- printer
export const atomS = (a: Atom): SExp => (a.tag === "Var" ? a.name : litToSExp(a.lit));
const bind = (b: Binder): string => `${b.name}:${b.rep}`;

const thunkToSExp = (t: Thunk): SExp => ["thunk", t.fn, ...t.args.map(atomS)];

export function valueToSExp(v: Value): SExp {
  switch (v.tag) {
    case "Var": case "Lit": return atomS(v);
    case "Closure": return ["closure", v.fn, ...v.captured.map(atomS)];
    case "Box": return ["box", v.from, atomS(v.atom)];
    case "Unbox": return ["unbox", v.to, atomS(v.atom)];
    case "Con": return v.arg ? ["con", v.name, atomS(v.arg)] : ["con", v.name];
    case "Record": return ["record", ...v.fields.map(([l, a]) => [l, atomS(a)] as SExp), ...(v.ext ? ["|", atomS(v.ext)] : [])];
    case "Update": return ["update", atomS(v.record), ...v.fields.map(([l, a]) => [l, atomS(a)] as SExp)];
    case "Proj": return ["proj", atomS(v.record), v.label];
    case "Nil": return "nil";
    case "Cons": return ["cons", atomS(v.head), atomS(v.tail)];
  }
}

/** `(call f a…)` for a known function, `(f a…)` otherwise. */
export const callToSExp = (fn: Atom, args: Atom[], known: string | undefined): SExp =>
  known ? ["call", known, ...args.map(atomS)] : [atomS(fn), ...args.map(atomS)];

/** A let-form's binding (Boxed's and CPS's): `(let x v)`, `(let-app x call)`, `(let-comp x c)`, `(letrec …)`. */
export function bindingToSExp(
  c: { tag: "Let"; x: Binder; value: Value } | { tag: "LetApp"; x: Binder; fn: Atom; args: Atom[]; known: string | undefined } | { tag: "LetComp"; x: Binder; comp: Comp } | { tag: "LetRec"; binds: { x: Binder; closure: MakeClosure }[] },
  patReps: Map<string, Rep>,
): SExp {
  switch (c.tag) {
    case "Let": return ["let", bind(c.x), valueToSExp(c.value)];
    case "LetApp": return ["let-app", bind(c.x), callToSExp(c.fn, c.args, c.known)];
    case "LetComp": return ["let-comp", bind(c.x), compToSExp(c.comp, patReps)];
    case "LetRec": return ["letrec", ...c.binds.map((b) => [bind(b.x), valueToSExp(b.closure)] as SExp)];
  }
}

export function compToSExp(c: Comp, patReps: Map<string, Rep>): SExp {
  const items: SExp[] = [];
  const go = (x: Comp) => compToSExp(x, patReps);
  const pat = (p: CPat): SExp => patWithReps(p, patReps);
  let cur = c;
  for (; cur.tag === "Let" || cur.tag === "LetApp" || cur.tag === "LetComp" || cur.tag === "LetRec"; cur = cur.body) items.push(bindingToSExp(cur, patReps));
  let tail: SExp;
  switch (cur.tag) {
    case "Return": tail = ["return", atomS(cur.atom)]; break;
    case "App": tail = ["tail", callToSExp(cur.fn, cur.args, cur.known)]; break;
    case "If": tail = ["if", atomS(cur.cond), go(cur.then), go(cur.else)]; break;
    case "Case": tail = ["case", atomS(cur.scrutinee), ...cur.clauses.map((k) => [pat(k.pat), go(k.body)] as SExp)]; break;
    case "Do": tail = ["do", cur.op, ...cur.args.map(atomS)]; break;
    case "Handle":
      tail = [cur.shallow ? "shallow-handle" : "handle", go(cur.body),
        ["params", ...cur.params.map((p) => [bind(p.x), atomS(p.init)] as SExp)],
        ...cur.ops.map((o) => ["op", o.op, o.args.map(pat), o.k ? pat(o.k) : "_", go(o.body)] as SExp),
        ["return", pat(cur.ret.pat), go(cur.ret.body)]];
      break;
    case "Spawn": tail = [cur.kind, go(cur.body)]; break;
    case "Receive": tail = ["receive", ...cur.clauses.map((k) => [pat(k.pat), go(k.body)] as SExp)]; break;
    case "HandleCall":
      tail = ["handle-call", cur.handler, thunkToSExp(cur.thunk), ["args", ...cur.args.map(atomS)],
        ...(cur.params.length ? [["params", ...cur.params.map((p) => [bind(p.x), atomS(p.init)] as SExp)]] : [])];
      break;
    case "ShallowHandle":
      tail = ["shallow-handle", thunkToSExp(cur.thunk), ...opClausesToSExp(cur.ops, cur.ret, patReps)];
      break;
    default: tail = ["?"];
  }
  return items.length === 0 ? tail : ["seq", ...items, tail];
}

/** `(op Name (args) k body)…` and `(return pat body)`. */
export function opClausesToSExp(ops: OpClause[], ret: Clause, patReps: Map<string, Rep>): SExp[] {
  const pat = (p: CPat): SExp => patWithReps(p, patReps);
  return [
    ...ops.map((o) => {
      const k = o.k ? pat(o.k) : "_";
      return ["op", o.op, o.args.map(pat), o.direct ? ["direct", k] : k, compToSExp(o.body, patReps)] as SExp;
    }),
    ["return", pat(ret.pat), compToSExp(ret.body, patReps)],
  ];
}

/** A pattern with each variable's representation: `x:i64`. */
export function patWithReps(p: CPat, reps: Map<string, Rep>): SExp {
  const s = patToSExp(p);
  const annotate = (x: SExp): SExp => (typeof x === "string" ? (reps.has(x) ? `${x}:${reps.get(x)}` : x) : x.map(annotate));
  return annotate(s);
}

/** The program (prelude functions left out); `extra` definitions go before `main`. */
export function printBoxed(p: BoxedProgram, extra: SExp[] = []): string {
  let c = p.main;
  for (let i = 0; i < p.preludeBindings && (c.tag === "Let" || c.tag === "LetApp" || c.tag === "LetComp" || c.tag === "LetRec"); i++) c = c.body;
  const fns = p.functions.filter((f) => !f.prelude).map((f): SExp =>
    ["define", [f.name, ...f.params.map(bind)], ["env", ...f.captured.map(bind)], ["returns", f.ret], ...(f.pure ? ["pure"] : []), compToSExp(f.body, p.patReps)]);
  return sexp(["program", ...fns, ...extra, ["main", compToSExp(c, p.patReps)], ["result-type", printType(p.resultType)]]);
}
export const binderToSExp = bind;

// ---------------------------------------------------------------- traversal
/** The atoms a value reads. */
/** The computations directly inside c: the body after a binding, branches, clause bodies. */
export function childComps(c: Comp): Comp[] {
  switch (c.tag) {
    case "Let": case "LetApp": case "LetRec": case "Spawn": return [c.body];
    case "LetComp": return [c.comp, c.body];
    case "If": return [c.then, c.else];
    case "Case": case "Receive": return c.clauses.map((k) => k.body);
    case "Handle": return [c.body, ...c.ops.map((o) => o.body), c.ret.body];
    case "ShallowHandle": return [...c.ops.map((o) => o.body), c.ret.body];
    case "Return": case "App": case "Do": case "HandleCall": return [];
  }
}

/** c with `f` applied to each computation directly inside it (as `childComps` lists them). */
export function mapChildComps(c: Comp, f: (x: Comp) => Comp): Comp {
  const clause = <K extends { body: Comp }>(k: K): K => ({ ...k, body: f(k.body) });
  switch (c.tag) {
    case "Let": case "LetApp": case "LetRec": case "Spawn": return { ...c, body: f(c.body) };
    case "LetComp": return { ...c, comp: f(c.comp), body: f(c.body) };
    case "If": return { ...c, then: f(c.then), else: f(c.else) };
    case "Case": case "Receive": return { ...c, clauses: c.clauses.map(clause) };
    case "Handle": return { ...c, body: f(c.body), ops: c.ops.map(clause), ret: clause(c.ret) };
    case "ShallowHandle": return { ...c, ops: c.ops.map(clause), ret: clause(c.ret) };
    case "Return": case "App": case "Do": case "HandleCall": return c;
  }
}

/** Call `f` on c and on every computation inside it (no recursion: long let chains are fine). */
export function everyComp(c: Comp, f: (x: Comp) => void): void {
  const todo = [c];
  while (todo.length > 0) {
    const x = todo.pop()!;
    f(x);
    todo.push(...childComps(x));
  }
}

/** The atoms c itself uses (not those of the computations inside it). */
export function ownAtoms(c: Comp): Atom[] {
  switch (c.tag) {
    case "Let": return valueAtoms(c.value);
    case "LetApp": case "App": return [c.fn, ...c.args];
    case "LetRec": return c.binds.flatMap((b) => valueAtoms(b.closure));
    case "Return": return [c.atom];
    case "If": return [c.cond];
    case "Case": return [c.scrutinee];
    case "Do": return c.args;
    case "Handle": return c.params.map((q) => q.init);
    case "HandleCall": return [...c.thunk.args, ...c.args, ...c.params.map((q) => q.init)];
    case "ShallowHandle": return c.thunk.args;
    case "LetComp": case "Receive": case "Spawn": return [];
  }
}

export function valueAtoms(v: Value): Atom[] {
  switch (v.tag) {
    case "Var": case "Lit": return [v];
    case "Closure": return v.captured;
    case "Box": case "Unbox": return [v.atom];
    case "Con": return v.arg ? [v.arg] : [];
    case "Record": return [...v.fields.map(([, a]) => a), ...(v.ext ? [v.ext] : [])];
    case "Update": return [v.record, ...v.fields.map(([, a]) => a)];
    case "Proj": return [v.record];
    case "Nil": return [];
    case "Cons": return [v.head, v.tail];
  }
}

// ---------------------------------------------------------------- validator

/**
 * Every variable is used at the representation it was bound with; `box` takes an unboxed
 * representation, `unbox` an `eq`; every binder has a representation. `allowed` names the
 * handler forms the language has: Boxed has `Handle` only (Handlers: see ir/handlers.ts).
 */
export function validateBoxed(p: Pick<BoxedProgram, "functions" | "patReps"> & { main?: Comp }, allowed: ReadonlySet<string> = new Set(["Handle"]), extra: Comp[] = []): string[] {
  const errs: string[] = [];
  const reps = new Map<string, Rep>(p.patReps);
  const binder = (b: Binder) => {
    if (!b.rep) errs.push(`${b.name} has no representation`);
    reps.set(b.name, b.rep);
  };
  for (const f of p.functions) { f.params.forEach(binder); f.captured.forEach(binder); }
  const atom = (a: Atom) => {
    if (a.tag === "Var" && reps.has(a.name) && reps.get(a.name) !== a.rep)
      errs.push(`${a.name} is bound as ${reps.get(a.name)} but used as ${a.rep}`);
  };
  const value = (v: Value) => {
    valueAtoms(v).forEach(atom);
    if (v.tag === "Box" && (v.from === "eq" || v.atom.rep !== v.from)) errs.push(`box ${v.from} of ${v.atom.rep}`);
    if (v.tag === "Unbox" && v.atom.rep !== "eq") errs.push(`unbox of a ${v.atom.rep}, not an eq`);
  };
  const comp = (c: Comp): void => {
    for (;;) {
      switch (c.tag) {
        case "Let": value(c.value); binder(c.x); c = c.body; continue;
        case "LetApp": atom(c.fn); c.args.forEach(atom); binder(c.x); c = c.body; continue;
        case "LetComp": comp(c.comp); binder(c.x); c = c.body; continue;
        case "LetRec": c.binds.forEach((b) => binder(b.x)); c.binds.forEach((b) => value(b.closure)); c = c.body; continue;
        case "Return": return atom(c.atom);
        case "App": atom(c.fn); c.args.forEach(atom); return;
        case "If": atom(c.cond); comp(c.then); comp(c.else); return;
        case "Case": atom(c.scrutinee); c.clauses.forEach((k) => comp(k.body)); return;
        case "Do": c.args.forEach(atom); return;
        case "Handle":
          if (!allowed.has(c.tag)) errs.push("a handle with an inline body is left (extract-handlers lifts every one)");
          c.params.forEach((q) => { atom(q.init); binder(q.x); }); comp(c.body); c.ops.forEach((o) => comp(o.body)); comp(c.ret.body); return;
        case "HandleCall":
          if (!allowed.has(c.tag)) errs.push(`handle-call ${c.handler} does not belong to this language`);
          if (c.params.length > 0 && !allowed.has("HandleCall params")) errs.push(`handle-call ${c.handler} still has handler parameters (lower-param-handlers threads them)`);
          c.thunk.args.forEach(atom); c.args.forEach(atom); c.params.forEach((q) => { atom(q.init); binder(q.x); }); return;
        case "ShallowHandle":
          if (!allowed.has(c.tag)) errs.push("shallow-handle does not belong to this language");
          c.thunk.args.forEach(atom); c.ops.forEach((o) => comp(o.body)); comp(c.ret.body); return;
        case "Spawn": return comp(c.body);
        case "Receive": c.clauses.forEach((k) => comp(k.body)); return;
      }
    }
  };
  for (const f of p.functions) comp(f.body);
  if (p.main) comp(p.main);
  extra.forEach(comp);
  return errs;
}
