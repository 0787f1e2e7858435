// parse, part 2 of 4: patterns (`switch`/`case`, parameters, `var`) and type expressions
// (signatures, annotations, `typename`), including rows, arrows with effects and variant types.
// Neither needs expressions, so this layer sits directly on the token helpers of parse-base.ts.
import { spanFrom, unsupported } from "../ir/common.js";
import type { Pattern, RowExpr, RowField, TypeArg, TypeExpr } from "../ir/surface.js";
import { ParserBase } from "./parse-base.js";

export class PatternTypeParser extends ParserBase {
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
      const fields = this.labeledFields((v): Pattern => ({ tag: "PVar", name: v.text, span: v.span }), () => this.pattern());
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
  protected typeVarList(): string[] {
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
    let dot = false;
    const tail = () => { this.next(); dot = this.isSym("."); rest = this.rowVar(); };
    for (;;) {
      if (this.isSym(close)) break;
      if (this.isSym("|")) { tail(); break; }
      fields.push(this.rowField());
      if (this.isSym(",")) { this.next(); continue; }
      if (this.isSym("|")) tail();
      break;
    }
    this.expectSym(close, "to close the row");
    return { fields, rest, ...(dot ? { dot: true } : {}) };
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
