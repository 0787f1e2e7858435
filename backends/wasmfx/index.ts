// Backend `wasmfx`: WasmIR → WAT (with the runtime) → binaryen (validate, optimise, emit) → run
// on Node 26 with the WasmFX flag (in this process), on Deno (a child process) or in a headless
// Chromium (backends/wasm/chromium.ts). Prints the
// program's output and `VALUE : TYPE` as `interp` does.
import { printModule, type WasmModule } from "../../ir/wasm.js";
import { assemble, loadBinaryen } from "../wasm/binaryen.js";
import { maxSingleCallees, shakeModule } from "../wasm/shake.js";
import { runOnDeno } from "../wasm/deno.js";
import { runOnChromium } from "../wasm/chromium.js";
import { instantiate } from "../wasm/node.js";

/** Load what the backend needs (binaryen) before the first `compileWasm`. */
export const prepareWasm = loadBinaryen;

export const ENGINES = ["node", "deno", "chromium"] as const;
export type Engine = (typeof ENGINES)[number];

export interface CompiledWasm {
  binary: Uint8Array;
  size: number;
}

/**
 * A function calling more functions than this that are called nowhere else caps binaryen's
 * one-caller inlining (AssembleOptions.capOneCallerInlining). Every bench and example program
 * has at most 5; a generated program of N top-level functions has N.
 */
const SINGLE_CALLEES_LIMIT = 32;

/**
 * Validate, optimise (-O0…-O3, default -O2) and emit the module. What binaryen gets is the
 * module without its unreachable definitions (backends/wasm/shake.ts: most of the prelude and
 * the runtime, in a small program), printed with at most 40 columns of indentation. `onStage`
 * is called with each stage's time in ms: shake, print, then binaryen's (assemble's).
 */
export function compileWasm(m: WasmModule, opts: { optimize?: 0 | 1 | 2 | 3; onStage?: (stage: string, ms: number) => void } = {}): CompiledWasm {
  let t = performance.now();
  const lap = (stage: string) => { const n = performance.now(); opts.onStage?.(stage, n - t); t = n; };
  const shaken = shakeModule(m);
  const capOneCallerInlining = maxSingleCallees(shaken) > SINGLE_CALLEES_LIMIT;
  lap("shake");
  const wat = printModule(shaken, true, { maxIndent: 40 });
  lap("print");
  const a = assemble(wat, { optimize: opts.optimize ?? 2, capOneCallerInlining, text: false, onStage: opts.onStage });
  return { binary: a.binary, size: a.binary.length };
}

/**
 * Run a compiled module. Runtime errors and traps throw `CompileError("runtime", …)` after the
 * output printed so far reached `out`. The deadline applies on Deno and Chromium only (a run in
 * this process cannot be interrupted).
 */
export function runWasm(c: CompiledWasm, opts: { out?: (s: string) => void; engine?: Engine; deadline?: number } = {}): { stdout: string } {
  if (opts.engine === "deno") return runOnDeno(c.binary, { out: opts.out, deadline: opts.deadline });
  if (opts.engine === "chromium") return runOnChromium(c.binary, { out: opts.out, deadline: opts.deadline });
  let stdout = "";
  instantiate(c.binary, {
    write: (s) => {
      stdout += s;
      opts.out?.(s);
    },
  }).run();
  return { stdout };
}
