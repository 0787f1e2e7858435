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
      const { params, prologue } = this.values.entry(f);
      const body = [...prologue, ...this.comp(f.body, f.ret, true)];
      return this.m.func(wasmName(f.name), params, vts(f.ret), body);
    });
  }

  /** Code leaving the value of `c` (representation `rep`) on the stack; `tail`: may return_call. */
  comp(c: DComp, rep: Rep, tail: boolean): Instr[] {
    const out: Instr[] = [];
    for (; c.tag === "Let" || c.tag === "LetApp" || c.tag === "LetComp" || c.tag === "LetRec"; c = c.body) out.push(...this.binding(c));
    switch (c.tag) {
      case "Return": out.push(...this.values.push(c.atom)); break;
      case "App": out.push(...this.call(c.fn, c.args, c.known, tail && (c.rep === rep || (rep === "eq" && isRef(c.rep))))); break;
      case "If": {
        const [dt, de] = this.effects.discards(c, [c.then, c.else]);
        const t = [...dt!, ...this.comp(c.then, rep, tail)], e = [...de!, ...this.comp(c.else, rep, tail)];
        out.push(I("if", vts(rep).length ? [`(result ${valtype(rep)})`] : [], this.values.atom(c.cond), I("then", [], ...t), I("else", [], ...e)));
        break;
      }
      case "Case": {
        const clauses: { pat: CPat; body: DComp }[] = c.clauses;
        out.push(...this.patterns.match(c.scrutinee, clauses, rep, () => {
          const discards = this.effects.discards(c, clauses.map((k) => k.body));
          return (k, i) => [...discards[i]!, ...this.comp(k.body, rep, tail)];
        }));
        break;
      }
      default: out.push(...this.effects.comp(c, rep, tail));
    }
    return out;
  }

  /** Code binding a let-form's variable (the body is the caller's). */
  binding(c: Binding): Instr[] {
    switch (c.tag) {
      case "Let": {
        // values are pure: a unit-valued one needs no code
        if (c.x.rep === "unit") return [];
        this.m.ctx.local(c.x.name, c.x.rep);
        const v = this.values.value(c.value);
        return [...v.slice(0, -1), lset(c.x.name, v[v.length - 1]!)];
      }
      case "LetApp": {
        this.m.ctx.local(c.x.name, c.x.rep);
        const code = this.call(c.fn, c.args, c.known, false);
        return c.x.rep === "unit" ? code : [...code.slice(0, -1), lset(c.x.name, code[code.length - 1]!)];
      }
      case "LetComp": {
        this.m.ctx.local(c.x.name, c.x.rep);
        const code = this.comp(c.comp, c.x.rep, false);
        return c.x.rep === "unit" ? code : [lset(c.x.name, block(code, c.x.rep))];
      }
      case "LetRec": return this.values.letrec(c.binds);
    }
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
