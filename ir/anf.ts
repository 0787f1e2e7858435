// ANF: A-normal form. Produced by `anf` from TypedCore, consumed by `closure-convert`.
//
// Compared with Core: every argument of an operation is an atom (a variable or a literal);
// a computation is a chain of bindings — let-value (`let x = v`), let-apply (`let x = f(a…)`),
// let-computation (`let x = if/case/do/handle …`, a computation whose result is bound) and
// letrec — ending in a tail computation (return an atom, a tail call, if, case, …).
// Every binder is unique in the program (the pass renames), and atoms and binders keep their
// inferred types for the representation choice made by `box-poly`.
import { type SExp, sexp } from "./common.js";
import { type CPat, patToSExp, patVars } from "./core.js";
import { type Lit, litToSExp } from "./surface.js";
import { type Type, printType } from "./types.js";

export type Atom =
  | { tag: "Var"; name: string; type: Type }
  | { tag: "Lit"; lit: Lit; type: Type };

export interface Lam { tag: "Lam"; params: Binder[]; body: Comp; name: string | undefined; type: Type }
export interface Binder { name: string; type: Type }

/** Values: what a let-value binds. None of them has an effect or a call. */
export type Value = Atom | Lam | DataValue<Atom>;

/** Data constructions over atoms of type A (the same in ANF, Closed and Boxed). */
export type DataValue<A> =
  | { tag: "Con"; name: string; arg: A | undefined; type: Type }
  | { tag: "Record"; fields: [string, A][]; ext: A | undefined; type: Type }
  | { tag: "Update"; record: A; fields: [string, A][]; type: Type }
  | { tag: "Proj"; record: A; label: string; type: Type }
  | { tag: "Nil"; type: Type }
  | { tag: "Cons"; head: A; tail: A; type: Type };

export interface Clause { pat: CPat; body: Comp }
export interface OpClause { op: string; args: CPat[]; k: CPat | undefined; body: Comp }

/** Computations. The ones marked (tail) end a chain; Let*, LetRec continue it. */
export type Comp =
  | { tag: "Let"; x: Binder; value: Value; body: Comp }
  | { tag: "LetApp"; x: Binder; fn: Atom; args: Atom[]; body: Comp }
  | { tag: "LetComp"; x: Binder; comp: Comp; body: Comp }
  | { tag: "LetRec"; binds: { x: Binder; lam: Lam }[]; body: Comp }
  | { tag: "Return"; atom: Atom } // (tail)
  | { tag: "App"; fn: Atom; args: Atom[]; type: Type } // (tail) call
  | { tag: "If"; cond: Atom; then: Comp; else: Comp; type: Type }
  | { tag: "Case"; scrutinee: Atom; clauses: Clause[]; type: Type }
  | { tag: "Do"; op: string; args: Atom[]; type: Type }
  | { tag: "Handle"; shallow: boolean; body: Comp; params: { x: Binder; init: Atom }[]; ops: OpClause[]; ret: Clause; type: Type }
  | { tag: "Spawn"; kind: "spawn" | "spawnWait" | "spawnAngel"; body: Comp; type: Type }
  | { tag: "Receive"; clauses: Clause[]; type: Type };

export interface AnfProgram {
  body: Comp;
  /** How many of the outermost bindings come from the prelude (hidden in dumps). */
  preludeBindings: number;
  resultType: Type;
}

// ---------------------------------------------------------------- printer
const atomS = (a: Atom): SExp => (a.tag === "Var" ? a.name : litToSExp(a.lit));

export function valueToSExp(v: Value): SExp {
  switch (v.tag) {
    case "Var": case "Lit": return atomS(v);
    case "Lam": return ["lambda", v.params.map((p) => p.name), compToSExp(v.body)];
    case "Con": return v.arg ? ["con", v.name, atomS(v.arg)] : ["con", v.name];
    case "Record": return ["record", ...v.fields.map(([l, a]) => [l, atomS(a)] as SExp), ...(v.ext ? ["|", atomS(v.ext)] : [])];
    case "Update": return ["update", atomS(v.record), ...v.fields.map(([l, a]) => [l, atomS(a)] as SExp)];
    case "Proj": return ["proj", atomS(v.record), v.label];
    case "Nil": return "nil";
    case "Cons": return ["cons", atomS(v.head), atomS(v.tail)];
  }
}

export function compToSExp(c: Comp): SExp {
  // binding chains print flat, like Core's `seq`
  const items: SExp[] = [];
  let cur = c;
  for (;;) {
    switch (cur.tag) {
      case "Let": items.push(["let", cur.x.name, valueToSExp(cur.value)]); cur = cur.body; continue;
      case "LetApp": items.push(["let-app", cur.x.name, [atomS(cur.fn), ...cur.args.map(atomS)]]); cur = cur.body; continue;
      case "LetComp": items.push(["let-comp", cur.x.name, compToSExp(cur.comp)]); cur = cur.body; continue;
      case "LetRec": items.push(["letrec", ...cur.binds.map((b) => [b.x.name, valueToSExp(b.lam)] as SExp)]); cur = cur.body; continue;
    }
    break;
  }
  const tail = tailToSExp(cur);
  return items.length === 0 ? tail : ["seq", ...items, tail];
}

function tailToSExp(c: Comp): SExp {
  switch (c.tag) {
    case "Return": return ["return", atomS(c.atom)];
    case "App": return ["tail-app", atomS(c.fn), ...c.args.map(atomS)];
    case "If": return ["if", atomS(c.cond), compToSExp(c.then), compToSExp(c.else)];
    case "Case": return ["case", atomS(c.scrutinee), ...c.clauses.map((k) => [patToSExp(k.pat), compToSExp(k.body)] as SExp)];
    case "Do": return ["do", c.op, ...c.args.map(atomS)];
    case "Handle":
      return [c.shallow ? "shallow-handle" : "handle", compToSExp(c.body),
        ["params", ...c.params.map((p) => [p.x.name, atomS(p.init)] as SExp)],
        ...c.ops.map((o) => ["op", o.op, o.args.map(patToSExp), o.k ? patToSExp(o.k) : "_", compToSExp(o.body)] as SExp),
        ["return", patToSExp(c.ret.pat), compToSExp(c.ret.body)]];
    case "Spawn": return [c.kind, compToSExp(c.body)];
    case "Receive": return ["receive", ...c.clauses.map((k) => [patToSExp(k.pat), compToSExp(k.body)] as SExp)];
    default: return ["?", c.tag];
  }
}

export function printAnf(p: AnfProgram): string {
  let c = p.body;
  for (let i = 0; i < p.preludeBindings && (c.tag === "Let" || c.tag === "LetRec" || c.tag === "LetApp" || c.tag === "LetComp"); i++) c = c.body;
  return sexp(["program", compToSExp(c), ["result-type", printType(p.resultType)]]);
}

// ---------------------------------------------------------------- validator

/**
 * Every variable is bound before use (or is a primitive), every binder is bound once in the
 * whole program, and every atom and binder has a type.
 */
export function validateAnf(p: AnfProgram, primitives: ReadonlySet<string>): string[] {
  const errs: string[] = [];
  const seen = new Set<string>();
  const bind = (name: string) => {
    if (seen.has(name)) errs.push(`${name} is bound more than once`);
    seen.add(name);
  };
  const atom = (a: Atom, scope: ReadonlySet<string>) => {
    if (!a.type) errs.push(`atom ${a.tag === "Var" ? a.name : "literal"} has no type`);
    if (a.tag === "Var" && !scope.has(a.name) && !primitives.has(a.name)) errs.push(`unbound variable ${a.name}`);
  };
  const extend = (scope: ReadonlySet<string>, names: string[]) => {
    const s = new Set(scope);
    for (const n of names) { bind(n); s.add(n); }
    return s;
  };
  const value = (v: Value, scope: ReadonlySet<string>): void => {
    switch (v.tag) {
      case "Var": case "Lit": return atom(v, scope);
      case "Lam": return comp(v.body, extend(scope, v.params.map((q) => q.name)));
      case "Con": if (v.arg) atom(v.arg, scope); return;
      case "Record": v.fields.forEach(([, a]) => atom(a, scope)); if (v.ext) atom(v.ext, scope); return;
      case "Update": atom(v.record, scope); v.fields.forEach(([, a]) => atom(a, scope)); return;
      case "Proj": return atom(v.record, scope);
      case "Nil": return;
      case "Cons": atom(v.head, scope); atom(v.tail, scope); return;
    }
  };
  const comp = (c: Comp, scope: ReadonlySet<string>): void => {
    for (;;) {
      switch (c.tag) {
        case "Let": value(c.value, scope); scope = extend(scope, [c.x.name]); c = c.body; continue;
        case "LetApp": atom(c.fn, scope); c.args.forEach((a) => atom(a, scope)); scope = extend(scope, [c.x.name]); c = c.body; continue;
        case "LetComp": comp(c.comp, scope); scope = extend(scope, [c.x.name]); c = c.body; continue;
        case "LetRec": {
          scope = extend(scope, c.binds.map((b) => b.x.name));
          for (const b of c.binds) value(b.lam, scope);
          c = c.body;
          continue;
        }
        case "Return": return atom(c.atom, scope);
        case "App": atom(c.fn, scope); c.args.forEach((a) => atom(a, scope)); return;
        case "If": atom(c.cond, scope); comp(c.then, scope); comp(c.else, scope); return;
        case "Case": atom(c.scrutinee, scope); c.clauses.forEach((k) => comp(k.body, extend(scope, patVars(k.pat)))); return;
        case "Do": c.args.forEach((a) => atom(a, scope)); return;
        case "Handle": {
          comp(c.body, scope);
          c.params.forEach((q) => atom(q.init, scope));
          const ps = c.params.map((q) => q.x.name);
          const inner = extend(scope, ps);
          for (const o of c.ops) comp(o.body, extend(inner, [...o.args.flatMap((a) => patVars(a)), ...(o.k ? patVars(o.k) : [])]));
          comp(c.ret.body, extend(inner, patVars(c.ret.pat)));
          return;
        }
        case "Spawn": return comp(c.body, scope);
        case "Receive": c.clauses.forEach((k) => comp(k.body, extend(scope, patVars(k.pat)))); return;
      }
    }
  };
  comp(p.body, new Set());
  return errs;
}
