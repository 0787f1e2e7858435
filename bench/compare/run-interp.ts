// Measuring child of tools/compare.ts for the interpreter (on Node, via tsx): the front end up to
// `infer` once, then one warm-up run and N timed runs of the abstract machine on the same typed
// Core, each with a fresh machine; talks to the parent as bench/compare/protocol.ts describes. A
// timeout (seconds, 0 = none) is a deadline for each run, which the machine honours. The peak RSS
// the parent reads after the warm-up run includes the front end.
//
//   run-interp.ts FILE.links RUNS TIMEOUT_SECONDS
import { readFileSync } from "node:fs";
import { CompileError } from "../../ir/common.js";
import type { CoreProgram } from "../../ir/core.js";
import { runInterp } from "../../backends/interp/index.js";
import { runPipeline } from "../../tools/compile-lib.js";
import { isStackOverflow, tooDeep } from "../../ir/common.js";
import { type RunError, emit, mark, selfPeakKB } from "./protocol.js";

const [file, runsArg, timeoutArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 5), timeoutS = Number(timeoutArg ?? 0);
let stdout = "", warmupMs: number | null = null, peakKB: number | null = null, outputVaries = false;
let error: RunError | undefined, errorRun: number | undefined;
const times: number[] = [];
const describe = (e: unknown): RunError =>
  isStackOverflow(e) ? { kind: "internal", message: tooDeep(e).message }
    : e instanceof CompileError ? { kind: e.kind === "runtime" ? "runtime" : "internal", message: e.message }
    : { kind: "internal", message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };

let core: CoreProgram | undefined;
try {
  core = runPipeline({ file: file!, text: readFileSync(file!, "utf8") }, { until: "infer" }) as CoreProgram;
} catch (e) {
  error = describe(e);
  errorRun = 0;
}
mark("base");
for (let i = 0; i <= runs && core && !error; i++) {
  emit({ t: "run", i });
  let out = "";
  try {
    const t0 = performance.now();
    runInterp(core, { out: (s) => (out += s), deadline: timeoutS > 0 ? Date.now() + timeoutS * 1000 : undefined });
    const ms = performance.now() - t0;
    if (i === 0) warmupMs = ms;
    else times.push(ms);
  } catch (e) {
    error = describe(e);
    errorRun = i;
  }
  if (i === 0) { stdout = out; peakKB = selfPeakKB(); mark("peak"); }
  else if (out !== stdout && !error) outputVaries = true;
}
emit({ t: "result", stdout, times, warmupMs, selfPeakKB: peakKB, outputVaries, ...(error ? { error, errorRun } : {}) });
