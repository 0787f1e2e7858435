// codegen-reps: representations as Wasm types, boxing and unboxing, and the small instruction
// helpers every part of the two code generators (codegen.ts, cps-codegen.ts) uses. Stateless.
import { compareLabels, unsupported } from "../ir/common.js";
import type { Fn, Rep } from "../ir/boxed.js";
import { type Instr, I } from "../ir/wasm.js";
import { type Type, prune, resolve, rowFields } from "../ir/types.js";

/** A program function's Wasm name: `fn:` keeps it apart from the runtime's and generated helpers. */
export const wasmName = (f: string) => `fn:${f}`;

/** What calling a function needs to know of it. */
export type FnSig = Pick<Fn, "name" | "params" | "captured" | "ret">;

export function valtype(r: Rep): string | undefined {
  switch (r) {
    case "i64": return "i64";
    case "f64": return "f64";
    case "i32": return "i32";
    case "unit": return undefined;
    case "string": return "(ref $String)";
    case "list": return "(ref null $Cons)";
    case "record": return "(ref $Record)";
    case "variant": return "(ref $Variant)";
    case "closure": return "(ref $Closure)";
    case "process": case "eq": return "eqref";
  }
}
export const vts = (r: Rep): string[] => { const t = valtype(r); return t ? [t] : []; };

export const lget = (n: string): Instr => I("local.get", [`$${n}`]);
/** `local.set` of the value on top of the stack (what a resume's return leaves there). */
export const pop = (n: string): Instr => I("local.set", [`$${n}`]);
export const lset = (n: string, v: Instr): Instr => I("local.set", [`$${n}`], v);
export const i32 = (n: number): Instr => I("i32.const", [n]);

/** Slot i of the environment of the closure in `$clos`. */
export const envSlot = (i: number): Instr => I("array.get", ["$Env"], I("struct.get", ["$Closure", 1], lget("clos")), i32(i));

/** A runtime error with message `msg` (a $String), then `unreachable`. */
export const fail = (msg: Instr): Instr[] => [I("call", ["$host_fail"], msg), "unreachable"];

/** A value of representation `from` on the stack (as `v`) → the boxed (eq) form. */
export function boxInstr(from: Rep, v: Instr | undefined): Instr {
  switch (from) {
    case "i64": return I("call", ["$box_int"], v!); // an i31 or a $Int: docs/wasm-data-layout.md
    case "f64": return I("struct.new", ["$Float"], v!);
    case "i32": return I("ref.i31", [], v!);
    case "unit": return I("global.get", ["$unit"]); // the empty record
    default: return v!;
  }
}
/** An eq value → representation `to` (undefined for unit: nothing is left). */
export function unboxInstr(to: Rep, v: Instr): Instr | undefined {
  switch (to) {
    case "i64": return I("call", ["$unbox_int"], v);
    case "f64": return I("struct.get", ["$Float", 0], I("ref.cast", ["(ref $Float)"], v));
    case "i32": return I("i31.get_u", [], I("ref.cast", ["(ref i31)"], v));
    case "unit": return undefined;
    case "string": return I("ref.cast", ["(ref $String)"], v);
    case "list": return I("ref.cast", ["(ref null $Cons)"], v);
    case "record": return I("ref.cast", ["(ref $Record)"], v);
    case "variant": return I("ref.cast", ["(ref $Variant)"], v);
    case "closure": return I("ref.cast", ["(ref $Closure)"], v);
    case "process": case "eq": return v;
  }
}

/** A function's result `r` (code `result`, of representation `ret`) boxed and handed to `deliver`. */
export function boxResult(ret: Rep, result: Instr[], deliver: (v: Instr) => Instr[]): Instr[] {
  return ret === "unit" ? [...result, ...deliver(boxInstr("unit", undefined))] : deliver(boxInstr(ret, block(result, ret)));
}

/** Wrap code producing one value into a single instruction. */
export function block(code: Instr[], rep: Rep): Instr {
  if (code.length === 1) return code[0]!;
  return I("block", vts(rep).length ? [`(result ${valtype(rep)})`] : [], ...code);
}

/** The labels of a record type when its row is closed (else undefined). */
export function closedLabels(t: Type): string[] | undefined {
  const r = resolve(t);
  if (r.tag !== "Record") return undefined;
  const { fields, tail } = rowFields(r.row);
  if (tail.tag !== "RowEmpty") return undefined;
  return fields.filter(([, p]) => prune(p).tag === "Pre").map(([l]) => l).sort(compareLabels);
}

/** A feature the wasmfx backend does not compile yet. */
export const notYet = (what: string) => unsupported(`${what} (not yet on the wasmfx backend)`);
