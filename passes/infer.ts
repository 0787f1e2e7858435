// infer: Core → Core (typed)
// Example: `(let (id (lambda (x) x)) (id 1))`  ⇒  the same tree with `id :: (a) -> a` on the
//          binder, `Int` on the application and `result-type Int` on the program.
// Needs: desugared Core; the primitive table (backends/interp/primitives.ts types every primitive).
// Guarantees: every node carries `type` (pattern variables too); let-bound values have schemes (value restriction);
// handlers remove the operations they handle from the effect row; an operation that can reach
// the top level unhandled is a type error; mailbox types live in the `hear` effect label.
//
// Hindley–Milner with levels, Rémy-style rows for records, variants and effects (see ir/types.ts).
import { type Span, typeError, unsupported } from "../ir/common.js";
import type { CExpr, CPat, Clause, CoreProgram, TypeDecl } from "../ir/core.js";
import type { RowExpr, TypeArg, TypeExpr } from "../ir/surface.js";
import {
  HEAR, WILD, type Kind, forEachChild, type Scheme, type TVar, type Type, TypeNames, freshVar, mkRow, printType, prune, resolve,
  rowEmpty, rowFields, tBool, tChar, tFloat, tInt, tList, tString, tUnit, tupleType,
} from "../ir/types.js";

/** Type signatures of the primitives, in Links notation. */
export type PrimitiveTypes = ReadonlyMap<string, TypeExpr>;

class UnifyError extends Error {
  constructor(readonly reason?: string) {
    super(reason);
  }
}

export function infer(p: CoreProgram, primitives: PrimitiveTypes): CoreProgram {
  const inf = new Inferrer(p.typenames);
  for (const [name, texpr] of primitives) inf.bindGlobal(name, inf.schemeOf(texpr));
  const topEff = freshVar("row", 1);
  const t = inf.expr(p.body, topEff);
  inf.checkTopEffects(topEff);
  return { ...p, resultType: t };
}

class Inferrer {
  level = 1;
  env = new Map<string, Scheme[]>();
  aliases = new Map<string, TypeDecl>();
  /** Where each operation was first performed, for the "unhandled operation" message. */
  opSites = new Map<string, Span>();

  constructor(typenames: TypeDecl[]) {
    // `typenames` lists later definitions first: a later definition shadows an earlier one.
    for (const d of typenames) {
      if (!this.aliases.has(d.name)) this.aliases.set(d.name, d);
      const free = [...typeExprVars(d.type)].filter((v) => !d.params.includes(v));
      if (free.length > 0) throw typeError(`the type variable ${free[0]} is not a parameter of type ${d.name}`, d.span);
    }
  }

  // ------------------------------------------------------------ environment
  bindGlobal(name: string, s: Scheme) {
    this.env.set(name, [s]);
  }
  push(name: string, s: Scheme) {
    let st = this.env.get(name);
    if (!st) this.env.set(name, (st = []));
    st.push(s);
  }
  pop(name: string) {
    this.env.get(name)!.pop();
  }
  withBindings<T>(binds: [string, Scheme][], f: () => T): T {
    for (const [n, s] of binds) this.push(n, s);
    try {
      return f();
    } finally {
      for (let i = binds.length - 1; i >= 0; i--) this.pop(binds[i]![0]);
    }
  }
  lookup(name: string, span: Span): Type {
    const st = this.env.get(name);
    const s = st?.[st.length - 1];
    if (!s) throw typeError(`Unknown variable ${name}.`, span);
    return this.instantiate(s);
  }

  fresh(kind: Kind = "type"): TVar {
    return freshVar(kind, this.level);
  }

  // ------------------------------------------------------------ generalisation
  generalize(t: Type): Scheme {
    const vars: TVar[] = [];
    const seen = new Set<number>();
    const visit = (x: Type): void => {
      x = prune(x);
      if (x.tag !== "TVar") return forEachChild(x, visit);
      if (x.level > this.level && !seen.has(x.id)) { seen.add(x.id); vars.push(x); }
    };
    visit(t);
    return { vars, type: t };
  }

  /** A type that will not be generalised belongs to the current level. */
  lowerLevels(t: Type): Type {
    const visit = (x: Type): void => {
      x = prune(x);
      if (x.tag !== "TVar") return forEachChild(x, visit);
      if (x.level > this.level) x.level = this.level;
    };
    visit(t);
    return t;
  }

  instantiate(s: Scheme): Type {
    if (s.vars.length === 0) return s.type;
    const sub = new Map<number, Type>();
    for (const v of s.vars) sub.set(v.id, this.fresh(v.kind));
    return substitute(s.type, sub);
  }

  // ------------------------------------------------------------ unification
  private aliasPairs = new Set<string>();

  unify(a: Type, b: Type): void {
    a = prune(a);
    b = prune(b);
    if (a === b) return;
    if (a.tag === "TVar") return this.bindVar(a, b);
    if (b.tag === "TVar") return this.bindVar(b, a);
    if (a.tag === "Alias" && b.tag === "Alias" && a.name === b.name && a.args.length === b.args.length) {
      a.args.forEach((x, i) => this.unify(x, b.args[i]!));
      return;
    }
    if (a.tag === "Alias" || b.tag === "Alias") {
      // Recursive type names unify coinductively: a pair already being unified is assumed equal.
      const key = `${typeKey(a)}=${typeKey(b)}`;
      if (this.aliasPairs.has(key)) return;
      this.aliasPairs.add(key);
      try {
        return a.tag === "Alias" ? this.unify(a.body, b) : this.unify(a, (b as Extract<Type, { tag: "Alias" }>).body);
      } finally {
        this.aliasPairs.delete(key);
      }
    }
    switch (a.tag) {
      case "Con":
        if (b.tag !== "Con" || a.name !== b.name || a.args.length !== b.args.length) throw new UnifyError();
        a.args.forEach((x, i) => this.unify(x, b.args[i]!));
        return;
      case "Fun":
        if (b.tag !== "Fun" || a.params.length !== b.params.length) throw new UnifyError();
        a.params.forEach((x, i) => this.unify(x, b.params[i]!));
        this.unify(a.eff, b.eff);
        this.unify(a.ret, b.ret);
        return;
      case "Op":
        if (b.tag !== "Op" || a.params.length !== b.params.length) throw new UnifyError();
        a.params.forEach((x, i) => this.unify(x, b.params[i]!));
        this.unify(a.ret, b.ret);
        return;
      case "Record": case "Variant":
        if (b.tag !== a.tag) throw new UnifyError();
        return this.unify(a.row, b.row);
      case "RowEmpty":
        if (b.tag === "RowEmpty") return;
        if (b.tag === "RowExtend") return this.unify(b, a);
        throw new UnifyError();
      case "RowExtend": {
        if (b.tag !== "RowExtend" && b.tag !== "RowEmpty") throw new UnifyError();
        if (this.unifySameTail(a, b)) return;
        const tailBefore = rowFields(a.rest).tail;
        const [p, rest] = this.rewriteRow(b, a.label);
        if (tailBefore.tag === "TVar" && tailBefore.ref) throw new UnifyError(); // recursive row
        this.unify(a.presence, p);
        this.unify(a.rest, rest);
        return;
      }
      case "Pre":
        if (b.tag !== "Pre") throw new UnifyError();
        return this.unify(a.type, b.type);
      case "Abs":
        if (b.tag !== "Abs") throw new UnifyError();
        return;
    }
  }

  /**
   * Two rows ending in the same variable: a label in one but not the other can only be absent
   * (binding the variable would make the row recursive). Returns false when the tails differ.
   */
  private unifySameTail(a: Type, b: Type): boolean {
    const ra = rowFields(a), rb = rowFields(b);
    if (ra.tail.tag !== "TVar" || ra.tail !== rb.tail) return false;
    const fa = new Map(ra.fields), fb = new Map(rb.fields);
    for (const [l, p] of fa) this.unify(p, fb.get(l) ?? { tag: "Abs" });
    for (const [l, p] of fb) if (!fa.has(l)) this.unify(p, { tag: "Abs" });
    return true;
  }

  /** Bring `label` to the front of `row`: its presence and the rest of the row. */
  rewriteRow(row: Type, label: string): [Type, Type] {
    const r = resolve(row);
    if (r.tag === "RowExtend") {
      if (r.label === label) return [r.presence, r.rest];
      const [p, rest] = this.rewriteRow(r.rest, label);
      return [p, { tag: "RowExtend", label: r.label, presence: r.presence, rest }];
    }
    // a rigid row (from a signature) cannot grow: a label not in it is absent from it
    if (r.tag === "TVar" && r.rigid) return [{ tag: "Abs" }, r];
    if (r.tag === "TVar") {
      const p = freshVar("presence", r.level);
      const rest = freshVar("row", r.level);
      this.bindVar(r, { tag: "RowExtend", label, presence: p, rest });
      return [p, rest];
    }
    if (r.tag === "RowEmpty") return [{ tag: "Abs" }, rowEmpty];
    throw new UnifyError();
  }

  bindVar(v: TVar, t: Type): void {
    if (t.tag === "TVar" && t.id === v.id) return;
    if (v.rigid) {
      // a rigid variable only unifies with a flexible one, which then points to it
      if (t.tag === "TVar" && !t.rigid) return this.bindVar(t, v);
      throw new UnifyError();
    }
    // occurs check and level adjustment
    const visit = (x: Type): void => {
      x = prune(x);
      if (x.tag !== "TVar") return forEachChild(x, visit);
      if (x.id === v.id) throw new UnifyError();
      if (x.level > v.level) {
        // a rigid variable may not escape into an enclosing scope
        if (x.rigid) throw new UnifyError(`the quantified type variable ${x.rigid} would escape their scope`);
        x.level = v.level;
      }
    };
    visit(t);
    v.ref = t;
  }

  /** Unify `actual` (the type of the expression at `span`) with `expected`, with a Links-style message. */
  expect(actual: Type, expected: Type, span: Span, what = "expression"): void {
    try {
      this.unify(actual, expected);
    } catch (e) {
      if (!(e instanceof UnifyError)) throw e;
      const names = new TypeNames();
      names.count(actual);
      names.count(expected);
      if (e.reason) throw typeError(`${e.reason}, in the ${what}`, span);
      throw typeError(
        `the ${what} has type\n    ${printType(actual, names)}\nbut it is expected to have type\n    ${printType(expected, names)}`,
        span,
      );
    }
  }

  // ------------------------------------------------------------ type expressions
  schemeOf(texpr: TypeExpr): Scheme {
    this.level++;
    const t = this.typeOf(texpr, new Map());
    this.level--;
    return this.generalize(t);
  }

  typeOf(te: TypeExpr, vars: Map<string, TVar>): Type {
    switch (te.tag) {
      case "TVar": return this.namedVar(te.name, "type", vars);
      case "TCon": return this.typeCon(te, vars);
      case "TFun":
        return { tag: "Fun", params: te.params.map((p) => this.typeOf(p, vars)), eff: this.rowOf(te.effects, vars, "effect"), ret: this.typeOf(te.ret, vars) };
      case "TRecord": return { tag: "Record", row: this.rowOf(te.row, vars, "record") };
      case "TTuple": return te.items.length === 1 ? this.typeOf(te.items[0]!, vars) : tupleType(te.items.map((x) => this.typeOf(x, vars)));
      case "TVariant": return { tag: "Variant", row: this.rowOf(te.row, vars, "variant") };
      case "TList": return tList(this.typeOf(te.elem, vars));
      case "TForall": return this.typeOf(te.body, vars);
      case "TMu": throw unsupported("recursive types (mu) in annotations", te.span);
    }
  }

  /** While converting a signature, its named type variables are rigid (they may not be instantiated). */
  rigidVars = false;
  /** Converting a signature (not an annotation). */
  inSignature = false;

  namedVar(name: string, kind: Kind, vars: Map<string, TVar>): TVar {
    if (name === "_") {
      // an anonymous variable written in a signature is rigid too: the definition may not refine it
      const v = this.fresh(kind);
      if (this.rigidVars && this.inSignature) v.rigid = "_";
      return v;
    }
    const key = `${kind}:${name}`;
    let v = vars.get(key);
    if (!v) {
      vars.set(key, (v = this.fresh(kind)));
      if (this.rigidVars) v.rigid = name;
    }
    return v;
  }

  /**
   * A signature's type. Its named variables are rigid. With an explicit `forall`, every named
   * variable must be quantified, and the names are not in scope in the body's annotations;
   * otherwise annotations in the body refer to the signature's variables.
   */
  signature(te: TypeExpr): { type: Type; scope: Map<string, TVar> | "closed" } {
    this.rigidVars = true;
    this.inSignature = true;
    try {
      const vars = new Map<string, TVar>();
      if (te.tag === "TForall") {
        const quantified = new Set(te.vars.map((v) => v.replace(/::.*/, "")));
        const type = this.typeOf(te.body, vars);
        for (const key of vars.keys()) {
          const name = key.slice(key.indexOf(":") + 1);
          if (!quantified.has(name)) throw typeError(`the type variable ${name} is not bound by the signature's forall`, te.span);
        }
        return { type, scope: "closed" };
      }
      return { type: this.typeOf(te, vars), scope: vars };
    } finally {
      this.rigidVars = false;
      this.inSignature = false;
    }
  }

  /** An annotation `e : T`: its named variables are rigid, scoped as `annotScope` says. */
  annotation(te: TypeExpr): Type {
    const scope = this.annotScope();
    this.rigidVars = true;
    try {
      return this.typeOf(te, scope);
    } finally {
      this.rigidVars = false;
    }
  }

  /** Scopes of named type variables in annotations: one per function with a signature, one for the rest. */
  annotScopes: (Map<string, TVar> | "closed")[] = [new Map()];
  annotScope(): Map<string, TVar> {
    const top = this.annotScopes[this.annotScopes.length - 1]!;
    // In a function whose signature quantifies explicitly, the signature's variables are not in
    // scope in annotations, and no other named variable is either.
    if (top === "closed") return new Proxy(new Map<string, TVar>(), {
      get: (m, prop) => prop === "get"
        ? (key: string) => { throw typeError(`the type variable ${key.slice(key.indexOf(":") + 1)} is not bound (the enclosing signature quantifies its variables with forall)`); }
        : Reflect.get(m, prop, m),
    });
    return top;
  }

  typeCon(te: Extract<TypeExpr, { tag: "TCon" }>, vars: Map<string, TVar>): Type {
    const args = [...te.args];
    const argType = (i: number): Type => {
      const a = args[i];
      if (!a) throw typeError(`type constructor ${te.name} needs more arguments`, te.span);
      return a.tag === "Type" ? this.typeOf(a.type, vars) : this.rowOf(a.row, vars, "effect");
    };
    const argRow = (i: number): Type => {
      const a = args[i];
      if (!a) return this.fresh("row");
      if (a.tag === "Row") return this.rowOf(a.row, vars, "effect");
      if (a.type.tag === "TVar") return this.namedVar(a.type.name, "row", vars);
      throw typeError(`type constructor ${te.name} expects a row argument`, te.span);
    };
    const arity = (n: number) => {
      if (args.length !== n) throw typeError(`type constructor ${te.name} takes ${n} argument(s) but is given ${args.length}`, te.span);
    };
    let decl = this.aliases.get(te.name);
    if (decl) {
      // A typename whose body has arrows with anonymous effects takes the effect row as an
      // implicit last argument (Links' effect sugar): `typename Comp(a) = () ~> a` … `Comp(a, {E|e})`.
      if (args.length === decl.params.length + 1 && args[args.length - 1]!.tag === "Row")
        decl = { ...decl, params: [...decl.params, IMPLICIT_EFFECT], type: withImplicitEffect(decl.type) };
      // Trailing effect parameters may be omitted (Links' effect sugar): they become fresh rows.
      if (args.length < decl.params.length && decl.params.slice(args.length).every((p) => rowVarsOf(decl!.type).has(p)))
        for (let i = args.length; i < decl.params.length; i++) (args as TypeArg[]).push({ tag: "Row", row: { fields: [], rest: "_" } });
      // a user's typename shadows a built-in type of the same name
      arity(decl.params.length);
      const d = decl;
      return this.alias(d, d.params.map((_, i) => argType(i)));
    }
    switch (te.name) {
      case "Int": arity(0); return tInt;
      case "Float": arity(0); return tFloat;
      case "Bool": arity(0); return tBool;
      case "Char": arity(0); return tChar;
      case "String": arity(0); return tString;
      case "List": arity(1); return tList(argType(0));
      case "Process": case "Mailbox": return { tag: "Con", name: "Process", args: [argRow(0)] };
      case "Comp": // Comp(a, e) = () ~e~> a; Comp(a) has an anonymous row
        return { tag: "Fun", params: [], eff: { tag: "RowExtend", label: WILD, presence: { tag: "Pre", type: tUnit }, rest: argRow(1) }, ret: argType(0) };
    }
    throw typeError(`unknown type constructor ${te.name}`, te.span);
  }

  alias(decl: TypeDecl, args: Type[]): Type {
    let body: Type | undefined;
    const self = this;
    return {
      tag: "Alias", name: decl.name, args,
      get body(): Type {
        if (!body) {
          const vars = new Map<string, TVar>();
          // Bind the parameters; the expansion shares the argument types.
          const sub = new Map<number, Type>();
          decl.params.forEach((p, i) => {
            const v = self.namedVar(p, "type", vars);
            sub.set(v.id, args[i]!);
            const rv = self.namedVar(p, "row", vars);
            sub.set(rv.id, args[i]!);
          });
          body = substitute(self.typeOf(decl.type, vars), sub);
        }
        return body;
      },
    };
  }

  rowOf(r: RowExpr, vars: Map<string, TVar>, sort: "record" | "variant" | "effect"): Type {
    const fields: [string, Type][] = r.fields.map((f) => {
      const label = f.label === "" ? HEAR : f.label;
      switch (f.presence.kind) {
        case "absent": return [label, { tag: "Abs" }];
        case "poly": return [label, this.namedVar(f.presence.name, "presence", vars)];
        case "present": {
          let te = f.presence.type;
          // `Op: forall a. (A) => B`: approximated monomorphically (the quantifier is dropped,
          // so one use of the operation fixes its type in the row)
          while (te && te.tag === "TForall") te = te.body;
          let t: Type;
          if (sort === "effect" && label !== HEAR) {
            if (te && te.tag === "TFun" && (te as { op?: boolean }).op) {
              t = { tag: "Op", params: te.params.map((p) => this.typeOf(p, vars)), ret: this.typeOf(te.ret, vars) };
            } else t = { tag: "Op", params: [], ret: te ? this.typeOf(te, vars) : tUnit };
          } else t = te ? this.typeOf(te, vars) : tUnit;
          return [label, { tag: "Pre", type: t }];
        }
      }
    });
    if (r.wild && !fields.some(([l]) => l === WILD)) fields.push([WILD, { tag: "Pre", type: tUnit }]);
    const tail: Type = r.rest === undefined ? rowEmpty : r.implicit ? this.fresh("row") : this.namedVar(r.rest, "row", vars);
    return mkRow(fields, tail);
  }

  // ------------------------------------------------------------ expressions
  expr(e: CExpr, eff: Type): Type {
    const t = this.exprInner(e, eff);
    e.type = t;
    return t;
  }

  /**
   * A chain of Let/LetRec (a block, or a whole program) is walked iteratively, not recursively,
   * so long programs do not exhaust the JS stack.
   */
  private bindingChain(e: CExpr, eff: Type): Type {
    const chain: CExpr[] = [];
    const bound: string[] = [];
    let cur = e;
    try {
      while (cur.tag === "Let" || cur.tag === "LetRec") {
        chain.push(cur);
        if (cur.tag === "Let") {
          const s = this.letScheme(cur, eff);
          this.push(cur.name, s);
          bound.push(cur.name);
        } else {
          const schemes = this.letRecSchemes(cur);
          cur.binds.forEach((b, i) => { this.push(b.name, schemes[i]!); bound.push(b.name); });
        }
        cur = cur.body;
      }
      const t = this.expr(cur, eff);
      for (const x of chain) x.type = t;
      return t;
    } finally {
      for (let i = bound.length - 1; i >= 0; i--) this.pop(bound[i]!);
    }
  }

  private letScheme(e: Extract<CExpr, { tag: "Let" }>, eff: Type): Scheme {
    this.level++;
    let sig: ReturnType<Inferrer["signature"]> | undefined;
    if (e.sig) {
      sig = this.signature(e.sig);
      this.annotScopes.push(sig.scope);
    }
    let t: Type;
    try {
      t = this.expr(e.rhs, eff);
      if (sig) this.expect(t, sig.type, e.rhs.span, `definition of ${e.name}`);
    } finally {
      if (sig) this.annotScopes.pop();
    }
    this.level--;
    if (sig && !isValue(e.rhs) && this.generalize(sig.type).vars.some((v) => v.rigid))
      throw typeError(`the signature of ${e.name} is polymorphic but its definition is not a value, so it cannot be generalised (value restriction)`, e.span);
    if (e.stmt) this.expect(t, tUnit, e.rhs.span, "statement (an expression followed by `;`)");
    const s = isValue(e.rhs) ? this.generalize(t) : mono(this.lowerLevels(t));
    e.scheme = s;
    return s;
  }

  private letRecSchemes(e: Extract<CExpr, { tag: "LetRec" }>): Scheme[] {
    this.level++;
    const monos = e.binds.map(() => this.fresh());
    // A function with a signature is used at its (polymorphic) signature inside the group too.
    const sigs = e.binds.map((b) => {
      if (!b.sig) return undefined;
      this.level++;
      const sig = this.signature(b.sig);
      this.level--;
      const scheme = this.generalize(sig.type);
      this.lowerLevels(sig.type);
      return { ...sig, scheme };
    });
    this.withBindings(e.binds.map((b, i) => [b.name, sigs[i]?.scheme ?? mono(monos[i]!)]), () => {
      e.binds.forEach((b, i) => {
        let scope: Map<string, TVar> | "closed" | undefined;
        const sig = sigs[i];
        if (sig) {
          this.expect(monos[i]!, sig.type, b.span, `function ${b.name}`);
          scope = sig.scope;
        }
        if (scope) this.annotScopes.push(scope);
        try {
          const t = this.expr(b.fn, this.fresh("row"));
          this.expect(t, monos[i]!, b.span, `function ${b.name}`);
        } finally {
          if (scope) this.annotScopes.pop();
        }
      });
    });
    this.level--;
    const schemes = monos.map((m) => this.generalize(m));
    e.binds.forEach((b, i) => (b.scheme = schemes[i]));
    return schemes;
  }

  private exprInner(e: CExpr, eff: Type): Type {
    switch (e.tag) {
      case "Lit":
        switch (e.lit.kind) {
          case "Int": return tInt;
          case "Float": return tFloat;
          case "String": return tString;
          case "Char": return tChar;
          case "Bool": return tBool;
        }
      // falls through (unreachable)
      case "Var": return this.lookup(e.name, e.span);
      case "Lam": {
        const params = e.params.map(() => this.fresh());
        const bodyEff = this.fresh("row");
        const ret = this.withBindings(e.params.map((n, i) => [n, mono(params[i]!)]), () => this.expr(e.body, bodyEff));
        return { tag: "Fun", params, eff: bodyEff, ret };
      }
      case "App": {
        const tf = this.expr(e.fn, eff);
        const targs = e.args.map((a) => this.expr(a, eff));
        const rf = resolve(tf);
        if (rf.tag === "Fun" && rf.params.length === targs.length) {
          targs.forEach((ta, i) => this.expect(ta, rf.params[i]!, e.args[i]!.span));
          this.expectEffects(rf.eff, eff, e.span);
          return rf.ret;
        }
        if (rf.tag === "Fun")
          throw typeError(`this function takes ${rf.params.length} argument(s) but is applied to ${targs.length}`, e.span);
        const ret = this.fresh();
        this.expect(tf, { tag: "Fun", params: targs, eff, ret }, e.fn.span, "function");
        return ret;
      }
      case "Let": case "LetRec":
        return this.bindingChain(e, eff);
      case "If": {
        this.expect(this.expr(e.cond, eff), tBool, e.cond.span, "condition");
        const t = this.expr(e.then, eff);
        this.expect(this.expr(e.else, eff), t, e.else.span, "else branch");
        return t;
      }
      case "Con": {
        const ta = e.arg ? this.expr(e.arg, eff) : tUnit;
        return { tag: "Variant", row: { tag: "RowExtend", label: e.name, presence: { tag: "Pre", type: ta }, rest: this.fresh("row") } };
      }
      case "Record": {
        let rest: Type = rowEmpty;
        const fields: [string, Type][] = e.fields.map(([l, x]) => [l, { tag: "Pre", type: this.expr(x, eff) }]);
        if (e.ext) {
          const r = this.fresh("row");
          // the extended record must not already have these labels
          const without = mkRow(e.fields.map(([l]) => [l, { tag: "Abs" }]), r);
          this.expect(this.expr(e.ext, eff), { tag: "Record", row: without }, e.ext.span, "record");
          rest = r;
        }
        return { tag: "Record", row: mkRow(fields, rest) };
      }
      case "Proj": {
        const t = this.fresh();
        const tr = this.expr(e.expr, eff);
        this.expect(tr, { tag: "Record", row: { tag: "RowExtend", label: e.label, presence: { tag: "Pre", type: t }, rest: this.fresh("row") } }, e.expr.span, "record");
        return t;
      }
      case "Update": {
        const r = this.fresh("row");
        const old = mkRow(e.fields.map(([l]) => [l, { tag: "Pre", type: this.fresh() }]), r);
        this.expect(this.expr(e.record, eff), { tag: "Record", row: old }, e.record.span, "record");
        return { tag: "Record", row: mkRow(e.fields.map(([l, x]) => [l, { tag: "Pre", type: this.expr(x, eff) }]), r) };
      }
      case "Nil": return tList(this.fresh());
      case "Cons": {
        const th = this.expr(e.head, eff);
        const tl = tList(th);
        this.expect(this.expr(e.tail, eff), tl, e.tail.span, "list tail");
        return tl;
      }
      case "Case": {
        const ts = this.expr(e.scrutinee, eff);
        return this.clauses(ts, e.clauses, eff, e.span);
      }
      case "Receive": {
        const tm = this.fresh();
        // receiving is wild, like recv()
        const needed = mkRow([[HEAR, { tag: "Pre", type: tm }], [WILD, { tag: "Pre", type: tUnit }]], this.fresh("row"));
        this.expectEffects(needed, eff, e.span);
        return this.clauses(tm, e.clauses, eff, e.span);
      }
      case "Do": {
        const targs = e.args.map((a) => this.expr(a, eff));
        const ret = this.fresh();
        if (!this.opSites.has(e.op)) this.opSites.set(e.op, e.span);
        const needed: Type = { tag: "RowExtend", label: e.op, presence: { tag: "Pre", type: { tag: "Op", params: targs, ret } }, rest: this.fresh("row") };
        this.expectEffects(needed, eff, e.span, `operation ${e.op}`);
        return ret;
      }
      case "Handle": return this.handle(e, eff);
      case "Spawn": {
        const bodyEff: Type = { tag: "RowExtend", label: HEAR, presence: { tag: "Pre", type: this.fresh() }, rest: this.fresh("row") };
        const t = this.expr(e.body, bodyEff);
        if (e.kind === "spawnWait") return t;
        return { tag: "Con", name: "Process", args: [bodyEff] };
      }
      case "Annot": {
        const ta = this.annotation(e.annot);
        this.expect(this.expr(e.expr, eff), ta, e.expr.span);
        return ta;
      }
    }
  }

  /** The callee's (or operation's) effects must be allowed by the current effect row. */
  expectEffects(needed: Type, eff: Type, span: Span, what = "call"): void {
    try {
      this.unify(needed, eff);
    } catch (e) {
      if (!(e instanceof UnifyError)) throw e;
      const names = new TypeNames();
      names.count(needed);
      names.count(eff);
      throw typeError(
        `the effects of this ${what}\n    {${printType({ tag: "Record", row: needed }, names).slice(1, -1)}}\nare not allowed by the enclosing effect row\n    {${printType({ tag: "Record", row: eff }, names).slice(1, -1)}}`,
        span,
      );
    }
  }

  /** Switch/receive clauses: top-level constructor patterns close the variant unless a clause catches all. */
  clauses(ts: Type, clauses: Clause[], eff: Type, span: Span): Type {
    const cons = new Map<string, Type>();
    let catchAll = false;
    for (const c of clauses) {
      const p = stripAs(c.pat);
      if (p.tag === "PCon") { if (!cons.has(p.name)) cons.set(p.name, this.fresh()); }
      else if (p.tag === "PVar" || p.tag === "PAny") catchAll = true;
    }
    if (cons.size > 0) {
      const row = mkRow([...cons].map(([l, t]) => [l, { tag: "Pre", type: t }]), catchAll ? this.fresh("row") : rowEmpty);
      this.expect(ts, { tag: "Variant", row }, span, "scrutinee");
    }
    const result = this.fresh();
    for (const c of clauses) {
      const binds: [string, Scheme][] = [];
      this.pat(c.pat, ts, binds);
      const tb = this.withBindings(binds, () => this.expr(c.body, eff));
      this.expect(tb, result, c.body.span, "case body");
    }
    return result;
  }

  handle(e: Extract<CExpr, { tag: "Handle" }>, eff: Type): Type {
    // Operation signatures of the handled operations.
    const sigs = new Map<string, { params: Type[]; ret: Type }>();
    for (const o of e.ops) {
      const prev = sigs.get(o.op);
      if (prev && prev.params.length !== o.args.length)
        throw typeError(`operation ${o.op} is handled with ${o.args.length} and ${prev.params.length} arguments`, o.span);
      if (!prev) sigs.set(o.op, { params: o.args.map(() => this.fresh()), ret: this.fresh() });
    }
    const rho = this.fresh("row");
    const inner = mkRow([...sigs].map(([op, s]) => [op, { tag: "Pre", type: { tag: "Op", params: s.params, ret: s.ret } }]), rho);
    const outer = mkRow([...sigs].map(([op]) => [op, this.fresh("presence")]), rho);
    // handling is wild (`~>`), as in Links
    this.expectEffects({ tag: "RowExtend", label: WILD, presence: { tag: "Pre", type: tUnit }, rest: this.fresh("row") }, eff, e.span, "handler");
    this.expectEffects(outer, eff, e.span, "handler");
    const paramTypes = e.params.map((p) => this.expr(p.init, eff));
    const paramBinds: [string, Scheme][] = e.params.map((p, i) => [p.name, mono(paramTypes[i]!)]);
    const tb = this.expr(e.body, inner);
    const result = this.fresh();
    // return clause
    {
      const binds: [string, Scheme][] = [...paramBinds];
      this.pat(e.ret.pat, tb, binds);
      const t = this.withBindings(binds, () => this.expr(e.ret.body, eff));
      this.expect(t, result, e.ret.body.span, "return clause");
    }
    for (const o of e.ops) {
      const s = sigs.get(o.op)!;
      const binds: [string, Scheme][] = [...paramBinds];
      o.args.forEach((a, i) => this.pat(a, s.params[i]!, binds));
      if (o.k) {
        const kType: Type = e.shallow
          ? { tag: "Fun", params: [s.ret], eff: inner, ret: tb }
          : { tag: "Fun", params: [s.ret, ...paramTypes], eff, ret: result };
        this.pat(o.k, kType, binds);
      }
      const t = this.withBindings(binds, () => this.expr(o.body, eff));
      this.expect(t, result, o.body.span, "operation clause");
    }
    return result;
  }

  pat(p: CPat, t: Type, binds: [string, Scheme][]): void {
    switch (p.tag) {
      case "PAny": return;
      case "PVar": p.type = t; binds.push([p.name, mono(t)]); return;
      case "PLit": {
        const lt = p.lit.kind === "Int" ? tInt : p.lit.kind === "Float" ? tFloat : p.lit.kind === "String" ? tString : p.lit.kind === "Char" ? tChar : tBool;
        this.expect(t, lt, p.span, "pattern");
        return;
      }
      case "PCon": {
        const ta = p.arg ? this.fresh() : tUnit;
        this.expect(t, { tag: "Variant", row: { tag: "RowExtend", label: p.name, presence: { tag: "Pre", type: ta }, rest: this.fresh("row") } }, p.span, "pattern");
        if (p.arg) this.pat(p.arg, ta, binds);
        return;
      }
      case "PRecord": {
        const fieldTypes = p.fields.map(() => this.fresh());
        const rest = p.rest ? this.fresh("row") : rowEmpty;
        this.expect(t, { tag: "Record", row: mkRow(p.fields.map(([l], i) => [l, { tag: "Pre", type: fieldTypes[i]! }]), rest) }, p.span, "pattern");
        p.fields.forEach(([, q], i) => this.pat(q, fieldTypes[i]!, binds));
        if (p.rest) this.pat(p.rest, { tag: "Record", row: rest }, binds);
        return;
      }
      case "PNil": this.expect(t, tList(this.fresh()), p.span, "pattern"); return;
      case "PCons": {
        const te = this.fresh();
        this.expect(t, tList(te), p.span, "pattern");
        this.pat(p.head, te, binds);
        this.pat(p.tail, tList(te), binds);
        return;
      }
      case "PAs": this.pat(p.pat, t, binds); p.type = t; binds.push([p.name, mono(t)]); return;
      case "PNeg":
        // the excluded constructors may occur (with any payload); matching them fails at run time
        this.expect(t, { tag: "Variant", row: mkRow(p.names.map((n) => [n, this.fresh("presence")]), this.fresh("row")) }, p.span, "pattern");
        return;
      case "PAnnot": {
        const ta = this.annotation(p.type);
        this.expect(t, ta, p.span, "pattern");
        this.pat(p.pat, ta, binds);
        return;
      }
    }
  }

  /** After the whole program: an operation present in the top-level effect row was never handled. */
  checkTopEffects(eff: Type): void {
    const { fields } = rowFields(eff);
    for (const [label, presence] of fields) {
      if (label === HEAR || label === "wild") continue;
      if (prune(presence).tag === "Pre")
        throw typeError(`unhandled operation ${label}: no handler for it encloses this use`, this.opSites.get(label));
    }
  }
}

function mono(t: Type): Scheme {
  return { vars: [], type: t };
}

function stripAs(p: CPat): CPat {
  while (p.tag === "PAs" || p.tag === "PAnnot") p = p.pat;
  return p;
}

function isValue(e: CExpr): boolean {
  switch (e.tag) {
    case "Lit": case "Var": case "Lam": case "Nil": return true;
    case "Con": return !e.arg || isValue(e.arg);
    case "Record": return e.fields.every(([, x]) => isValue(x)) && (!e.ext || isValue(e.ext));
    case "Cons": return isValue(e.head) && isValue(e.tail);
    case "Annot": return isValue(e.expr);
    default: return false;
  }
}

export function substitute(t: Type, sub: Map<number, Type>): Type {
  const go = (x: Type): Type => {
    x = prune(x);
    switch (x.tag) {
      case "TVar": return sub.get(x.id) ?? x;
      case "Con": return x.args.length ? { ...x, args: x.args.map(go) } : x;
      case "Fun": return { tag: "Fun", params: x.params.map(go), eff: go(x.eff), ret: go(x.ret) };
      case "Op": return { tag: "Op", params: x.params.map(go), ret: go(x.ret) };
      case "Record": return { tag: "Record", row: go(x.row) };
      case "Variant": return { tag: "Variant", row: go(x.row) };
      case "Alias": {
        const orig = x;
        let body: Type | undefined;
        return { tag: "Alias", name: x.name, args: x.args.map(go), get body() { return (body ??= go(orig.body)); } };
      }
      case "RowExtend": return { tag: "RowExtend", label: x.label, presence: go(x.presence), rest: go(x.rest) };
      case "Pre": return { tag: "Pre", type: go(x.type) };
      case "RowEmpty": case "Abs": return x;
    }
  };
  return go(t);
}


/** Named type variables of a type expression, minus those bound by mu/forall and `_`. */
function typeExprVars(t: TypeExpr, bound: ReadonlySet<string> = new Set(), out = new Set<string>()): Set<string> {
  const row = (r: RowExpr) => {
    for (const f of r.fields) {
      if (f.presence.kind === "present" && f.presence.type) typeExprVars(f.presence.type, bound, out);
      if (f.presence.kind === "poly" && f.presence.name !== "_" && !bound.has(f.presence.name)) out.add(f.presence.name);
    }
    if (r.rest && r.rest !== "_" && !bound.has(r.rest)) out.add(r.rest);
  };
  switch (t.tag) {
    case "TVar": if (t.name !== "_" && !bound.has(t.name)) out.add(t.name); break;
    case "TCon": t.args.forEach((a) => (a.tag === "Type" ? typeExprVars(a.type, bound, out) : row(a.row))); break;
    case "TFun": t.params.forEach((p) => typeExprVars(p, bound, out)); row(t.effects); typeExprVars(t.ret, bound, out); break;
    case "TRecord": case "TVariant": row(t.row); break;
    case "TTuple": t.items.forEach((x) => typeExprVars(x, bound, out)); break;
    case "TList": typeExprVars(t.elem, bound, out); break;
    case "TMu": typeExprVars(t.body, new Set([...bound, t.name]), out); break;
    case "TForall": typeExprVars(t.body, new Set([...bound, ...t.vars.map((v) => v.replace(/::.*/, ""))]), out); break;
  }
  return out;
}

/** A structural key for a type (variables by identity), used to detect recursive alias unification. */
function typeKey(t: Type, depth = 0): string {
  t = prune(t);
  if (depth > 6) return "…";
  const k = (x: Type) => typeKey(x, depth + 1);
  switch (t.tag) {
    case "TVar": return `'${t.id}`;
    case "Con": return `${t.name}(${t.args.map(k).join(",")})`;
    case "Fun": return `(${t.params.map(k).join(",")})-${k(t.eff)}->${k(t.ret)}`;
    case "Op": return `(${t.params.map(k).join(",")})=>${k(t.ret)}`;
    case "Record": return `{${k(t.row)}}`;
    case "Variant": return `[${k(t.row)}]`;
    case "Alias": return `${t.name}(${t.args.map(k).join(",")})`;
    case "RowEmpty": return "·";
    case "RowExtend": return `${t.label}:${k(t.presence)};${k(t.rest)}`;
    case "Pre": return k(t.type);
    case "Abs": return "-";
  }
}

const IMPLICIT_EFFECT = "%implicit-effect";

/** Make every arrow with an anonymous effect row in `t` use the row variable IMPLICIT_EFFECT. */
function withImplicitEffect(t: TypeExpr): TypeExpr {
  const go = (x: TypeExpr): TypeExpr => {
    switch (x.tag) {
      case "TFun": return { ...x, params: x.params.map(go), ret: go(x.ret), effects: x.effects.rest === "_" && !x.op ? { ...x.effects, rest: IMPLICIT_EFFECT, implicit: false } : x.effects };
      case "TCon": return { ...x, args: x.args.map((a) => (a.tag === "Type" ? { tag: "Type", type: go(a.type) } : a)) };
      case "TTuple": return { ...x, items: x.items.map(go) };
      case "TList": return { ...x, elem: go(x.elem) };
      case "TMu": case "TForall": return { ...x, body: go(x.body) };
      default: return x;
    }
  };
  return go(t);
}

/** Names used as row variables (row tails) anywhere in a type expression. */
function rowVarsOf(t: TypeExpr, out = new Set<string>()): Set<string> {
  const row = (r: RowExpr) => {
    if (r.rest) out.add(r.rest);
    for (const f of r.fields) if (f.presence.kind === "present" && f.presence.type) rowVarsOf(f.presence.type, out);
  };
  switch (t.tag) {
    case "TCon": t.args.forEach((a) => (a.tag === "Type" ? rowVarsOf(a.type, out) : row(a.row))); break;
    case "TFun": t.params.forEach((p) => rowVarsOf(p, out)); row(t.effects); rowVarsOf(t.ret, out); break;
    case "TRecord": case "TVariant": row(t.row); break;
    case "TTuple": t.items.forEach((x) => rowVarsOf(x, out)); break;
    case "TList": rowVarsOf(t.elem, out); break;
    case "TMu": case "TForall": rowVarsOf(t.body, out); break;
    case "TVar": break;
  }
  return out;
}
