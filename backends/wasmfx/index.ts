// Backend `wasmfx`: WasmIR → WAT (with the runtime) → binaryen (validate, optimise, emit) → run
// on Node 26 with the WasmFX flag (in this process), on Deno (a child process) or in a headless
// Chromium (backends/wasm/chromium.ts). Prints the
// program's output and `VALUE : TYPE` as `interp` does.
import { printModule, type WasmModule } from "../../ir/wasm.js";
import { assemble, loadBinaryen } from "../wasm/binaryen.js";
import { fallibleFunctions, maxSingleCallees, shakeModule } from "../wasm/shake.js";
import { makeInterruptible } from "../wasm/interruptible.js";
import { inlineIntBoxes } from "../wasm/int-boxes.js";
import { runOnDeno } from "../wasm/deno.js";
import { runOnChromium } from "../wasm/chromium.js";
import { runOnNode } from "../wasm/node.js";
export { prestartNodeRunner } from "../wasm/node.js";
import { Locator, finishRun } from "../wasm/failure.js";
import type { Span } from "../../ir/common.js";

/** Load what the backend needs (binaryen) before the first `compileWasm`. */
export const prepareWasm = loadBinaryen;

export const ENGINES = ["node", "deno", "chromium"] as const;
export type Engine = (typeof ENGINES)[number];

export interface CompiledWasm {
  binary: Uint8Array;
  size: number;
  /** code offsets → source locations (backends/wasm/failure.ts locates runtime errors with it) */
  sourceMap?: string;
  /** each location's whole span (WasmModule.spans) */
  spans?: ReadonlyMap<string, Span>;
  /** with `text`: the optimised module as binaryen prints it */
  wat?: string;
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
 * the runtime, in a small program) and with its tail-calling functions made interruptible
 * (backends/wasm/interruptible.ts), printed with at most 40 columns of indentation. `onStage`
 * is called with each stage's time in ms: shake, print, then binaryen's (assemble's). `text`: also
 * print the optimised module back (`wat`).
 */
export function compileWasm(m: WasmModule, opts: { optimize?: 0 | 1 | 2 | 3; onStage?: (stage: string, ms: number) => void; text?: boolean } = {}): CompiledWasm {
  let t = performance.now();
  const lap = (stage: string) => { const n = performance.now(); opts.onStage?.(stage, n - t); t = n; };
  const shaken = shakeModule(inlineIntBoxes(makeInterruptible(m)));
  const capOneCallerInlining = maxSingleCallees(shaken) > SINGLE_CALLEES_LIMIT;
  lap("shake");
  const wat = printModule(shaken, true, { maxIndent: 40, locations: true });
  lap("print");
  const noInline = fallibleFunctions(shaken);
  const a = assemble(wat, { optimize: opts.optimize ?? 2, capOneCallerInlining, noInline, text: opts.text ?? false, sourceMap: true, onStage: opts.onStage });
  return { binary: a.binary, size: a.binary.length, ...(a.sourceMap ? { sourceMap: a.sourceMap, spans: m.spans } : {}), ...(opts.text ? { wat: a.wat } : {}) };
}

/**
 * Run a compiled module. Runtime errors, traps and stack overflows throw `CompileError("runtime", …)`
 * after the output printed so far reached `out`; past `deadline` (ms since epoch) the run is stopped
 * and throws `CompileError("runtime", "timeout")`, on every engine. On Node the module runs in a
 * worker thread (backends/wasm/node.ts) and `out` gets its output as it is printed.
 */
export function runWasm(c: CompiledWasm, opts: { out?: (s: string) => void; engine?: Engine; deadline?: number } = {}): { stdout: string } {
  const where = c.sourceMap ? new Locator(c.binary, c.sourceMap, c.spans) : undefined;
  if (opts.engine === "deno") return runOnDeno(c.binary, { out: opts.out, deadline: opts.deadline, where });
  if (opts.engine === "chromium") return runOnChromium(c.binary, { out: opts.out, deadline: opts.deadline, where });
  // (the output already reached `out` as it was printed)
  return finishRun(runOnNode(c.binary, { out: opts.out, deadline: opts.deadline }), "node", { where });
}
