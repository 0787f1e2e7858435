// codegen-direct: direct-style code (Boxed) — a function's specialised entry, computations and
// let-forms, calls (known functions directly, primitives inline, closures through their generic
// entry; `return_call` in tail position). What the two backends do differently is asked of the
// module's Convention (extra arguments of known calls) and of `Effects` (the effect forms: WasmFX
// on the wasmfx backend; direct-style code on the cps backend performs nothing).
import { internalError } from "../ir/common.js";
import type { CPat } from "../ir/core.js";
import { type Atom, type FnOf, type Rep, isRef } from "../ir/boxed.js";
import { type Instr, I, type WasmFunc } from "../ir/wasm.js";
import { block, lset, valtype, vts, wasmName } from "./codegen-reps.js";
import type { Binding, DComp, ModuleBuilder } from "./codegen-module.js";
import { type SComp, scheduledKit } from "../ir/scheduled.js";
import type { Values } from "./codegen-values.js";
import type { Patterns } from "./codegen-patterns.js";

/** The computations that perform, handle or use processes. */
export type EffectComp = Extract<DComp, { tag: "Do" | "Handle" | "HandleCall" | "ShallowHandle" | "Spawn" | "Schedule" }>;

/** How a backend compiles effects in direct-style code. */
export interface Effects {
  /** Code for an effect form (a value of `rep` on the stack; `tail`: may return_call). */
  comp(c: EffectComp, rep: Rep, tail: boolean): Instr[];
  /** A call of a variable the backend compiles itself (wasmfx: a direct clause's `k`), else undefined. */
  call(fn: Atom, args: Atom[], tail: boolean): Instr[] | undefined;
  /** Code to run first in each branch of `whole` (an if, a case): wasmfx discards continuations there. */
  discards(whole: DComp, branches: DComp[]): Instr[][];
  /**
   * Code for `do` c whose value is only unboxed to `rep`, leaving the unboxed value (wasmfx with
   * clauses in place: unboxed on each path, a box made by an in-place clause can be optimised
   * away), or undefined for the usual code.
   */
  unboxedDo?(c: Extract<DComp, { tag: "Do" }>, rep: Rep): Instr[] | undefined;
  /** The handler whose node is the innermost all through function `fn`, when known (FnCtx.knownHandler). */
  knownHandler?(fn: string): string | undefined;
  /** Whether a `do` of op may run in place (wasmfx: some clause of it is in place). */
  inPlace?(op: string): boolean;
}

/** Direct-style code that performs nothing (the cps backend's). */
export const noEffects: Effects = {
  comp: (c) => { throw internalError(`codegen: ${c.tag} in direct-style code`); },
  call: () => undefined,
  discards: (_, branches) => branches.map(() => []),
};

export class Direct {
  constructor(private readonly m: ModuleBuilder, private readonly values: Values, private readonly patterns: Patterns, private readonly effects: Effects) {}

  /** Function f's specialised entry: its own parameters (unboxed where the types allow), its result. */
  fn(f: FnOf<DComp>): WasmFunc {
    return this.m.inCtx(() => {
      this.m.ctx.stableNode = true;
      this.m.ctx.knownHandler = this.effects.knownHandler?.(f.name);
      const { params, prologue } = this.values.entry(f);
      const body = [...prologue, ...this.comp(f.body, f.ret, true)];
      return this.m.func(wasmName(f.name), params, vts(f.ret), body);
    });
  }

  /** Code leaving the value of `c` (representation `rep`) on the stack; `tail`: may return_call. */
  comp(c: DComp, rep: Rep, tail: boolean): Instr[] {
    const out: Instr[] = [];
    for (; c.tag === "Let" || c.tag === "LetApp" || c.tag === "LetComp" || c.tag === "LetRec"; c = c.body) {
      // `x = do …; y = unbox x` with x used nowhere else: y from the do directly
      const u = c.tag === "LetComp" && c.comp.tag === "Do" ? c.body : undefined;
      if (c.tag === "LetComp" && u?.tag === "Let" && u.value.tag === "Unbox" && u.value.atom.tag === "Var" && u.value.atom.name === c.x.name && u.x.rep !== "unit"
        && this.effects.unboxedDo && !scheduledKit.freeAtoms(u.body as SComp).has(c.x.name)) {
        const code = this.effects.unboxedDo(c.comp as Extract<DComp, { tag: "Do" }>, u.x.rep);
        if (code) {
          this.m.ctx.local(u.x.name, u.x.rep);
          out.push(lset(u.x.name, block(code, u.x.rep)));
          c = u;
          continue;
        }
      }
      out.push(...this.binding(c));
    }
    switch (c.tag) {
      case "Return": out.push(...this.values.push(c.atom)); break;
      case "App": { const a = c; out.push(...this.m.at(a.span, () => this.call(a.fn, a.args, a.known, tail && (a.rep === rep || (rep === "eq" && isRef(a.rep)))))); break; }
      case "If": {
        const [dt, de] = this.effects.discards(c, [c.then, c.else]);
        const t = [...dt!, ...this.comp(c.then, rep, tail)], e = [...de!, ...this.comp(c.else, rep, tail)];
        out.push(I("if", vts(rep).length ? [`(result ${valtype(rep)})`] : [], this.values.atom(c.cond), I("then", [], ...t), I("else", [], ...e)));
        break;
      }
      case "Case": {
        const k = c, clauses: { pat: CPat; body: DComp }[] = c.clauses;
        out.push(...this.m.at(k.span, () => this.patterns.match(k.scrutinee, clauses, rep, () => {
          const discards = this.effects.discards(k, clauses.map((cl) => cl.body));
          return (cl, i) => [...discards[i]!, ...this.comp(cl.body, rep, tail)];
        })));
        break;
      }
      default: { const e = c; out.push(...this.m.at("span" in e ? e.span : undefined, () => this.effects.comp(e, rep, tail))); }
    }
    return out;
  }

  /** Code binding a let-form's variable (the body is the caller's). */
  binding(c: Binding): Instr[] {
    switch (c.tag) {
      case "Let": {
        // values are pure: a unit-valued one needs no code
        if (c.x.rep === "unit") return [];
        if (c.value.tag === "Box") {
          this.m.ctx.boxes.set(c.x.name, { from: c.value.from, atom: c.value.atom });
          if (this.deferBox(c as Extract<DComp, { tag: "Let" }>)) { this.m.ctx.deferred.add(c.x.name); this.m.ctx.reps.set(c.x.name, c.x.rep); return []; }
        }
        this.m.ctx.local(c.x.name, c.x.rep);
        const v = this.values.value(c.value);
        return [...v.slice(0, -1), lset(c.x.name, v[v.length - 1]!)];
      }
      case "LetApp": {
        this.m.ctx.local(c.x.name, c.x.rep);
        return this.m.at(c.span, () => {
          const code = this.call(c.fn, c.args, c.known, false);
          return c.x.rep === "unit" ? code : [...code.slice(0, -1), lset(c.x.name, code[code.length - 1]!)];
        });
      }
      case "LetComp": {
        this.m.ctx.local(c.x.name, c.x.rep);
        const code = this.comp(c.comp, c.x.rep, false);
        return c.x.rep === "unit" ? code : [lset(c.x.name, block(code, c.x.rep))];
      }
      case "LetRec": return this.values.letrec(c.binds);
    }
  }

  /**
   * Box `x = box R y` need not be made before the `do` that follows it (after other such boxes)
   * when that `do` may run in place (Effects.inPlace) and x is used nowhere else: each use of x
   * then makes the box where it is, so the in-place path, whose clause unboxes it, allocates
   * nothing once inlined.
   */
  private deferBox(c: Extract<DComp, { tag: "Let" }>): boolean {
    const x = c.x.name;
    const used = (as: Atom[]) => as.some((a) => a.tag === "Var" && a.name === x);
    let d: DComp = c.body;
    for (; d.tag === "Let" && d.value.tag === "Box"; d = d.body) if (used([d.value.atom])) return false;
    const op = d.tag === "LetComp" && d.comp.tag === "Do" ? d.comp : d.tag === "Do" ? d : undefined;
    if (!op || !this.effects.inPlace?.(op.op) || !used(op.args)) return false;
    return d.tag !== "LetComp" || !scheduledKit.freeAtoms(d.body as SComp).has(x);
  }

  /** A call of `fn` (function `known` when it is one). */
  private call(fn: Atom, args: Atom[], known: string | undefined, tail: boolean): Instr[] {
    if (known) return [this.values.callKnown(fn, args, known, tail ? "return_call" : "call", this.m.conv.extraArgs(known, "call", tail))];
    const own = this.effects.call(fn, args, tail);
    if (own) return own;
    if (fn.tag === "Var" && !this.m.ctx.reps.has(fn.name) && !this.m.fns.has(fn.name)) return this.values.prims.call(fn.name, args);
    return this.values.callClosure(fn, args, tail ? "return_call_ref" : "call_ref");
  }
}
