// Measuring child of tools/compare.ts for a compiled module, on Node (`node <V8 flags> --import tsx`)
// or on Deno (`deno run --v8-flags=…`): reads the .wasm file, runs it once to warm up and then N
// times, each run in a fresh instance (only `run()` is timed, not instantiation), and talks to
// the parent as bench/compare/protocol.ts describes. The parent reads this process's peak RSS
// after the warm-up run: the engine, this script, the module and one run — the compiler never
// loads here.
//
//   run-wasm.ts FILE.wasm RUNS
import { readFileSync } from "node:fs";
import process from "node:process";
import { runModule } from "../../backends/wasm/host.js";
import { type RunError, emit, mark, runError, selfPeakKB } from "./protocol.js";

declare const Deno: { args: string[] } | undefined;
const args = typeof Deno !== "undefined" ? Deno!.args : process.argv.slice(2);

const binary = new Uint8Array(readFileSync(args[0]!));
const runs = Number(args[1] ?? 5);
mark("base");
let stdout = "", warmupMs: number | null = null, peakKB: number | null = null, outputVaries = false;
let error: RunError | undefined, errorRun: number | undefined;
const times: number[] = [];
for (let i = 0; i <= runs && !error; i++) {
  emit({ t: "run", i });
  let out = "";
  const end = runModule(binary, (s) => (out += s));
  if (end.error) {
    error = runError(end.error);
    errorRun = i;
  } else if (i === 0) warmupMs = end.ms!;
  else times.push(end.ms!);
  if (i === 0) { stdout = out; peakKB = selfPeakKB(); mark("peak"); }
  else if (out !== stdout && !error) outputVaries = true;
}
emit({ t: "result", stdout, times, warmupMs, selfPeakKB: peakKB, outputVaries, ...(error ? { error, errorRun } : {}) });
