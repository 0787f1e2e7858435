// The tools' big stack. The compiler's passes, printers and validators recurse on the nesting of
// a program, and so does binaryen's own (Wasm) code on the nesting of a function: a 10,000-term
// `1 + 1 + … + 1` or a 10,000-element list literal overflowed Node's default stack (~1 MB) in
// desugar, on every backend. Rather than make every pass iterative, tools/run.ts, compile.ts and
// run-pass.ts run their command (tools/*-command.ts) on a worker thread with a STACK_MB stack;
// this thread only starts it and passes on its exit status. The worker writes its stdout and
// stderr to this process's file descriptors itself, as it prints (see `writeNow`).
// What is still too deep for that stack is a clean error (`tooDeep` in ir/common.ts: `error: unsupported:
// the program nests too deeply for the compiler (…)`), never an internal one.
//
// Measured: on this stack a 1,000,000-term `1 + … + 1` compiles and runs on interp (77 s);
// 100,000-deep sums, list literals, `if`s, `switch`es and `r.a.a…a` run on interp in 5–11 s, and
// on the Wasm backends stop with binaryen's or V8's limits as clean errors (backends/wasm/binaryen.ts);
// 10,000-deep ones run on every backend (test/deep-programs.test.ts). The stack is reserved, not
// committed: a compile that stays shallow costs nothing more, and starting the worker costs no
// measurable time (`run` of a small program: 3.8–4.4 s either way on a loaded machine).
//
// The same for library callers (tests): `runSourcesOnBigStack` runs compile-lib's `runSource` on
// such a thread.
//
// This file imports nothing but node:worker_threads and node:fs (and types; the compiler only on the worker), so that the main thread does not load the compiler (and Effect) only to start a
// worker that loads them again.
import { writeSync } from "node:fs";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import type { Source } from "../passes/pipeline.js";
import type { Backend, RunOutcome } from "./compile-lib.js";

/** The tool thread's stack, MB. */
export const STACK_MB = 1024;

/**
 * Run the command module `entry` (one that ends with driver.ts's `runCli`) on a worker thread
 * with a STACK_MB stack, with this process's arguments; exit with its status.
 */
export function runOnBigStack(entry: URL): void {
  const worker = new Worker(entry, { argv: process.argv.slice(2), workerData: { bigStackTool: true }, resourceLimits: { stackSizeMb: STACK_MB } });
  worker.on("error", (e) => {
    // the command catches its own errors: this is a worker that could not load or ran out of memory
    process.stderr.write(`error: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
  worker.on("exit", (code) => {
    if (!process.exitCode) process.exitCode = code;
    for (const s of SIGNALS) process.off(s, onSignal);
  });
  // Signals reach this thread only. The first is passed on to the command (Effect's runMain
  // interrupts it, and its exit hooks run: a Chromium browser is closed), which sees it once its
  // synchronous work yields; a second ends the process at once.
  let signalled = false;
  const onSignal = (s: NodeJS.Signals) => {
    if (signalled) process.exit(s === "SIGINT" ? 130 : 143);
    signalled = true;
    worker.postMessage({ bigStackSignal: s });
  };
  for (const s of SIGNALS) process.on(s, onSignal);
}

const SIGNALS = ["SIGINT", "SIGTERM"] as const;

const nap = new Int32Array(new SharedArrayBuffer(4));
/** Write `chunk` to file descriptor `fd` now, whole: a full pipe is waited for, a closed one (`| head`) ends the writing. */
function writeNow(fd: number, chunk: string | Uint8Array): void {
  let b = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
  while (b.length > 0) {
    try {
      b = b.subarray(writeSync(fd, b));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EAGAIN") Atomics.wait(nap, 0, 0, 1);
      else if (code === "EPIPE") return;
      else throw e;
    }
  }
}

// On the tool thread: its stdout and stderr write to the process's file descriptors at once. A
// worker's own streams hand each write to the main thread and hold the next until the worker's
// event loop turns, which a run that blocks (a Wasm run waiting on its runner, a Deno run) never
// lets happen: a program that printed two lines and then looped showed one. Writing at once keeps
// the order of everything the tool prints (program output, dumps, errors) too.
// A signal passed on from the main thread is emitted here, as if delivered. The command calls
// this (driver.ts's runCli); on any other thread it does nothing.
export function onToolThread(): void {
  if (isMainThread || !parentPort || !(workerData as { bigStackTool?: boolean } | undefined)?.bigStackTool) return;
  for (const [stream, fd] of [[process.stdout, 1], [process.stderr, 2]] as const) {
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      writeNow(fd, chunk);
      const cb = rest.find((r) => typeof r === "function") as (() => void) | undefined;
      cb?.();
      return true;
    }) as typeof stream.write;
  }
  parentPort.on("message", (m: { bigStackSignal?: NodeJS.Signals }) => {
    if (m.bigStackSignal) process.emit(m.bigStackSignal, m.bigStackSignal);
  });
  parentPort.unref(); // listening does not keep the thread alive
}

// ---------------------------------------------------------------- library callers
export interface BigStackJob {
  src: Source;
  backend: Backend;
}

/**
 * Compile and run each program with compile-lib's `runSource` (its output and exit status, as
 * the CLI's), one after the other on one worker thread with a STACK_MB stack: for callers that
 * are not tools (tests) and compile deeply nested programs. The worker loads the compiler through
 * tsx (this process's loader if it has one, else `--import tsx`).
 */
export async function runSourcesOnBigStack(jobs: readonly BigStackJob[]): Promise<RunOutcome[]> {
  const hasTsx = process.execArgv.some((a) => /tsx/.test(a));
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { bigStackJobs: jobs },
    resourceLimits: { stackSizeMb: STACK_MB },
    // (a Worker refuses V8 flags such as vitest's WasmFX ones in execArgv; they are process-wide anyway)
    ...(hasTsx ? {} : { execArgv: ["--import", "tsx"] }),
  });
  try {
    return await new Promise<RunOutcome[]>((resolve, reject) => {
      worker.on("message", resolve);
      worker.on("error", reject);
      worker.on("exit", (code) => reject(new Error(`the big-stack worker exited (${code}) before it answered`)));
    });
  } finally {
    await worker.terminate();
  }
}

const jobs = isMainThread ? undefined : (workerData as { bigStackJobs?: BigStackJob[] } | undefined)?.bigStackJobs;
if (jobs) {
  const { prepareBackend, runSource } = await import("./compile-lib.js");
  const outcomes: RunOutcome[] = [];
  for (const j of jobs) {
    await prepareBackend(j.backend);
    outcomes.push(runSource(j.src, j.backend));
  }
  parentPort!.postMessage(outcomes);
}
