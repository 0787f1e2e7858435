// Closed: ANF after closure conversion. Produced by `closure-convert`.
//
// Compared with ANF (ir/anf.ts): no lambdas. Every function is lifted to the program's list of
// functions, with its parameters and the free variables it captures (read from its
// environment on entry). In the code, a lambda becomes `(closure f captured…)` and a recursive
// group becomes `letrec` of closures. A call whose callee is known gets `known: f`: the code
// generator calls f directly (passing the closure only when f captures something).
import { type SExp, sexp } from "./common.js";
import { type CPat, patToSExp, patVars } from "./core.js";
import type { Atom, Binder, DataValue } from "./anf.js";
import { litToSExp } from "./surface.js";
import { type Type, printType } from "./types.js";

export type { Atom, Binder };

export interface MakeClosure { tag: "Closure"; fn: string; captured: Atom[]; type: Type }

export type Value = Atom | MakeClosure | DataValue<Atom>;

export interface Clause { pat: CPat; body: Comp }
export interface OpClause { op: string; args: CPat[]; k: CPat | undefined; body: Comp }

export type Comp =
  | { tag: "Let"; x: Binder; value: Value; body: Comp }
  | { tag: "LetApp"; x: Binder; fn: Atom; args: Atom[]; known: string | undefined; body: Comp }
  | { tag: "LetComp"; x: Binder; comp: Comp; body: Comp }
  | { tag: "LetRec"; binds: { x: Binder; closure: MakeClosure }[]; body: Comp }
  | { tag: "Return"; atom: Atom }
  | { tag: "App"; fn: Atom; args: Atom[]; known: string | undefined; type: Type }
  | { tag: "If"; cond: Atom; then: Comp; else: Comp; type: Type }
  | { tag: "Case"; scrutinee: Atom; clauses: Clause[]; type: Type }
  | { tag: "Do"; op: string; args: Atom[]; type: Type }
  | { tag: "Handle"; shallow: boolean; body: Comp; params: { x: Binder; init: Atom }[]; ops: OpClause[]; ret: Clause; type: Type }
  | { tag: "Spawn"; kind: "spawn" | "spawnWait" | "spawnAngel"; body: Comp; type: Type }
  | { tag: "Receive"; clauses: Clause[]; type: Type };

/** A lifted function. `captured` is empty for a closed function (its closure is a constant). */
export interface Fn {
  name: string;
  params: Binder[];
  captured: Binder[];
  body: Comp;
  /** the function's type (a Fun type) */
  type: Type;
  /** defined in the prelude (hidden in dumps; anf gives the prelude's names a `%` prefix) */
  prelude: boolean;
}

export interface ClosedProgram {
  functions: Fn[];
  main: Comp;
  /** How many of main's outermost bindings come from the prelude (hidden in dumps). */
  preludeBindings: number;
  resultType: Type;
}

// ---------------------------------------------------------------- printer
const atomS = (a: Atom): SExp => (a.tag === "Var" ? a.name : litToSExp(a.lit));

export function valueToSExp(v: Value): SExp {
  switch (v.tag) {
    case "Var": case "Lit": return atomS(v);
    case "Closure": return ["closure", v.fn, ...v.captured.map(atomS)];
    case "Con": return v.arg ? ["con", v.name, atomS(v.arg)] : ["con", v.name];
    case "Record": return ["record", ...v.fields.map(([l, a]) => [l, atomS(a)] as SExp), ...(v.ext ? ["|", atomS(v.ext)] : [])];
    case "Update": return ["update", atomS(v.record), ...v.fields.map(([l, a]) => [l, atomS(a)] as SExp)];
    case "Proj": return ["proj", atomS(v.record), v.label];
    case "Nil": return "nil";
    case "Cons": return ["cons", atomS(v.head), atomS(v.tail)];
  }
}

/** `(call f a…)`: a direct call of the known function f (its closure is the variable f); `(g a…)`: through a closure. */
const call = (fn: Atom, args: Atom[], known: string | undefined): SExp =>
  known ? ["call", known, ...args.map(atomS)] : [atomS(fn), ...args.map(atomS)];

export function compToSExp(c: Comp): SExp {
  const items: SExp[] = [];
  let cur = c;
  for (;;) {
    switch (cur.tag) {
      case "Let": items.push(["let", cur.x.name, valueToSExp(cur.value)]); cur = cur.body; continue;
      case "LetApp": items.push(["let-app", cur.x.name, call(cur.fn, cur.args, cur.known)]); cur = cur.body; continue;
      case "LetComp": items.push(["let-comp", cur.x.name, compToSExp(cur.comp)]); cur = cur.body; continue;
      case "LetRec": items.push(["letrec", ...cur.binds.map((b) => [b.x.name, valueToSExp(b.closure)] as SExp)]); cur = cur.body; continue;
    }
    break;
  }
  const tail = tailToSExp(cur);
  return items.length === 0 ? tail : ["seq", ...items, tail];
}

function tailToSExp(c: Comp): SExp {
  switch (c.tag) {
    case "Return": return ["return", atomS(c.atom)];
    case "App": return ["tail", call(c.fn, c.args, c.known)];
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

export function fnToSExp(f: Fn): SExp {
  return ["define", [f.name, ...f.params.map((p) => p.name)], ["captures", ...f.captured.map((b) => b.name)], compToSExp(f.body)];
}

export function printClosed(p: ClosedProgram): string {
  let c = p.main;
  for (let i = 0; i < p.preludeBindings && "body" in c && c.tag !== "Handle" && c.tag !== "Spawn"; i++) c = (c as { body: Comp }).body;
  return sexp(["program", ...p.functions.filter((f) => !f.prelude).map(fnToSExp), ["main", compToSExp(c)], ["result-type", printType(p.resultType)]]);
}

// ---------------------------------------------------------------- validator

/**
 * No lambdas remain (guaranteed by the types); every variable is a parameter, a captured
 * variable, a binder in scope or a primitive; closures and known calls name existing functions
 * and capture exactly as many atoms as the function declares.
 */
export function validateClosed(p: ClosedProgram, primitives: ReadonlySet<string>): string[] {
  const errs: string[] = [];
  const fns = new Map(p.functions.map((f) => [f.name, f]));
  const atom = (a: Atom, scope: ReadonlySet<string>, where: string) => {
    if (a.tag === "Var" && !scope.has(a.name) && !primitives.has(a.name)) errs.push(`${where}: unbound variable ${a.name}`);
  };
  const closure = (v: MakeClosure, scope: ReadonlySet<string>, where: string) => {
    const f = fns.get(v.fn);
    if (!f) return errs.push(`${where}: closure of unknown function ${v.fn}`);
    if (f.captured.length !== v.captured.length) errs.push(`${where}: closure of ${v.fn} captures ${v.captured.length} values, the function expects ${f.captured.length}`);
    v.captured.forEach((a) => atom(a, scope, where));
  };
  const known = (k: string | undefined, where: string) => {
    if (k !== undefined && !fns.has(k)) errs.push(`${where}: call of unknown function ${k}`);
  };
  const comp = (c: Comp, scope: Set<string>, where: string): void => {
    const s = new Set(scope);
    for (;;) {
      switch (c.tag) {
        case "Let": {
          const v = c.value;
          if (v.tag === "Closure") closure(v, s, where);
          else if (v.tag === "Var" || v.tag === "Lit") atom(v, s, where);
          else if (v.tag === "Con") { if (v.arg) atom(v.arg, s, where); }
          else if (v.tag === "Record") { v.fields.forEach(([, a]) => atom(a, s, where)); if (v.ext) atom(v.ext, s, where); }
          else if (v.tag === "Update") { atom(v.record, s, where); v.fields.forEach(([, a]) => atom(a, s, where)); }
          else if (v.tag === "Proj") atom(v.record, s, where);
          else if (v.tag === "Cons") { atom(v.head, s, where); atom(v.tail, s, where); }
          s.add(c.x.name); c = c.body; continue;
        }
        case "LetApp": atom(c.fn, s, where); c.args.forEach((a) => atom(a, s, where)); known(c.known, where); s.add(c.x.name); c = c.body; continue;
        case "LetComp": comp(c.comp, s, where); s.add(c.x.name); c = c.body; continue;
        case "LetRec": c.binds.forEach((b) => s.add(b.x.name)); c.binds.forEach((b) => closure(b.closure, s, where)); c = c.body; continue;
        case "Return": return atom(c.atom, s, where);
        case "App": atom(c.fn, s, where); c.args.forEach((a) => atom(a, s, where)); known(c.known, where); return;
        case "If": atom(c.cond, s, where); comp(c.then, s, where); comp(c.else, s, where); return;
        case "Case": atom(c.scrutinee, s, where); c.clauses.forEach((k) => comp(k.body, new Set([...s, ...patVars(k.pat)]), where)); return;
        case "Do": c.args.forEach((a) => atom(a, s, where)); return;
        case "Handle": {
          comp(c.body, s, where);
          c.params.forEach((q) => atom(q.init, s, where));
          const inner = new Set([...s, ...c.params.map((q) => q.x.name)]);
          for (const o of c.ops) comp(o.body, new Set([...inner, ...o.args.flatMap((a) => patVars(a)), ...(o.k ? patVars(o.k) : [])]), where);
          comp(c.ret.body, new Set([...inner, ...patVars(c.ret.pat)]), where);
          return;
        }
        case "Spawn": return comp(c.body, s, where);
        case "Receive": c.clauses.forEach((k) => comp(k.body, new Set([...s, ...patVars(k.pat)]), where)); return;
      }
    }
  };
  // closed functions (capturing nothing) are constants, in scope everywhere
  const globals = p.functions.filter((f) => f.captured.length === 0).map((f) => f.name);
  for (const f of p.functions) comp(f.body, new Set([...globals, ...f.params.map((q) => q.name), ...f.captured.map((q) => q.name)]), `function ${f.name}`);
  comp(p.main, new Set(globals), "main");
  return errs;
}
