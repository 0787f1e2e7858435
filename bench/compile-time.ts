// Compile-time measurement for tools/bench.ts: source text to a validated, optimised (-O2) binary
// on a Wasm backend — the front end and code generator (runPipeline), then compileWasm
// (tree-shaking, printing, binaryen) — with the time of each stage.
//
// Large generated programs run in a worker thread with a 64 MB stack (`inWorker`): the front end
// recurses on the nesting of a program, and a long program's chain of top-level definitions
// nests as deep as it is long (with Node's default stack, the generated 5,000-line program
// overflows in extract-handlers). The worker loads its own binaryen and is warmed up like the
// main thread.
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { runPipeline } from "../tools/compile-lib.js";
import type { WasmModule } from "../ir/wasm.js";
import { compileWasm, prepareWasm } from "../backends/wasmfx/index.js";

export type WasmBackend = "wasmfx" | "cps";

export interface CompileTime {
  /** median total, ms */
  ms: number;
  /** median time of the passes (front end and code generator), ms */
  frontMs: number;
  /** median time of each stage of compileWasm: shake, print, parse, validate, optimize, emit */
  stages: Record<string, number>;
  /** size of the binary */
  size: number;
}

export interface CompileJob {
  file: string;
  text: string;
  backend: WasmBackend;
  warm: number;
  reps: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Compile `job.text` `warm + reps` times (binaryen must be loaded); the medians of the last `reps`. */
export function compileTime(job: CompileJob): CompileTime {
  const runs: CompileTime[] = [];
  for (let r = 0; r < job.warm + job.reps; r++) {
    const stages: Record<string, number> = {};
    const t0 = performance.now();
    const m = runPipeline({ file: job.file, text: job.text }, { backend: job.backend }) as WasmModule;
    const t1 = performance.now();
    const { size } = compileWasm(m, { optimize: 2, onStage: (stage, ms) => { stages[stage] = ms; } });
    const t2 = performance.now();
    if (r >= job.warm) runs.push({ ms: t2 - t0, frontMs: t1 - t0, stages, size });
  }
  const stages: Record<string, number> = {};
  for (const k of Object.keys(runs[0]!.stages)) stages[k] = median(runs.map((x) => x.stages[k] ?? 0));
  return { ms: median(runs.map((x) => x.ms)), frontMs: median(runs.map((x) => x.frontMs)), stages, size: runs[0]!.size };
}

type Reply = { ok: CompileTime } | { error: string };
const errorText = (e: unknown) => (e instanceof Error ? e.message.split("\n")[0]! : String(e));

/**
 * Run the jobs in order in one worker thread with a 64 MB stack, calling `onStart` before each;
 * each result is its CompileTime or the first line of its error.
 */
export async function inWorker<J extends CompileJob>(jobs: J[], onStart: (job: J) => void = () => {}): Promise<(CompileTime | { error: string })[]> {
  const worker = new Worker(new URL(import.meta.url), { workerData: { compileTimeWorker: true }, resourceLimits: { stackSizeMb: 64 } });
  const replies: Reply[] = [];
  let wake: (() => void) | undefined;
  let failed: Error | undefined;
  worker.on("message", (r: Reply) => { replies.push(r); wake?.(); });
  worker.on("error", (e: Error) => { failed = e; wake?.(); });
  const next = async (): Promise<Reply> => {
    while (replies.length === 0 && !failed) await new Promise<void>((r) => (wake = r));
    if (replies.length === 0) return { error: `the worker failed: ${errorText(failed)}` };
    return replies.shift()!;
  };
  try {
    const out: (CompileTime | { error: string })[] = [];
    for (const job of jobs) {
      onStart(job);
      const { file, text, backend, warm, reps } = job;
      worker.postMessage({ file, text, backend, warm, reps } satisfies CompileJob);
      const r = await next();
      out.push("ok" in r ? r.ok : r);
    }
    return out;
  } finally {
    await worker.terminate();
  }
}

if (!isMainThread && (workerData as { compileTimeWorker?: boolean } | undefined)?.compileTimeWorker) {
  await prepareWasm();
  parentPort!.on("message", (job: CompileJob) => {
    let reply: Reply;
    try {
      reply = { ok: compileTime(job) };
    } catch (e) {
      reply = { error: errorText(e) };
    }
    parentPort!.postMessage(reply);
  });
}
