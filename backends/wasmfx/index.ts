// Backend `wasmfx`: WasmIR → WAT (with the runtime) → binaryen (validate, optimise, emit) → run
// on Node 26 with the WasmFX flag (in this process) or on Deno (a child process). Prints the
// program's output and `VALUE : TYPE` as `interp` does.
import { printModule, type WasmModule } from "../../ir/wasm.js";
import { assemble, loadBinaryen } from "../wasm/binaryen.js";
import { runOnDeno } from "../wasm/deno.js";
import { instantiate } from "../wasm/node.js";

/** Load what the backend needs (binaryen) before the first `compileWasm`. */
export const prepareWasm = loadBinaryen;

export const ENGINES = ["node", "deno"] as const;
export type Engine = (typeof ENGINES)[number];

export interface CompiledWasm {
  binary: Uint8Array;
  size: number;
}

/** Validate, optimise (-O0…-O3, default -O2) and emit the module. */
export function compileWasm(m: WasmModule, opts: { optimize?: 0 | 1 | 2 | 3 } = {}): CompiledWasm {
  const a = assemble(printModule(m, true), { optimize: opts.optimize ?? 2 });
  return { binary: a.binary, size: a.binary.length };
}

/**
 * Run a compiled module. Runtime errors and traps throw `CompileError("runtime", …)` after the
 * output printed so far reached `out`. The deadline applies on Deno only (a run in this process
 * cannot be interrupted).
 */
export function runWasm(c: CompiledWasm, opts: { out?: (s: string) => void; engine?: Engine; deadline?: number } = {}): { stdout: string } {
  if (opts.engine === "deno") return runOnDeno(c.binary, { out: opts.out, deadline: opts.deadline });
  let stdout = "";
  instantiate(c.binary, {
    write: (s) => {
      stdout += s;
      opts.out?.(s);
    },
  }).run();
  return { stdout };
}
