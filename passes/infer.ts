// infer: Core → Core (typed)
// Example: `(let (id (lambda (x) x)) (id 1))`  ⇒  the same tree with `id :: (a) -> a` on the
//          binder, `Int` on the application and `result-type Int` on the program.
// Needs: desugared Core; the primitive table (backends/interp/primitives.ts types every primitive).
// Guarantees: every node carries `type` (pattern variables too); let-bound values have schemes (value restriction);
// handlers make the operations of the handled computation's row presence-polymorphic in their own
// (as Links); the top-level row is open (an unhandled operation is a runtime error, as in Links);
// mailbox types live in the `hear` effect label.
//
// Hindley–Milner with levels, Rémy-style rows for records, variants and effects (see ir/types.ts).
// The inference is split by job: passes/infer-env.ts (state, generalisation), infer-unify.ts
// (unification), infer-types.ts (type expressions), infer-expr.ts (expressions and patterns);
// this file holds the pass entry and the program level (typenames, primitives, top-level effects).
import { typeError } from "../ir/common.js";
import type { CoreProgram, TypeDecl } from "../ir/core.js";
import type { RowExpr, TypeExpr } from "../ir/surface.js";
import { HEAR, WILD, freshVar, prune, rowFields } from "../ir/types.js";
import { InferState, bindGlobal } from "./infer-env.js";
import { expr } from "./infer-expr.js";
import { schemeOf } from "./infer-types.js";

export { substitute } from "./infer-env.js";

/** Type signatures of the primitives, in Links notation. */
export type PrimitiveTypes = ReadonlyMap<string, TypeExpr>;

export function infer(p: CoreProgram, primitives: PrimitiveTypes): CoreProgram {
  const st = new InferState();
  st.typeSyntax = p.typeSyntax;
  // the primitives' types name built-in types only, never a typename a program may redefine
  for (const [name, texpr] of primitives) bindGlobal(st, name, schemeOf(st, texpr));
  declareTypenames(st, p.typenames);
  const topEff = freshVar("row", 1);
  // The top-level row stays open, as in Links: an operation that reaches the top level unhandled
  // is a runtime error (Links accepts h1(h2(m)) where the types cannot tell that h1 handles
  // what h2 forwards).
  expr(st, p.body, topEff);
  const topOps = rowFields(topEff).fields.filter(([l, q]) => l !== HEAR && l !== WILD && prune(q).tag === "Pre").map(([l]) => l);
  return { ...p, resultType: p.body.type!, ...(topOps.length ? { topOps } : {}) };
}

function declareTypenames(st: InferState, typenames: TypeDecl[]): void {
  // `typenames` lists later definitions first: a later definition shadows an earlier one.
  for (const d of typenames) {
    if (!st.aliases.has(d.name)) st.aliases.set(d.name, d);
    const free = [...typeExprVars(d.type)].filter((v) => !d.params.includes(v));
    if (free.length > 0) throw typeError(`the type variable ${free[0]} is not a parameter of type ${d.name}`, d.span);
  }
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
