// The measuring child processes of tools/compare.ts: one per program × configuration, started
// fresh so that its peak RSS is that measurement's alone. A compiled module runs in
// bench/compare/run-wasm.ts, on Node (`node <V8_FLAGS> --import tsx`, the project's WasmFX
// flags) or on Deno (`deno run --v8-flags=<V8_FLAGS>`), or in a headless Chromium page driven by
// bench/compare/run-chromium.ts (its peak memory: the page's renderer process); the interpreter in
// bench/compare/run-interp.ts on Node. The child reports JSON lines (bench/compare/protocol.ts);
// a run that takes longer than the timeout is ended here by killing the child, whatever the
// engine (the measured run is in the child's main thread, so that its memory is the child's).
//
// Peak memory is the child's VmHWM (the high-water mark of its resident set, Linux's
// /proc/PID/status), read here while the child waits, before and after its warm-up run. Not the
// child's own getrusage maxRSS: Linux carries the resident set the forked copy of this (large)
// process had before exec into the child's maxRSS, so every child would report at least this
// process's size. Without /proc (not Linux) the child's maxRSS is the fallback.
import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { V8_FLAGS } from "../backends/wasm/node.js";
import { denoExecutable } from "../backends/wasm/deno.js";
import { measuringProfileDir } from "../backends/wasm/chromium-browser.js";
import type { ChildEvent, RunError } from "../bench/compare/protocol.js";
import type { Engine } from "./compile-lib.js";

const RUN_WASM = fileURLToPath(new URL("../bench/compare/run-wasm.ts", import.meta.url));
const RUN_INTERP = fileURLToPath(new URL("../bench/compare/run-interp.ts", import.meta.url));
const RUN_CHROMIUM = fileURLToPath(new URL("../bench/compare/run-chromium.ts", import.meta.url));
/** Loading a child (tsx, the front end for interp) before its first run, at most (ms). */
const STARTUP_MS = 120_000;

let tsxLoader: string | undefined;
/** tsx's loader as a file URL for `node --import` (resolved here: the cwd may be anywhere). */
function tsxImport(): string {
  return (tsxLoader ??= pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href);
}

let deno: string | undefined | null = null;
/** The Deno executable, or undefined if there is none. */
export function denoPath(): string | undefined {
  if (deno === null) deno = denoExecutable();
  return deno;
}

export type ChildJob =
  | { kind: "wasm"; engine: Engine; wasmFile: string }
  | { kind: "interp"; sourceFile: string };

export type ChildResult =
  | (Extract<ChildEvent, { t: "result" }> & { memory?: { peakKB: number; baseKB: number | null; source: "VmHWM" | "maxRSS" } })
  | { t: "failed"; timeout: boolean; message: string; errorRun?: number; error?: RunError };

/** The peak resident set of process `pid` so far (KB), or null without /proc. */
function vmHWM(pid: number | undefined): number | null {
  try {
    const m = /^VmHWM:\s*(\d+)\s*kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/**
 * Run one measurement: a warm-up run and `runs` timed runs. `timeoutS` (0: none) bounds each run;
 * `onRun(i)` is called as run i starts (0: the warm-up).
 */
export function runChild(job: ChildJob, runs: number, timeoutS: number, onRun: (i: number) => void = () => {}): Promise<ChildResult> {
  let cmd: string, args: string[];
  if (job.kind === "interp") {
    cmd = process.execPath;
    args = ["--import", tsxImport(), RUN_INTERP, job.sourceFile, String(runs), String(timeoutS)];
  } else if (job.engine === "deno") {
    const exe = denoPath();
    if (!exe) return Promise.resolve({ t: "failed", timeout: false, message: "unsupported: --engine deno needs Deno (npm install installs the `deno` devDependency)" });
    cmd = exe;
    args = ["run", "--quiet", "--no-config", "--no-lock", "--sloppy-imports", "--allow-read", `--v8-flags=${V8_FLAGS.join(",")}`, RUN_WASM, job.wasmFile, String(runs)];
  } else if (job.engine === "chromium") {
    cmd = process.execPath;
    args = ["--import", tsxImport(), RUN_CHROMIUM, job.wasmFile, String(runs)];
  } else {
    cmd = process.execPath;
    args = [...V8_FLAGS, "--import", tsxImport(), RUN_WASM, job.wasmFile, String(runs)];
  }
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
    let pending = "", stderr = "", result: ChildResult | undefined, current = -1, timedOut = false;
    const hwm: { base: number | null; peak: number | null } = { base: null, peak: null };
    child.stdin.on("error", () => {}); // the child may be gone before it reads
    let timer: NodeJS.Timeout | undefined;
    const arm = (ms: number) => {
      clearTimeout(timer);
      timer = setTimeout(() => { timedOut = true; child.kill("SIGKILL"); }, ms);
    };
    arm(STARTUP_MS + timeoutS * 1000);
    const onLine = (line: string) => {
      if (line.trim() === "") return;
      let e: ChildEvent;
      try { e = JSON.parse(line) as ChildEvent; } catch { stderr += line + "\n"; return; }
      if (e.t === "run") {
        current = e.i;
        onRun(e.i);
        // interp stops itself at its deadline: a little longer here, so that it can say so
        if (timeoutS > 0) arm(timeoutS * 1000 + (job.kind === "interp" ? 2000 : 0));
        else clearTimeout(timer);
      } else if (e.t === "mark") {
        hwm[e.what] = vmHWM(e.pid ?? child.pid);
        child.stdin.write("\n");
      } else if (e.t === "result") {
        const memory = hwm.peak !== null ? { peakKB: hwm.peak, baseKB: hwm.base, source: "VmHWM" as const }
          : e.selfPeakKB !== null ? { peakKB: e.selfPeakKB, baseKB: null, source: "maxRSS" as const } : undefined;
        result = { ...e, ...(memory ? { memory } : {}) };
        child.stdin.end();
      }
    };
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      pending += d;
      let nl: number;
      while ((nl = pending.indexOf("\n")) >= 0) { onLine(pending.slice(0, nl)); pending = pending.slice(nl + 1); }
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => { if (stderr.length < 20_000) stderr += d; });
    child.on("error", (err) => { clearTimeout(timer); resolve({ t: "failed", timeout: false, message: `cannot start ${cmd}: ${err.message}` }); });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      // a chromium child killed at its timeout leaves its browser's profile behind
      if (job.kind === "wasm" && job.engine === "chromium" && child.pid !== undefined) rmSync(measuringProfileDir(child.pid), { recursive: true, force: true });
      onLine(pending);
      if (result) return resolve(result);
      if (timedOut) {
        const which = current < 0 ? "loading" : current === 0 ? "the warm-up run" : `run ${current}/${runs}`;
        return resolve({ t: "failed", timeout: true, errorRun: Math.max(current, 0), message: `timeout: ${which} took more than ${current < 0 ? `${STARTUP_MS / 1000 + timeoutS} s` : `${timeoutS} s`}` });
      }
      const last = stderr.trim().split("\n").filter((l) => !/^\s+at /.test(l)).slice(-3).join(" | ");
      resolve({ t: "failed", timeout: false, errorRun: Math.max(current, 0), message: `the measuring process ended with ${signal ?? `exit code ${code}`}${current >= 0 ? ` in run ${current}` : ""}${last ? `: ${last}` : ""}` });
    });
  });
}
