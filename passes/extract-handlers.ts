// extract-handlers: Boxed → Handlers
// Example: `handle (f(x)) { case Get(k) -> k(s) case Return(r) -> r }` inside a function with
// locals x and s
//   ⇒ (define (handlee_1 x:i64 handlee_1%start:eq) (returns eq) (tail f x))
//      (handler handler_2 (free s:i64) (params) (op Get () k:closure …) (return r:eq …))
//      … (handle-call handler_2 (thunk handlee_1 x) (args s))
// The handled computation becomes a function of its free variables (in their own
// representations) and of the value its first resume passes (unused); the code generator starts
// it with cont.new and binds the free variables with cont.bind. A deep handler becomes a
// handler function whose parameters are the variables its clauses use from the handle site; the
// code generator makes it the resume loop (one `(on $tag $label)` per operation). A shallow
// handler keeps its clauses inline: they run once, at the handle site.
// Needs: Boxed with unique binder names. Guarantees: no inline `handle` is left; a thunk's
// function captures nothing and its last parameter is an eq.
import { unsupported } from "../ir/common.js";
import { type CPat, patVars } from "../ir/core.js";
import { type Atom, type Binder, type BoxedProgram, type Comp, type Fn, type FnOf, boxedKit } from "../ir/boxed.js";
import { type Comp as HComp, type HandlerFn, type HandlersProgram, type Thunk, thunkFn } from "../ir/handlers.js";
import { tUnit } from "../ir/types.js";

export function extractHandlers(p: BoxedProgram): HandlersProgram {
  return new Extractor(p).run();
}

type Handle = Extract<Comp, { tag: "Handle" }>;
const { freeAtoms, boundNames, translate, translateChain } = boxedKit;

class Extractor {
  private functions: FnOf<HComp>[] = [];
  private handlers: HandlerFn[] = [];
  private n = 0;
  constructor(private p: BoxedProgram) {}

  run(): HandlersProgram {
    // main first, then every function; functions made for handles are pushed onto the list
    // while it is walked and processed in turn
    const work = [...this.p.functions];
    const main = this.comp(this.p.main, bound(this.p.main, new Set()), work);
    for (let i = 0; i < work.length; i++) {
      const f = work[i]!;
      const scope = bound(f.body, new Set([...f.params, ...f.captured].map((b) => b.name)));
      this.functions.push({ ...f, body: this.comp(f.body, scope, work) });
    }
    return { functions: this.functions, main, resultType: this.p.resultType, patReps: this.p.patReps, actors: this.p.actors, topOps: this.p.topOps, typeSyntax: this.p.typeSyntax, handlers: this.handlers };
  }

  private fresh(base: string): string {
    return `${base}_${++this.n}`;
  }

  /** Rewrite every handle in c; `scope` holds the names bound in the enclosing function. */
  private comp(c: Comp, scope: Set<string>, work: Fn[]): HComp {
    const go = (x: Comp) => this.comp(x, scope, work);
    return translateChain(c, go, (t) => (t.tag === "Handle" ? this.handle(t, scope, work) : translate(t, go)));
  }

  private handle(h: Handle, scope: Set<string>, work: Fn[]): HComp {
    const thunk = this.thunk(h.body, scope, work);
    if (h.shallow) {
      if (h.params.length > 0) throw unsupported("parameterised shallow handlers (not yet on the wasmfx backend)");
      const ops = h.ops.map((o) => ({ ...o, body: this.comp(o.body, scope, work) }));
      return { tag: "ShallowHandle", thunk, ops, ret: { ...h.ret, body: this.comp(h.ret.body, scope, work) }, rep: h.rep };
    } else {
      // the clauses move to the handler function: what they use from here becomes its parameters
      const inner = h.params.map((q) => q.x.name);
      const free = freeFrom(scope, [
        ...h.ops.map((o) => ({ body: o.body, own: [...inner, ...[...o.args, ...(o.k ? [o.k] : [])].flatMap((q) => patVars(q))] })),
        { body: h.ret.body, own: [...inner, ...patVars(h.ret.pat)] },
      ]);
      const inside = new Set<string>();
      for (const o of h.ops) bound(o.body, inside, [...o.args, ...(o.k ? [o.k] : [])]);
      bound(h.ret.body, inside, [h.ret.pat]);
      const hscope = new Set([...free.map((b) => b.name), ...inner, ...inside]);
      const name = this.fresh("handler");
      this.handlers.push({
        name, free, params: h.params.map((q) => q.x),
        ops: h.ops.map((o) => ({ ...o, body: this.comp(o.body, hscope, work) })),
        ret: { ...h.ret, body: this.comp(h.ret.body, hscope, work) },
      });
      return { tag: "HandleCall", handler: name, thunk, args: free.map((b): Atom => ({ tag: "Var", name: b.name, type: b.type, rep: b.rep })), params: h.params, rep: h.rep };
    }
  }

  /**
   * The handled computation as a function of its free variables (in their own representations)
   * and of one more, unused, parameter: the value the first resume passes.
   */
  private thunk(body: Comp, scope: Set<string>, work: Fn[]): Thunk {
    const free = freeFrom(scope, [{ body, own: [] }]);
    const name = this.fresh("handlee");
    work.push(thunkFn(name, free, body));
    return { fn: name, args: free.map((b): Atom => ({ tag: "Var", name: b.name, type: b.type, rep: b.rep })) };
  }
}

/**
 * The variables of `scope` (the enclosing function's) that the computations use and do not bind
 * (nor bind by `own`: clause patterns, handler parameters), each once, in its own representation.
 */
function freeFrom(scope: ReadonlySet<string>, parts: { body: Comp; own: string[] }[]): Binder[] {
  const out = new Map<string, Binder>();
  for (const { body, own } of parts)
    for (const a of freeAtoms(body).values())
      if (a.tag === "Var" && scope.has(a.name) && !own.includes(a.name) && !out.has(a.name)) out.set(a.name, { name: a.name, rep: a.rep, type: tUnit });
  return [...out.values()];
}

/** Add every name bound in c (and in the patterns `pats`) to `scope`; returns it. */
function bound(c: Comp, scope: Set<string>, pats: CPat[] = []): Set<string> {
  pats.forEach((q) => patVars(q).forEach((x) => scope.add(x)));
  return boundNames(c, scope);
}
