// parse: text → Surface
// Example: `fun f(x) { x + 1 } f(2)`  ⇒  (program (fun f ((x)) (+ x 1)) (app f 2))
// Needs: nothing. Guarantees: every node has a span; unsupported syntax raises `unsupported: …`;
// malformed input raises a `syntax` CompileError saying what was found and what was expected.
//
// A hand-written recursive-descent parser for the Links subset, following Links' own grammar
// (core/parser.mly) with a few lenient extensions (else-less `if`, `{ s; }` blocks, negative
// literal patterns, `_x` names, expression statements at top level).
//
// Operators. Links parses infix chains flat and re-associates them with a fixity table (the
// "shunting" pass, core/shunting.ml); we run the same shunting-yard rule while parsing:
//     9 right  ::            8 right  ^ ^^ **        7 left  * / *. /.
//     6 left   + - +. -. !   5 right  ++ =~         4 none  == <> < <= >= >
//     3 right  &&            2 right  ||            1 left >>    1 right $
// and any other operator (e.g. `^.`, `mod` written `` `mod` ``, user operators) is 9 left.
// Prefix `-`/`-.` are precedence 9 right; `infix[lr] N op;`, `prefix N op;` (= right) and
// `postfix N op;` (= left) declarations update the table for the rest of the file, as in Links.
// Non-associative operators nest to the right, as Links' shunting does.
//
// Representation choices (see ir/surface.ts):
//   * every binary operator, including user-defined ones, `` a `f` b `` and (an extension) bare
//     `a mod b`, is BinOp{op}; an op that is not built in means "call the function named op".
//     User prefix/postfix operator uses become App(Var op, [e]); `op x <+> y {…}` defines
//     SFun "<+>" with params [[x, y]]; built-in operators are never prefix/postfix.
//   * a function body `{ e }` without statements is just `e` (other bodies stay Blocks).
//   * `-1`/`-.1.0` on a literal fold into a negative literal; otherwise UnOp.
//   * `mutual { … }` is flattened into consecutive statements (consecutive `fun`s form a group).
//   * a plain arrow `(A) -> B` gets the open anonymous effect row {fields: [], rest: "_"};
//     `~>` the same row with wild: true; `-e->`/`~e~>` rest "e"; `{…}->` the written row.
//     An operation signature `Op:(A) => R` in an effect row is TFun{op: true} with a closed empty
//     row; `Op:R` is just R. The mailbox field `{:T|e}` has label "".
//     Flexible type variables keep their `%` (`%a`, `%`); `| .` closes a row; kinds are dropped.
import { type Span, CompileError, spanFrom, syntaxError, unsupported } from "../ir/common.js";
import type { Case, Expr, Generator, HandlerCase, Lit, Pattern, Program, RowExpr, RowField, Stmt, TypeArg, TypeExpr } from "../ir/surface.js";
import { describe, lex, type Token } from "./lexer.js";

type Assoc = "left" | "right" | "none";
const DEFAULT_FIXITY: [string, number, Assoc][] = [
  ["::", 9, "right"], ["^", 8, "right"], ["^^", 8, "right"], ["**", 8, "right"],
  ["*", 7, "left"], ["/", 7, "left"], ["*.", 7, "left"], ["/.", 7, "left"],
  ["+", 6, "left"], ["+.", 6, "left"], ["-", 6, "left"], ["-.", 6, "left"], ["!", 6, "left"],
  ["++", 5, "right"], ["=~", 5, "right"],
  ["==", 4, "none"], ["<>", 4, "none"], ["<", 4, "none"], ["<=", 4, "none"], [">=", 4, "none"], [">", 4, "none"],
  ["&&", 3, "right"], ["||", 2, "right"], [">>", 1, "left"], ["$", 1, "right"],
];
const UNARY_PREC = 9;
/**
 * Built-in operators are infix only (besides prefix `-`/`-.`): Links would accept `1 +` as a
 * postfix use of `+` and fail later; we reject it here. Other operators may be used prefix or
 * postfix, meaning a call of the function of that name.
 */
const INFIX_ONLY = new Set([...DEFAULT_FIXITY.map(([o]) => o), "^.", "=~"]);
/** Keywords that start syntax outside the supported subset, with how we name it. */
const UNSUPPORTED_KW: Record<string, string> = {
  query: "database queries (`query`)", database: "databases (`database`)", table: "tables (`table`)",
  insert: "database `insert`", update: "database `update`", delete: "database `delete`",
  TemporalTable: "temporal tables", vt_insert: "temporal tables", tt_insert: "temporal tables",
  vt_join: "temporal tables", tt_join: "temporal tables",
  lens: "lenses", lensdrop: "lenses", lensget: "lenses", lensput: "lenses", lensselect: "lenses",
  lensjoin: "lenses", lenscheck: "lenses", lensserial: "lenses",
  linfun: "linear functions (`linfun`)", lindo: "linear operations (`lindo`)",
  escape: "`escape`", try: "`try … as … in … otherwise`", raise: "`raise`", formlet: "formlets",
  page: "pages (`page`)", offer: "session types (`offer`)", select: "session types (`select`)",
  nu: "session types (`nu`)", alien: "foreign declarations (`alien`)", module: "modules (`module`)",
  open: "modules (`open`)", import: "modules (`import`)", unsafe: "`unsafe` signatures",
  effectname: "effect aliases (`effectname`)", spawnAt: "located spawns (`spawnAt`)",
  spawnAngelAt: "located spawns (`spawnAngelAt`)", spawnClient: "client spawns (`spawnClient`)",
  server: "location annotations (`server`)", client: "location annotations (`client`)", xlin: "`xlin`",
};

type SeqEnd = "top" | "block" | "case";

class Parser {
  private pos = 0;
  private readonly fixity = new Map<string, [number, Assoc]>(DEFAULT_FIXITY.map(([o, p, a]) => [o, [p, a]]));
  constructor(private readonly toks: Token[]) {}

  // ------------------------------------------------------------ token helpers
  private peek(k = 0): Token { return this.toks[Math.min(this.pos + k, this.toks.length - 1)]!; }
  private next(): Token { const t = this.peek(); if (this.pos < this.toks.length - 1) this.pos++; return t; }
  private get prev(): Token { return this.toks[Math.max(0, this.pos - 1)]!; }
  private isSym(s: string, k = 0): boolean { const t = this.peek(k); return t.kind === "sym" && t.text === s; }
  private isKw(s: string, k = 0): boolean { const t = this.peek(k); return t.kind === "kw" && t.text === s; }
  private isOp(s: string, k = 0): boolean { const t = this.peek(k); return t.kind === "op" && t.text === s && !t.backtick; }
  private from(start: Span): Span { return spanFrom(start, this.prev.span); }
  private fail(expected: string, t: Token = this.peek()): never {
    const found = t.kind === "eof" ? "end of input" : `token ${describe(t)}`;
    throw syntaxError(`unexpected ${found}; expected ${expected}`, t.span);
  }
  private expectSym(s: string, context = ""): Token {
    if (!this.isSym(s)) this.fail(`\`${s}\`${context ? " " + context : ""}`);
    return this.next();
  }
  private ident(what: string): Token {
    if (this.peek().kind !== "ident") this.fail(what);
    return this.next();
  }
  private unsupportedKw(t: Token): never {
    throw unsupported(UNSUPPORTED_KW[t.text] ?? `\`${t.text}\``, t.span);
  }

  // ------------------------------------------------------------ program and statements
  endOfInput(): void {
    if (this.peek().kind !== "eof") this.fail("end of input");
  }

  program(): Program {
    const { stmts, result } = this.seq("top");
    if (this.peek().kind !== "eof") this.fail("a declaration or an expression");
    return { stmts, result, preludeCount: 0 };
  }

  private atSeqEnd(end: SeqEnd): boolean {
    const t = this.peek();
    if (t.kind === "eof") return true;
    if (end === "top") return false;
    return (t.kind === "sym" && t.text === "}") || (end === "case" && t.kind === "kw" && t.text === "case");
  }

  /** Statements, then an optional final expression, up to `}` / `case` / end of input. */
  private seq(end: SeqEnd): { stmts: Stmt[]; result: Expr | undefined } {
    const stmts: Stmt[] = [];
    for (;;) {
      if (this.atSeqEnd(end)) return { stmts, result: undefined };
      if (this.isSym(";")) { this.next(); continue; }
      if (this.declaration(stmts)) continue;
      const e = this.expr();
      if (this.isSym(";")) { this.next(); stmts.push({ tag: "SExpr", expr: e, span: e.span }); continue; }
      if (this.atSeqEnd(end)) return { stmts, result: e };
      this.fail(end === "top" ? "`;` or end of input" : end === "block" ? "`;` or `}`" : "`;`, `case` or `}`");
    }
  }

  /** Parses a declaration into `out` if one starts here; returns false at an expression. */
  private declaration(out: Stmt[]): boolean {
    const t = this.peek();
    if (t.kind !== "kw") return false;
    switch (t.text) {
      case "var": out.push(this.varDecl(undefined)); return true;
      case "fun":
        if (this.peek(1).kind !== "ident") return false; // anonymous function expression
        out.push(this.funDecl(undefined)); return true;
      case "op": out.push(this.opDecl(undefined)); return true;
      case "sig": out.push(this.sigAndDecl()); return true;
      case "typename": out.push(this.typenameDecl()); return true;
      case "mutual": this.mutual(out); return true;
      case "infix": case "infixl": case "infixr": case "prefix": case "postfix": this.fixityDecl(); return true;
      case "alien": case "module": case "open": case "import": case "unsafe": case "effectname": case "linfun":
        this.unsupportedKw(t);
      default:
        return false;
    }
  }

  private varDecl(sig: TypeExpr | undefined): Stmt {
    const start = this.next().span; // var
    const pat = this.pattern();
    this.expectSym("=", "in `var` declaration");
    const expr = this.expr();
    this.expectSym(";", "after `var` declaration");
    return { tag: "SVar", pat, expr, span: this.from(start), ...(sig ? { sig } : {}) };
  }

  private funDecl(sig: TypeExpr | undefined): Stmt {
    const start = this.next().span; // fun
    const name = this.ident("a function name").text;
    const params = this.argLists();
    const body = this.funBody();
    return { tag: "SFun", name, params, body, sig, span: this.from(start) };
  }

  /** `op x <+> y {…}`, `op <+> x {…}` (prefix) or `op x <+> {…}` (postfix). */
  private opDecl(sig: TypeExpr | undefined): Stmt {
    const start = this.next().span; // op
    let name: string, params: Pattern[];
    if (this.isOperatorToken(this.peek())) {
      name = this.next().text;
      params = [this.pattern()];
    } else {
      const p1 = this.pattern();
      if (!this.isOperatorToken(this.peek())) this.fail("an operator in `op` definition");
      name = this.next().text;
      params = this.isSym("{") ? [p1] : [p1, this.pattern()];
    }
    const body = this.funBody();
    return { tag: "SFun", name, params: [params], body, sig, span: this.from(start) };
  }

  private sigAndDecl(): Stmt {
    const sigTok = this.next();
    const nameTok = this.peek();
    if (nameTok.kind !== "ident" && !this.isOperatorToken(nameTok)) this.fail("a name after `sig`");
    this.next();
    this.expectSym(":", "in signature");
    const type = this.type();
    const t = this.peek();
    const mismatch = (found: string): never => {
      throw syntaxError(`signature for \`${nameTok.text}\` should precede the definition of \`${nameTok.text}\`, not \`${found}\``, this.peek().span);
    };
    let decl: Stmt;
    if (t.kind === "kw" && t.text === "fun" && this.peek(1).kind === "ident") {
      if (this.peek(1).text !== nameTok.text) mismatch(this.peek(1).text);
      decl = this.funDecl(type);
    } else if (t.kind === "kw" && t.text === "var") {
      const p = this.peek(1);
      if (p.kind === "ident" && p.text !== nameTok.text) mismatch(p.text);
      decl = this.varDecl(type);
    } else if (t.kind === "kw" && t.text === "op") {
      decl = this.opDecl(type);
      if (decl.tag === "SFun" && decl.name !== nameTok.text) throw syntaxError(`signature for \`${nameTok.text}\` should precede the definition of \`${nameTok.text}\`, not \`${decl.name}\``, decl.span);
    } else if (t.kind === "kw" && (t.text === "linfun" || t.text === "unsafe")) {
      this.unsupportedKw(t);
    } else {
      this.fail(`the definition of \`${nameTok.text}\` (\`fun\`, \`var\` or \`op\`) after its signature`);
    }
    decl.span = spanFrom(sigTok.span, decl.span);
    return decl;
  }

  private typenameDecl(): Stmt {
    const start = this.next().span; // typename
    if (this.peek().kind !== "con") this.fail("a type name (capitalised) after `typename`");
    const name = this.next().text;
    const params: string[] = [];
    if (this.isSym("(")) {
      this.next();
      params.push(...this.typeVarList());
      this.expectSym(")", "after type parameters");
    }
    this.expectSym("=", "in `typename` declaration");
    const type = this.type();
    this.expectSym(";", "after `typename` declaration");
    return { tag: "STypename", name, params, type, span: this.from(start) };
  }

  /** `mutual { fun …  typename …; }`: flattened into the enclosing statement list. */
  private mutual(out: Stmt[]): void {
    this.next();
    this.expectSym("{", "after `mutual`");
    while (!this.isSym("}")) {
      if (this.isSym(";")) { this.next(); continue; }
      const t = this.peek();
      const ok = t.kind === "kw" && (t.text === "fun" || t.text === "typename" || t.text === "sig" || t.text === "op");
      if (!ok) {
        if (t.kind === "eof") this.fail("`}` to close `mutual`");
        throw syntaxError("Only `fun` and `typename` bindings are allowed in a `mutual` block", t.span);
      }
      const before = out.length;
      this.declaration(out);
      const d = out[before];
      if (d && d.tag === "SVar") throw syntaxError("Only `fun` and `typename` bindings are allowed in a `mutual` block", d.span);
    }
    this.next();
  }

  /** `infixl 6 <+>;` etc.: updates the operator table for the rest of the file. */
  private fixityDecl(): void {
    const kw = this.next().text;
    let prec = 9;
    if (this.peek().kind === "int") {
      const t = this.next();
      prec = Number(t.int!);
      if (prec > 9) throw syntaxError("operator precedence must be between 0 and 9", t.span);
    }
    const op = this.peek();
    if (!this.isOperatorToken(op) && !(op.kind === "sym" && op.text === "::")) this.fail(`an operator after \`${kw}\``);
    this.next();
    const assoc: Assoc = kw === "infix" ? "none" : kw === "infixl" || kw === "postfix" ? "left" : "right";
    this.fixity.set(op.text, [prec, assoc]);
    this.expectSym(";", "after fixity declaration");
  }

  private argLists(): Pattern[][] {
    if (!this.isSym("(")) this.fail("`(` to start the parameter list");
    const lists: Pattern[][] = [];
    while (this.isSym("(")) {
      this.next();
      const ps: Pattern[] = [];
      if (!this.isSym(")")) {
        ps.push(this.pattern());
        while (this.isSym(",")) { this.next(); ps.push(this.pattern()); }
      }
      this.expectSym(")", "to close the parameter list");
      lists.push(ps);
    }
    return lists;
  }

  private funBody(): Expr {
    const t = this.peek();
    if (t.kind === "kw" && (t.text === "server" || t.text === "client")) this.unsupportedKw(t);
    if (t.kind === "kw" && t.text === "switch") throw unsupported("`switch` function bodies (`fun f(x) switch { … }`)", t.span);
    if (!this.isSym("{")) this.fail("`{` to start the function body");
    const b = this.block();
    // `fun f(x) { e }`: a body block without statements is just its expression.
    return b.tag === "Block" && b.stmts.length === 0 && b.result ? b.result : b;
  }

  private block(): Expr {
    const start = this.expectSym("{").span;
    const { stmts, result } = this.seq("block");
    this.expectSym("}", "to close the block");
    return { tag: "Block", stmts, result, span: this.from(start) };
  }

  // ------------------------------------------------------------ expressions
  private isOperatorToken(t: Token): boolean { return t.kind === "op"; }
  /** May this operator token be used as a prefix or postfix operator? */
  private affixable(t: Token): boolean { return t.kind === "op" && !t.backtick && !INFIX_ONLY.has(t.text); }

  private fix(op: string): [number, Assoc] { return this.fixity.get(op) ?? [9, "left"]; }

  expr(): Expr {
    let e = this.binary(-1);
    while (this.isSym(":")) {
      this.next();
      const type = this.type();
      if (this.isSym("<-")) throw unsupported("upcasts (`e : T <- U`)", this.peek().span);
      e = { tag: "Annot", expr: e, type, span: spanFrom(e.span, type.span) };
    }
    return e;
  }

  /** Can `t` begin an expression? (Decides whether an operator before it is infix or postfix.) */
  private startsExpr(t: Token): boolean {
    switch (t.kind) {
      case "int": case "float": case "string": case "char": case "ident": case "con": return true;
      case "op": return this.affixable(t) || t.text === "-" || t.text === "-." || t.text === "$";
      case "sym": return t.text === "(" || t.text === "[" || t.text === "{" || t.text === "~" || t.text === "/\\";
      case "kw": return !["case", "else", "where", "orderby", "as", "with", "in", "otherwise", "from", "values", "set", "returning"].includes(t.text);
      default: return false;
    }
  }

  /**
   * Operator chains, re-associated by Links' shunting-yard rule: an operator `t` arriving while
   * `s` is on the stack first reduces `s` if `s` binds tighter, or equally tight and `t` is
   * left-associative. `top` is the precedence of the enclosing prefix operator (-1 if none):
   * operators that would not be absorbed by it end the chain. Iterative, so long chains such as
   * `1 :: 2 :: … :: []` do not grow the JS stack.
   */
  private binary(top: number): Expr {
    const operands: Expr[] = [this.unary()];
    const ops: { tok: Token; prec: number }[] = [];
    const reduce = () => {
      const { tok } = ops.pop()!;
      const right = operands.pop()!, left = operands.pop()!;
      operands.push({ tag: "BinOp", op: tok.text, left, right, span: spanFrom(left.span, right.span) });
    };
    for (;;) {
      const t = this.peek();
      // `::` and, as a lenient extension, a bare `x mod y` (Links spells it `` x `mod` y ``).
      const infix = t.kind === "op" || (t.kind === "sym" && t.text === "::") || (t.kind === "ident" && t.text === "mod");
      if (!infix) break;
      if (t.text === "=~" && !t.backtick) throw unsupported("regular expressions (`=~`)", t.span);
      const [p, a] = this.fix(t.text);
      if (!(p > top || (p === top && a !== "left"))) break;
      while (ops.length > 0 && (ops[ops.length - 1]!.prec > p || (ops[ops.length - 1]!.prec === p && a === "left"))) reduce();
      this.next();
      if (this.affixable(t) && !this.startsExpr(this.peek())) { // postfix use: `x <<>>`
        const arg = operands.pop()!;
        operands.push({ tag: "App", fn: { tag: "Var", name: t.text, span: t.span }, args: [arg], span: spanFrom(arg.span, t.span) });
        continue;
      }
      ops.push({ tok: t, prec: p });
      operands.push(this.unary());
    }
    while (ops.length > 0) reduce();
    return operands[0]!;
  }

  private unary(): Expr {
    const t = this.peek();
    if (t.kind === "op" && !t.backtick) {
      if (t.text === "-" || t.text === "-.") {
        this.next();
        const e = this.binary(UNARY_PREC);
        const span = spanFrom(t.span, e.span);
        if (e.tag === "Lit" && t.text === "-" && e.lit.kind === "Int") return { tag: "Lit", lit: { kind: "Int", value: -e.lit.value }, span };
        if (e.tag === "Lit" && t.text === "-." && e.lit.kind === "Float") return { tag: "Lit", lit: { kind: "Float", value: -e.lit.value }, span };
        return { tag: "UnOp", op: t.text, expr: e, span };
      }
      if (t.text === "$") throw unsupported("generalisation (`$e`)", t.span);
      if (t.text === "<" && !this.peek(1).spaceBefore && (this.peek(1).kind === "ident" || this.peek(1).kind === "con" || this.peek(1).kind === "kw"))
        throw unsupported("XML literals", t.span);
      if (this.affixable(t)) { // user prefix operator
        this.next();
        const e = this.binary(this.fix(t.text)[0]);
        return { tag: "App", fn: { tag: "Var", name: t.text, span: t.span }, args: [e], span: spanFrom(t.span, e.span) };
      }
    }
    if (t.kind === "kw" && t.text === "do") {
      this.next();
      if (this.peek().kind !== "con") this.fail("an operation name (capitalised) after `do`");
      const op = this.next().text;
      const args = this.isSym("(") ? this.callArgs() : [];
      return { tag: "Do", op, arg: args.length === 1 ? args[0] : undefined, args, span: this.from(t.span) };
    }
    return this.postfix();
  }

  private callArgs(): Expr[] {
    this.expectSym("(");
    const args: Expr[] = [];
    if (!this.isSym(")")) {
      args.push(this.expr());
      while (this.isSym(",")) { this.next(); args.push(this.expr()); }
    }
    this.expectSym(")", "to close the argument list");
    return args;
  }

  private postfix(): Expr {
    let e = this.primary();
    for (;;) {
      if (this.isSym("(")) {
        const args = this.callArgs();
        e = { tag: "App", fn: e, args, span: spanFrom(e.span, this.prev.span) };
      } else if (this.isSym(".")) {
        this.next();
        const l = this.peek();
        if (l.kind === "float") { // `e.1.2` lexes its labels as the float 1.2
          this.next();
          for (const part of l.text.split(".")) e = { tag: "Proj", expr: e, label: part, span: spanFrom(e.span, l.span) };
          continue;
        }
        e = { tag: "Proj", expr: e, label: this.label("a record label after `.`"), span: spanFrom(e.span, l.span) };
      } else if (this.isSym("[")) {
        throw unsupported("explicit type application (`e[T]`)", this.peek().span);
      } else if (this.isSym("@")) {
        throw unsupported("explicit instantiation (`e@`)", this.peek().span);
      } else return e;
    }
  }

  /** A record label: name, constructor, string or number. */
  private label(what: string): string {
    const t = this.peek();
    if (t.kind === "ident" || t.kind === "con" || t.kind === "string" || t.kind === "int") { this.next(); return t.text; }
    return this.fail(what);
  }
  private isLabel(t: Token): boolean { return t.kind === "ident" || t.kind === "con" || t.kind === "string" || t.kind === "int"; }

  private lit(t: Token): Lit | undefined {
    switch (t.kind) {
      case "int": return { kind: "Int", value: t.int! };
      case "float": return { kind: "Float", value: t.float! };
      case "string": return { kind: "String", value: t.text };
      case "char": return { kind: "Char", value: t.text };
      case "kw": return t.text === "true" ? { kind: "Bool", value: true } : t.text === "false" ? { kind: "Bool", value: false } : undefined;
      default: return undefined;
    }
  }

  private primary(): Expr {
    const t = this.peek();
    const lit = this.lit(t);
    if (lit) { this.next(); return { tag: "Lit", lit, span: t.span }; }
    switch (t.kind) {
      case "ident": this.next(); return { tag: "Var", name: t.text, span: t.span };
      case "con": {
        this.next();
        if (this.isSym(".") && (this.peek(1).kind === "con" || this.peek(1).kind === "ident") && !this.peek().spaceBefore)
          throw unsupported("qualified names (`Module.name`)", t.span);
        const arg = this.isSym("(") ? this.parenthesized() : undefined;
        return { tag: "Con", name: t.text, arg, span: this.from(t.span) };
      }
      case "sym":
        switch (t.text) {
          case "(": return this.parenthesized();
          case "[": return this.list();
          case "{": return this.block();
          case "~": throw unsupported("frozen variables (`~x`)", t.span);
          case "/\\": throw unsupported("type abstractions (`/\\ [a]. e`)", t.span);
          case "<|": throw unsupported("CP session syntax (`<| … |>`)", t.span);
        }
        break;
      case "kw":
        switch (t.text) {
          case "fun": {
            this.next();
            if (this.peek().kind === "ident") throw syntaxError(`named function \`${this.peek().text}\` is only allowed as a declaration; use \`fun (…) {…}\` in an expression`, this.peek().span);
            const params = this.argLists();
            const body = this.funBody();
            return { tag: "Fun", params, body, span: this.from(t.span) };
          }
          case "if": return this.ifExpr();
          case "switch": return this.switchExpr();
          case "receive": return this.receiveExpr();
          case "handle": case "shallowhandle": return this.handleExpr();
          case "for": return this.forExpr();
          case "spawn": case "spawnWait": case "spawnAngel": {
            this.next();
            const body = this.block();
            return { tag: "Spawn", kind: t.text, body, span: this.from(t.span) };
          }
          default:
            if (UNSUPPORTED_KW[t.text]) this.unsupportedKw(t);
        }
        break;
      case "op":
        if (t.text === "<" && !this.peek(1).spaceBefore && ["ident", "con", "kw"].includes(this.peek(1).kind)) throw unsupported("XML literals", t.span);
        break;
    }
    return this.fail("an expression");
  }

  /** Everything that starts with `(`: unit, parens, tuples, records, `with`, sections. */
  private parenthesized(): Expr {
    const start = this.expectSym("(").span;
    if (this.isSym(")")) { this.next(); return { tag: "Tuple", items: [], span: this.from(start) }; }
    const t = this.peek();
    if ((t.kind === "op" || (t.kind === "sym" && t.text === "::")) && this.isSym(")", 1)) {
      this.next(); this.next();
      return { tag: "Section", op: t.text, span: this.from(start) };
    }
    if (this.isSym(".") && this.isLabel(this.peek(1)) && this.isSym(")", 2)) {
      this.next();
      const l = this.next().text;
      this.next();
      return { tag: "Section", op: "." + l, span: this.from(start) };
    }
    if (this.atLabeledField()) {
      const fields = this.labeledExprs();
      let ext: Expr | undefined;
      if (this.isSym("|")) { this.next(); ext = this.expr(); }
      this.expectSym(")", "to close the record");
      return { tag: "Record", fields, ext, span: this.from(start) };
    }
    const first = this.expr();
    if (this.isSym(",")) {
      const items = [first];
      while (this.isSym(",")) { this.next(); items.push(this.expr()); }
      this.expectSym(")", "to close the tuple");
      return { tag: "Tuple", items, span: this.from(start) };
    }
    if (this.isKw("with")) {
      this.next();
      if (!this.atLabeledField()) this.fail("`label = expression` after `with`");
      const fields = this.labeledExprs();
      this.expectSym(")", "to close the record update");
      return { tag: "With", record: first, fields, span: this.from(start) };
    }
    this.expectSym(")", "or `,`");
    return first;
  }

  private atLabeledField(): boolean {
    return (this.isLabel(this.peek()) && this.isSym("=", 1)) || (this.isSym("=") && this.peek(1).kind === "ident");
  }

  private labeledExprs(): [string, Expr][] {
    const fields: [string, Expr][] = [];
    do {
      if (fields.length > 0) this.next(); // ,
      if (this.isSym("=")) { // punning: (=x)
        this.next();
        const v = this.ident("a variable after `=`");
        fields.push([v.text, { tag: "Var", name: v.text, span: v.span }]);
      } else {
        const l = this.label("a record label");
        this.expectSym("=", "after record label");
        fields.push([l, this.expr()]);
      }
    } while (this.isSym(","));
    return fields;
  }

  private list(): Expr {
    const start = this.expectSym("[").span;
    if (this.isSym("]")) { this.next(); return { tag: "List", items: [], span: this.from(start) }; }
    const first = this.expr();
    if (this.isSym("..")) {
      this.next();
      const to = this.expr();
      this.expectSym("]", "to close the range");
      return { tag: "Range", from: first, to, span: this.from(start) };
    }
    const items = [first];
    while (this.isSym(",")) { this.next(); items.push(this.expr()); }
    this.expectSym("]", "or `,` in list");
    return { tag: "List", items, span: this.from(start) };
  }

  private parenExpr(what: string): Expr {
    this.expectSym("(", `after \`${what}\``);
    const e = this.expr();
    this.expectSym(")", `to close \`${what} (…)\``);
    return e;
  }

  private ifExpr(): Expr {
    const start = this.next().span;
    const cond = this.parenExpr("if");
    const then = this.expr();
    let els: Expr | undefined;
    if (this.isKw("else")) { this.next(); els = this.expr(); }
    return { tag: "If", cond, then, else: els, span: this.from(start) };
  }

  /** The body of a `case`: statements and an expression up to the next `case` or `}`. */
  private caseBody(): Expr {
    const start = this.peek().span;
    const { stmts, result } = this.seq("case");
    if (stmts.length === 0) {
      if (result) return result;
      this.fail("an expression after `->`");
    }
    return { tag: "Block", stmts, result, span: this.from(start) };
  }

  private cases(): Case[] {
    this.expectSym("{");
    const cases: Case[] = [];
    while (this.isKw("case")) {
      const start = this.next().span;
      const pat = this.pattern();
      this.expectSym("->", "after the case pattern");
      const body = this.caseBody();
      cases.push({ pat, body, span: this.from(start) });
    }
    this.expectSym("}", "or `case`");
    return cases;
  }

  private switchExpr(): Expr {
    const start = this.next().span;
    const scrutinee = this.parenExpr("switch");
    const cases = this.cases();
    return { tag: "Switch", scrutinee, cases, span: this.from(start) };
  }

  private receiveExpr(): Expr {
    const start = this.next().span;
    if (!this.isSym("{")) throw unsupported("session-typed `receive(c)`", start);
    const cases = this.cases();
    return { tag: "Receive", cases, span: this.from(start) };
  }

  private handleExpr(): Expr {
    const kw = this.next();
    const shallow = kw.text === "shallowhandle";
    const expr = this.parenExpr(kw.text);
    const params: { pat: Pattern; init: Expr }[] = [];
    if (this.isSym("(")) {
      this.next();
      do {
        if (params.length > 0) this.next();
        const pat = this.pattern();
        this.expectSym("<-", "in handler parameter (`pattern <- expression`)");
        params.push({ pat, init: this.expr() });
      } while (this.isSym(","));
      this.expectSym(")", "to close the handler parameters");
    }
    this.expectSym("{", "to start the handler cases");
    const cases: HandlerCase[] = [];
    while (this.isKw("case")) {
      const start = this.next().span;
      if (this.isOp("<")) {
        this.next();
        if (this.peek().kind !== "con") this.fail("an operation name (capitalised) after `<`");
        const op = this.next().text;
        const args: Pattern[] = [];
        if (this.isSym("(")) {
          this.next();
          if (!this.isSym(")")) {
            args.push(this.pattern());
            while (this.isSym(",")) { this.next(); args.push(this.pattern()); }
          }
          this.expectSym(")", "to close the operation arguments");
        }
        let k: Pattern | undefined;
        if (this.isSym("=>") || this.isSym("->")) { this.next(); k = this.pattern(); }
        if (!this.isOp(">")) this.fail(`\`>\` to close the operation pattern (\`<${op}(…) ${shallow ? "->" : "=>"} k>\`)`);
        this.next();
        let type: TypeExpr | undefined;
        if (this.isSym(":")) { this.next(); type = this.primaryType(); }
        this.expectSym("->", "after the operation pattern");
        const body = this.caseBody();
        cases.push({ kind: "op", op, args, k, body, span: this.from(start), ...(type ? { type } : {}) });
      } else {
        const pat = this.pattern();
        this.expectSym("->", "after the case pattern");
        const body = this.caseBody();
        cases.push({ kind: "return", pat, body, span: this.from(start) });
      }
    }
    this.expectSym("}", "or `case`");
    return { tag: "Handle", shallow, expr, params, cases, span: this.from(kw.span) };
  }

  private forExpr(): Expr {
    const start = this.next().span;
    this.expectSym("(", "after `for`");
    const gens: Generator[] = [];
    if (!this.isSym(")")) {
      do {
        if (gens.length > 0) this.next();
        const pat = this.pattern();
        if (this.isSym("<--")) throw unsupported("table generators (`p <-- t`)", this.peek().span);
        this.expectSym("<-", "in generator (`pattern <- list`)");
        gens.push({ pat, source: this.expr() });
      } while (this.isSym(","));
    }
    this.expectSym(")", "to close the generators");
    let where: Expr | undefined, orderby: Expr | undefined;
    if (this.isKw("where")) { this.next(); where = this.parenExpr("where"); }
    if (this.isKw("orderby")) {
      const ob = this.next().span;
      this.expectSym("(", "after `orderby`");
      const keys = [this.expr()];
      while (this.isSym(",")) { this.next(); keys.push(this.expr()); }
      this.expectSym(")", "to close `orderby (…)`");
      orderby = keys.length === 1 ? keys[0] : { tag: "Tuple", items: keys, span: this.from(ob) };
    }
    const body = this.expr();
    return { tag: "For", gens, where, orderby, body, span: this.from(start) };
  }

  // ------------------------------------------------------------ patterns
  pattern(): Pattern {
    const p = this.asPattern();
    if (!this.isSym(":")) return p;
    this.next();
    const type = this.primaryType();
    return { tag: "PAnnot", pat: p, type, span: spanFrom(p.span, type.span) };
  }

  private asPattern(): Pattern {
    const p = this.consPattern();
    if (!this.isKw("as")) return p;
    this.next();
    const v = this.ident("a variable after `as`");
    return { tag: "PAs", pat: p, name: v.text, span: spanFrom(p.span, v.span) };
  }

  private consPattern(): Pattern {
    const head = this.conPattern();
    if (!this.isSym("::")) return head;
    this.next();
    const tail = this.consPattern();
    return { tag: "PCons", head, tail, span: spanFrom(head.span, tail.span) };
  }

  private conPattern(): Pattern {
    const t = this.peek();
    if (t.kind === "con") {
      this.next();
      const arg = this.isSym("(") ? this.parenPattern() : undefined;
      return { tag: "PVariant", name: t.text, arg, span: this.from(t.span) };
    }
    if (t.kind === "op" && (t.text === "-" || t.text === "-.")) {
      const n = this.peek(1);
      if (t.text === "-" && n.kind === "int") { this.next(); this.next(); return { tag: "PLit", lit: { kind: "Int", value: -n.int! }, span: this.from(t.span) }; }
      if (n.kind === "float") { this.next(); this.next(); return { tag: "PLit", lit: { kind: "Float", value: -n.float! }, span: this.from(t.span) }; }
      if (t.text === "-" && n.kind === "con") {
        this.next(); this.next();
        return { tag: "PNeg", names: [n.text], span: this.from(t.span) };
      }
      if (t.text === "-" && n.kind === "sym" && n.text === "(") {
        // -(Foo, Bar, Baz)
        this.next(); this.next();
        const names: string[] = [];
        do {
          if (names.length) this.next();
          const c = this.peek();
          if (c.kind !== "con") return this.fail("a constructor name in a negative pattern");
          this.next();
          names.push(c.text);
        } while (this.isSym(","));
        this.expectSym(")", "to close the negative pattern");
        return { tag: "PNeg", names, span: this.from(t.span) };
      }
    }
    return this.primaryPattern();
  }

  private primaryPattern(): Pattern {
    const t = this.peek();
    const lit = this.lit(t);
    if (lit) { this.next(); return { tag: "PLit", lit, span: t.span }; }
    if (t.kind === "ident") { this.next(); return { tag: "PVar", name: t.text, span: t.span }; }
    if (t.kind === "sym") {
      if (t.text === "_") { this.next(); return { tag: "PAny", span: t.span }; }
      if (t.text === "(") return this.parenPattern();
      if (t.text === "[") {
        this.next();
        if (this.isSym("]")) { this.next(); return { tag: "PNil", span: this.from(t.span) }; }
        const items = [this.pattern()];
        while (this.isSym(",")) { this.next(); items.push(this.pattern()); }
        this.expectSym("]", "or `,` in list pattern");
        return { tag: "PList", items, span: this.from(t.span) };
      }
    }
    return this.fail("a pattern");
  }

  private parenPattern(): Pattern {
    const start = this.expectSym("(").span;
    if (this.isSym(")")) { this.next(); return { tag: "PUnit", span: this.from(start) }; }
    if (this.atLabeledField()) {
      const fields: [string, Pattern][] = [];
      do {
        if (fields.length > 0) this.next();
        if (this.isSym("=")) {
          this.next();
          const v = this.ident("a variable after `=`");
          fields.push([v.text, { tag: "PVar", name: v.text, span: v.span }]);
        } else {
          const l = this.label("a record label");
          this.expectSym("=", "after record label");
          fields.push([l, this.pattern()]);
        }
      } while (this.isSym(","));
      let rest: Pattern | undefined;
      if (this.isSym("|")) { this.next(); rest = this.pattern(); }
      this.expectSym(")", "to close the record pattern");
      return { tag: "PRecord", fields, rest, span: this.from(start) };
    }
    const items = [this.pattern()];
    while (this.isSym(",")) { this.next(); items.push(this.pattern()); }
    this.expectSym(")", "or `,` in pattern");
    return items.length === 1 ? items[0]! : { tag: "PTuple", items, span: this.from(start) };
  }

  // ------------------------------------------------------------ types
  type(): TypeExpr {
    const t = this.peek();
    if (t.kind === "kw" && t.text === "mu") {
      this.next();
      const name = this.ident("a type variable after `mu`").text;
      this.expectSym(".", "after `mu a`");
      const body = this.type();
      return { tag: "TMu", name, body, span: this.from(t.span) };
    }
    if (t.kind === "kw" && t.text === "forall") {
      this.next();
      const vars = this.typeVarList();
      this.expectSym(".", "after the `forall` variables");
      const body = this.type();
      return { tag: "TForall", vars, body, span: this.from(t.span) };
    }
    if (this.isSym("(")) return this.parenType(true);
    return this.primaryType();
  }

  /** `a, b::Row, c::(Any,Any)`: names with their kinds dropped. */
  private typeVarList(): string[] {
    const vars = [this.ident("a type variable").text];
    this.optKind();
    while (this.isSym(",")) { this.next(); vars.push(this.ident("a type variable").text); this.optKind(); }
    return vars;
  }

  /** Skips a kind annotation `::Kind`, `::Kind(L,R)` or `::(L,R)` if present. */
  private optKind(): void {
    if (!this.isSym("::")) return;
    const n = this.peek(1);
    if (n.kind !== "con" && !(n.kind === "sym" && n.text === "(")) return;
    this.next();
    if (this.peek().kind === "con") this.next();
    if (this.isSym("(") && this.peek(1).kind === "con") {
      this.next(); this.next();
      this.expectSym(",", "in kind");
      if (this.peek().kind !== "con") this.fail("a kind name");
      this.next();
      this.expectSym(")", "to close the kind");
    }
  }

  /** Does `(` start a record type, i.e. `(|r)` or `(label:…`, `(label-`, `(label{…}`? */
  private atRecordType(): boolean {
    if (this.isSym("|", 1)) return true;
    if (!this.isLabel(this.peek(1))) return false;
    const n = this.peek(2);
    return (n.kind === "sym" && (n.text === ":" || n.text === "{")) || (n.kind === "op" && (n.text === "-" || n.text === "-|"));
  }

  private parenType(full: boolean): TypeExpr {
    const start = this.peek().span;
    if (this.atRecordType()) {
      this.next();
      const row = this.row(")");
      return { tag: "TRecord", row, span: this.from(start) };
    }
    this.next();
    const items: TypeExpr[] = [];
    if (!this.isSym(")")) {
      items.push(this.type());
      while (this.isSym(",")) { this.next(); items.push(this.type()); }
    }
    this.expectSym(")", "or `,` in type");
    if (full) {
      const arrow = this.arrowEffects();
      if (arrow === "op") {
        const ret = this.type();
        return { tag: "TFun", params: items, effects: { fields: [], rest: undefined }, ret, op: true, span: this.from(start) };
      }
      if (arrow) {
        const ret = this.type();
        return { tag: "TFun", params: items, effects: arrow, ret, span: this.from(start) };
      }
    }
    if (items.length === 1) return items[0]!;
    return { tag: "TTuple", items, span: this.from(start) };
  }

  /** After `(…)` in a type: an arrow and its effect row, `"op"` for `=>`, or undefined. */
  private arrowEffects(): RowExpr | "op" | undefined {
    const t = this.peek();
    const linear = (): never => { throw unsupported("linear function types (`-@`, `~@`)", this.peek().span); };
    if (t.kind === "sym") {
      if (t.text === "->") { this.next(); return { fields: [], rest: "_", implicit: true }; }
      if (t.text === "~>") { this.next(); return { fields: [], rest: "_", wild: true, implicit: true }; }
      if (t.text === "=>") { this.next(); return "op"; }
      if (t.text === "-@" || t.text === "~@") linear();
      if (t.text === "~" && this.atRowVar(1)) {
        this.next();
        const rest = this.rowVar();
        if (this.isSym("~@")) linear();
        this.expectSym("~>", "in `~e~>` arrow");
        return { fields: [], rest, wild: true };
      }
      if (t.text === "{") {
        this.next();
        const row = this.row("}");
        if (this.isSym("->")) { this.next(); return row; }
        if (this.isSym("~>")) { this.next(); return { ...row, wild: true }; }
        if (this.isSym("-@") || this.isSym("~@")) linear();
        this.fail("`->` or `~>` after an effect row");
      }
    }
    if (t.kind === "op" && t.text === "-" && this.atRowVar(1)) {
      this.next();
      const rest = this.rowVar();
      if (this.isSym("-@")) linear();
      this.expectSym("->", "in `-e->` arrow");
      return { fields: [], rest };
    }
    return undefined;
  }

  private atRowVar(k: number): boolean {
    const t = this.peek(k);
    return t.kind === "ident" || t.kind === "pvar" || (t.kind === "sym" && (t.text === "_" || t.text === "%"));
  }

  private rowVar(): string | undefined {
    const t = this.peek();
    if (this.isSym(".")) { this.next(); return undefined; } // `| .`: closed
    if (this.isSym("(") && this.isKw("mu", 1)) throw unsupported("recursive row variables (`(mu r . …)`)", t.span);
    if (!this.atRowVar(0)) this.fail("a row variable");
    this.next();
    this.optKind();
    return t.text;
  }

  /** Row fields up to `close` (`)` for records, `}` for effect rows): `l:T, m-, n{p} | r`. */
  private row(close: string): RowExpr {
    const fields: RowField[] = [];
    let rest: string | undefined;
    for (;;) {
      if (this.isSym(close)) break;
      if (this.isSym("|")) { this.next(); rest = this.rowVar(); break; }
      fields.push(this.rowField());
      if (this.isSym(",")) { this.next(); continue; }
      if (this.isSym("|")) { this.next(); rest = this.rowVar(); }
      break;
    }
    this.expectSym(close, "to close the row");
    return { fields, rest };
  }

  private rowField(): RowField {
    if (this.isSym(":")) { // mailbox type `{:T|e}`: the unnamed field
      this.next();
      return { label: "", presence: { kind: "present", type: this.type() } };
    }
    const label = this.label("a field label");
    return { label, presence: this.fieldSpec() };
  }

  private fieldSpec(): RowField["presence"] {
    if (this.isSym(":")) { this.next(); return { kind: "present", type: this.type() }; }
    if (this.isOp("-")) { this.next(); return { kind: "absent" }; }
    if (this.isSym("{")) {
      this.next();
      let p: RowField["presence"];
      if (this.isSym(":")) { this.next(); p = { kind: "present", type: this.type() }; }
      else if (this.isOp("-")) { this.next(); p = { kind: "absent" }; }
      else if (this.atRowVar(0)) p = { kind: "poly", name: this.next().text };
      else return this.fail("`:T`, `-` or a presence variable in `{…}`");
      this.expectSym("}", "to close the presence annotation");
      return p;
    }
    return { kind: "present", type: undefined };
  }

  primaryType(): TypeExpr {
    const t = this.peek();
    switch (t.kind) {
      case "ident": case "pvar": this.next(); this.optKind(); return { tag: "TVar", name: t.text, span: t.span };
      case "con": {
        this.next();
        if (this.isSym(".") && this.peek(1).kind === "con") throw unsupported("qualified type names (`Module.T`)", t.span);
        const args: TypeArg[] = [];
        if (this.isSym("(")) {
          this.next();
          do {
            if (args.length > 0) this.next();
            if (this.isSym("{")) { this.next(); args.push({ tag: "Row", row: this.row("}") }); }
            else args.push({ tag: "Type", type: this.type() });
          } while (this.isSym(","));
          this.expectSym(")", "or `,` in type arguments");
        }
        return { tag: "TCon", name: t.text, args, span: this.from(t.span) };
      }
      case "sym":
        switch (t.text) {
          case "_": case "%": this.next(); this.optKind(); return { tag: "TVar", name: t.text, span: t.span };
          case "(": return this.parenType(false);
          case "[": {
            this.next();
            const n = this.peek();
            if (n.kind === "op" && (n.text.startsWith("+|") || n.text.startsWith("&|"))) throw unsupported("session types (choice/selection)", t.span);
            const elem = this.type();
            this.expectSym("]", "to close the list type");
            return { tag: "TList", elem, span: this.from(t.span) };
          }
          case "[|": return this.variantType();
          case "~": case "?": throw unsupported("session types", t.span);
        }
        break;
      case "op":
        if (t.text === "!" || t.text.startsWith("[")) throw unsupported("session types", t.span);
        break;
      case "kw":
        if (t.text === "mu" || t.text === "forall") return this.type();
        break;
    }
    return this.fail("a type");
  }

  private variantType(): TypeExpr {
    const start = this.next().span; // [|
    const fields: RowField[] = [];
    let rest: string | undefined;
    while (!this.isSym("|]")) {
      if (this.peek().kind === "con") {
        const label = this.next().text;
        fields.push({ label, presence: this.fieldSpec() });
        if (this.isSym("|")) { this.next(); continue; }
        break;
      }
      rest = this.rowVar();
      break;
    }
    this.expectSym("|]", "to close the variant type");
    return { tag: "TVariant", row: { fields, rest }, span: this.from(start) };
  }
}

/** Runs a parse, turning JS stack exhaustion on absurdly deep nesting into a CompileError. */
function guarded<T>(f: () => T, file: string): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof CompileError) throw e;
    if (e instanceof RangeError) throw unsupported("nesting too deep for the parser", { file, line: 1, col: 1, endLine: 1, endCol: 1 });
    throw e;
  }
}

export function parseProgram(source: string, file: string): Program {
  return guarded(() => new Parser(lex(source, file)).program(), file);
}

export function parseType(source: string, file: string): TypeExpr {
  return guarded(() => {
    const p = new Parser(lex(source, file));
    const t = p.type();
    p.endOfInput();
    return t;
  }, file);
}
