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
//
// Files: parse-base.ts (token stream, shared helpers), parse-pattern-type.ts (patterns, types),
// parse-expr.ts (expressions, operator table), this file (declarations, statements, entry points).
import { CompileError, spanFrom, syntaxError, unsupported } from "../ir/common.js";
import type { Expr, Pattern, Program, Stmt, TypeExpr } from "../ir/surface.js";
import { lex } from "./lexer.js";
import { type Assoc, ExprParser, type SeqEnd } from "./parse-expr.js";

class Parser extends ExprParser {
  // ------------------------------------------------------------ program and statements
  endOfInput(): void {
    if (this.peek().kind !== "eof") this.fail("end of input");
  }

  program(): Program {
    const { stmts, result } = this.seq("top");
    if (this.peek().kind !== "eof") this.fail("a declaration or an expression");
    return { stmts, result };
  }

  private atSeqEnd(end: SeqEnd): boolean {
    const t = this.peek();
    if (t.kind === "eof") return true;
    if (end === "top") return false;
    return (t.kind === "sym" && t.text === "}") || (end === "case" && t.kind === "kw" && t.text === "case");
  }

  /** Statements, then an optional final expression, up to `}` / `case` / end of input. */
  protected seq(end: SeqEnd): { stmts: Stmt[]; result: Expr | undefined } {
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

  protected argLists(): Pattern[][] {
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

  protected funBody(): Expr {
    const t = this.peek();
    if (t.kind === "kw" && (t.text === "server" || t.text === "client")) this.unsupportedKw(t);
    if (t.kind === "kw" && t.text === "switch") throw unsupported("`switch` function bodies (`fun f(x) switch { … }`)", t.span);
    if (!this.isSym("{")) this.fail("`{` to start the function body");
    const b = this.block();
    // `fun f(x) { e }`: a body block without statements is just its expression.
    return b.tag === "Block" && b.stmts.length === 0 && b.result ? b.result : b;
  }

  protected block(): Expr {
    const start = this.expectSym("{").span;
    const { stmts, result } = this.seq("block");
    this.expectSym("}", "to close the block");
    return { tag: "Block", stmts, result, span: this.from(start) };
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
