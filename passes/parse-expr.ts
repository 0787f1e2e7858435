// parse, part 3 of 4: expressions — operator chains re-associated by the fixity table (see the
// header of parse.ts), prefix/postfix operators, application, projection, literals, records,
// tuples, lists, and `if`/`switch`/`receive`/`handle`/`for`/`spawn`/anonymous `fun`.
// Blocks, function bodies and parameter lists come from the statement layer in parse.ts.
import { spanFrom, syntaxError, unsupported } from "../ir/common.js";
import type { Case, Expr, Generator, HandlerCase, Pattern, Stmt, TypeExpr } from "../ir/surface.js";
import type { Token } from "./lexer.js";
import { UNSUPPORTED_KW } from "./parse-base.js";
import { PatternTypeParser } from "./parse-pattern-type.js";

export type Assoc = "left" | "right" | "none";
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

export type SeqEnd = "top" | "block" | "case";

export abstract class ExprParser extends PatternTypeParser {
  protected readonly fixity = new Map<string, [number, Assoc]>(DEFAULT_FIXITY.map(([o, p, a]) => [o, [p, a]]));

  // Statement sequences, blocks, function bodies and parameter lists: defined in parse.ts.
  protected abstract seq(end: SeqEnd): { stmts: Stmt[]; result: Expr | undefined };
  protected abstract block(): Expr;
  protected abstract argLists(): Pattern[][];
  protected abstract funBody(): Expr;

  // ------------------------------------------------------------ expressions
  protected isOperatorToken(t: Token): boolean { return t.kind === "op"; }
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

  private labeledExprs(): [string, Expr][] {
    return this.labeledFields((v): Expr => ({ tag: "Var", name: v.text, span: v.span }), () => this.expr());
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
}
