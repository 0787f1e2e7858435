// codegen-values: atoms and values as Wasm instructions — literals, variables, boxing, variants,
// lists, records (closed rows by static index, open ones searched at run time) — and closures:
// a function's generic entry `$f$gen` (closure and boxed arguments in, boxed result out, as the
// backend's Convention says), constant closures of functions that capture nothing, recursive
// closures, and a function's parameters and environment prologue.
import { compareLabels } from "../ir/common.js";
import type { Atom, Binder, MakeClosure, Value } from "../ir/boxed.js";
import type { PrimitiveReps } from "./box-poly.js";
import { type Instr, I } from "../ir/wasm.js";
import type { Type } from "../ir/types.js";
import { type FnSig, boxInstr, boxResult, closedLabels, envSlot, i32, lget, lset, unboxInstr, valtype, wasmName } from "./codegen-reps.js";
import type { ModuleBuilder } from "./codegen-module.js";
import { Prims } from "./codegen-prims.js";

export class Values {
  readonly prims: Prims;
  private readonly genEntries = new Set<string>();

  constructor(private readonly m: ModuleBuilder, primReps: PrimitiveReps) {
    this.prims = new Prims(m, primReps, (a) => this.atom(a));
  }

  // ------------------------------------------------------------ atoms and values
  atom(a: Atom): Instr {
    if (a.tag === "Lit") {
      const l = a.lit;
      switch (l.kind) {
        case "Int": return I("i64.const", [BigInt.asIntN(64, l.value).toString()]);
        case "Float": return I("f64.const", [f64Text(l.value)]);
        case "Bool": return i32(l.value ? 1 : 0);
        case "Char": return i32(l.value.codePointAt(0)!);
        case "String": return this.m.string(l.value);
      }
    }
    if (a.rep === "unit") return "nop";
    if (this.m.ctx.deferred.has(a.name)) { const b = this.m.ctx.boxes.get(a.name)!; return boxInstr(b.from, b.from === "unit" ? undefined : this.atom(b.atom)); }
    if (this.m.ctx.reps.has(a.name)) return lget(a.name);
    if (this.m.fns.has(a.name)) {
      const f = this.m.fns.get(a.name)!;
      if (f.captured.length === 0) return this.constClosure(a.name);
    }
    return this.prims.closure(a.name);
  }

  /** Push an atom's value; unit atoms push nothing. */
  push(a: Atom): Instr[] {
    return a.rep === "unit" ? [] : [this.atom(a)];
  }

  /** An atom in its boxed (eq) form. */
  boxed(a: Atom): Instr {
    return boxInstr(a.rep, a.rep === "unit" ? undefined : this.atom(a));
  }

  value(v: Value): Instr[] {
    switch (v.tag) {
      case "Var": case "Lit": return this.push(v);
      case "Closure": return [this.closure(v)];
      case "Box": return [boxInstr(v.from, v.from === "unit" ? undefined : this.atom(v.atom))];
      case "Unbox": { const u = unboxInstr(v.to, this.atom(v.atom)); return u ? [u] : []; }
      case "Con": return [I("struct.new", ["$Variant"], i32(this.m.ctorId(v.name)), v.arg ? this.atom(v.arg) : I("ref.null", ["none"]))];
      case "Nil": return [I("ref.null", ["$Cons"])];
      case "Cons": return [I("struct.new", ["$Cons"], this.atom(v.head), this.atom(v.tail))];
      case "Record": {
        if (v.ext) {
          const base = closedLabels(v.ext.type);
          if (!base) {
            // labels known only at run time: merge in the runtime
            const sorted = [...v.fields].sort(([a], [b]) => compareLabels(a, b));
            return [I("call", ["$record_extend"], this.atom(v.ext), this.m.labelTable(sorted.map(([l]) => l)),
              I("array.new_fixed", ["$Values", sorted.length], ...sorted.map(([, a]) => this.atom(a))))];
          }
          const all = [...base, ...v.fields.map(([l]) => l)].sort(compareLabels);
          const extLocal = this.m.ctx.temp("record");
          const vals = all.map((l) => {
            const f = v.fields.find(([m]) => m === l);
            return f ? this.atom(f[1]) : this.fieldOf(lget(extLocal), v.ext!.type, l);
          });
          return [lset(extLocal, this.atom(v.ext)), this.record(all, vals)];
        }
        const sorted = [...v.fields].sort(([a], [b]) => compareLabels(a, b));
        return [this.record(sorted.map(([l]) => l), sorted.map(([, a]) => this.atom(a)))];
      }
      case "Update": {
        // copy the values array, then overwrite the updated fields
        const rec = this.m.ctx.temp("record");
        const vals = this.m.ctx.temp("eq");
        const out: Instr[] = [
          lset(rec, this.atom(v.record)),
          lset(vals, I("array.new", ["$Values"], I("ref.null", ["none"]), I("array.len", [], I("struct.get", ["$Record", 1], lget(rec))))),
          I("array.copy", ["$Values", "$Values"], I("ref.cast", ["(ref $Values)"], lget(vals)), i32(0), I("struct.get", ["$Record", 1], lget(rec)), i32(0), I("array.len", [], I("struct.get", ["$Record", 1], lget(rec)))),
        ];
        for (const [l, a] of v.fields)
          out.push(I("array.set", ["$Values"], I("ref.cast", ["(ref $Values)"], lget(vals)), this.fieldIndex(lget(rec), v.record.type, l), this.atom(a)));
        out.push(I("struct.new", ["$Record"], I("struct.get", ["$Record", 0], lget(rec)), I("ref.cast", ["(ref $Values)"], lget(vals))));
        return out;
      }
      case "Proj": return [this.fieldOf(this.atom(v.record), v.record.type, v.label)];
    }
  }

  /** A record: its (shared, constant) label table and a new values array. */
  private record(labels: string[], values: Instr[]): Instr {
    return I("struct.new", ["$Record"], this.m.labelTable(labels), I("array.new_fixed", ["$Values", values.length], ...values));
  }

  /** The index of label l in a record of type t: static when the row is closed, else searched. */
  private fieldIndex(rec: Instr, t: Type, l: string): Instr {
    const labels = closedLabels(t);
    if (labels) return i32(labels.indexOf(l));
    return I("call", ["$label_index"], I("struct.get", ["$Record", 0], rec), i32(this.m.labelId(l)));
  }
  private fieldOf(rec: Instr, t: Type, l: string): Instr {
    const labels = closedLabels(t);
    if (labels) return I("array.get", ["$Values"], I("struct.get", ["$Record", 1], rec), i32(labels.indexOf(l)));
    const r = this.m.ctx.temp("record");
    return I("block", ["(result eqref)"], lset(r, rec),
      I("array.get", ["$Values"], I("struct.get", ["$Record", 1], lget(r)), I("call", ["$label_index"], I("struct.get", ["$Record", 0], lget(r)), i32(this.m.labelId(l)))));
  }

  // ------------------------------------------------------------ functions and closures
  /**
   * The Wasm parameters of a function taking `params` (unit ones take none; a closure first when
   * it captures variables) and the prologue binding its captured variables from the environment.
   */
  entry(f: { captured: Binder[]; params: Binder[] }): { params: [string, string][]; prologue: Instr[] } {
    const params: [string, string][] = [];
    if (f.captured.length > 0) params.push(["clos", "(ref $Closure)"]);
    for (const q of f.params) {
      this.m.ctx.reps.set(q.name, q.rep);
      const t = valtype(q.rep);
      if (t) params.push([q.name, t]);
    }
    const prologue: Instr[] = f.captured.map((q, i) => {
      this.m.ctx.local(q.name, "eq");
      return lset(q.name, envSlot(i));
    });
    return { params, prologue };
  }

  /** `$f$gen`: the generic entry of f — closure and boxed arguments in, boxed result out. */
  genEntry(f: FnSig): string {
    const name = `${wasmName(f.name)}$gen`;
    if (this.genEntries.has(name)) return name;
    this.genEntries.add(name);
    const conv = this.m.conv;
    const type = this.m.genType(f.params.length);
    const args: Instr[] = [];
    if (f.captured.length > 0) args.push(lget("clos"));
    f.params.forEach((q, i) => { const u = unboxInstr(q.rep, lget(`a${i}`)); if (u) args.push(u); });
    const body = conv.genEntryBody?.(f, args)
      ?? boxResult(f.ret, [I("call", [`$${wasmName(f.name)}`], ...args, ...conv.extraArgs(f.name, "entry", false))], (v) => conv.genResult(v));
    this.m.funcs.push({ name, type, params: this.m.genParams(f.params.length), results: ["eqref"], locals: [], body });
    this.m.declared.add(name);
    return name;
  }

  /** The closure of a function that captures nothing: a global constant. */
  private constClosure(fname: string): Instr {
    return this.m.global(`closure:${fname}`, `${wasmName(fname)}$clos`, (g) =>
      `(global $${g} (ref $Closure) (struct.new $Closure (ref.func $${this.genEntry(this.m.fns.get(fname)!)}) (ref.null none)))`);
  }

  private closure(v: MakeClosure): Instr {
    const f = this.m.fns.get(v.fn)!;
    if (f.captured.length === 0) return this.constClosure(v.fn);
    const gen = this.genEntry(f);
    return I("struct.new", ["$Closure"], I("ref.func", [`$${gen}`]), I("array.new_fixed", ["$Env", v.captured.length], ...v.captured.map((a) => this.atom(a))));
  }

  /** A call of function `known` (its closure `fn` first when it captures variables); `extra`: arguments after its own. */
  callKnown(fn: Atom, args: Atom[], known: string, op: "call" | "return_call", extra: Instr[]): Instr {
    const f = this.m.fns.get(known)!;
    const ops: Instr[] = [];
    if (f.captured.length > 0) ops.push(this.atom(fn));
    args.forEach((a) => ops.push(...this.push(a)));
    return I(op, [`$${wasmName(known)}`], ...ops, ...extra);
  }

  /** A call of closure `fn` through its generic entry; `extra`: arguments after the boxed ones. */
  callClosure(fn: Atom, args: Atom[], op: "call_ref" | "return_call_ref", extra: Instr[] = []): Instr[] {
    const type = this.m.genType(args.length);
    const clos = this.m.ctx.temp("closure");
    return [
      lset(clos, this.atom(fn)),
      I(op, [`$${type}`], lget(clos), ...args.map((a) => this.atom(a)), ...extra,
        I("ref.cast", [`(ref $${type})`], I("struct.get", ["$Closure", 0], lget(clos)))),
    ];
  }

  /** Allocate the closures, then fill their environments (they may refer to each other). */
  letrec(binds: { x: { name: string }; value: MakeClosure }[]): Instr[] {
    const out: Instr[] = [];
    for (const b of binds) {
      this.m.ctx.local(b.x.name, "closure");
      const f = this.m.fns.get(b.value.fn)!;
      if (f.captured.length === 0) out.push(lset(b.x.name, this.constClosure(f.name)));
      else out.push(lset(b.x.name, I("struct.new", ["$Closure"], I("ref.func", [`$${this.genEntry(f)}`]),
        I("array.new", ["$Env"], I("ref.null", ["none"]), i32(f.captured.length)))));
    }
    for (const b of binds) {
      b.value.captured.forEach((a, i) => out.push(I("array.set", ["$Env"],
        I("ref.as_non_null", [], I("struct.get", ["$Closure", 1], lget(b.x.name))), i32(i), this.atom(a))));
    }
    return out;
  }
}

/** A float literal as WAT writes it: `inf`, `-inf`, `nan`, and a negative zero keeps its sign. */
export function f64Text(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (Object.is(x, -0)) return "-0.0";
  return Number.isInteger(x) ? x.toFixed(1) : String(x);
}
