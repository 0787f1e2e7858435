// The data of tools/compare.ts: configurations (backend × engine × -O level × pass switches),
// what is measured for each program × configuration, and the whole report (what --json writes).
import type { Backend, Engine } from "./compile-lib.js";

export type OptLevel = 0 | 1 | 2 | 3;

/** One way of compiling and running a program. */
export interface Config {
  /** short and stable: `interp`, `wasmfx/node/O2`, `cps/deno/O0+fold-constants`, or the --config name */
  name: string;
  backend: Backend;
  /** Wasm backends only */
  engine?: Engine;
  /** binaryen's -O level; Wasm backends only */
  opt?: OptLevel;
  /** research passes switched on / optional passes switched off (those that take effect) */
  with: string[];
  without: string[];
}

/** The .wasm file section by section; the code section split between runtime and program functions. */
export interface SizeBreakdown {
  /** the whole file */
  total: number;
  /** each section in file order: id, name (custom sections: their own), payload size, and size with its header */
  sections: { id: number; name: string; size: number; bytes: number }[];
  /**
   * The code section's payload: `runtime` is the bodies (with their size prefixes) of functions
   * defined in the hand-written runtime (runtime-wat/*.wat), `program` the rest: the generated
   * functions (program and prelude), any function binaryen made, and the function count.
   * runtime + program = total. Undefined when the function names could not be matched.
   */
  code?: {
    total: number;
    runtime: number;
    program: number;
    functions: { name: string; kind: "runtime" | "program"; bytes: number }[];
  };
  /** why `code` is missing */
  codeNote?: string;
}

/** Medians over `reps` timed compiles after an untimed one. */
export interface CompileMeasure {
  /** front end + code generator + (Wasm) shake, print and binaryen, ms */
  ms: number;
  reps: number;
  /** the passes' total, ms */
  frontMs: number;
  passes: { pass: string; ms: number }[];
  /** compileWasm's stages: shake, print, parse, validate, optimize, emit (ms) */
  stages: Record<string, number>;
}

export interface RunMeasure {
  /** timed runs (after one warm-up run), ms */
  times: number[];
  warmupMs: number | null;
  median: number;
  min: number;
  max: number;
  q1: number;
  q3: number;
}

export type Status = "ok" | "unsupported" | "error" | "timeout";

export interface Measurement {
  program: string;
  config: string;
  status: Status;
  /** for a status other than ok: what happened (first line), and the whole message */
  reason?: string;
  message?: string;
  /** where a status other than ok arose */
  phase?: "compile" | "run";
  compile?: CompileMeasure;
  size?: SizeBreakdown;
  run?: RunMeasure;
  /**
   * The measuring process's peak resident set (KB) after the warm-up run, and before it: its
   * VmHWM read by the parent (Linux), or else its own getrusage maxRSS (then no baseKB)
   */
  memory?: { peakKB: number; baseKB: number | null; source: "VmHWM" | "maxRSS" };
  /** what the warm-up run printed */
  stdout?: string;
  /** a timed run printed something else than the warm-up run */
  outputVaries?: boolean;
  /** the same output as the baseline configuration (null: one of the two did not run to the end) */
  sameOutput: boolean | null;
  /** this configuration's measure over the baseline's (null when either is missing) */
  ratio: { time: number | null; size: number | null; peak: number | null };
}

export interface ProgramReport {
  file: string;
  results: Measurement[];
  /** no configuration ran the program to the end */
  failedEverywhere: boolean;
}

export interface CompareReport {
  date: string;
  node: string;
  runs: number;
  compileRuns: number;
  timeoutSeconds: number | null;
  baseline: string;
  configs: Config[];
  /** --with/--without switches that did not apply to some configurations (and were left out there) */
  notes: string[];
  programs: ProgramReport[];
}
