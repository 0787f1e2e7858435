// Running a compiled module on Node: the WasmFX flags, and the run itself in a worker thread
// (backends/wasm/node-runner.ts) that can be stopped, streams the output and has a big stack.
// `instantiate` runs a module in this thread instead, for tests and benchmarks that call its exports.
import { existsSync } from "node:fs";
import * as v8 from "node:v8";
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from "node:worker_threads";
import { CompileError } from "../../ir/common.js";
import { instantiateWith, isTrap, type Program, type RunEnd } from "./host.js";
import { CAP, CTRL_WORDS, DONE, R, type RunnerInit, SEQ, TID, UP, W } from "./node-runner.js";

let flagsSet = false;
/**
 * WasmFX (cont.new, resume, suspend, ...) must be switched on before the first compile.
 * V8 14.6 aborts the process ("Check failed: !op.Effects().can_write()", WasmLoadElimination)
 * when it optimises a function that both resumes a continuation and allocates (struct.new,
 * array.new*), so that pass is switched off too. V8 14.6 can also segfault when a Wasm code GC walks
 * the stacks while a WasmFX continuation stack with no saved frame is listed (a null read in
 * StackFrameIterator::Reset from WasmEngine::ReportLiveCodeFromStackForGC; 3 of 62 fresh
 * processes running the first handler tests, 0 of 100 with the flag): no Wasm code GC.
 * Deno gets the same flags (backends/wasm/deno.ts); the test workers get them at start (vitest.config.ts).
 */
export const V8_FLAGS = ["--experimental-wasm-wasmfx", "--no-turboshaft-wasm-load-elimination", "--no-wasm-code-gc"];

/**
 * The runner thread's stack, in MB (`resourceLimits.stackSizeMb`): a reservation, used only as
 * deep as the program goes. 1,000,000-deep non-tail recursion (`1 + f(n - 1)`) needs ~100 MB.
 */
export const RUN_STACK_MB = 1024;
// Continuation stacks keep V8's default (~984 KB), where recursion inside a handler overflows at
// ~5,000–10,000 frames (a located "stack overflow"). Raising them (`--wasm-stack-switching-stack-size`,
// bounded also by `--stack-size`) was measured and rejected: every continuation reserves its stack
// and dropped ones are freed only by a GC, so a test making 1,000,000 handled computations died in
// V8 with 512 MB and 64 MB ("StackMemory::StackSegment Allocation failed - process out of memory")
// and took 72 s instead of ~3 s with 8 MB.
/**
 * The runner thread's heap (Wasm GC objects live there), in MB. Past it V8 ends the thread (not the
 * process); the caller sees the thread gone and reports "out of memory".
 */
const HEAP_MB = 4096;
/**
 * The runner thread's young generation, in MB (three semi-spaces' worth: 64 MB semi-spaces, V8's
 * `--max-semi-space-size=64`; Node's default is 16). A program building long lists keeps most of
 * what it allocates, and a small young generation copies it over and over: bench/pipeline.links
 * (three 1,000,000-element lists) ran in 263–365 ms with the default and 147–173 ms with this,
 * in the same runner; the young generation grows to it only when a program allocates that much.
 * `npm run bench` runs with the same semi-space size, so its JavaScript baselines get it too.
 */
const YOUNG_MB = 192;
/** How often a caller waiting for a run checks that the runner thread is still there, ms. */
const ALIVE_CHECK_MS = 1000;


/**
 * For engines whose modules run on a process's main thread (Deno, Chromium's renderer): V8's
 * stack limit raised from its 984 KB default to 7.5 MB, under Linux's usual 8 MB main-thread
 * stack (measured: 20,000-deep `1 + d(n - 1)` overflowed on both with the default). Continuation
 * stacks keep theirs (see RUN_STACK_MB).
 */
export const MAIN_THREAD_STACK_FLAGS = ["--stack-size=7680"];

export function enableWasmFX(): void {
  if (!flagsSet) {
    for (const f of V8_FLAGS) v8.setFlagsFromString(f);
    flagsSet = true;
  }
}

/**
 * Instantiate in this thread (no timeout, 8 KiB output chunks, this thread's stack). A runtime
 * error the program reports (`host.fail`) and a trap both surface as `CompileError("runtime", …)`
 * from `run()`.
 */
export function instantiate(binary: Uint8Array, opts: { write: (s: string) => void }): Program {
  enableWasmFX();
  const prog = instantiateWith(binary, {
    write: opts.write,
    fail: (message) => {
      throw new CompileError("runtime", message);
    },
  });
  return {
    ...prog,
    run() {
      try {
        prog.run();
      } catch (e) {
        if (isTrap(e)) throw new CompileError("runtime", `trap: ${e.message}`);
        throw e;
      }
    },
  };
}

// ---------------------------------------------------------------- the runner thread
interface Runner {
  worker: Worker;
  port: MessagePort;
  ctrl: Int32Array;
  ring: Uint8Array;
}
let runner: Runner | undefined;
/** How long the runner thread may take to load, ms. */
const LOAD_MS = 30_000;

/** Start the runner thread; `runOnNode` waits until it has loaded. */
function startRunner(): Runner {
  enableWasmFX();
  const ctrl = new Int32Array(new SharedArrayBuffer(CTRL_WORDS * 4));
  const ring = new Uint8Array(new SharedArrayBuffer(CAP));
  const { port1, port2 } = new MessageChannel();
  const init: RunnerInit = { ctrl, ring, port: port2 };
  // execArgv: [] — Node's own type stripping loads the worker (not this process's loaders)
  const worker = new Worker(new URL("./node-runner.ts", import.meta.url), {
    workerData: { linksNodeRunner: init }, transferList: [port2], execArgv: [],
    resourceLimits: { stackSizeMb: RUN_STACK_MB, maxOldGenerationSizeMb: HEAP_MB, maxYoungGenerationSizeMb: YOUNG_MB },
  });
  worker.unref();
  worker.on("error", () => {}); // seen by a waiting caller as the thread gone (`alive`)
  port1.unref();
  return { worker, port: port1, ctrl, ring };
}

/**
 * Start the runner thread now, without waiting for it (it takes 0.2–1 s to load: Node strips the
 * types of two files): a tool calls this before compiling, so that the two overlap.
 */
export function prestartNodeRunner(): void {
  runner ??= startRunner();
}

function readyRunner(): Runner {
  const r = (runner ??= startRunner());
  if (Atomics.load(r.ctrl, UP) === 0 && Atomics.wait(r.ctrl, UP, 0, LOAD_MS) === "timed-out") {
    stopRunner();
    throw new CompileError("internal", `node: the runner thread (backends/wasm/node-runner.ts) did not load within ${LOAD_MS / 1000} s (it needs Node's type stripping, Node >= 23.6)`);
  }
  return r;
}

/** Whether the runner thread still exists (Linux: its /proc entry; elsewhere, assumed). */
function alive(r: Runner): boolean {
  const tid = Atomics.load(r.ctrl, TID);
  return tid === 0 || existsSync(`/proc/self/task/${tid}`);
}

/** Stop the runner thread (a later run starts another). */
function stopRunner(): void {
  if (runner) void runner.worker.terminate();
  runner = undefined;
}

/**
 * Run a module in the runner thread. `out` gets the output as it is printed. Past `deadline` (ms
 * since epoch) the thread is stopped and the result says `timeout`. The output printed before a
 * failure or a timeout has reached `out` when this returns.
 */
export function runOnNode(binary: Uint8Array, opts: { out?: (s: string) => void; deadline?: number } = {}): RunEnd & { stdout: string; timeout?: boolean } {
  const r = readyRunner();
  const { ctrl, ring } = r;
  const decoder = new TextDecoder();
  let stdout = "";
  const take = (): void => {
    const w = Atomics.load(ctrl, W), from = Atomics.load(ctrl, R);
    const n = (w - from) | 0;
    if (n === 0) return;
    const at = from & (CAP - 1), first = Math.min(n, CAP - at);
    const bytes = new Uint8Array(n);
    bytes.set(ring.subarray(at, at + first));
    if (first < n) bytes.set(ring.subarray(0, n - first), first);
    Atomics.store(ctrl, R, w);
    Atomics.notify(ctrl, R);
    const text = decoder.decode(bytes, { stream: true });
    stdout += text;
    if (text !== "") opts.out?.(text);
  };
  Atomics.store(ctrl, DONE, 0);
  r.worker.postMessage(binary);
  for (;;) {
    const seq = Atomics.load(ctrl, SEQ);
    take();
    if (Atomics.load(ctrl, DONE) === 1) break;
    const left = opts.deadline === undefined ? Infinity : opts.deadline - Date.now();
    if (left <= 0) {
      stopRunner();
      take();
      return { stdout, timeout: true };
    }
    if (Atomics.wait(ctrl, SEQ, seq, Math.min(left, ALIVE_CHECK_MS)) === "timed-out" && !alive(r)) {
      // V8 ended the thread: its heap is full (a crash would have taken this process too)
      stopRunner();
      take();
      return { stdout, error: { kind: "runtime", message: `out of memory (the program's heap passed ${HEAP_MB / 1024} GiB)` } };
    }
  }
  take();
  const end = receiveMessageOnPort(r.port)?.message as RunEnd | undefined;
  if (!end) {
    stopRunner();
    throw new CompileError("internal", "node: the runner thread ended a run without its result");
  }
  return { ...end, stdout };
}
