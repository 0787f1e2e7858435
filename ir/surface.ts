// Surface: the Links subset as written, every node with a source span.
// Produced by `parse`, consumed by `desugar`. Operators, blocks, `var`, list literals,
// comprehensions, `receive` and handler clauses are still present here.
import type { TypeSyntax } from "./types.js";
import { type Span, fromPrelude, sexp, type SExp } from "./common.js";

export type Lit =
  | { kind: "Int"; value: bigint }
  | { kind: "Float"; value: number }
  | { kind: "String"; value: string }
  | { kind: "Char"; value: string }
  | { kind: "Bool"; value: boolean };

// ---------------------------------------------------------------- type expressions
export type TypeExpr =
  | { tag: "TCon"; name: string; args: TypeArg[]; span: Span } // Int, Maybe(Int), Comp(a, {E|e})
  | { tag: "TVar"; name: string; span: Span } // a, _ (anonymous)
  | { tag: "TFun"; params: TypeExpr[]; effects: RowExpr; ret: TypeExpr; span: Span;
      /** An operation signature `(A, B) => R` (effect-row fields only); `effects` is then closed and empty. */
      op?: boolean }
  | { tag: "TRecord"; row: RowExpr; span: Span } // (l:T, m:U | r)
  | { tag: "TTuple"; items: TypeExpr[]; span: Span } // (A, B)
  | { tag: "TVariant"; row: RowExpr; span: Span } // [|A:T | B | r|]
  | { tag: "TList"; elem: TypeExpr; span: Span } // [T]
  | { tag: "TMu"; name: string; body: TypeExpr; span: Span } // mu a . T
  | { tag: "TForall"; vars: string[]; body: TypeExpr; span: Span };

/** An argument of a type constructor: a type, or a row in braces (`{E:() => Int|e}`). */
export type TypeArg = { tag: "Type"; type: TypeExpr } | { tag: "Row"; row: RowExpr };

/** A row: labelled fields, then an optional tail variable (`|e`, `|_`) or closed. */
export interface RowExpr {
  fields: RowField[];
  /** undefined: closed row; a name: row variable ("_" = anonymous). */
  rest: string | undefined;
  /** for arrows: `~>` marks the row as wild. */
  wild?: boolean;
  /** a plain `->`/`~>` arrow's row, not written by the programmer (its `_` is never rigid) */
  implicit?: boolean;
  /** closed with `| .` (Links' syntax when effect rows are open by default) */
  dot?: boolean;
}
export interface RowField {
  label: string;
  /** Present with a type (`l:T`, `Op:(A) => B`), absent (`l-`), or polymorphic presence (`l{_}`). */
  presence: { kind: "present"; type: TypeExpr | undefined } | { kind: "absent" } | { kind: "poly"; name: string };
}

// ---------------------------------------------------------------- patterns
export type Pattern =
  | { tag: "PAny"; span: Span }
  | { tag: "PVar"; name: string; span: Span }
  | { tag: "PLit"; lit: Lit; span: Span }
  | { tag: "PUnit"; span: Span }
  | { tag: "PNil"; span: Span }
  | { tag: "PCons"; head: Pattern; tail: Pattern; span: Span }
  | { tag: "PList"; items: Pattern[]; span: Span }
  | { tag: "PTuple"; items: Pattern[]; span: Span }
  | { tag: "PRecord"; fields: [string, Pattern][]; rest: Pattern | undefined; span: Span }
  | { tag: "PVariant"; name: string; arg: Pattern | undefined; span: Span }
  | { tag: "PAs"; pat: Pattern; name: string; span: Span }
  | { tag: "PNeg"; names: string[]; span: Span } // -Foo, -(Foo, Bar): any variant but these
  | { tag: "PAnnot"; pat: Pattern; type: TypeExpr; span: Span };

// ---------------------------------------------------------------- expressions
export type HandlerCase =
  /** `case <Op(p, q) => k> -> body` (deep) or `<Op(p) -> k>` (shallow); k absent when not bound. */
  | { kind: "op"; op: string; args: Pattern[]; k: Pattern | undefined; body: Expr; span: Span;
      /** `case <Op(x) => k> : ((A) => B) -> …`: an explicit operation type, if written. */
      type?: TypeExpr }
  /** `case x -> body`: the return clause. */
  | { kind: "return"; pat: Pattern; body: Expr; span: Span };

export interface Case { pat: Pattern; body: Expr; span: Span }
export interface Generator { pat: Pattern; source: Expr }

export type Expr =
  | { tag: "Lit"; lit: Lit; span: Span }
  | { tag: "Var"; name: string; span: Span }
  | { tag: "Con"; name: string; arg: Expr | undefined; span: Span } // Foo, Foo(e)
  | { tag: "Tuple"; items: Expr[]; span: Span } // () is the empty tuple
  | { tag: "Record"; fields: [string, Expr][]; ext: Expr | undefined; span: Span } // (l = e | r)
  | { tag: "With"; record: Expr; fields: [string, Expr][]; span: Span } // (r with l = e)
  | { tag: "Proj"; expr: Expr; label: string; span: Span } // e.l, e.1
  | { tag: "List"; items: Expr[]; span: Span }
  | { tag: "Range"; from: Expr; to: Expr; span: Span } // [a..b]
  | { tag: "BinOp"; op: string; left: Expr; right: Expr; span: Span }
  | { tag: "UnOp"; op: "-" | "-." | "!"; expr: Expr; span: Span }
  | { tag: "Section"; op: string; span: Span } // (+), (::), (.l)
  | { tag: "App"; fn: Expr; args: Expr[]; span: Span }
  | { tag: "Fun"; params: Pattern[][]; body: Expr; span: Span } // fun (a)(b) { … }
  | { tag: "Block"; stmts: Stmt[]; result: Expr | undefined; span: Span }
  | { tag: "If"; cond: Expr; then: Expr; else: Expr | undefined; span: Span }
  | { tag: "Switch"; scrutinee: Expr; cases: Case[]; span: Span }
  | { tag: "Receive"; cases: Case[]; span: Span }
  | { tag: "Do"; op: string; arg: Expr | undefined; args: Expr[]; span: Span }
  | {
      tag: "Handle";
      shallow: boolean;
      expr: Expr;
      params: { pat: Pattern; init: Expr }[];
      cases: HandlerCase[];
      span: Span;
    }
  | { tag: "Spawn"; kind: "spawn" | "spawnWait" | "spawnAngel"; body: Expr; span: Span }
  | { tag: "Annot"; expr: Expr; type: TypeExpr; span: Span }
  | { tag: "For"; gens: Generator[]; where: Expr | undefined; orderby: Expr | undefined; body: Expr; span: Span };

export type Stmt =
  | { tag: "SVar"; pat: Pattern; expr: Expr; span: Span; /** `sig x : T var x = …` */ sig?: TypeExpr }
  | { tag: "SFun"; name: string; params: Pattern[][]; body: Expr; sig: TypeExpr | undefined; span: Span }
  | { tag: "STypename"; name: string; params: string[]; type: TypeExpr; span: Span }
  | { tag: "SExpr"; expr: Expr; span: Span };

export interface Program {
  /** Top-level declarations, in order. Consecutive `fun`s form one mutually recursive group. */
  stmts: Stmt[];
  /** The program's final expression, if any (its value is printed). */
  result: Expr | undefined;
  /** Links' effect sugar settings, for printing types (from the Source) */
  typeSyntax?: TypeSyntax;
}

// ---------------------------------------------------------------- printer
export function litToSExp(l: Lit): SExp {
  switch (l.kind) {
    case "Int": return l.value.toString();
    case "Float": return String(l.value) + (Number.isInteger(l.value) ? ".0" : "");
    case "String": return JSON.stringify(l.value);
    case "Char": return `'${l.value}'`;
    case "Bool": return String(l.value);
  }
}

export function typeExprToSExp(t: TypeExpr): SExp {
  switch (t.tag) {
    case "TCon": return t.args.length === 0 ? t.name : [t.name, ...t.args.map((a) => (a.tag === "Type" ? typeExprToSExp(a.type) : rowToSExp(a.row)))];
    case "TVar": return t.name;
    case "TFun":
      return t.op ? ["=>", t.params.map(typeExprToSExp), typeExprToSExp(t.ret)]
        : ["->", t.params.map(typeExprToSExp), rowToSExp(t.effects), typeExprToSExp(t.ret)];
    case "TRecord": return ["record", rowToSExp(t.row)];
    case "TTuple": return ["tuple", ...t.items.map(typeExprToSExp)];
    case "TVariant": return ["variant", rowToSExp(t.row)];
    case "TList": return ["list", typeExprToSExp(t.elem)];
    case "TMu": return ["mu", t.name, typeExprToSExp(t.body)];
    case "TForall": return ["forall", t.vars, typeExprToSExp(t.body)];
  }
}
function rowToSExp(r: RowExpr): SExp {
  const fs: SExp[] = r.fields.map((f) =>
    f.presence.kind === "present"
      ? f.presence.type ? [f.label, typeExprToSExp(f.presence.type)] : f.label
      : f.presence.kind === "absent" ? `${f.label}-` : `${f.label}{${f.presence.name}}`);
  return ["row", ...fs, ...(r.rest !== undefined ? ["|", r.rest] : []), ...(r.wild ? ["wild"] : [])];
}

export function patternToSExp(p: Pattern): SExp {
  switch (p.tag) {
    case "PAny": return "_";
    case "PVar": return p.name;
    case "PLit": return litToSExp(p.lit);
    case "PUnit": return "()";
    case "PNil": return "[]";
    case "PCons": return ["::", patternToSExp(p.head), patternToSExp(p.tail)];
    case "PList": return ["list", ...p.items.map(patternToSExp)];
    case "PTuple": return ["tuple", ...p.items.map(patternToSExp)];
    case "PRecord": return ["record", ...p.fields.map(([l, q]) => [l, patternToSExp(q)] as SExp), ...(p.rest ? ["|", patternToSExp(p.rest)] : [])];
    case "PVariant": return p.arg ? [p.name, patternToSExp(p.arg)] : [p.name];
    case "PAs": return ["as", patternToSExp(p.pat), p.name];
    case "PNeg": return ["not", ...p.names];
    case "PAnnot": return [":", patternToSExp(p.pat), typeExprToSExp(p.type)];
  }
}

export function exprToSExp(e: Expr): SExp {
  switch (e.tag) {
    case "Lit": return litToSExp(e.lit);
    case "Var": return e.name;
    case "Con": return e.arg ? ["con", e.name, exprToSExp(e.arg)] : ["con", e.name];
    case "Tuple": return ["tuple", ...e.items.map(exprToSExp)];
    case "Record": return ["record", ...e.fields.map(([l, x]) => [l, exprToSExp(x)] as SExp), ...(e.ext ? ["|", exprToSExp(e.ext)] : [])];
    case "With": return ["with", exprToSExp(e.record), ...e.fields.map(([l, x]) => [l, exprToSExp(x)] as SExp)];
    case "Proj": return [".", exprToSExp(e.expr), e.label];
    case "List": return ["list", ...e.items.map(exprToSExp)];
    case "Range": return ["range", exprToSExp(e.from), exprToSExp(e.to)];
    case "BinOp": return [e.op, exprToSExp(e.left), exprToSExp(e.right)];
    case "UnOp": return [e.op === "-" ? "neg" : e.op === "-." ? "negf" : "!", exprToSExp(e.expr)];
    case "Section": return ["section", e.op];
    case "App": return ["app", exprToSExp(e.fn), ...e.args.map(exprToSExp)];
    case "Fun": return ["fun", e.params.map((ps) => ps.map(patternToSExp)), exprToSExp(e.body)];
    case "Block": return ["block", ...e.stmts.map(stmtToSExp), ...(e.result ? [exprToSExp(e.result)] : [])];
    case "If": return ["if", exprToSExp(e.cond), exprToSExp(e.then), ...(e.else ? [exprToSExp(e.else)] : [])];
    case "Switch": return ["switch", exprToSExp(e.scrutinee), ...e.cases.map((c) => ["case", patternToSExp(c.pat), exprToSExp(c.body)] as SExp)];
    case "Receive": return ["receive", ...e.cases.map((c) => ["case", patternToSExp(c.pat), exprToSExp(c.body)] as SExp)];
    case "Do": return ["do", e.op, ...e.args.map(exprToSExp)];
    case "Handle":
      return [
        e.shallow ? "shallowhandle" : "handle",
        exprToSExp(e.expr),
        ["params", ...e.params.map((p) => [patternToSExp(p.pat), exprToSExp(p.init)] as SExp)],
        ...e.cases.map((c): SExp =>
          c.kind === "return"
            ? ["return", patternToSExp(c.pat), exprToSExp(c.body)]
            : ["op", c.op, c.args.map(patternToSExp), c.k ? patternToSExp(c.k) : "_",
                ...(c.type ? [[":", typeExprToSExp(c.type)] as SExp] : []), exprToSExp(c.body)]),
      ];
    case "Spawn": return [e.kind, exprToSExp(e.body)];
    case "Annot": return [":", exprToSExp(e.expr), typeExprToSExp(e.type)];
    case "For":
      return ["for", e.gens.map((g) => ["<-", patternToSExp(g.pat), exprToSExp(g.source)] as SExp),
        ...(e.where ? [["where", exprToSExp(e.where)] as SExp] : []),
        ...(e.orderby ? [["orderby", exprToSExp(e.orderby)] as SExp] : []), exprToSExp(e.body)];
  }
}

export function stmtToSExp(s: Stmt): SExp {
  switch (s.tag) {
    case "SVar": return ["var", patternToSExp(s.pat), ...(s.sig ? [["sig", typeExprToSExp(s.sig)] as SExp] : []), exprToSExp(s.expr)];
    case "SFun": return ["fun", s.name, s.params.map((ps) => ps.map(patternToSExp)), ...(s.sig ? [["sig", typeExprToSExp(s.sig)] as SExp] : []), exprToSExp(s.body)];
    case "STypename": return ["typename", s.name, s.params, typeExprToSExp(s.type)];
    case "SExpr": return exprToSExp(s.expr);
  }
}

export function printSurface(p: Program): string {
  const body = p.stmts.filter((s) => !fromPrelude(s)).map(stmtToSExp);
  if (p.result) body.push(exprToSExp(p.result));
  return sexp(["program", ...body]);
}

/** Surface has no invariants beyond its TypeScript type; the validator checks spans are present. */
export function validateSurface(p: Program): string[] {
  const errs: string[] = [];
  for (const s of p.stmts) if (!s.span) errs.push(`statement ${s.tag} has no span`);
  return errs;
}
