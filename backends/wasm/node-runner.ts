// The worker thread that runs compiled modules for `--engine node` (backends/wasm/node.ts starts it).
// A module runs here rather than on the caller's thread for three reasons: the caller can stop
// it (Worker.terminate interrupts a Wasm loop, so `--timeout` holds); its output reaches the
// caller as it is printed, through a ring buffer in shared memory, so a run that is stopped or
// crashes loses none of it; and the thread has a big stack (`resourceLimits.stackSizeMb`), so deep
// non-tail recursion runs as deep as on cps. Node loads this file by its own type stripping, not
// through tsx: only type imports are relative, and host.ts is imported by its .ts URL at run time.
//
// The shared control words (Int32Array `ctrl`, indices below) and the byte ring (`ring`, CAP bytes):
//   W    bytes written to the ring so far (mod 2^32): the worker advances it
//   R    bytes the caller has taken (mod 2^32): the caller advances it; the worker waits on it when full
//   SEQ  bumped after every write and when a run ends: the caller waits on it
//   DONE 1 when the run's RunEnd has been posted on `port`
//   UP   1 once this file has loaded
//   TID  this thread's Linux thread id (0 elsewhere): the caller checks that it still exists
import { readlinkSync } from "node:fs";
import { isMainThread, type MessagePort, parentPort, workerData } from "node:worker_threads";

export const W = 0, R = 1, SEQ = 2, DONE = 3, UP = 4, TID = 5, CTRL_WORDS = 6;
/** The ring's size in bytes: a power of two. */
export const CAP = 1 << 20;

export interface RunnerInit {
  ctrl: Int32Array;
  ring: Uint8Array;
  /** where each run's RunEnd (host.ts) is posted */
  port: MessagePort;
}

const init = isMainThread ? undefined : (workerData as { linksNodeRunner?: RunnerInit } | undefined)?.linksNodeRunner;
if (init) {
  const { runModule } = (await import(new URL("./host.ts", import.meta.url).href)) as typeof import("./host.js");
  const { ctrl, ring, port } = init;
  const encoder = new TextEncoder();
  const put = (text: string): void => {
    let bytes = encoder.encode(text);
    while (bytes.length > 0) {
      const w = Atomics.load(ctrl, W), r = Atomics.load(ctrl, R);
      const free = CAP - ((w - r) | 0);
      if (free === 0) {
        Atomics.wait(ctrl, R, r); // the caller takes some, then wakes us
        continue;
      }
      const n = Math.min(free, bytes.length);
      const at = w & (CAP - 1);
      const first = Math.min(n, CAP - at);
      ring.set(bytes.subarray(0, first), at);
      if (first < n) ring.set(bytes.subarray(first, n), 0);
      Atomics.store(ctrl, W, (w + n) | 0);
      Atomics.add(ctrl, SEQ, 1);
      Atomics.notify(ctrl, SEQ);
      bytes = bytes.subarray(n);
    }
  };
  parentPort!.on("message", (binary: Uint8Array) => {
    const end = runModule(binary, put, { unbuffered: true });
    port.postMessage(end);
    Atomics.store(ctrl, DONE, 1);
    Atomics.add(ctrl, SEQ, 1);
    Atomics.notify(ctrl, SEQ);
  });
  try {
    Atomics.store(ctrl, TID, Number(/task\/(\d+)$/.exec(readlinkSync("/proc/thread-self"))?.[1] ?? 0));
  } catch {
    // not Linux: no liveness check
  }
  Atomics.store(ctrl, UP, 1);
  Atomics.notify(ctrl, UP);
}
