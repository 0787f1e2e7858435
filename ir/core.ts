// Core: the small language every later stage starts from. Produced by `desugar`, typed in place
// by `infer` (which fills `type` on each node and `scheme` on binders).
//
// Compared with Surface: no operators (they are applications of primitive variables), no blocks
// (nested Let/LetRec), tuples are records labelled 1..n, lists are Nil/Cons, `if` always has an
// else, comprehensions are concatMap, `var p = e` is a Case, curried functions are nested Lams.
// Patterns stay nested (the switch-optimisation pass compiles them later).
import { type Span, fromPrelude, sexp, type SExp } from "./common.js";
import { type Lit, type TypeExpr, litToSExp, typeExprToSExp } from "./surface.js";
import { type Type, type Scheme, type TypeSyntax, printType } from "./types.js";

export type CPat =
  | { tag: "PAny"; span: Span }
  | { tag: "PVar"; name: string; span: Span; type?: Type }
  | { tag: "PLit"; lit: Lit; span: Span }
  | { tag: "PCon"; name: string; arg: CPat | undefined; span: Span }
  | { tag: "PRecord"; fields: [string, CPat][]; rest: CPat | undefined; span: Span } // closed unless rest
  | { tag: "PNil"; span: Span }
  | { tag: "PCons"; head: CPat; tail: CPat; span: Span }
  | { tag: "PAs"; pat: CPat; name: string; span: Span; type?: Type }
  | { tag: "PNeg"; names: string[]; span: Span } // any variant whose constructor is not one of names
  | { tag: "PAnnot"; pat: CPat; type: TypeExpr; span: Span };

export interface Clause { pat: CPat; body: CExpr }
/** `annot`: the clause's annotation `case <Op(…) => k> : T -> …`, the operation's type (maybe polymorphic) */
export interface OpClause { op: string; args: CPat[]; k: CPat | undefined; body: CExpr; span: Span; annot?: TypeExpr }
export interface RecBinding { name: string; fn: Lam; sig: TypeExpr | undefined; span: Span; scheme?: Scheme }
export type Lam = Extract<CExpr, { tag: "Lam" }>;

interface Node { span: Span; type?: Type }

export type CExpr = Node & (
  | { tag: "Lit"; lit: Lit }
  | { tag: "Var"; name: string }
  | { tag: "Lam"; params: string[]; body: CExpr; name?: string }
  | { tag: "App"; fn: CExpr; args: CExpr[] }
  /** `stmt`: the rhs was an expression statement `e;`, which must have type (). */
  | { tag: "Let"; name: string; rhs: CExpr; body: CExpr; scheme?: Scheme; stmt?: boolean; sig?: TypeExpr }
  | { tag: "LetRec"; binds: RecBinding[]; body: CExpr }
  | { tag: "If"; cond: CExpr; then: CExpr; else: CExpr }
  | { tag: "Con"; name: string; arg: CExpr | undefined }
  | { tag: "Record"; fields: [string, CExpr][]; ext: CExpr | undefined }
  | { tag: "Proj"; expr: CExpr; label: string }
  | { tag: "Update"; record: CExpr; fields: [string, CExpr][] }
  | { tag: "Nil" }
  /** `infix`: written `x :: xs` (Links types `::` as a function of an unrestricted element; a list literal is not) */
  | { tag: "Cons"; head: CExpr; tail: CExpr; infix?: true }
  | { tag: "Case"; scrutinee: CExpr; clauses: Clause[] }
  | { tag: "Do"; op: string; args: CExpr[] }
  | {
      tag: "Handle";
      shallow: boolean;
      body: CExpr;
      params: { name: string; init: CExpr }[];
      ops: OpClause[];
      ret: Clause;
    }
  | { tag: "Spawn"; kind: "spawn" | "spawnWait" | "spawnAngel"; body: CExpr }
  | { tag: "Receive"; clauses: Clause[] }
  | { tag: "Annot"; expr: CExpr; annot: TypeExpr }
);

export interface TypeDecl { name: string; params: string[]; type: TypeExpr; span: Span }

export interface CoreProgram {
  typenames: TypeDecl[];
  /** The whole program as one expression; the prelude's bindings enclose the user's code. */
  body: CExpr;
  /** Type of the final value, filled by `infer`. */
  resultType?: Type;
  /** how the final value's type prints (Links' effect sugar settings) */
  typeSyntax?: TypeSyntax;
  /** operations the types let reach the top level unhandled (present in its open effect row): the
   * Wasm code generators report them at run time by name (infer) */
  topOps?: string[];
}

// ---------------------------------------------------------------- traversal

/** Rebuild `e` with `f` applied to each immediate sub-expression. */
export function mapChildren(e: CExpr, f: (x: CExpr) => CExpr): CExpr {
  switch (e.tag) {
    case "Lit": case "Var": case "Nil": return e;
    case "Lam": return { ...e, body: f(e.body) };
    case "App": return { ...e, fn: f(e.fn), args: e.args.map(f) };
    case "Let": return { ...e, rhs: f(e.rhs), body: f(e.body) };
    case "LetRec": return { ...e, binds: e.binds.map((b) => ({ ...b, fn: f(b.fn) as Lam })), body: f(e.body) };
    case "If": return { ...e, cond: f(e.cond), then: f(e.then), else: f(e.else) };
    case "Con": return { ...e, arg: e.arg && f(e.arg) };
    case "Record": return { ...e, fields: e.fields.map(([l, x]) => [l, f(x)]), ext: e.ext && f(e.ext) };
    case "Proj": return { ...e, expr: f(e.expr) };
    case "Update": return { ...e, record: f(e.record), fields: e.fields.map(([l, x]) => [l, f(x)]) };
    case "Cons": return { ...e, head: f(e.head), tail: f(e.tail) };
    case "Case": return { ...e, scrutinee: f(e.scrutinee), clauses: e.clauses.map((c) => ({ ...c, body: f(c.body) })) };
    case "Do": return { ...e, args: e.args.map(f) };
    case "Handle":
      return {
        ...e, body: f(e.body), params: e.params.map((p) => ({ ...p, init: f(p.init) })),
        ops: e.ops.map((o) => ({ ...o, body: f(o.body) })), ret: { ...e.ret, body: f(e.ret.body) },
      };
    case "Spawn": return { ...e, body: f(e.body) };
    case "Receive": return { ...e, clauses: e.clauses.map((c) => ({ ...c, body: f(c.body) })) };
    case "Annot": return { ...e, expr: f(e.expr) };
  }
}

export function patVars(p: CPat, out: string[] = []): string[] {
  switch (p.tag) {
    case "PAny": case "PLit": case "PNil": case "PNeg": break;
    case "PVar": out.push(p.name); break;
    case "PCon": if (p.arg) patVars(p.arg, out); break;
    case "PRecord": p.fields.forEach(([, q]) => patVars(q, out)); if (p.rest) patVars(p.rest, out); break;
    case "PCons": patVars(p.head, out); patVars(p.tail, out); break;
    case "PAs": patVars(p.pat, out); out.push(p.name); break;
    case "PAnnot": patVars(p.pat, out); break;
  }
  return out;
}

// ---------------------------------------------------------------- printer

export function patToSExp(p: CPat): SExp {
  switch (p.tag) {
    case "PAny": return "_";
    case "PVar": return p.name;
    case "PLit": return litToSExp(p.lit);
    case "PCon": return p.arg ? [p.name, patToSExp(p.arg)] : [p.name];
    case "PRecord": return ["record", ...p.fields.map(([l, q]) => [l, patToSExp(q)] as SExp), ...(p.rest ? ["|", patToSExp(p.rest)] : [])];
    case "PNil": return "nil";
    case "PCons": return ["cons", patToSExp(p.head), patToSExp(p.tail)];
    case "PAs": return ["as", patToSExp(p.pat), p.name];
    case "PNeg": return ["not", ...p.names];
    case "PAnnot": return [":", patToSExp(p.pat), typeExprToSExp(p.type)];
  }
}

export function coreToSExp(e: CExpr, typed = false): SExp {
  const go = (x: CExpr) => coreToSExp(x, typed);
  const node = ((): SExp => {
    switch (e.tag) {
      case "Lit": return litToSExp(e.lit);
      case "Var": return e.name;
      case "Lam": return ["lambda", e.params, go(e.body)];
      case "App": return [go(e.fn), ...e.args.map(go)];
      case "Let": case "LetRec": {
        // A chain of bindings prints flat, `(seq (let x e) (letrec …) body)`, and is walked
        // iteratively, so long programs neither nest deeply nor exhaust the stack.
        const items: SExp[] = ["seq"];
        let cur: CExpr = e;
        while (cur.tag === "Let" || cur.tag === "LetRec") {
          if (cur.tag === "Let") items.push(["let", cur.name, ...(cur.scheme && typed ? [["::", printScheme(cur.scheme)] as SExp] : []), go(cur.rhs)]);
          else items.push(["letrec", ...cur.binds.map((b) => [b.name, ...(b.scheme && typed ? [["::", printScheme(b.scheme)] as SExp] : []), go(b.fn)] as SExp)]);
          cur = cur.body;
        }
        items.push(go(cur));
        return items;
      }
      case "If": return ["if", go(e.cond), go(e.then), go(e.else)];
      case "Con": return e.arg ? ["con", e.name, go(e.arg)] : ["con", e.name];
      case "Record": return ["record", ...e.fields.map(([l, x]) => [l, go(x)] as SExp), ...(e.ext ? ["|", go(e.ext)] : [])];
      case "Proj": return ["proj", go(e.expr), e.label];
      case "Update": return ["update", go(e.record), ...e.fields.map(([l, x]) => [l, go(x)] as SExp)];
      case "Nil": return "nil";
      case "Cons": return ["cons", go(e.head), go(e.tail)];
      case "Case": return ["case", go(e.scrutinee), ...e.clauses.map((c) => [patToSExp(c.pat), go(c.body)] as SExp)];
      case "Do": return ["do", e.op, ...e.args.map(go)];
      case "Handle":
        return [e.shallow ? "shallow-handle" : "handle", go(e.body),
          ["params", ...e.params.map((p) => [p.name, go(p.init)] as SExp)],
          ...e.ops.map((o) => ["op", o.op, o.args.map(patToSExp), o.k ? patToSExp(o.k) : "_", go(o.body)] as SExp),
          ["return", patToSExp(e.ret.pat), go(e.ret.body)]];
      case "Spawn": return [e.kind, go(e.body)];
      case "Receive": return ["receive", ...e.clauses.map((c) => [patToSExp(c.pat), go(c.body)] as SExp)];
      case "Annot": return [":", go(e.expr), typeExprToSExp(e.annot)];
    }
  })();
  return node;
}

function printScheme(s: Scheme): string {
  return printType(s.type);
}

/** Print a program, skipping the prelude's bindings. */
export function printCore(p: CoreProgram, typed = false): string {
  let e = p.body;
  // Skip the prelude's outer Let/LetRec chain (its nodes' spans are in the prelude's file).
  while ((e.tag === "Let" || e.tag === "LetRec") && fromPrelude(e)) e = e.body;
  const out: SExp[] = ["program", coreToSExp(e, typed)];
  if (typed && p.resultType) out.push(["result-type", printType(p.resultType)]);
  return sexp(out);
}

// ---------------------------------------------------------------- validator

/**
 * Core: every node is well formed (the traversal reaches every binder). TypedCore
 * (`requireTypes`): in addition every node has a type and every variable is bound (by a binder or
 * a primitive).
 */
export function validateCore(p: CoreProgram, primitives: ReadonlySet<string>, requireTypes = false): string[] {
  const errs: string[] = [];
  const check = (e: CExpr, scope: Set<string>): void => {
    if (requireTypes && !e.type) errs.push(`${e.span.line}:${e.span.col}: ${e.tag} node has no type`);
    const under = (names: string[], x: CExpr) => {
      const s = new Set(scope);
      names.forEach((n) => s.add(n));
      check(x, s);
    };
    switch (e.tag) {
      case "Var":
        // Core may mention unknown variables (inference reports them as type errors); TypedCore may not.
        if (requireTypes && !scope.has(e.name) && !primitives.has(e.name)) errs.push(`${e.span.line}:${e.span.col}: unbound variable ${e.name}`);
        return;
      case "Lam": return under(e.params, e.body);
      case "Let": case "LetRec": {
        // iterative along the chain (see coreToSExp)
        const s = new Set(scope);
        let cur: CExpr = e;
        while (cur.tag === "Let" || cur.tag === "LetRec") {
          if (requireTypes && !cur.type) errs.push(`${cur.span.line}:${cur.span.col}: ${cur.tag} node has no type`);
          if (cur.tag === "Let") { check(cur.rhs, s); s.add(cur.name); }
          else {
            cur.binds.forEach((b) => s.add(b.name));
            for (const b of cur.binds) check(b.fn, s);
          }
          cur = cur.body;
        }
        return check(cur, s);
      }
      case "Case": check(e.scrutinee, scope); e.clauses.forEach((c) => under(patVars(c.pat), c.body)); return;
      case "Receive": e.clauses.forEach((c) => under(patVars(c.pat), c.body)); return;
      case "Handle": {
        check(e.body, scope);
        e.params.forEach((q) => check(q.init, scope));
        const ps = e.params.map((q) => q.name);
        for (const o of e.ops) under([...ps, ...o.args.flatMap((a) => patVars(a)), ...(o.k ? patVars(o.k) : [])], o.body);
        under([...ps, ...patVars(e.ret.pat)], e.ret.body);
        return;
      }
      default:
        mapChildren(e, (x) => (check(x, scope), x));
    }
  };
  check(p.body, new Set());
  return errs;
}

/** Free variables of an expression (used to split `fun` groups into recursive components). */
export function freeVars(e: CExpr, out = new Set<string>(), bound: ReadonlySet<string> = new Set()): Set<string> {
  const under = (names: string[], x: CExpr) => {
    const b = new Set(bound);
    names.forEach((n) => b.add(n));
    freeVars(x, out, b);
  };
  switch (e.tag) {
    case "Var": if (!bound.has(e.name)) out.add(e.name); break;
    case "Lam": under(e.params, e.body); break;
    case "Let": freeVars(e.rhs, out, bound); under([e.name], e.body); break;
    case "LetRec": { const ns = e.binds.map((b) => b.name); e.binds.forEach((b) => under(ns, b.fn)); under(ns, e.body); break; }
    case "Case": freeVars(e.scrutinee, out, bound); e.clauses.forEach((c) => under(patVars(c.pat), c.body)); break;
    case "Receive": e.clauses.forEach((c) => under(patVars(c.pat), c.body)); break;
    case "Handle": {
      freeVars(e.body, out, bound);
      e.params.forEach((q) => freeVars(q.init, out, bound));
      const ps = e.params.map((q) => q.name);
      e.ops.forEach((o) => under([...ps, ...o.args.flatMap((a) => patVars(a)), ...(o.k ? patVars(o.k) : [])], o.body));
      under([...ps, ...patVars(e.ret.pat)], e.ret.body);
      break;
    }
    default: mapChildren(e, (x) => (freeVars(x, out, bound), x));
  }
  return out;
}
