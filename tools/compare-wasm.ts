// The .wasm size breakdown of tools/compare.ts: the binary's sections read from their headers
// (id, LEB128 size), and the code section's function bodies attributed to the hand-written
// runtime or to the program.
//
// binaryen's binaries carry no name section (debug info is off), so the names come from a second
// view of the same compile: `assemble(…, { text: true })` prints the optimised module, whose
// `(func $name …)` definitions are in the order of the code section's bodies. A function is
// `runtime` when its name is a function of the runtime's WAT (`WasmModule.runtime`, the text of
// runtime-wat/*.wat that codegen pastes in), and `program` otherwise (generated code: the program
// and the prelude, and anything binaryen made). Code binaryen inlined moves with its caller.
import { splitFields } from "../backends/wasm/shake.js";
import { leb, type Section, sections } from "../backends/wasm/sections.js";
import { compileWasm } from "../backends/wasmfx/index.js";
import type { WasmModule } from "../ir/wasm.js";
import type { OptLevel, SizeBreakdown } from "./compare-types.js";


/** The code section's entries: each body's bytes including its size prefix. */
function codeEntries(b: Uint8Array, code: Section): { header: number; entries: number[] } {
  const count = leb(b, code.start);
  const entries: number[] = [];
  let at = code.start + count.len;
  for (let i = 0; i < count.value; i++) {
    const { value, len } = leb(b, at);
    entries.push(len + value);
    at += len + value;
  }
  return { header: count.len, entries };
}

/** The defined functions' names in binaryen's printed module, in order (imports are not `(func` fields). */
export function definedFunctionNames(wat: string): string[] {
  return [...wat.matchAll(/^ {1,2}\(func \$("(?:[^"\\]|\\.)*"|[^\s()]+)/gm)].map((m) => m[1]!);
}

/** The names of the functions the runtime's WAT defines (without `$`). */
export function runtimeFunctionNames(m: WasmModule): Set<string> {
  const fields = splitFields(m.runtime)?.fields ?? [];
  return new Set(fields.filter((f) => f.kind === "func" && f.name).map((f) => f.name!.slice(1)));
}

/** The size breakdown of `binary`; `names`: its defined functions in order; `runtime`: the runtime's function names. */
export function breakdown(binary: Uint8Array, names: string[] | undefined, runtime: Set<string>): SizeBreakdown {
  const secs = sections(binary);
  const size: SizeBreakdown = { total: binary.length, sections: secs.map(({ id, name, size, bytes }) => ({ id, name, size, bytes })) };
  const code = secs.find((s) => s.id === 10);
  if (!code) return { ...size, code: { total: 0, runtime: 0, program: 0, functions: [] } };
  const { entries } = codeEntries(binary, code);
  if (!names || names.length !== entries.length) {
    size.codeNote = names ? `the printed module names ${names.length} functions, the code section has ${entries.length}` : "no function names";
    return size;
  }
  const functions = entries.map((bytes, i) => ({ name: names[i]!, kind: runtime.has(names[i]!) ? "runtime" as const : "program" as const, bytes }));
  const rt = functions.filter((f) => f.kind === "runtime").reduce((a, f) => a + f.bytes, 0);
  return { ...size, code: { total: code.size, runtime: rt, program: code.size - rt, functions } };
}

/**
 * Compile `m` with compileWasm at -O`opt`, keeping binaryen's printed module: the binary and its defined functions' names in order. compare runs it once before the
 * timed compileWasm (so it is also the warm-up) and uses the names only if both binaries agree.
 */
export function compileWithNames(m: WasmModule, opt: OptLevel): { binary: Uint8Array; names: string[] } {
  const c = compileWasm(m, { optimize: opt, text: true });
  return { binary: c.binary, names: definedFunctionNames(c.wat!) };
}
