// codegen-prims: calls of the primitives (prelude/primitives.ts) as Wasm instructions and runtime
// calls — wrapping 63-bit integer arithmetic, comparisons by representation, strings, floats —
// and a primitive used as a value: a constant closure over a generated generic entry.
import type { Atom } from "../ir/boxed.js";
import type { PrimitiveReps } from "./box-poly.js";
import { type Instr, I } from "../ir/wasm.js";
import { tUnit } from "../ir/types.js";
import { boxResult, i32, lget, lset, notYet, unboxInstr } from "./codegen-reps.js";
import type { ModuleBuilder } from "./codegen-module.js";

export class Prims {
  /** `table`: the primitives' representations (box-poly's, from their Links types); `atom`: an atom's code. */
  constructor(private readonly m: ModuleBuilder, private readonly table: PrimitiveReps, private readonly atom: (a: Atom) => Instr) {}

  /** A call of primitive `name`. */
  call(name: string, args: Atom[]): Instr[] {
    const own = this.m.conv.primitive?.(name, args);
    if (own) return own;
    const a = args.map((x) => this.atom(x));
    const wrap = (x: Instr) => I("call", ["$int_wrap63"], x);
    const rep = args[0]?.rep;
    const cmp = (op: "eq" | "ne" | "lt" | "gt" | "le" | "ge"): Instr => {
      // () has no value in Wasm: it is equal to itself and not less (Links' empty record)
      if (rep === "unit") return i32(op === "eq" || op === "le" || op === "ge" ? 1 : 0);
      if (rep === "i64") return I(`i64.${op.length === 2 && op !== "eq" && op !== "ne" ? op + "_s" : op}`, [], a[0]!, a[1]!);
      if (rep === "f64") return I(`f64.${op}`, [], a[0]!, a[1]!);
      if (rep === "i32") return I(`i32.${op === "eq" || op === "ne" ? op : op + "_u"}`, [], a[0]!, a[1]!);
      if (op === "eq") return I("call", ["$eq_values"], a[0]!, a[1]!);
      if (op === "ne") return I("i32.eqz", [], I("call", ["$eq_values"], a[0]!, a[1]!));
      // $compare_op: -1, 0, 1, or 2 for two unordered Floats (every operator false)
      const c = I("call", ["$compare_op"], a[0]!, a[1]!);
      if (op === "lt") return I("i32.eq", [], c, i32(-1));
      if (op === "le") return I("i32.le_s", [], c, i32(0));
      if (op === "gt") return I("i32.eq", [], c, i32(1));
      return I("i32.le_u", [], c, i32(1));
    };
    switch (name) {
      case "+": return [wrap(I("i64.add", [], a[0]!, a[1]!))];
      case "-": return [wrap(I("i64.sub", [], a[0]!, a[1]!))];
      case "*": return [wrap(I("i64.mul", [], a[0]!, a[1]!))];
      case "/": return [I("call", ["$int_div"], a[0]!, a[1]!)];
      case "mod": return [I("call", ["$int_mod"], a[0]!, a[1]!)];
      case "^": return [I("call", ["$int_pow"], a[0]!, a[1]!)];
      case "negate": return [wrap(I("i64.sub", [], I("i64.const", [0]), a[0]!))];
      case "+.": return [I("f64.add", [], a[0]!, a[1]!)];
      case "-.": return [I("f64.sub", [], a[0]!, a[1]!)];
      case "*.": return [I("f64.mul", [], a[0]!, a[1]!)];
      case "/.": return [I("f64.div", [], a[0]!, a[1]!)];
      case "negatef": return [I("f64.neg", [], a[0]!)];
      case "sqrt": return [I("f64.sqrt", [], a[0]!)];
      case "floor": return [I("f64.floor", [], a[0]!)];
      case "ceiling": return [I("f64.ceil", [], a[0]!)];
      case "==": return [cmp("eq")];
      case "<>": return [cmp("ne")];
      case "<": return [cmp("lt")];
      case ">": return [cmp("gt")];
      case "<=": return [cmp("le")];
      case ">=": return [cmp("ge")];
      case "intToString": return [I("call", ["$str_from_int"], a[0]!)];
      case "floatToString": return [I("call", ["$str_from_float"], a[0]!)];
      case "intToFloat": return [I("f64.convert_i64_s", [], a[0]!)];
      case "floatToInt": return [I("call", ["$float_to_int"], a[0]!)];
      case "exp": return [I("call", ["$math_exp"], a[0]!)];
      case "log": return [I("call", ["$math_log"], a[0]!)];
      case "sin": return [I("call", ["$math_sin"], a[0]!)];
      case "cos": return [I("call", ["$math_cos"], a[0]!)];
      case "^.": return [I("call", ["$math_pow"], a[0]!, a[1]!)];
      case "random": return [I("call", ["$host_random"])];
      case "gensym": return [I("call", ["$gensym"])];
      case "gen0": case "gen1": case "gen2": return [a[0]!];
      case "stringToInt": return [I("call", ["$str_to_int"], a[0]!)];
      case "stringToFloat": return [I("call", ["$str_to_float"], a[0]!)];
      case "isInt": return [I("call", ["$str_is_int"], a[0]!)];
      case "isFloat": return [I("call", ["$str_is_float"], a[0]!)];
      case "charAt": return [I("call", ["$str_char_at"], a[0]!, a[1]!)];
      case "strsub": return [I("call", ["$str_substring"], a[0]!, a[1]!, a[2]!)];
      case "explode": return [I("call", ["$str_explode"], a[0]!)];
      case "implode": return [I("call", ["$str_implode"], a[0]!)];
      case "charToInt": return [I("i64.extend_i32_u", [], a[0]!)];
      case "intToChar": return [I("call", ["$int_to_char"], a[0]!)];
      case "^^": return [I("call", ["$str_concat"], a[0]!, a[1]!)];
      case "strlen": return [I("call", ["$str_char_count"], a[0]!)];
      case "++": return [I("call", ["$list_append"], a[0]!, a[1]!)];
      case "print": return [I("call", ["$print_string"], a[0]!)];
      case "error": return [I("call", ["$host_fail"], a[0]!), "unreachable"];
      default: throw notYet(`the primitive ${name}`);
    }
  }

  /** A primitive used as a value: a constant closure over a generated generic entry. */
  closure(name: string): Instr {
    const prim = this.table.get(name);
    if (!prim) throw notYet(`the primitive ${name} as a value`);
    const fname = `prim$${name}`;
    return this.m.global(`closure:prim:${name}`, `${fname}$clos`, (g) => {
      this.m.inCtx(() => {
        const params = prim.params.map((r, i): Atom => ({ tag: "Var", name: `u${i}`, type: tUnit, rep: r }));
        const locals: Instr[] = prim.params.map((r, i) => {
          this.m.ctx.local(`u${i}`, r);
          const u = unboxInstr(r, lget(`a${i}`));
          return u ? lset(`u${i}`, u) : "nop";
        });
        const body = [...locals, ...boxResult(prim.ret, this.call(name, params), (v) => this.m.conv.genResult(v))];
        const type = this.m.genType(prim.params.length);
        this.m.funcs.push({ name: fname, type, params: this.m.genParams(prim.params.length), results: ["eqref"], locals: [...this.m.ctx.locals], body });
      });
      this.m.declared.add(fname);
      return `(global $${g} (ref $Closure) (struct.new $Closure (ref.func $${fname}) (ref.null none)))`;
    });
  }
}
