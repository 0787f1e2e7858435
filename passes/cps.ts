// cps: MarkedBoxed → CPS (the cps backend; MarkedBoxed is Boxed whose functions mark-pure may have marked `pure`)
// Example: `fun f(x) { var y = g(x); y + x }` with g impure ⇒
//   (define (f x:i64) (env) (seq (push f$k1 x) (jump (call g x))))
//   (frame f$k1 (env x:i64) y:i64 (seq (let-app t (+ y x)) (return t)))
// A call that may perform an operation, when not in tail position, becomes a push of a frame
// (the rest of the body, as a frame function over the variables it uses) and a jump; a tail call
// becomes a jump; `return` passes its value to the frames. `handle` becomes a handler (its
// clauses, as functions over the variables they use) and the body inline after the handler
// frame is pushed; a `let-comp` whose computation ends in a return is flattened into the chain
// first. Functions marked pure by mark-pure stay in direct style (calls of them are
// ordinary direct calls) and get a CPS twin `f%cps`, where every call of a function is a jump:
// the code generator runs the twin when direct calls nest too deeply, so no program needs a
// deep Wasm stack. A `let-comp` whose computation cannot perform stays in direct style.
// Needs: Boxed with unique variable names per function (names are not renamed: a frame's
// fields keep the names of the variables they hold). Guarantees: CPS (ir/cps.ts) — the direct
// parts call only primitives and pure functions, every push gives its frame one value per field.
import { patVars } from "../ir/core.js";
import { type Atom, type Binder, type Comp, type Fn, boxedKit } from "../ir/boxed.js";
import { type CComp, type CpsFn, type CpsProgram, type MarkedProgram, cpsTwin, impureReason, localNames, schedPrim } from "../ir/cps.js";
import { isPrimitiveCall } from "../ir/kit-check.js";
import { resolve, tUnit } from "../ir/types.js";

export function cps(p: MarkedProgram): CpsProgram {
  return new Cps(p).run();
}

interface Ctx {
  /** the function being converted: names its frames and handlers */
  owner: string;
  prelude: boolean;
  /** a CPS twin: calls of pure functions jump to their twins too */
  twin: boolean;
  /** every variable bound in the function (names are unique within it) */
  locals: Set<string>;
  n: number;
}

type Var = Extract<Atom, { tag: "Var" }>;
/** Variables c uses and does not bind that are `locals` of the function (not unit), each with the atom of one use. */
function freeAtoms(c: Comp, locals: ReadonlySet<string>): Var[] {
  return [...boxedKit.freeAtoms(c).values()].filter((a): a is Var => a.tag === "Var" && locals.has(a.name) && a.rep !== "unit");
}
const binderOf = (a: Var): Binder => ({ name: a.name, type: a.type, rep: a.rep });

/**
 * `(let-comp x (seq b… (return a)) body)` as `(seq b… (let x a) body)`: the same computation, with
 * one frame fewer when it may perform (a `do` then returns to the rest of the function directly:
 * what a `do` run in place continues with inline, cps-codegen). Undefined when the computation
 * does not end in a return of x's representation. Binder names are unique, so none is captured.
 */
function flatten(c: Extract<Comp, { tag: "LetComp" }>): Comp | undefined {
  const chain: Comp[] = [];
  let t = c.comp;
  while (t.tag === "Let" || t.tag === "LetApp" || t.tag === "LetComp" || t.tag === "LetRec") { chain.push(t); t = t.body; }
  if (t.tag !== "Return" || t.atom.rep !== c.x.rep) return undefined;
  let out: Comp = { tag: "Let", x: c.x, value: t.atom, body: c.body };
  for (let i = chain.length - 1; i >= 0; i--) out = { ...chain[i]!, body: out } as Comp;
  return out;
}
/** A new name in the function being converted (frames, handlers, results, process starts, messages). */
const fresh = (ctx: Ctx, what: string) => `${ctx.owner}$${what}${++ctx.n}`;

class Cps {
  private pure: Set<string>;
  private frames: CpsProgram["frames"] = [];
  private handlers: CpsProgram["handlers"] = [];
  constructor(private p: MarkedProgram) {
    this.pure = new Set(p.functions.filter((f) => f.pure).map((f) => f.name));
  }

  run(): CpsProgram {
    const p = this.p;
    const functions = p.functions.map((f) => this.fn(f));
    const mainLocals = localNames(p.main);
    const main = impureReason(p.main, this.pure, mainLocals)
      ? { cps: this.comp(p.main, { owner: "%main", prelude: false, twin: false, locals: mainLocals, n: 0 }) }
      : { direct: p.main };
    return {
      direct: p.functions.filter((f) => this.pure.has(f.name)),
      functions,
      frames: this.frames,
      handlers: this.handlers,
      main,
      resultType: p.resultType,
      typeSyntax: p.typeSyntax,
      patReps: p.patReps,
      preempt: p.actors?.preempt,
    };
  }

  private fn(f: Fn): CpsFn {
    const twin = this.pure.has(f.name);
    const name = twin ? cpsTwin(f.name) : f.name;
    const ctx: Ctx = { owner: name, prelude: f.prelude, twin, locals: localNames(f.body, [...f.params, ...f.captured]), n: 0 };
    return { name, params: f.params, captured: f.captured, body: this.comp(f.body, ctx), type: f.type, prelude: f.prelude };
  }

  /** A call that stays direct: a primitive's, or a pure function's outside a twin. */
  private direct(fn: Atom, known: string | undefined, ctx: Ctx): boolean {
    return known ? !ctx.twin && this.pure.has(known) : isPrimitiveCall(fn, ctx.locals) && !schedPrim(fn, ctx.locals);
  }

  private jump(fn: Atom, args: Atom[], known: string | undefined, ctx: Ctx): CComp {
    const prim = known ? undefined : schedPrim(fn, ctx.locals);
    if (prim) return { tag: "Sched", prim };
    return { tag: "Jump", fn, args, known: known && this.pure.has(known) ? cpsTwin(known) : known };
  }

  /** The frame for `body`, which receives `x`: a frame function over the variables body uses. */
  private frame(x: Binder, body: Comp, ctx: Ctx): { frame: string; captured: Atom[] } {
    const captured = freeAtoms(body, ctx.locals).filter((a) => a.name !== x.name);
    const name = fresh(ctx, "k");
    this.frames.push({ name, captured: captured.map(binderOf), x, body: this.comp(body, ctx), prelude: ctx.prelude });
    return { frame: name, captured };
  }

  private comp(c: Comp, ctx: Ctx): CComp {
    switch (c.tag) {
      case "Let": return { ...c, body: this.comp(c.body, ctx) };
      case "LetRec": return { ...c, body: this.comp(c.body, ctx) };
      case "LetApp": {
        if (this.direct(c.fn, c.known, ctx)) return { ...c, body: this.comp(c.body, ctx) };
        const { frame, captured } = this.frame(c.x, c.body, ctx);
        return { tag: "Push", frame, captured, body: this.jump(c.fn, c.args, c.known, ctx) };
      }
      case "LetComp": {
        if (!impureReason(c.comp, ctx.twin ? new Set() : this.pure, ctx.locals)) return { ...c, body: this.comp(c.body, ctx) };
        const flat = flatten(c);
        if (flat) return this.comp(flat, ctx);
        const { frame, captured } = this.frame(c.x, c.body, ctx);
        return { tag: "Push", frame, captured, body: this.comp(c.comp, ctx) };
      }
      case "Return": return c;
      case "App": {
        if (!this.direct(c.fn, c.known, ctx)) return this.jump(c.fn, c.args, c.known, ctx);
        const t = resolve(c.fn.type);
        const x: Binder = { name: fresh(ctx, "r"), type: t.tag === "Fun" ? t.ret : tUnit, rep: c.rep };
        return { tag: "LetApp", x, fn: c.fn, args: c.args, known: c.known, span: c.span, body: { tag: "Return", atom: { tag: "Var", name: x.name, type: x.type, rep: x.rep } } };
      }
      case "If": return { tag: "If", cond: c.cond, then: this.comp(c.then, ctx), else: this.comp(c.else, ctx) };
      case "Case": return { tag: "Case", scrutinee: c.scrutinee, clauses: c.clauses.map((k) => ({ pat: k.pat, body: this.comp(k.body, ctx) })), span: c.span };
      case "Do": return { tag: "Do", op: c.op, args: c.args, span: c.span };
      case "Handle": return this.handle(c, ctx);
      case "Spawn": {
        // the process's body: a frame (its value ignored) on an empty continuation
        const { frame, captured } = this.frame({ name: fresh(ctx, "start"), type: tUnit, rep: "unit" }, c.body, ctx);
        return { tag: "Spawn", kind: c.kind, frame, captured };
      }
    }
  }

  /** A handler over the variables its clauses use; the handled body runs inline. */
  private handle(c: Extract<Comp, { tag: "Handle" }>, ctx: Ctx): CComp {
    const clauseBound = new Set<string>(c.params.map((q) => q.x.name));
    for (const o of c.ops) for (const q of [...o.args, ...(o.k ? [o.k] : [])]) patVars(q).forEach((n) => clauseBound.add(n));
    patVars(c.ret.pat).forEach((n) => clauseBound.add(n));
    const env = new Map<string, Var>();
    for (const body of [...c.ops.map((o) => o.body), c.ret.body])
      for (const a of freeAtoms(body, ctx.locals)) if (!clauseBound.has(a.name)) env.set(a.name, a);
    const name = fresh(ctx, "h");
    this.handlers.push({
      name, shallow: c.shallow, env: [...env.values()].map(binderOf), params: c.params.map((q) => q.x), prelude: ctx.prelude,
      ops: c.ops.map((o) => ({ op: o.op, args: o.args, k: o.k, body: this.comp(o.body, ctx) })),
      ret: { pat: c.ret.pat, body: this.comp(c.ret.body, ctx) },
    });
    return { tag: "Handle", handler: name, env: [...env.values()], params: c.params.map((q) => q.init), body: this.comp(c.body, ctx) };
  }
}
