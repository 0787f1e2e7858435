// anf: TypedCore → ANF
// Example: `f(g(1), x + 2)`  ⇒  (seq (let-app t_1 (g 1)) (let-app t_2 (+ x 2)) (tail-app f t_1 t_2))
//          `var y = if (c) 1 else 2; y`  ⇒  (seq (let-comp y (if c (return 1) (return 2))) (return y))
// Needs: TypedCore (every node typed; pattern variables typed). Guarantees: ANF as in ir/anf.ts —
// arguments are atoms, every binder in the program is unique (shadowed names get a suffix), and
// types are carried on atoms and binders. Evaluation order is preserved (left to right).
// `receive { cases }` becomes `(let-app msg (recv)) (case msg cases)`: the ANF family has no receive.
import { type Span, fromPrelude, internalError } from "../ir/common.js";
import type { CExpr, CPat, CoreProgram } from "../ir/core.js";
import type { AnfProgram, Atom, Binder, Comp, Lam, Value } from "../ir/anf.js";
import { type Type, freshVar, resolve, rowEmpty, tUnit } from "../ir/types.js";

type Binding =
  | { kind: "let"; x: Binder; value: Value }
  | { kind: "app"; x: Binder; fn: Atom; args: Atom[]; span: Span }
  | { kind: "comp"; x: Binder; comp: Comp }
  | { kind: "rec"; binds: { x: Binder; value: Lam }[] };

export function anf(p: CoreProgram): AnfProgram {
  const n = new Normaliser();
  const body = n.tail(p.body, true);
  return { body, resultType: p.resultType!, topOps: p.topOps, typeSyntax: p.typeSyntax };
}

/** Wrap bindings (in order) around a tail computation. */
function build(binds: Binding[], tail: Comp): Comp {
  let c = tail;
  for (let i = binds.length - 1; i >= 0; i--) {
    const b = binds[i]!;
    switch (b.kind) {
      case "let": c = { tag: "Let", x: b.x, value: b.value, body: c }; break;
      case "app": c = { tag: "LetApp", x: b.x, fn: b.fn, args: b.args, span: b.span, body: c }; break;
      case "comp": c = { tag: "LetComp", x: b.x, comp: b.comp, body: c }; break;
      case "rec": c = { tag: "LetRec", binds: b.binds, body: c }; break;
    }
  }
  return c;
}

const typeOf = (e: CExpr): Type => {
  if (!e.type) throw internalError(`anf: ${e.tag} node has no type (run infer first)`, e.span);
  return e.type;
};

class Normaliser {
  /** Core name → stack of unique names in scope. */
  private scope = new Map<string, string[]>();
  /** `recv` is reserved: a receive calls the primitive (a local of that name is renamed) */
  private used = new Set<string>(["recv"]);
  private suffix = new Map<string, number>();

  /** Names made while normalising the prelude start with `%`, so the user's code gets clean names. */
  private prefix = "";

  /** A name not used before in the program: `base`, else `base_1`, `base_2`, … */
  private unique(name0: string): string {
    const base = this.prefix + name0;
    let name = base;
    while (this.used.has(name)) {
      const k = (this.suffix.get(base) ?? 0) + 1;
      this.suffix.set(base, k);
      name = `${base}_${k}`;
    }
    this.used.add(name);
    return name;
  }
  private fresh(type: Type, base = "t"): Binder {
    return { name: this.unique(base), type };
  }
  private push(core: string): string {
    const u = this.unique(core);
    let st = this.scope.get(core);
    if (!st) this.scope.set(core, (st = []));
    st.push(u);
    return u;
  }
  private pop(core: string) {
    this.scope.get(core)!.pop();
  }
  private rename(core: string): string {
    const st = this.scope.get(core);
    return st && st.length > 0 ? st[st.length - 1]! : core; // unbound: a primitive
  }

  /** Normalise `e` in tail position. */
  tail(e: CExpr, top = false): Comp {
    const binds: Binding[] = [];
    const pushed: string[] = [];
    // iterate along binding chains
    while (e.tag === "Let" || e.tag === "LetRec" || e.tag === "Annot") {
      if (e.tag === "Annot") { e = e.expr; continue; }
      if (top) this.prefix = fromPrelude(e) ? "%" : "";
      if (e.tag === "Let") {
        this.bindLet(e.name, e.rhs, binds, pushed);
      } else {
        const names = e.binds.map((b) => this.push(b.name));
        pushed.push(...e.binds.map((b) => b.name));
        binds.push({ kind: "rec", binds: e.binds.map((b, i) => ({ x: { name: names[i]!, type: typeOf(b.fn) }, value: this.lam(b.fn, names[i]) })) });
      }
      e = e.body;
    }
    if (top) this.prefix = "";
    const t = this.tailComp(e, binds);
    for (let i = pushed.length - 1; i >= 0; i--) this.pop(pushed[i]!);
    return build(binds, t);
  }

  private bindLet(name: string, rhs: CExpr, binds: Binding[], pushed: string[]) {
    // compute the right-hand side before its name comes into scope
    const b = this.bindingFor(rhs, binds);
    const x = this.push(name);
    pushed.push(name);
    const xb: Binder = { name: x, type: typeOf(rhs) };
    switch (b.kind) {
      case "atom": binds.push({ kind: "let", x: xb, value: b.atom }); break;
      case "value": binds.push({ kind: "let", x: xb, value: b.value }); break;
      case "app": binds.push({ kind: "app", x: xb, fn: b.fn, args: b.args, span: b.span }); break;
      case "comp": binds.push({ kind: "comp", x: xb, comp: b.comp }); break;
    }
  }

  /** What a right-hand side becomes (its sub-expressions are emitted into `binds`). */
  private bindingFor(e: CExpr, binds: Binding[]):
    | { kind: "atom"; atom: Atom } | { kind: "value"; value: Value }
    | { kind: "app"; fn: Atom; args: Atom[]; span: Span } | { kind: "comp"; comp: Comp } {
    switch (e.tag) {
      case "Lit": case "Var": return { kind: "atom", atom: this.atom(e, binds) };
      case "Annot": return this.bindingFor(e.expr, binds);
      case "App": {
        const fn = this.atom(e.fn, binds);
        const args = e.args.map((a) => this.atom(a, binds));
        return { kind: "app", fn, args, span: e.span };
      }
      case "Lam": case "Con": case "Record": case "Update": case "Proj": case "Nil": case "Cons":
        return { kind: "value", value: this.value(e, binds) };
      default:
        return { kind: "comp", comp: this.tail(e) };
    }
  }

  /** A value form with atomic parts. */
  private value(e: CExpr, binds: Binding[]): Value {
    const type = typeOf(e);
    switch (e.tag) {
      case "Lam": return this.lam(e, e.name);
      case "Con": return { tag: "Con", name: e.name, arg: e.arg && this.atom(e.arg, binds), type };
      case "Record": {
        const fields: [string, Atom][] = e.fields.map(([l, x]) => [l, this.atom(x, binds)]);
        return { tag: "Record", fields, ext: e.ext && this.atom(e.ext, binds), type };
      }
      case "Update": {
        const record = this.atom(e.record, binds);
        return { tag: "Update", record, fields: e.fields.map(([l, x]) => [l, this.atom(x, binds)]), type };
      }
      case "Proj": return { tag: "Proj", record: this.atom(e.expr, binds), label: e.label, type };
      case "Nil": return { tag: "Nil", type };
      case "Cons": {
        const head = this.atom(e.head, binds);
        return { tag: "Cons", head, tail: this.atom(e.tail, binds), type };
      }
      default: throw internalError(`anf: ${e.tag} is not a value`, e.span);
    }
  }

  private lam(e: Extract<CExpr, { tag: "Lam" }>, name: string | undefined): Lam {
    const ft = resolve(typeOf(e));
    const params = e.params.map((p, i) => ({ name: this.push(p), type: ft.tag === "Fun" ? ft.params[i]! : tUnit }));
    const body = this.tail(e.body);
    e.params.forEach((p) => this.pop(p));
    return { tag: "Lam", params, body, name, type: typeOf(e) };
  }

  /** Evaluate `e` to an atom, emitting what it needs into `binds`. */
  private atom(e: CExpr, binds: Binding[]): Atom {
    switch (e.tag) {
      case "Lit": return { tag: "Lit", lit: e.lit, type: typeOf(e) };
      case "Var": return { tag: "Var", name: this.rename(e.name), type: typeOf(e) };
      case "Annot": return this.atom(e.expr, binds);
      default: {
        const b = this.bindingFor(e, binds);
        if (b.kind === "atom") return b.atom;
        const x = this.fresh(typeOf(e));
        if (b.kind === "value") binds.push({ kind: "let", x, value: b.value });
        else if (b.kind === "app") binds.push({ kind: "app", x, fn: b.fn, args: b.args, span: b.span });
        else binds.push({ kind: "comp", x, comp: b.comp });
        return { tag: "Var", name: x.name, type: x.type };
      }
    }
  }

  /** The tail computation of a chain (bindings for its operands go into `binds`). */
  private tailComp(e: CExpr, binds: Binding[]): Comp {
    const type = typeOf(e);
    switch (e.tag) {
      case "App": {
        const fn = this.atom(e.fn, binds);
        return { tag: "App", fn, args: e.args.map((a) => this.atom(a, binds)), type, span: e.span };
      }
      case "If": {
        const cond = this.atom(e.cond, binds);
        return { tag: "If", cond, then: this.tail(e.then), else: this.tail(e.else), type };
      }
      case "Case": {
        const scrutinee = this.atom(e.scrutinee, binds);
        return { tag: "Case", scrutinee, clauses: e.clauses.map((c) => this.clause(c.pat, c.body)), type, span: e.span };
      }
      case "Receive": {
        // `receive { cases }` is `recv()` and a case on the message, Links' semantics as interp's:
        // the oldest message, a pattern-match failure when no case matches (one lowering for every
        // Wasm backend; the message is polymorphic, so eq)
        const msg = this.fresh(freshVar("type", 0), "msg");
        const recv: Atom = { tag: "Var", name: "recv", type: { tag: "Fun", params: [], eff: rowEmpty, ret: msg.type } };
        const clauses = e.clauses.map((c) => this.clause(c.pat, c.body));
        return { tag: "LetApp", x: msg, fn: recv, args: [], span: e.span, body: { tag: "Case", scrutinee: { tag: "Var", name: msg.name, type: msg.type }, clauses, type, span: e.span } };
      }
      case "Do": return { tag: "Do", op: e.op, args: e.args.map((a) => this.atom(a, binds)), type, span: e.span };
      case "Spawn": return { tag: "Spawn", kind: e.kind, body: this.tail(e.body), type };
      case "Handle": {
        const inits = e.params.map((q) => this.atom(q.init, binds));
        const body = this.tail(e.body);
        const params = e.params.map((q, i) => ({ x: { name: this.push(q.name), type: inits[i]!.type }, init: inits[i]! }));
        const ops = e.ops.map((o) => {
          const names: string[] = [];
          const args = o.args.map((a) => this.renamePat(a, names));
          const k = o.k && this.renamePat(o.k, names);
          const body = this.tail(o.body);
          names.forEach((x) => this.pop(x));
          return { op: o.op, args, k, body };
        });
        const ret = this.clause(e.ret.pat, e.ret.body);
        e.params.forEach((q) => this.pop(q.name));
        return { tag: "Handle", shallow: e.shallow, body, params, ops, ret, type };
      }
      default:
        return { tag: "Return", atom: this.atom(e, binds) };
    }
  }

  private clause(pat: CPat, body: CExpr) {
    const names: string[] = [];
    const p = this.renamePat(pat, names);
    const b = this.tail(body);
    names.forEach((x) => this.pop(x));
    return { pat: p, body: b };
  }

  /** Rename a pattern's variables (pushing them into scope; their Core names go into `names`). */
  private renamePat(p: CPat, names: string[]): CPat {
    switch (p.tag) {
      case "PAny": case "PLit": case "PNil": case "PNeg": return p;
      case "PVar": names.push(p.name); return { ...p, name: this.push(p.name) };
      case "PCon": return { ...p, arg: p.arg && this.renamePat(p.arg, names) };
      case "PRecord": return { ...p, fields: p.fields.map(([l, q]) => [l, this.renamePat(q, names)]), rest: p.rest && this.renamePat(p.rest, names) };
      case "PCons": return { ...p, head: this.renamePat(p.head, names), tail: this.renamePat(p.tail, names) };
      case "PAs": {
        const inner = this.renamePat(p.pat, names);
        names.push(p.name);
        return { ...p, pat: inner, name: this.push(p.name) };
      }
      case "PAnnot": return { ...p, pat: this.renamePat(p.pat, names) };
    }
  }
}
