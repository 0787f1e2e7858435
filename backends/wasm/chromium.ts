// Running compiled modules in a headless Chromium (`--engine chromium`): a browser's V8 (14.7, in
// HeadlessChrome 147) rather than Node's (14.6) or Deno's. The browser is driven asynchronously by
// puppeteer (backends/wasm/chromium-browser.ts) in a worker thread, and this file makes that
// synchronous, as runWasm is: the main thread posts a request and blocks in Atomics.wait until the
// worker has posted the reply, then takes it with receiveMessageOnPort. One browser per process,
// started by the first run (≈0.3 s; the first start on a machine also unpacks it, ≈4 s), several
// modules per browser, each in a fresh instance; it is killed when this process exits.
import { rmSync } from "node:fs";
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from "node:worker_threads";
import { CompileError } from "../../ir/common.js";
import type { ChromiumRun, WorkerInit, WorkerReply, WorkerRequest } from "./chromium-browser.js";
import { MAIN_THREAD_STACK_FLAGS, V8_FLAGS } from "./node.js";
import { type Locator, finishRun } from "./failure.js";

export type { ChromiumRun } from "./chromium-browser.js";

const WORKER = new URL("./chromium-browser.ts", import.meta.url);
/** How long past a run's deadline (or, with none, for a start) to wait for the worker before giving up on it, ms. */
const GRACE_MS = 120_000;
/** How long the worker thread may take to load, ms. */
const LOAD_MS = 30_000;

interface State {
  worker: Worker;
  port: MessagePort;
  flag: Int32Array;
  /** the browser's process id and profile directory, once started */
  pid?: number;
  profileDir?: string;
}
let state: State | undefined;

function killBrowser(): void {
  const s = state;
  state = undefined;
  if (!s) return;
  if (s.pid !== undefined) {
    try {
      // the browser leads its process group (puppeteer starts it detached): renderers and all
      process.kill(-s.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  void s.worker.terminate();
  if (s.profileDir) rmSync(s.profileDir, { recursive: true, force: true });
}

let exitHook = false;
let loadFailure: CompileError | undefined;
function start(): State {
  if (loadFailure) throw loadFailure;
  // [0]: 1 when a reply is posted; [1]: 1 once the worker has loaded
  const flag = new Int32Array(new SharedArrayBuffer(8));
  const { port1, port2 } = new MessageChannel();
  const init: WorkerInit = { flag, port: port2, v8Flags: [...V8_FLAGS, ...MAIN_THREAD_STACK_FLAGS] };
  // execArgv: [] — Node's own type stripping loads the worker (not this process's V8 flags or loaders)
  const worker = new Worker(WORKER, { workerData: { linksChromium: init }, transferList: [port2], execArgv: [] });
  worker.unref();
  worker.on("error", () => {}); // reported to the waiting caller instead (no answer)
  port1.unref();
  if (!exitHook) {
    exitHook = true;
    process.on("exit", killBrowser);
  }
  if (Atomics.wait(flag, 1, 0, LOAD_MS) === "timed-out") {
    void worker.terminate();
    throw (loadFailure = new CompileError("internal", `chromium: the worker thread (backends/wasm/chromium-browser.ts) did not load within ${LOAD_MS / 1000} s (it needs Node's type stripping, Node >= 23.6)`));
  }
  return { worker, port: port1, flag };
}

/** Ask the worker and wait for its answer; undefined if none came within `waitMs`. */
function ask(req: WorkerRequest, waitMs: number): WorkerReply | undefined {
  const s = (state ??= start());
  Atomics.store(s.flag, 0, 0);
  s.worker.postMessage(req);
  if (Atomics.wait(s.flag, 0, 0, waitMs) === "timed-out") return undefined;
  const reply = receiveMessageOnPort(s.port)?.message as WorkerReply | undefined;
  if (reply?.pid !== undefined) [s.pid, s.profileDir] = [reply.pid, reply.profileDir];
  return reply;
}

function check(reply: WorkerReply | undefined): WorkerReply {
  if (!reply) {
    killBrowser();
    throw new CompileError("internal", "chromium: the browser did not answer");
  }
  if (reply.unsupported) throw new CompileError("unsupported", `unsupported: ${reply.unsupported}`);
  if (reply.fatal) {
    killBrowser(); // the next run starts afresh
    throw new CompileError("internal", reply.fatal);
  }
  return reply;
}

/**
 * Run modules one after the other in the browser. `deadline` (ms since epoch) bounds the whole
 * batch (the browser's start aside); past it the page is closed and the result ends with a run that
 * has `timeout`. Returns each module's output and, if it failed, its error.
 */
export function runManyOnChromium(binaries: Uint8Array[], opts: { deadline?: number } = {}): ChromiumRun[] {
  const started = state?.pid !== undefined;
  const waitMs = (opts.deadline === undefined ? Infinity : Math.max(0, opts.deadline - Date.now())) + (started ? GRACE_MS / 10 : GRACE_MS);
  const reply = ask({ kind: "run", binaries, ...(opts.deadline !== undefined ? { deadline: opts.deadline } : {}) }, waitMs);
  return check(reply).runs;
}

/**
 * Run one module in the browser. `out` receives the program's output (all at once, when the run
 * ends), also before a runtime error or a timeout; a runtime error, trap or stack overflow throws
 * `CompileError("runtime", …)`, the deadline `CompileError("runtime", "timeout")`.
 */
export function runOnChromium(binary: Uint8Array, opts: { deadline?: number; out?: (s: string) => void; where?: Locator } = {}): { stdout: string } {
  return finishRun(runManyOnChromium([binary], opts)[0]!, "chromium", opts);
}

/** Start the browser now; returns why Chromium cannot be used here, or undefined if it runs. */
export function chromiumProblem(): string | undefined {
  try {
    check(ask({ kind: "ready" }, GRACE_MS));
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** Close the browser (a later run starts another). */
export function closeChromium(): void {
  if (!state) return;
  // closed and its profile removed by the worker: nothing left to kill
  if (ask({ kind: "close" }, 10_000) && state) state.pid = state.profileDir = undefined;
  killBrowser();
}
