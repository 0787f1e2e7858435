// parse, part 1 of 4: the token stream and the helpers every part of the parser shares —
// peeking and consuming tokens, `expected …` syntax errors, unsupported keywords, record labels
// and literals. Patterns and types: parse-pattern-type.ts; expressions: parse-expr.ts;
// declarations, statements and the entry points: parse.ts.
import { type Span, spanFrom, syntaxError, unsupported } from "../ir/common.js";
import type { Lit } from "../ir/surface.js";
import { describe, type Token } from "./lexer.js";

/** Keywords that start syntax outside the supported subset, with how we name it. */
export const UNSUPPORTED_KW: Record<string, string> = {
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

export class ParserBase {
  private pos = 0;
  constructor(private readonly toks: Token[]) {}

  // ------------------------------------------------------------ token helpers
  protected peek(k = 0): Token { return this.toks[Math.min(this.pos + k, this.toks.length - 1)]!; }
  protected next(): Token { const t = this.peek(); if (this.pos < this.toks.length - 1) this.pos++; return t; }
  protected get prev(): Token { return this.toks[Math.max(0, this.pos - 1)]!; }
  protected isSym(s: string, k = 0): boolean { const t = this.peek(k); return t.kind === "sym" && t.text === s; }
  protected isKw(s: string, k = 0): boolean { const t = this.peek(k); return t.kind === "kw" && t.text === s; }
  protected isOp(s: string, k = 0): boolean { const t = this.peek(k); return t.kind === "op" && t.text === s && !t.backtick; }
  protected from(start: Span): Span { return spanFrom(start, this.prev.span); }
  protected fail(expected: string, t: Token = this.peek()): never {
    const found = t.kind === "eof" ? "end of input" : `token ${describe(t)}`;
    throw syntaxError(`unexpected ${found}; expected ${expected}`, t.span);
  }
  protected expectSym(s: string, context = ""): Token {
    if (!this.isSym(s)) this.fail(`\`${s}\`${context ? " " + context : ""}`);
    return this.next();
  }
  protected ident(what: string): Token {
    if (this.peek().kind !== "ident") this.fail(what);
    return this.next();
  }
  protected unsupportedKw(t: Token): never {
    throw unsupported(UNSUPPORTED_KW[t.text] ?? `\`${t.text}\``, t.span);
  }

  // ------------------------------------------------------------ labels and literals (shared by expressions, patterns, types)
  /** A record label: name, constructor, string or number. */
  protected label(what: string): string {
    const t = this.peek();
    if (t.kind === "ident" || t.kind === "con" || t.kind === "string" || t.kind === "int") { this.next(); return t.text; }
    return this.fail(what);
  }
  protected isLabel(t: Token): boolean { return t.kind === "ident" || t.kind === "con" || t.kind === "string" || t.kind === "int"; }

  protected lit(t: Token): Lit | undefined {
    switch (t.kind) {
      case "int": return { kind: "Int", value: t.int! };
      case "float": return { kind: "Float", value: t.float! };
      case "string": return { kind: "String", value: t.text };
      case "char": return { kind: "Char", value: t.text };
      case "kw": return t.text === "true" ? { kind: "Bool", value: true } : t.text === "false" ? { kind: "Bool", value: false } : undefined;
      default: return undefined;
    }
  }

  protected atLabeledField(): boolean {
    return (this.isLabel(this.peek()) && this.isSym("=", 1)) || (this.isSym("=") && this.peek(1).kind === "ident");
  }

  /** `l = item, …` or the pun `=x` (the field x holding the variable x), for record expressions and patterns. */
  protected labeledFields<T>(pun: (v: Token) => T, item: () => T): [string, T][] {
    const fields: [string, T][] = [];
    do {
      if (fields.length > 0) this.next(); // ,
      if (this.isSym("=")) {
        this.next();
        const v = this.ident("a variable after `=`");
        fields.push([v.text, pun(v)]);
      } else {
        const l = this.label("a record label");
        this.expectSym("=", "after record label");
        fields.push([l, item()]);
      }
    } while (this.isSym(","));
    return fields;
  }
}
