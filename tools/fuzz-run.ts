// The differential fuzzer's runs (tools/fuzz.ts): one generated program on one backend × engine,
// as an outcome (stdout, stderr, exit status, whether it was rejected at compile time or timed
// out), and the comparison of an outcome with interp's. The fuzz loop itself is tools/fuzz-lib.ts.
import { CompileError, renderError } from "../ir/common.js";
import { backendInput } from "../passes/pipeline.js";
import { runInterp } from "../backends/interp/index.js";
import { compileWasm, runWasm } from "../backends/wasmfx/index.js";
import { failureError } from "../backends/wasm/failure.js";
import { runManyOnDeno } from "../backends/wasm/deno.js";
import type { CoreProgram } from "../ir/core.js";
import type { WasmModule } from "../ir/wasm.js";
import { type Backend, type Engine, runPipeline } from "./compile-lib.js";

export interface Target { backend: Backend; engine: Engine }
export const targetName = (t: Target): string => (t.backend === "interp" ? "interp" : `${t.backend}/${t.engine}`);
export const INTERP: Target = { backend: "interp", engine: "node" };

export interface Outcome {
  stdout: string;
  stderr: string;
  exitCode: number;
  /** rejected before running (syntax, type, unsupported, or an internal error in a pass) */
  compileError: boolean;
  timeout: boolean;
  /** an internal error (a bug in the compiler or the runtime, whatever the other backends do) */
  internal: boolean;
}

export interface RunSettings {
  /** seconds per run, on every backend and engine */
  timeoutS: number;
  /** binaryen's optimisation level */
  optimize: 0 | 1 | 2 | 3;
}

const FILE = "fuzz.links";

function failed(e: unknown, text: string, stdout: string, compileError: boolean): Outcome {
  if (e instanceof CompileError) {
    return {
      stdout, stderr: renderError(e, text) + "\n", exitCode: 1, compileError: compileError && ["syntax", "type", "unsupported"].includes(e.kind),
      timeout: e.kind === "runtime" && e.message === "timeout", internal: e.kind === "internal",
    };
  }
  const message = e instanceof RangeError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e);
  return { stdout, stderr: `error: internal error: ${message}\n`, exitCode: 1, compileError: false, timeout: false, internal: true };
}

const ok = (stdout: string): Outcome => ({ stdout, stderr: "", exitCode: 0, compileError: false, timeout: false, internal: false });

/** Compile for a backend: TypedCore for interp, WasmIR for wasmfx and cps (throws on a compile error). */
function frontEnd(text: string, backend: Backend): unknown {
  return runPipeline({ file: FILE, text }, { until: backendInput[backend], backend });
}

/** Run a program on one target. */
export function runTarget(text: string, t: Target, s: RunSettings): Outcome {
  return runTargets(text, [t], s)[0]!;
}

/**
 * Run a program on several targets, one after the other: interp in this process, Wasm engines as
 * `runWasm` runs them (each stopped at its deadline) — except Deno, whose runs share one
 * `deno run` (and its deadline).
 */
export function runTargets(text: string, targets: readonly Target[], s: RunSettings): Outcome[] {
  const results: (Outcome | undefined)[] = targets.map(() => undefined);
  const onDeno: { i: number; binary: Uint8Array }[] = [];
  targets.forEach((t, i) => {
    let input: unknown;
    try {
      input = frontEnd(text, t.backend);
    } catch (e) {
      results[i] = failed(e, text, "", true);
      return;
    }
    let stdout = "";
    const out = (x: string) => { stdout += x; };
    try {
      if (t.backend === "interp") {
        runInterp(input as CoreProgram, { out, deadline: Date.now() + s.timeoutS * 1000 });
        results[i] = ok(stdout);
        return;
      }
      const bin = compileWasm(input as WasmModule, { optimize: s.optimize });
      if (t.engine === "deno") { onDeno.push({ i, binary: bin.binary }); return; }
      runWasm(bin, { out, engine: t.engine, deadline: Date.now() + s.timeoutS * 1000 });
      results[i] = ok(stdout);
    } catch (e) {
      results[i] = failed(e, text, stdout, false);
    }
  });
  if (onDeno.length > 0) {
    try {
      const runs = runManyOnDeno(onDeno.map((d) => d.binary), { deadline: Date.now() + s.timeoutS * 1000 });
      onDeno.forEach(({ i }, j) => {
        const r = runs[j];
        // a batch killed at its deadline has no run for the modules after the one it stopped
        results[i] = r === undefined ? failed(new CompileError("runtime", "timeout"), text, "", false)
          : r.timeout ? failed(new CompileError("runtime", "timeout"), text, r.stdout, false)
          : r.error ? failed(failureError(r.error, "deno"), text, r.stdout, false)
          : ok(r.stdout);
      });
    } catch (e) {
      for (const { i } of onDeno) results[i] = failed(e, text, "", false);
    }
  }
  return results.map((r) => r!);
}

/** The first line of stderr without its `file:line:col:` location and `error:` prefix (e.g. `runtime error: division by zero`). */
export function errorKind(stderr: string): string {
  const first = stderr.split("\n")[0] ?? "";
  return first.replace(/^[^:\n]*:\d+:\d+: /, "").replace(/^error: /, "");
}

export const ONE_SHOT = /continuation resumed twice: the wasmfx backend supports one-shot continuations/;

/**
 * How `got` differs from interp's `ref`, or undefined when they agree. A multishot program may stop
 * on wasmfx with the one-shot error, after printing a prefix of interp's output ("one-shot").
 */
export function difference(ref: Outcome, got: Outcome, t: Target, multishot: boolean): string | undefined {
  if (t.backend === "wasmfx" && ONE_SHOT.test(got.stderr)) {
    if (multishot && ref.stdout.startsWith(got.stdout)) return undefined;
    return multishot ? "one-shot error after different output" : "one-shot error in a program that resumes at most once";
  }
  if (got.internal) return `internal error on ${targetName(t)}`;
  if (ref.internal) return "internal error on interp";
  if (ref.exitCode !== got.exitCode) return `exit status ${got.exitCode} (interp: ${ref.exitCode})`;
  if (ref.stdout !== got.stdout) return "stdout differs";
  if (errorKind(ref.stderr) !== errorKind(got.stderr)) return "error differs";
  return undefined;
}
