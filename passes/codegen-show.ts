// codegen-show: result printing — the exported `main`, which runs the program and prints its
// value as Links does, then ` : TYPE`; base types through the runtime's printers, structured
// values (lists, records and tuples, variants) through one generated `$showN` per type.
import { KEYWORDS } from "./lexer.js";
import { type Rep, isRef, repOf } from "../ir/boxed.js";
import { type Instr, I, type WasmFunc } from "../ir/wasm.js";
import { type Type, type TypeSyntax, printType, prune, resolve, rowFields } from "../ir/types.js";
import { block, boxInstr, closedLabels, i32, lget, lset, unboxInstr } from "./codegen-reps.js";
import type { ModuleBuilder } from "./codegen-module.js";

export class Show {
  private readonly shows = new Map<string, string>(); // type key → printer function name

  constructor(private readonly m: ModuleBuilder) {}

  /** `main`: `code(rep)` leaves the program's value (of type `t`, representation `rep`) on the stack; print it and its type. */
  main(t: Type, code: (rep: Rep) => Instr[], syntax?: TypeSyntax): WasmFunc {
    return this.m.inCtx(() => {
      const rep = repOf(t);
      const c = code(rep);
      const body: Instr[] = [];
      if (rep === "unit") body.push(...c, ...this.show(t, undefined));
      else {
        const r = this.m.ctx.temp(rep);
        body.push(lset(r, block(c, rep)), ...this.show(t, lget(r)));
      }
      body.push(I("call", ["$print_string"], this.m.string(` : ${printType(t, undefined, syntax)}\n`)));
      return { name: "main", export: "main", params: [], results: [], locals: [...this.m.ctx.locals], body };
    });
  }

  /** Print a value of type t (in its representation) as Links prints it. */
  private show(t: Type, v: Instr | undefined): Instr[] {
    const r = resolve(t);
    const rep = repOf(t);
    switch (r.tag) {
      case "Con":
        switch (r.name) {
          case "Int": return [I("call", ["$print_int"], v!)];
          case "Float": return [I("call", ["$print_float"], v!)];
          case "Bool": return [I("call", ["$print_bool"], v!)];
          case "Char": return [I("call", ["$print_char_quoted"], v!)];
          case "String": return [I("call", ["$print_string_quoted"], v!)];
          // as Links prints a server pid: `Pid Server (srvPid_0)` (runtime.wat $print_pid)
          case "Process": return [I("call", ["$print_pid"], v!)];
        }
        break;
      case "Fun": return [I("drop", [], v!), I("call", ["$print_string"], this.m.string("fun"))];
      case "Record": if (rep === "unit") return [I("call", ["$print_string"], this.m.string("()"))]; break;
    }
    // structured values: a generated printer per type
    const fname = this.showFn(t);
    return [I("call", [`$${fname}`], rep === "eq" || isRef(rep) ? v! : boxInstr(rep, v))];
  }

  /** `$show_N (param eqref)`: prints a boxed value of type t. */
  private showFn(t: Type): string {
    const key = printType(t);
    let name = this.shows.get(key);
    if (name) return name;
    name = `show${this.shows.size}`;
    this.shows.set(key, name);
    const fname = name;
    this.m.inCtx(() => {
      const ctx = this.m.ctx;
      const v = lget("v");
      const str = (s: string) => I("call", ["$print_string"], this.m.string(s));
      const elem = (et: Type, x: Instr): Instr[] => { const er = repOf(et); return this.show(et, er === "eq" ? x : er === "unit" ? undefined : unboxInstr(er, x)); };
      const r = resolve(t);
      const body: Instr[] = [];
      if (r.tag === "Con" && r.name === "List") {
        const l = ctx.temp("list");
        body.push(str("["), lset(l, I("ref.cast", ["(ref null $Cons)"], v)),
          I("block", ["$done"], I("loop", ["$next"],
            I("br_if", ["$done"], I("ref.is_null", [], lget(l))),
            ...elem(r.args[0]!, I("struct.get", ["$Cons", 0], lget(l))),
            lset(l, I("struct.get", ["$Cons", 1], lget(l))),
            I("if", [], I("i32.eqz", [], I("ref.is_null", [], lget(l))), I("then", [], str(", "))),
            I("br", ["$next"]))),
          str("]"));
      } else if (r.tag === "Record") {
        const labels = closedLabels(t) ?? [];
        const fields = rowFields(r.row).fields;
        const isTuple = labels.length > 1 && labels.every((l, i) => l === String(i + 1));
        const vals = I("struct.get", ["$Record", 1], I("ref.cast", ["(ref $Record)"], v));
        body.push(str("("));
        labels.forEach((l, i) => {
          if (i > 0) body.push(str(", "));
          if (!isTuple) body.push(str(`${KEYWORDS.has(l) ? `"${l}"` : l} = `));
          const ft = prune(fields.find(([m]) => m === l)![1]);
          body.push(...elem(ft.tag === "Pre" ? ft.type : t, I("array.get", ["$Values"], vals, i32(i))));
        });
        body.push(str(")"));
      } else if (r.tag === "Variant") {
        const vv = ctx.temp("variant");
        body.push(lset(vv, I("ref.cast", ["(ref $Variant)"], v)));
        const tag = I("struct.get", ["$Variant", 0], lget(vv));
        const payload = I("struct.get", ["$Variant", 1], lget(vv));
        for (const [l, pr] of rowFields(r.row).fields) {
          const q = prune(pr);
          if (q.tag !== "Pre") continue;
          const pt = q.type;
          const prep = repOf(pt);
          const printPayload: Instr[] = prep === "unit" ? [] : prep === "record"
            ? [str(l), ...elem(pt, payload)]
            : [str(`${l}(`), ...elem(pt, payload), str(")")];
          body.push(I("if", [], I("i32.eq", [], tag, i32(this.m.ctorId(l))), I("then", [], ...(prep === "unit" ? [str(l)] : printPayload), "return")));
        }
        // a constructor the static type does not list (open row): its name only
        body.push(I("call", ["$print_string"], I("call", ["$ctor_name"], tag)));
      } else {
        body.push(I("drop", [], v), str("?"));
      }
      this.m.funcs.push({ name: fname, params: [["v", "eqref"]], results: [], locals: [...ctx.locals], body });
    });
    return name;
  }
}
