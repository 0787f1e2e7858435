// desugar: Surface → Core
// Example: `{ var x = 1; x + 2 }`  ⇒  (let (x 1) (+ x 2))
//          `[1, 2]`                ⇒  (cons 1 (cons 2 nil))
//          `a && b`                ⇒  (if a b false)
// Needs: a parsed Program (prelude statements first). Guarantees: Core as described in
// ir/core.ts — operators are applications of primitive variables, tuples are records labelled
// 1..n, consecutive `fun`s form one LetRec group, every `if` has an else, no blocks.
import { type Span, NameSupply, fromPrelude, typeError, unsupported } from "../ir/common.js";
import type * as S from "../ir/surface.js";
import { type CExpr, type CPat, type CoreProgram, type Lam, type RecBinding, type TypeDecl, freeVars, patVars } from "../ir/core.js";

export function desugar(p: S.Program): CoreProgram {
  const d = new Desugarer();
  const stmts = p.stmts;
  const endSpan = p.result?.span ?? stmts[stmts.length - 1]?.span ?? { file: "<input>", line: 1, col: 1, endLine: 1, endCol: 1 };
  const userStart = stmts.findIndex((s) => !fromPrelude(s));
  const body = d.stmts(stmts, p.result, endSpan, userStart < 0 ? stmts.length : userStart);
  return { typenames: d.typenames, body, ...(p.typeSyntax ? { typeSyntax: p.typeSyntax } : {}) };
}

const unit = (span: Span): CExpr => ({ tag: "Record", fields: [], ext: undefined, span });

/** Operators with their own desugaring; every other one applies the variable of its name (a primitive or an `op`). */
const SPECIAL_BINOPS = new Set(["&&", "||", "::", "!", "$"]);

class Desugarer {
  names = new NameSupply();
  typenames: TypeDecl[] = [];
  /** `boundary`: a recursive group never spans this index (the end of the prelude). */
  stmts(stmts: S.Stmt[], result: S.Expr | undefined, span: Span, boundary = -1): CExpr {
    // Build from the end: the continuation of each statement is the rest of the block.
    let i = stmts.length;
    let acc: CExpr = result ? this.expr(result) : unit(span);
    while (i > 0) {
      const s = stmts[i - 1]!;
      if (s.tag === "SFun") {
        let j = i - 1;
        while (j > 0 && j !== boundary && stmts[j - 1]!.tag === "SFun") j--;
        const group = stmts.slice(j, i) as Extract<S.Stmt, { tag: "SFun" }>[];
        const seen = new Set<string>();
        for (const f of group) {
          if (seen.has(f.name)) throw typeError(`Duplicate mutually recursive definitions of function ${f.name}`, f.span);
          seen.add(f.name);
        }
        const binds: RecBinding[] = group.map((f) => ({
          name: f.name,
          fn: { ...this.fun(f.params, f.body, f.span), name: f.name } as Lam,
          sig: f.sig,
          span: f.span,
        }));
        // Split the group into strongly connected components, innermost last, so that each
        // component is generalised before the next one uses it.
        for (const comp of sccs(binds).reverse()) {
          acc = { tag: "LetRec", binds: comp, body: acc, span: comp[0]!.span };
        }
        i = j;
        continue;
      }
      i--;
      switch (s.tag) {
        case "SVar":
          if (s.sig && s.pat.tag === "PVar") acc = { tag: "Let", name: s.pat.name, rhs: this.expr(s.expr), body: acc, span: s.span, sig: s.sig };
          else acc = this.bind(s.pat, this.expr(s.expr), acc, s.span);
          break;
        case "SExpr": acc = { tag: "Let", name: "_", rhs: this.expr(s.expr), body: acc, span: s.span, stmt: true }; break;
        case "STypename":
          if (stmts[i + 1]?.tag === "STypename" && this.typenames.some((t) => t.name === s.name)) throw typeError(`Duplicate mutually recursive definitions of type ${s.name}`, s.span);
          this.typenames.push({ name: s.name, params: s.params, type: s.type, span: s.span }); break;
      }
    }
    return acc;
  }

  /** `var p = rhs; body` */
  bind(p: S.Pattern, rhs: CExpr, body: CExpr, span: Span): CExpr {
    if (p.tag === "PVar") return { tag: "Let", name: p.name, rhs, body, span };
    if (p.tag === "PAny") return { tag: "Let", name: "_", rhs, body, span };
    if (p.tag === "PAnnot" && p.pat.tag === "PVar")
      return { tag: "Let", name: p.pat.name, rhs: { tag: "Annot", expr: rhs, annot: p.type, span: p.span }, body, span };
    return { tag: "Case", scrutinee: rhs, clauses: [{ pat: this.pat(p), body }], span };
  }

  /** `fun (p1, p2)(p3) { body }` ⇒ nested lambdas; non-variable parameters are matched by Case. */
  fun(params: S.Pattern[][], body: S.Expr, span: Span): Lam {
    let acc = this.expr(body);
    for (let i = params.length - 1; i >= 0; i--) {
      this.noDuplicates(params[i]!.map((q) => this.pat(q)));
      const names: string[] = [];
      const matches: [string, S.Pattern][] = [];
      for (const q of params[i]!) {
        if (q.tag === "PVar") names.push(q.name);
        else {
          const n = this.names.fresh("arg");
          names.push(n);
          if (q.tag !== "PAny") matches.push([n, q]);
        }
      }
      for (const [n, q] of matches.reverse())
        acc = { tag: "Case", scrutinee: { tag: "Var", name: n, span: q.span }, clauses: [{ pat: this.pat(q), body: acc }], span: q.span };
      acc = { tag: "Lam", params: names, body: acc, span };
    }
    return acc as Lam;
  }

  expr(e: S.Expr): CExpr {
    const span = e.span;
    switch (e.tag) {
      case "Lit": return { tag: "Lit", lit: e.lit, span };
      case "Var": return { tag: "Var", name: e.name, span };
      case "Con": return { tag: "Con", name: e.name, arg: e.arg && this.expr(e.arg), span };
      case "Tuple":
        if (e.items.length === 1) return this.expr(e.items[0]!);
        return { tag: "Record", fields: e.items.map((x, i) => [String(i + 1), this.expr(x)]), ext: undefined, span };
      case "Record": {
        const labels = new Set<string>();
        for (const [l] of e.fields) {
          if (labels.has(l)) throw typeError(`the field ${l} occurs more than once in this record`, span);
          labels.add(l);
        }
        return { tag: "Record", fields: e.fields.map(([l, x]) => [l, this.expr(x)]), ext: e.ext && this.expr(e.ext), span };
      }
      case "With": return { tag: "Update", record: this.expr(e.record), fields: e.fields.map(([l, x]) => [l, this.expr(x)]), span };
      case "Proj": return { tag: "Proj", expr: this.expr(e.expr), label: e.label, span };
      case "List":
        return e.items.reduceRight<CExpr>((tail, x) => ({ tag: "Cons", head: this.expr(x), tail, span }), { tag: "Nil", span });
      case "Range": return this.call("intRange", [this.expr(e.from), this.expr(e.to)], span);
      case "BinOp": return this.binop(e.op, e.left, e.right, span);
      case "UnOp":
        if (e.op === "-" && e.expr.tag === "Lit" && e.expr.lit.kind === "Int") return { tag: "Lit", lit: { kind: "Int", value: -e.expr.lit.value }, span };
        if (e.op === "-." && e.expr.tag === "Lit" && e.expr.lit.kind === "Float") return { tag: "Lit", lit: { kind: "Float", value: -e.expr.lit.value }, span };
        return this.call(e.op === "-" ? "negate" : e.op === "-." ? "negatef" : "not", [this.expr(e.expr)], span);
      case "Section": return this.section(e.op, span);
      case "App": return { tag: "App", fn: this.expr(e.fn), args: e.args.map((a) => this.expr(a)), span };
      case "Fun": return this.fun(e.params, e.body, span);
      case "Block": return this.stmts(e.stmts, e.result, span);
      case "If": return { tag: "If", cond: this.expr(e.cond), then: this.expr(e.then), else: e.else ? this.expr(e.else) : unit(span), span };
      case "Switch": return { tag: "Case", scrutinee: this.expr(e.scrutinee), clauses: e.cases.map((c) => ({ pat: this.pat(c.pat), body: this.expr(c.body) })), span };
      case "Receive": return { tag: "Receive", clauses: e.cases.map((c) => ({ pat: this.pat(c.pat), body: this.expr(c.body) })), span };
      case "Do": return { tag: "Do", op: e.op, args: e.args.map((a) => this.expr(a)), span };
      case "Handle": return this.handle(e);
      case "Spawn": return { tag: "Spawn", kind: e.kind, body: this.expr(e.body), span };
      case "Annot": return { tag: "Annot", expr: this.expr(e.expr), annot: e.type, span };
      case "For": return this.comprehension(e);
    }
  }

  call(name: string, args: CExpr[], span: Span): CExpr {
    return { tag: "App", fn: { tag: "Var", name, span }, args, span };
  }

  binop(op: string, l: S.Expr, r: S.Expr, span: Span): CExpr {
    const bool = (value: boolean): CExpr => ({ tag: "Lit", lit: { kind: "Bool", value }, span });
    switch (op) {
      case "&&": return { tag: "If", cond: this.expr(l), then: this.expr(r), else: bool(false), span };
      case "||": return { tag: "If", cond: this.expr(l), then: bool(true), else: this.expr(r), span };
      case "::": return { tag: "Cons", head: this.expr(l), tail: this.expr(r), infix: true, span };
      case "!": return this.call("send", [this.expr(l), this.expr(r)], span);
      case "$": return { tag: "App", fn: this.expr(l), args: [this.expr(r)], span };
      default:
        return this.call(op, [this.expr(l), this.expr(r)], span);
    }
  }

  section(op: string, span: Span): CExpr {
    const x = this.names.fresh("x"), y = this.names.fresh("y");
    const v = (n: string): S.Expr => ({ tag: "Var", name: n, span });
    if (op.startsWith(".")) {
      return { tag: "Lam", params: [x], body: { tag: "Proj", expr: { tag: "Var", name: x, span }, label: op.slice(1), span }, span };
    }
    if (!SPECIAL_BINOPS.has(op)) return { tag: "Var", name: op, span };
    return { tag: "Lam", params: [x, y], body: this.binop(op, v(x), v(y), span), span };
  }

  handle(e: Extract<S.Expr, { tag: "Handle" }>): CExpr {
    const span = e.span;
    // A parameter bound by a pattern gets a fresh name; every clause body matches it first.
    const matches: [string, CPat][] = [];
    const params = e.params.map((p) => {
      if (p.pat.tag === "PVar") return { name: p.pat.name, init: this.expr(p.init) };
      const name = this.names.fresh("param");
      matches.push([name, this.pat(p.pat)]);
      return { name, init: this.expr(p.init) };
    });
    const matchParams = (body: CExpr): CExpr =>
      matches.reduceRight<CExpr>((acc, [n, q]) => ({ tag: "Case", scrutinee: { tag: "Var", name: n, span: q.span }, clauses: [{ pat: q, body: acc }], span: q.span }), body);
    const ops = [];
    let ret: { pat: CPat; body: CExpr } | undefined;
    for (const c of e.cases) {
      if (c.kind === "return") {
        if (ret) throw unsupported("more than one return clause in a handler", c.span);
        ret = { pat: this.pat(c.pat), body: matchParams(this.expr(c.body)) };
      } else {
        ops.push({ op: c.op, args: c.args.map((a) => this.pat(a)), k: c.k && this.pat(c.k), body: matchParams(this.expr(c.body)), span: c.span, ...(c.type ? { annot: c.type } : {}) });
      }
    }
    if (!ret) {
      const x = this.names.fresh("ret");
      ret = { pat: { tag: "PVar", name: x, span }, body: matchParams({ tag: "Var", name: x, span }) };
    }
    return { tag: "Handle", shallow: e.shallow, body: this.expr(e.expr), params, ops, ret, span };
  }

  /**
   * `for (x <- xs, y <- ys) where (c) body` ⇒ concatMap(fun(x){ concatMap(fun(y){ if (c) body else [] }, ys) }, xs).
   * With `orderby (k)`, the iterations are collected as (k, body) pairs, sorted by k, then concatenated.
   */
  comprehension(e: Extract<S.Expr, { tag: "For" }>): CExpr {
    const span = e.span;
    const nil: CExpr = { tag: "Nil", span };
    let inner = this.expr(e.body);
    if (e.orderby) {
      inner = { tag: "Cons", head: { tag: "Record", fields: [["1", this.expr(e.orderby)], ["2", inner]], ext: undefined, span }, tail: nil, span };
    }
    if (e.where) inner = { tag: "If", cond: this.expr(e.where), then: inner, else: nil, span };
    for (let i = e.gens.length - 1; i >= 0; i--) {
      const g = e.gens[i]!;
      const fn = this.fun([[g.pat]], { tag: "Lit", lit: { kind: "Bool", value: true }, span }, span);
      inner = this.call("concatMap", [{ ...fn, body: this.replaceBody(fn, inner) }, this.expr(g.source)], span);
    }
    if (e.orderby) {
      const p = this.names.fresh("p");
      inner = this.call("concatMap", [
        { tag: "Lam", params: [p], body: { tag: "Proj", expr: { tag: "Var", name: p, span }, label: "2", span }, span },
        this.call("sortByFst", [inner], span),
      ], span);
    }
    return inner;
  }

  /** Replace the placeholder body produced by `fun` (through its parameter-matching Cases). */
  private replaceBody(fn: Lam, body: CExpr): CExpr {
    const go = (x: CExpr): CExpr => (x.tag === "Case" ? { ...x, clauses: [{ pat: x.clauses[0]!.pat, body: go(x.clauses[0]!.body) }] } : body);
    return go(fn.body);
  }

  /** A pattern (or a parameter list) may bind each variable once. */
  noDuplicates(pats: CPat[]): void {
    const seen = new Set<string>();
    for (const p of pats)
      for (const v of patVars(p)) {
        if (seen.has(v)) throw typeError(`the variable ${v} occurs more than once in this pattern`, p.span);
        seen.add(v);
      }
  }

  pat(p: S.Pattern): CPat {
    const c = this.patInner(p);
    this.noDuplicates([c]);
    return c;
  }

  patInner(p: S.Pattern): CPat {
    const span = p.span;
    switch (p.tag) {
      case "PAny": return { tag: "PAny", span };
      case "PVar": return { tag: "PVar", name: p.name, span };
      case "PLit": return { tag: "PLit", lit: p.lit, span };
      case "PUnit": return { tag: "PRecord", fields: [], rest: undefined, span };
      case "PNil": return { tag: "PNil", span };
      case "PCons": return { tag: "PCons", head: this.patInner(p.head), tail: this.patInner(p.tail), span };
      case "PList": return p.items.reduceRight<CPat>((tail, q) => ({ tag: "PCons", head: this.patInner(q), tail, span }), { tag: "PNil", span });
      case "PTuple":
        if (p.items.length === 1) return this.patInner(p.items[0]!);
        return { tag: "PRecord", fields: p.items.map((q, i) => [String(i + 1), this.patInner(q)]), rest: undefined, span };
      case "PRecord": return { tag: "PRecord", fields: p.fields.map(([l, q]) => [l, this.patInner(q)]), rest: p.rest && this.patInner(p.rest), span };
      case "PVariant": return { tag: "PCon", name: p.name, arg: p.arg && this.patInner(p.arg), span };
      case "PAs": return { tag: "PAs", pat: this.patInner(p.pat), name: p.name, span };
      case "PAnnot": return { tag: "PAnnot", pat: this.patInner(p.pat), type: p.type, span };
      case "PNeg": return { tag: "PNeg", names: p.names, span };
    }
  }
}

/** Tarjan's algorithm: the components of a `fun` group, in dependency order (callees first). */
function sccs(binds: RecBinding[]): RecBinding[][] {
  const index = new Map<string, number>(binds.map((b, i) => [b.name, i]));
  const deps = binds.map((b) => [...freeVars(b.fn)].filter((n) => index.has(n)).map((n) => index.get(n)!));
  const order: RecBinding[][] = [];
  const idx: number[] = binds.map(() => -1), low: number[] = binds.map(() => 0), onStack: boolean[] = binds.map(() => false);
  const stack: number[] = [];
  let counter = 0;
  const visit = (v: number): void => {
    idx[v] = low[v] = counter++;
    stack.push(v);
    onStack[v] = true;
    for (const w of deps[v]!) {
      if (idx[w] === -1) { visit(w); low[v] = Math.min(low[v]!, low[w]!); }
      else if (onStack[w]) low[v] = Math.min(low[v]!, idx[w]!);
    }
    if (low[v] === idx[v]) {
      const comp: number[] = [];
      let w: number;
      do { w = stack.pop()!; onStack[w] = false; comp.push(w); } while (w !== v);
      order.push(comp.sort((a, b) => a - b).map((k) => binds[k]!));
    }
  };
  binds.forEach((_, v) => { if (idx[v] === -1) visit(v); });
  return order;
}
