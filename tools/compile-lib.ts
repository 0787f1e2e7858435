// Plain (Effect-free) entry points shared by the tools and tests: run the pipeline, run a backend.
import { CompileError, renderError, unsupported, isStackOverflow, tooDeep } from "../ir/common.js";
import { type AnyPass, type Source, type Toggles, backendInput, languageOf, passesFor, pipelineFor, pipelineName } from "../passes/pipeline.js";
import { runInterp } from "../backends/interp/index.js";
import { type Engine, compileWasm, prepareWasm, prestartNodeRunner, runWasm } from "../backends/wasmfx/index.js";
import type { WasmModule } from "../ir/wasm.js";
import type { CoreProgram } from "../ir/core.js";

export const BACKENDS = ["interp", "wasmfx", "cps"] as const;
export type Backend = (typeof BACKENDS)[number];
export { ENGINES, type Engine } from "../backends/wasmfx/index.js";

/** How to run a program: deadline (ms since epoch; interp, and Wasm on Deno and Chromium), engine for Wasm, output sink. */
export interface RunOptions {
  deadline?: number;
  engine?: Engine;
  out?: (s: string) => void;
  /** the backend's own steps as they finish (binaryen's parse, validate, optimize, emit; the run) */
  onStage?: (stage: string, ms: number) => void;
}

/** Load what a backend needs (binaryen for wasmfx); await it once before `runSource`. */
export async function prepareBackend(backend: Backend): Promise<void> {
  if (backend !== "interp") await prepareWasm();
}

/** `--check`: the error for a pass output that is not valid in the pass's target language. */
export function checkOutput(p: { name: string; to: string }, output: unknown): CompileError | undefined {
  const errs = languageOf(p.to).validate(output as never);
  if (errs.length === 0) return undefined;
  return new CompileError("internal", `output of pass ${p.name} is not valid ${p.to}:\n  ${errs.slice(0, 10).join("\n  ")}`);
}

export interface PassResult {
  pass: string;
  from: string;
  to: string;
  output: unknown;
  ms: number;
}

export interface PipelineOptions extends Toggles {
  /** stop after this pass */
  until?: string;
  /** validate each pass's output against its language (throws an internal error naming the pass) */
  check?: boolean;
  onPass?: (r: PassResult) => void;
  /** whose pipeline: cps, or wasmfx's (interp stops after infer) */
  backend?: Backend;
  /** run these passes instead of the backend's (a study's own pipeline: `Pipeline.passes()`) */
  passes?: readonly AnyPass[];
}

/**
 * Why `--with`/`--without` would do nothing here: a name that is not a research (with) or optional
 * (without) pass of the backend's pipeline, or one after the pass the run stops at (interp stops
 * after infer). Undefined when every switch takes effect.
 */
export function toggleProblem(backend: Backend | undefined, toggles: Toggles, until?: string): string | undefined {
  const steps = pipelineFor(backend).steps;
  const last = until ?? (backend ? backendInput[backend] : undefined);
  const stop = last === undefined ? steps.length : steps.findIndex((s) => s.pass.name === last) + 1;
  for (const [flag, names, kind] of [["--with", toggles.with ?? [], "research"], ["--without", toggles.without ?? [], "optional"]] as const) {
    for (const n of names) {
      const i = steps.findIndex((s) => s.pass.name === n && s.kind === kind);
      if (i < 0) return `${flag} ${n}: the ${pipelineName(backend)} pipeline has no ${kind} pass ${n}`;
      if (i >= stop) return `${flag} ${n} has no effect: the run stops after ${last}${backend === "interp" ? " (interp runs TypedCore)" : ""}`;
    }
  }
  return undefined;
}

/**
 * The one runner of a pass list (the CLI, tests, bench and conformance use it): the backend's
 * passes with the `with`/`without` switches, in order, `onPass` after each, stopping after `until`.
 */
export function runPipeline(src: Source, opts: PipelineOptions = {}): unknown {
  let x: unknown = src;
  for (const p of opts.passes ?? passesFor(opts.backend, opts)) {
    const t0 = performance.now();
    x = p.run(x);
    const ms = performance.now() - t0;
    if (opts.check) {
      const err = checkOutput(p, x);
      if (err) throw err;
    }
    opts.onPass?.({ pass: p.name, from: p.from, to: p.to, output: x, ms });
    if (opts.until === p.name) break;
  }
  return x;
}

/**
 * Run a backend on its input (the output of pass `backendInput[backend]`: TypedCore for interp,
 * WasmIR for wasmfx and cps). The deadline applies to every backend and engine.
 */
export function runOn(backend: Backend, input: unknown, opts: RunOptions = {}): { stdout: string } {
  if (backend === "interp") {
    const t0 = performance.now();
    try { return runInterp(input as CoreProgram, opts); } finally { opts.onStage?.("interp run", performance.now() - t0); }
  }
  if ((input as WasmModule).usesSwitch && opts.engine !== "deno")
    throw unsupported(opts.engine === "chromium"
      ? "`switch` on --engine chromium: this module yields with `switch` (--yield-is-switch), which Chromium 147's V8 does not implement (the page crashes); run it with --engine deno"
      : "`switch` on --engine node: this module yields with `switch` (--yield-is-switch), which Node 26's V8 does not implement (it aborts the process); run it with --engine deno");
  if ((opts.engine ?? "node") === "node") prestartNodeRunner(); // loads while binaryen works
  const binaryenStep = (s: string) => (["parse", "validate", "optimize", "emit", "text"].includes(s) ? `binaryen ${s}` : s);
  const bin = compileWasm(input as WasmModule, { onStage: opts.onStage && ((s, ms) => opts.onStage!(binaryenStep(s), ms)) });
  const t0 = performance.now();
  try { return runWasm(bin, opts); } finally { opts.onStage?.(opts.engine === "deno" ? "run on deno (start, instantiate, run)" : opts.engine === "chromium" ? "run on chromium (start, instantiate, run)" : "instantiate + run", performance.now() - t0); }
}

export interface RunOutcome {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Compile and run a program on a backend; errors become stderr and exit code 1. */
export function runSource(src: Source, backend: Backend, opts: RunOptions & Toggles = {}): RunOutcome {
  let printed = "";
  try {
    const out = (s: string) => { printed += s; opts.out?.(s); };
    const r = runOn(backend, runPipeline(src, { until: backendInput[backend], backend, with: opts.with, without: opts.without }), { ...opts, out });
    return { stdout: r.stdout, stderr: "", exitCode: 0 };
  } catch (e) {
    if (e instanceof CompileError) return { stdout: printed, stderr: renderError(e, src.text) + "\n", exitCode: 1 };
    // the compiler's recursion past this thread's stack (a run's stack overflow is a runtime error)
    if (isStackOverflow(e)) return { stdout: printed, stderr: renderError(tooDeep(e), src.text) + "\n", exitCode: 1 };
    return { stdout: printed, stderr: `error: internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`, exitCode: 1 };
  }
}
