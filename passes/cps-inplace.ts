// cps-inplace: the cps backend's code for clauses run in place (tail-resume marks them; a part of
// cps-codegen.ts, which owns the rest of the calling convention; docs/tail-resumptive.md).
//
// A clause in place is also a direct-style function `$H$ipN` (handler frame, argument(s)) →
// value, listed in its `$Handler` (runtime-wat/cps.wat). A `do` of such an operation first checks
// whether the innermost handler frame is one of the operation's in-place handlers and calls the
// clause directly (a copy per `do`, which binaryen inlines), then goes on with the rest of the
// function inline (the body of the frame it would have pushed); otherwise `$ip_perform` walks the
// handler frames and, when the innermost handler of the operation has it in place, calls the
// clause and returns its value to the pushed frame; only otherwise does `$perform` capture.
//
// Parameters. `k(v, p…)` in place sets the handler frame's parameters (`$HFrame` field 2 is
// mutable). A handler with one parameter that needs no box keeps it there itself (`inFrame`).
// A handler with in-place clauses and other parameters keeps them there, once one of its
// clauses has run in place, in a cell of its own type (`$Cell:H`: the frame that owns it and the
// parameters, unboxed where their types say: an Int is an i64 field), so setting one allocates
// nothing; a clause in place mutates only a cell its own frame owns, and otherwise (the
// parameters as `$resume` put them, boxed, or a cell a copied frame shares with the frame it was
// copied from) first makes one. A cell is thus only mutated by the computation running on its
// owner, and no resumption holds a running frame: multishot resumptions stay independent. Every
// other reader of the parameters (the handler's general clauses and return clause) accepts both.
import { internalError } from "../ir/common.js";
import { type Atom, type Binder, type Rep, repOf } from "../ir/boxed.js";
import { type CComp, type CpsOpClause, type FrameFn, type HandlerDef, cpsKit } from "../ir/cps.js";
import { type Instr, I, type WasmFunc } from "../ir/wasm.js";
import { block, boxInstr, i32, lget, lset, unboxInstr, valtype } from "./codegen-reps.js";
import type { ModuleBuilder } from "./codegen-module.js";
import type { Values } from "./codegen-values.js";
import type { Patterns } from "./codegen-patterns.js";
import type { Direct } from "./codegen-direct.js";

/** What the in-place code needs of cps-codegen. */
export interface CpsHost {
  m: ModuleBuilder;
  values: Values;
  patterns: Patterns;
  direct: Direct;
  handlers: HandlerDef[];
  frameFns: Map<string, FrameFn>;
  /** the continuation's locals (the current pure frames, the current handler frames) */
  K: string;
  H: string;
  /** CPS code for c (ends in tail calls) */
  ccomp(c: CComp): Instr[];
  newFrame(frame: string, captured: Atom[], next: Instr): Instr;
  pack(vs: Instr[]): Instr;
  /** handler h's constant ($Handler global) */
  handlerConst(h: HandlerDef): Instr;
  /** the start of a function of handler h on `%hf`: its continuation and its clauses' variables (not its parameters) */
  envPrologue(h: HandlerDef): Instr[];
}

/** handlers of an operation whose frames a `do` tests for before walking the handler frames */
const DIRECT_CANDIDATES = 2;
/** the most names bound in the rest of a function that a `do` run in place continues with inline (else it returns to the rest's frame) */
const INLINE_LIMIT = 60;
/** how deep a `do` run in place continues inline with the rest of the function (its frame's body), rests within rests */
const INLINE_DEPTH = 3;

/** The operations whose clauses handler h runs in place. */
export const inPlaceOps = (h: HandlerDef): string[] => [...new Set(h.ops.filter((o) => o.inPlace).map((o) => o.op))];

/** How a handler parameter is held in a cell: unboxed when its type says, else eq (a unit one boxed). */
function paramRep(q: Binder): Rep {
  const r = repOf(q.type);
  return r === "unit" ? "eq" : r;
}

export class InPlace {
  /** operations some handler runs in place */
  readonly ops: Set<string>;
  /**
   * copies of in-place clause functions, one per `do` calling one directly (binaryen inlines a
   * function called once); `withCell`: the copy takes the frame's own cell, found by its caller
   */
  private readonly copies: { h: HandlerDef; op: string; name: string; withCell: boolean }[] = [];
  /** how many rests of functions the code being generated is inline in */
  private inlined = 0;

  constructor(private readonly host: CpsHost) {
    this.ops = new Set(host.handlers.flatMap(inPlaceOps));
  }

  /** The function running h's clauses of op in place. */
  name(h: HandlerDef, op: string): string {
    return `${h.name}$ip${this.host.m.opId(op)}`;
  }

  /** h's in-place clause functions, in the order of its operations `ops` (its `$Handler`'s fifth field). */
  table(h: HandlerDef, ops: string[]): string {
    const inPlace = inPlaceOps(h);
    if (inPlace.length === 0) return "(ref.null $IPFns)";
    const ref = (o: string) => { const n = this.name(h, o); this.host.m.declared.add(n); return `(ref.func $${n})`; };
    return `(array.new_fixed $IPFns ${ops.length} ${ops.map((o) => (inPlace.includes(o) ? ref(o) : "(ref.null $IPFn)")).join(" ")})`;
  }

  /** Every in-place clause function and copy, and the cells' helpers (after all other code: `do`s ask for copies). */
  functions(): WasmFunc[] {
    const out: WasmFunc[] = [];
    for (const h of this.host.handlers) for (const op of inPlaceOps(h)) out.push(this.fn(h, op, this.name(h, op)));
    this.copies.forEach((c, i) => out.push({ ...this.fn(c.h, c.op, c.name, i, c.withCell), inPlaceCopy: true }));
    for (const h of this.host.handlers) if (this.cell(h)) out.push(this.ownCell(h));
    return out;
  }

  // ------------------------------------------------------------ parameters
  /** `$Cell:H` when handler h keeps its parameters in a cell (it has in-place clauses and parameters). */
  private cell(h: HandlerDef): string | undefined {
    if (h.params.length === 0 || inPlaceOps(h).length === 0 || this.inFrame(h)) return undefined;
    const name = `$Cell:${h.name}`;
    this.host.m.types.add(`(type ${name} (struct (field (ref $HFrame))${h.params.map((q) => ` (field (mut ${valtype(paramRep(q))}))`).join("")}))`);
    return name;
  }

  /**
   * h keeps its one parameter in its frame's field 2 itself, and a clause in place sets it there:
   * no cell, and no test of who owns it. Only when the parameter needs no box (a reference, a
   * Bool, a Char): an Int would need one per set once it is past 31 bits (effect-handlers-bench's
   * iterator, whose sum is: 3× slower on cps), a Float always; those have a cell of i64 / f64
   * fields. (countdown's small Int ran ~12% faster in the frame, measured before self tail calls
   * were loops; with them its loop is as fast as the loop without effects.)
   */
  private inFrame(h: HandlerDef): boolean {
    if (h.params.length !== 1) return false;
    const r = paramRep(h.params[0]!);
    return r !== "i64" && r !== "f64";
  }

  /** Parameter i of h, boxed, from the frame's field 2 `ps` (a cell, an $Env of several, or the one value). */
  private boxedParam(h: HandlerDef, ps: () => Instr, i: number): Instr {
    const packed = h.params.length === 1 ? ps() : I("array.get", ["$Env"], I("ref.cast", ["(ref $Env)"], ps()), i32(i));
    const cell = this.cell(h);
    if (!cell) return packed;
    const fromCell = boxInstr(paramRep(h.params[i]!), I("struct.get", [cell, i + 1], I("ref.cast", [`(ref ${cell})`], ps())));
    return I("if", ["(result eqref)"], I("ref.test", [`(ref ${cell})`], ps()), I("then", [], fromCell), I("else", [], packed));
  }

  /** Locals for h's parameters from `%hf` (the general clauses' and return clause's prologue). */
  params(h: HandlerDef): Instr[] {
    const ctx = this.host.m.ctx;
    const ps = ctx.tempOf("eqref");
    const out: Instr[] = h.params.length ? [lset(ps, I("struct.get", ["$HFrame", 2], lget("%hf")))] : [];
    h.params.forEach((q, i) => {
      ctx.local(q.name, q.rep);
      const u = unboxInstr(q.rep, this.boxedParam(h, () => lget(ps), i));
      if (u && q.rep !== "unit") out.push(lset(q.name, u));
    });
    return out;
  }

  /** `$H$cell`: the frame's own cell, made from its parameters as they are when it has none. */
  private ownCell(h: HandlerDef): WasmFunc {
    const cell = this.cell(h)!;
    return this.host.m.inCtx(() => {
      const ps = () => I("struct.get", ["$HFrame", 2], lget("%hf"));
      const c = this.host.m.ctx.tempOf(`(ref null ${cell})`);
      const fields = h.params.map((q, i) => unboxInstr(paramRep(q), this.boxedParam(h, ps, i))!);
      return this.host.m.func(`${h.name}$cell`, [["%hf", "(ref $HFrame)"]], [`(ref ${cell})`], [
        lset(c, I("struct.new", [cell], lget("%hf"), ...fields)),
        I("struct.set", ["$HFrame", 2], lget("%hf"), lget(c)),
        I("ref.as_non_null", [], lget(c)),
      ]);
    });
  }

  /** Local `c` := handler frame `hf`'s own cell: the one in its field 2 when it owns it, else a new one. */
  private ownCellOf(h: HandlerDef, hf: Instr, c: string): Instr[] {
    const cell = this.cell(h)!;
    const ps = this.host.m.ctx.tempOf("eqref");
    const own = I("if", ["(result i32)"], I("ref.test", [`(ref ${cell})`], lget(ps)),
      I("then", [], I("ref.eq", [], I("struct.get", [cell, 0], I("ref.cast", [`(ref ${cell})`], lget(ps))), hf)), I("else", [], i32(0)));
    return [lset(ps, I("struct.get", ["$HFrame", 2], hf)),
      lset(c, I("if", [`(result (ref ${cell}))`], own, I("then", [], I("ref.cast", [`(ref ${cell})`], lget(ps))), I("else", [], I("call", [`$${h.name}$cell`], hf))))];
  }

  // ------------------------------------------------------------ the clause functions
  /**
   * The function `name` running handler h's clauses of op in place: (handler frame, argument(s))
   * → the value its `k` is called with, in direct style (cpsInPlaceReason: nothing before the
   * jump to k takes the continuation). A copy for one `do` differs from the others until
   * optimised: binaryen merges identical functions before it inlines, and inlines a function
   * called once.
   */
  private fn(h: HandlerDef, op: string, name: string, copy?: number, withCell = false): WasmFunc {
    const { m, patterns } = this.host;
    return m.inCtx(() => {
      const ctx = m.ctx;
      const os = h.ops.filter((o) => o.op === op);
      const body: Instr[] = [...(copy === undefined ? [] : [I("drop", [], i32(copy))]), ...this.host.envPrologue(h)];
      const cell = this.cell(h);
      let c: string | undefined;
      if (cell) {
        c = ctx.tempOf(`(ref null ${cell})`);
        body.push(...(withCell ? [lset(c, lget("%cell"))] : this.ownCellOf(h, lget("%hf"), c)));
        h.params.forEach((q, i) => {
          ctx.local(q.name, q.rep);
          const u = unboxInstr(q.rep, boxInstr(paramRep(q), I("struct.get", [cell, i + 1], lget(c!))));
          if (u && q.rep !== "unit") body.push(lset(q.name, u));
        });
      } else body.push(...this.params(h));
      const n = os[0]!.args.length;
      const args = os[0]!.args.map(() => ctx.temp("eq"));
      body.push(...args.map((t, i) => lset(t, n === 1 ? lget("%a") : I("array.get", ["$Env"], I("ref.cast", ["(ref $Env)"], lget("%a")), i32(i)))));
      for (const o of os) {
        const fail = ctx.label("nomatch");
        const binds = o.args.flatMap((q, i) => patterns.pat(q, lget(args[i]!), "eq", fail));
        body.push(I("block", [fail], ...binds, ...this.body(h, o, o.body, c)));
      }
      body.push(...m.matchFailure());
      if (withCell) return m.func(name, [["%hf", "(ref $HFrame)"], ["%cell", `(ref ${cell!})`], ["%a", "eqref"]], ["eqref"], body);
      return m.func(name, [["%hf", "(ref $HFrame)"], ["%a", "eqref"]], ["eqref"], body, "IPFn");
    });
  }

  /** Direct-style code for clause o's body c, which ends in `k(v, p…)` on every path: return v, the parameters (in cell local `c`) set to p… */
  private body(h: HandlerDef, o: CpsOpClause, c: CComp, cellLocal: string | undefined): Instr[] {
    const { values, patterns, direct } = this.host;
    const out: Instr[] = [];
    for (; c.tag === "Let" || c.tag === "LetApp" || c.tag === "LetComp" || c.tag === "LetRec"; c = c.body) out.push(...direct.binding(c));
    switch (c.tag) {
      case "Jump": {
        const cell = this.cell(h);
        c.args.slice(1).forEach((a, i) => {
          if (a.tag === "Var" && a.name === h.params[i]!.name) return; // k(v, s): unchanged
          if (cell) out.push(I("struct.set", [cell, i + 1], lget(cellLocal!), unboxInstr(paramRep(h.params[i]!), values.boxed(a))!));
          else out.push(I("struct.set", ["$HFrame", 2], lget("%hf"), values.boxed(a)));
        });
        out.push(I("return", [], values.boxed(c.args[0]!)));
        return out;
      }
      case "If": return [...out, I("if", [], values.atom(c.cond), I("then", [], ...this.body(h, o, c.then, cellLocal)), I("else", [], ...this.body(h, o, c.else, cellLocal)))];
      case "Case": return [...out, I("drop", [], block(patterns.match(c.scrutinee, c.clauses, "eq", () => (k) => this.body(h, o, k.body, cellLocal)), "eq"))];
      default: throw internalError(`cps-codegen: clause ${o.op} is marked in place but ends in ${c.tag}`);
    }
  }

  // ------------------------------------------------------------ `do`
  /** How many `do`s that may run in place code `c` has, with the rests of functions `perform` may inline after them. */
  inPlaceDos(c: CComp, depth = 0): number {
    let n = 0;
    cpsKit.everyComp(c, (x) => {
      if (x.tag === "Do" && this.ops.has(x.op)) n++;
      if (x.tag === "Push" && x.body.tag === "Do" && this.ops.has(x.body.op) && depth < INLINE_DEPTH) {
        const f = this.host.frameFns.get(x.frame);
        if (f) n += this.inPlaceDos(f.body, depth + 1);
      }
    });
    return n;
  }
  /**
   * In a CPS function whose handler frames stay the same all through one run of it
   * (FnCtx.stableNode: they are its parameter, and it installs no handler), the test of the
   * innermost handler frame against h is made once, at its start: a local holding the frame when
   * it is h's (else null), and h's own cell in it when h keeps its parameters in a cell (made
   * then if the frame owns none yet).
   */
  private innermostIs(h: HandlerDef): { hf: string; cell?: string } {
    const { m, H } = this.host;
    const ctx = m.ctx;
    const known = ctx.nodeAs.get(h.name);
    if (known) return { hf: known.node, cell: known.cell };
    const hf = ctx.tempOf("(ref null $HFrame)");
    ctx.nodeAs.set(h.name, { node: hf });
    ctx.prologue.push(lset(hf, I("if", ["(result (ref null $HFrame))"], I("ref.is_null", [], lget(H)), I("then", [], I("ref.null", ["none"])),
      I("else", [], I("if", ["(result (ref null $HFrame))"], I("ref.eq", [], I("struct.get", ["$HFrame", 0], lget(H)), this.host.handlerConst(h)),
        I("then", [], lget(H)), I("else", [], I("ref.null", ["none"])))))));
    const cellType = this.cell(h);
    if (!cellType) return { hf };
    const cell = ctx.tempOf(`(ref null ${cellType})`);
    ctx.nodeAs.set(h.name, { node: hf, cell });
    const own = ctx.tempOf(`(ref null ${cellType})`);
    ctx.prologue.push(I("if", [], I("i32.eqz", [], I("ref.is_null", [], lget(hf))),
      I("then", [], ...this.ownCellOf(h, I("ref.as_non_null", [], lget(hf)), own), lset(cell, lget(own)))));
    return { hf, cell };
  }
  /**
   * Box `x = box R y` need not be made before the `do` that follows it (after other boxes and its
   * frame's push) when that `do` may run in place and x is used nowhere else: each use of x makes
   * the box where it is, so the in-place path, whose clause unboxes it, allocates nothing once
   * the clause is inlined (as codegen-direct's deferBox on wasmfx).
   */
  deferBox(c: Extract<CComp, { tag: "Let" }>): boolean {
    if (c.value.tag !== "Box") return false;
    const x = c.x.name;
    const used = (as: Atom[]) => as.some((a) => a.tag === "Var" && a.name === x);
    let d: CComp = c.body;
    for (; d.tag === "Let" && d.value.tag === "Box"; d = d.body) if (used([d.value.atom])) return false;
    if (d.tag === "Push") { if (used(d.captured)) return false; d = d.body; }
    return d.tag === "Do" && this.ops.has(d.op) && used(d.args);
  }

  /**
   * `do op(args)` for an operation some clause runs in place; `push`: the frame pushed for it
   * (the rest of the function), if any. When the innermost handler frame is one of op's in-place
   * handlers, its clause is called directly and the rest runs inline, from the frame's body;
   * else `$ip_perform` walks the handler frames (a value: returned to the rest's frame), and when
   * it finds no in-place clause the operation is performed as usual.
   */
  perform(d: Extract<CComp, { tag: "Do" }>, push: Extract<CComp, { tag: "Push" }> | undefined): Instr[] {
    const { m, values, K, H } = this.host;
    const ctx = m.ctx;
    // (in a function whose handler frames are stable, the tests were made at its start)
    const a = ctx.temp("eq"), r = ctx.temp("eq"), v = ctx.temp("eq");
    const id = i32(m.opId(d.op));
    const packed = () => this.host.pack(d.args.map((x) => values.atom(x)));
    const k = () => (push ? this.host.newFrame(push.frame, push.captured, lget(K)) : lget(K));
    const slow = ctx.label("walk"), fast = ctx.label("inplace");
    const candidates = this.host.handlers.filter((h) => !h.shallow && inPlaceOps(h).includes(d.op)).slice(0, DIRECT_CANDIDATES).map((h) => {
      const name = `${this.name(h, d.op)}$${this.copies.length}`;
      const cached = ctx.stableNode ? this.innermostIs(h) : undefined;
      this.copies.push({ h, op: d.op, name, withCell: cached?.cell !== undefined });
      if (cached) {
        const miss = ctx.label("other");
        const hf = I("br_on_null", [miss], lget(cached.hf));
        return I("block", [miss], I("br", [fast], I("call", [`$${name}`], hf, ...(cached.cell ? [I("ref.as_non_null", [], lget(cached.cell))] : []), packed())));
      }
      return I("if", [], I("ref.eq", [], I("struct.get", ["$HFrame", 0], lget(H)), this.host.handlerConst(h)),
        I("then", [], I("br", [fast], I("call", [`$${name}`], I("ref.as_non_null", [], lget(H)), packed()))));
    });
    // the rest of the function, given the value: inline (a few levels deep), else its frame
    const f = push ? this.host.frameFns.get(push.frame)! : undefined;
    let rest: Instr[];
    if (!f) rest = [I("return_call", ["$ret"], lget(v), lget(K), lget(H))];
    else if (this.inlined >= INLINE_DEPTH || cpsKit.boundNames(f.body).size > INLINE_LIMIT) rest = [I("return_call", ["$ret"], lget(v), k(), lget(H))];
    else {
      ctx.local(f.x.name, f.x.rep);
      const x = unboxInstr(f.x.rep, lget(v));
      this.inlined++;
      rest = [...(x && f.x.rep !== "unit" ? [lset(f.x.name, x)] : []), ...this.host.ccomp(f.body)];
      this.inlined--;
    }
    return [
      I("block", [slow],
        lset(v, I("block", [fast, "(result eqref)"], ...(ctx.stableNode ? [] : [I("br_if", [slow], I("ref.is_null", [], lget(H)))]), ...candidates, I("br", [slow]))),
        // (ccomp's code ends in tail calls, but an `if` of it has a result)
        I("return", [], I("block", ["(result eqref)"], ...rest))),
      lset(a, packed()),
      lset(r, I("call", ["$ip_perform"], id, lget(a), lget(H))),
      I("if", [], I("ref.eq", [], lget(r), I("global.get", ["$general"])), I("then", [], m.doSite(d.span), I("return_call", ["$perform"], id, lget(a), k(), lget(H)))),
      I("return_call", ["$ret"], lget(r), k(), lget(H)),
    ];
  }
}
