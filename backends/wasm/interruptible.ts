// Every function the code generator wrote that tail-calls (`return_call`, `return_call_ref`) gets
// a call that never happens: `(if (global.get $host_zero) (then (call $host_never)))` at its entry,
// with both imported, so no optimiser can remove it.
//
// Why: V8 (14.6 in Node 26, measured) leaves the stack check out of an optimised function that makes
// no call once its callees are inlined, and that check is also where a thread is interrupted. A
// loop of such functions tail-calling each other — a Links tail-recursive loop, most CPS code — then
// never looks, and Worker.terminate() cannot stop it (so `--timeout` could not hold, and the process
// could not even exit). One import call on a path never taken makes the function a caller again, at
// the cost of one global load and a branch per call. Wasm `loop`s need nothing: V8 checks their back edges.
import { I, type Instr, type WasmModule } from "../../ir/wasm.js";

export const INTERRUPT_IMPORTS = [
  `(import "host" "zero" (global $host_zero i32))`,
  `(import "host" "never" (func $host_never))`,
];

const tailCalls = (i: Instr): boolean =>
  typeof i !== "string" && (i.op.startsWith("return_call") || i.args.some(tailCalls));

const check: Instr = I("if", [], I("global.get", ["$host_zero"]), I("then", [], I("call", ["$host_never"])));

export function makeInterruptible(m: WasmModule): WasmModule {
  return {
    ...m,
    imports: [...m.imports, ...INTERRUPT_IMPORTS],
    functions: m.functions.map((f) => (f.body.some(tailCalls) ? { ...f, body: [check, ...f.body] } : f)),
  };
}
