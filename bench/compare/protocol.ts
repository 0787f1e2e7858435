// How a measuring child process (bench/compare/run-wasm.ts on Node or Deno, bench/compare/run-chromium.ts
// and bench/compare/run-interp.ts on Node) talks to tools/compare-child.ts: one JSON object per line on its stdout, and, at the
// two `mark`s, a wait for one byte on stdin. The program's own output never reaches stdout: it is
// collected through the host's `write` (or interp's `out`) and sent back in `result`.
//
//   mark base   loaded, before the warm-up run: the parent reads the child's VmHWM (peak RSS) from
//               /proc/PID/status (the mark's `pid` instead if it has one: Chromium's renderer),
//               then answers with a byte
//   run         run `i` starts (0 is the warm-up; 1..N are timed): the parent restarts its
//               timeout clock here
//   mark peak   after the warm-up run: the parent reads VmHWM again (the peak of load + one run)
//   result      the end: the warm-up's output, the N timed runs' times (ms), the child's own
//               maxRSS after the warm-up (a fallback where there is no /proc: it also counts the
//               parent's pages the child had between fork and exec), and the first error (then
//               `times` holds the runs before it)
import { readSync, writeSync } from "node:fs";
import process from "node:process";
import type { RunFailure } from "../../backends/wasm/host.js";

export interface RunError {
  kind: "runtime" | "trap" | "internal";
  message: string;
}

/** How an engine's run failed (backends/wasm/host.ts), as the report says it: a stack overflow is a runtime error. */
export const runError = (f: RunFailure): RunError =>
  ({ kind: f.kind === "stack-overflow" ? "runtime" : f.kind, message: f.kind === "internal" && f.name ? `${f.name}: ${f.message}` : f.message });

export type ChildEvent =
  | { t: "mark"; what: "base" | "peak"; /** the process to measure, if not the child itself (Chromium's renderer) */ pid?: number }
  | { t: "run"; i: number }
  | {
      t: "result";
      /** what the warm-up run printed (up to an error) */
      stdout: string;
      /** the timed runs (1..N), ms, the run only: each in a fresh instance / machine */
      times: number[];
      /** the warm-up run's time, ms */
      warmupMs: number | null;
      /** process.resourceUsage().maxRSS after the warm-up run, KB */
      selfPeakKB: number | null;
      /** a timed run printed something other than the warm-up run */
      outputVaries: boolean;
      error?: RunError;
      /** the run the error happened in (0: the warm-up) */
      errorRun?: number;
    };

/** Send an event to the parent. */
export function emit(e: ChildEvent): void {
  let b = new TextEncoder().encode(JSON.stringify(e) + "\n");
  while (b.length > 0) b = b.subarray(writeSync(1, b));
}

/** Let the parent read this process's memory (or process `pid`'s) now: emit the mark and wait for its byte. */
export function mark(what: "base" | "peak", pid?: number): void {
  emit({ t: "mark", what, ...(pid !== undefined ? { pid } : {}) });
  const b = new Uint8Array(1);
  for (;;) {
    try {
      readSync(0, b);
      return;
    } catch (e) {
      if ((e as { code?: string }).code !== "EAGAIN") return;
    }
  }
}

/** This process's peak RSS as getrusage sees it, KB (Deno's node:process has it too). */
export const selfPeakKB = (): number | null => process.resourceUsage?.().maxRSS ?? null;
