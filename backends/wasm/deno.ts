// Running compiled modules on Deno (the `deno` devDependency): one `deno run` of
// backends/wasm/deno-main.ts per batch, the modules on stdin, the same V8 flags as on Node.
// Output arrives when the process ends (or is killed at the deadline: what was printed until then
// is kept, as deno-main.ts writes it as it is printed).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { CompileError } from "../../ir/common.js";
import { type Locator, finishRun } from "./failure.js";
import type { DenoRun } from "./deno-main.js";
import type { RunEnd } from "./host.js";
import { MAIN_THREAD_STACK_FLAGS, V8_FLAGS } from "./node.js";

const MAIN = fileURLToPath(new URL("./deno-main.ts", import.meta.url));

/** The Deno executable: the npm package's binary, its platform package's binary, or `deno` on PATH. */
export function denoExecutable(): string | undefined {
  const require = createRequire(import.meta.url);
  const exe = process.platform === "win32" ? "deno.exe" : "deno";
  const candidates: (() => string)[] = [
    () => join(dirname(require.resolve("deno/package.json")), exe),
    () => join(dirname(require.resolve(`@deno/${process.platform}-${process.arch}${process.platform === "linux" ? "-glibc" : ""}/package.json`)), exe),
  ];
  for (const c of candidates) {
    try {
      const p = c();
      if (existsSync(p)) return p;
    } catch {
      // package not installed: try the next place
    }
  }
  const onPath = spawnSync("deno", ["--version"], { stdio: "ignore" });
  return onPath.status === 0 ? "deno" : undefined;
}

let cached: string | undefined | null = null;

/** The records deno-main.ts wrote (see there), as one DenoRun per module that began. */
function parseRuns(out: Buffer, killed: boolean): DenoRun[] {
  const runs: DenoRun[] = [];
  const decoder = new TextDecoder();
  let cur: DenoRun | undefined;
  for (let at = 0; at + 5 <= out.length; ) {
    const kind = String.fromCharCode(out[at]!), n = out.readUInt32LE(at + 1);
    if (at + 5 + n > out.length) break; // cut off by the kill
    const body = out.subarray(at + 5, at + 5 + n);
    at += 5 + n;
    cur ??= { stdout: "" };
    if (kind === "O") cur.stdout += decoder.decode(body, { stream: true });
    else {
      runs.push({ ...cur, ...(JSON.parse(decoder.decode(body)) as RunEnd) });
      cur = undefined;
    }
  }
  if (killed) runs.push({ ...(cur ?? { stdout: "" }), timeout: true });
  return runs;
}

/**
 * Run modules on Deno, one after the other in one `deno run` (a start costs ~50 ms).
 * `deadline` (ms since epoch) bounds the whole batch: past it the process is killed and the last
 * run has `timeout` (with the output printed until then); the modules after it have no run.
 */
export function runManyOnDeno(binaries: Uint8Array[], opts: { deadline?: number } = {}): DenoRun[] {
  if (cached === null) cached = denoExecutable();
  if (cached === undefined) throw new CompileError("unsupported", "unsupported: --engine deno needs Deno (npm install installs the `deno` devDependency)");
  const frames = Buffer.concat(binaries.flatMap((b) => {
    const len = Buffer.alloc(4);
    len.writeUInt32LE(b.length);
    return [len, b];
  }));
  const timeout = opts.deadline === undefined ? undefined : Math.max(1, opts.deadline - Date.now());
  const r = spawnSync(
    cached,
    ["run", "--quiet", "--no-config", "--no-lock", "--sloppy-imports", "--allow-read", `--v8-flags=${[...V8_FLAGS, ...MAIN_THREAD_STACK_FLAGS].join(",")}`, MAIN],
    { input: frames, timeout, killSignal: "SIGKILL", maxBuffer: 1 << 30 },
  );
  const killed = r.error !== undefined && (r.error as NodeJS.ErrnoException).code === "ETIMEDOUT";
  if (r.error && !killed) throw new CompileError("internal", `deno: ${r.error.message}`);
  if (!killed && r.status !== 0) throw new CompileError("internal", `deno exited with ${r.status ?? r.signal}: ${r.stderr.toString().trim()}`);
  return parseRuns(r.stdout, killed);
}

/**
 * Run one module on Deno. `out` receives the program's output (all at once, when the process
 * ends), also before a runtime error or a timeout; a runtime error, trap or stack overflow throws
 * `CompileError("runtime", …)`, the deadline `CompileError("runtime", "timeout")`.
 */
export function runOnDeno(binary: Uint8Array, opts: { deadline?: number; out?: (s: string) => void; where?: Locator } = {}): { stdout: string } {
  return finishRun(runManyOnDeno([binary], opts)[0]!, "deno", opts);
}
