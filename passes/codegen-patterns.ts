// codegen-patterns: pattern matching — a pattern against a value as tests that branch to a
// `fail` label and bindings of its variables (in the representations box-poly chose), and a
// `case` as clauses tried in order, none matching being a runtime error.
import { compareLabels } from "../ir/common.js";
import type { CPat } from "../ir/core.js";
import type { Atom, Rep } from "../ir/boxed.js";
import { type Instr, I } from "../ir/wasm.js";
import { boxInstr, i32, lget, lset, unboxInstr, valtype, vts } from "./codegen-reps.js";
import type { ModuleBuilder } from "./codegen-module.js";
import { type Values, f64Text } from "./codegen-values.js";

export class Patterns {
  /** `patReps`: the representation of every pattern variable (the program's). */
  constructor(private readonly m: ModuleBuilder, private readonly values: Values, private readonly patReps: Map<string, Rep>) {}

  /**
   * The first clause whose pattern matches `scrutinee` runs its body (code for a value of `rep`);
   * none matching is a runtime error. `bodies` is asked for the clause code generator once the
   * scrutinee is in a local.
   */
  match<K extends { pat: CPat }>(scrutinee: Atom, cs: K[], rep: Rep, bodies: () => (k: K, i: number) => Instr[]): Instr[] {
    const ctx = this.m.ctx;
    const scrut = ctx.temp(scrutinee.rep === "unit" ? "eq" : scrutinee.rep);
    const done = ctx.label("case");
    const result = vts(rep).length ? [`(result ${valtype(rep)})`] : [];
    const clauses: Instr[] = [];
    const bodyOf = bodies();
    for (const [i, k] of cs.entries()) {
      const fail = ctx.label("next");
      const tests = this.pat(k.pat, lget(scrut), scrutinee.rep, fail);
      const body = bodyOf(k, i);
      clauses.push(I("block", [fail], ...tests, I("br", [done], ...body)));
    }
    return [
      ...(scrutinee.rep === "unit" ? [] : [lset(scrut, this.values.atom(scrutinee))]),
      I("block", [done, ...result], ...clauses, ...this.m.matchFailure()),
    ];
  }

  /**
   * Pattern p (eq) against v, then `body` (which must not fall through); p not matching is a
   * runtime error. `fail`: the label to branch to on a mismatch, when made already.
   */
  only(p: CPat, v: Instr, body: () => Instr, fail = this.m.ctx.label("nomatch")): Instr[] {
    return [I("block", [fail], ...this.pat(p, v, "eq", fail), body()), ...this.m.matchFailure()];
  }

  /** Tests (branching to `fail` on mismatch) and bindings for pattern p against v (representation r). */
  pat(p: CPat, v: Instr, r: Rep, fail: string): Instr[] {
    const failIf = (cond: Instr) => I("br_if", [fail], cond);
    const failUnless = (cond: Instr) => failIf(I("i32.eqz", [], cond));
    switch (p.tag) {
      case "PAny": return [];
      case "PVar": case "PAs": {
        const target = this.patReps.get(p.name) ?? r;
        this.m.ctx.local(p.name, target);
        const val = r === target ? v : r === "eq" ? unboxInstr(target, v) : target === "eq" ? boxInstr(r, v) : unboxInstr(target, v);
        const bind = val && target !== "unit" ? [lset(p.name, val)] : [];
        return p.tag === "PAs" ? [...bind, ...this.pat(p.pat, v, r, fail)] : bind;
      }
      case "PAnnot": return this.pat(p.pat, v, r, fail);
      case "PLit": {
        const l = p.lit;
        switch (l.kind) {
          case "Int": return [failUnless(I("i64.eq", [], r === "i64" ? v : unboxInstr("i64", v)!, I("i64.const", [l.value.toString()])))];
          case "Float": return [failUnless(I("f64.eq", [], r === "f64" ? v : unboxInstr("f64", v)!, I("f64.const", [f64Text(l.value)])))];
          case "Bool": case "Char": return [failUnless(I("i32.eq", [], r === "i32" ? v : unboxInstr("i32", v)!, i32(l.kind === "Bool" ? (l.value ? 1 : 0) : l.value.codePointAt(0)!)))];
          case "String": return [failUnless(I("call", ["$str_eq"], r === "string" ? v : unboxInstr("string", v)!, this.m.string(l.value)))];
        }
      }
      // falls through (unreachable)
      case "PCon": case "PNeg": {
        const t = this.m.ctx.temp("variant");
        const tag = I("struct.get", ["$Variant", 0], lget(t));
        const out: Instr[] = [lset(t, r === "variant" ? v : unboxInstr("variant", v)!)];
        if (p.tag === "PNeg") {
          for (const n of p.names) out.push(failIf(I("i32.eq", [], tag, i32(this.m.ctorId(n)))));
          return out;
        }
        out.push(failUnless(I("i32.eq", [], tag, i32(this.m.ctorId(p.name)))));
        if (p.arg) out.push(...this.pat(p.arg, I("struct.get", ["$Variant", 1], lget(t)), "eq", fail));
        return out;
      }
      case "PNil": return [failUnless(I("ref.is_null", [], r === "list" ? v : unboxInstr("list", v)!))];
      case "PCons": {
        const t = this.m.ctx.temp("list");
        const cell = I("ref.as_non_null", [], lget(t));
        return [
          lset(t, r === "list" ? v : unboxInstr("list", v)!),
          failIf(I("ref.is_null", [], lget(t))),
          ...this.pat(p.head, I("struct.get", ["$Cons", 0], cell), "eq", fail),
          ...this.pat(p.tail, I("struct.get", ["$Cons", 1], cell), "list", fail),
        ];
      }
      case "PRecord": {
        if (p.fields.length === 0 && !p.rest) return [];
        const t = this.m.ctx.temp("record");
        const out: Instr[] = [lset(t, r === "record" ? v : unboxInstr("record", v)!)];
        for (const [l, q] of p.fields) {
          const idx = I("call", ["$label_index"], I("struct.get", ["$Record", 0], lget(t)), i32(this.m.labelId(l)));
          out.push(...this.pat(q, I("array.get", ["$Values"], I("struct.get", ["$Record", 1], lget(t)), idx), "eq", fail));
        }
        if (p.rest) {
          // the rest: the same record without the matched labels
          const labels = p.fields.map(([l]) => l).sort(compareLabels);
          out.push(...this.pat(p.rest, I("call", ["$record_remove"], lget(t), this.m.labelTable(labels)), "record", fail));
        }
        return out;
      }
    }
  }
}
