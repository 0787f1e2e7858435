// Running compiled modules on Deno (the `deno` devDependency): one `deno run` of
// backends/wasm/deno-main.ts per batch, the modules on stdin, the same V8 flags as on Node.
// Output arrives when the process ends.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { CompileError } from "../../ir/common.js";
import type { DenoRun } from "./deno-main.js";
import { V8_FLAGS } from "./node.js";

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

/**
 * Run modules on Deno, one after the other in one `deno run` (a start costs ~50 ms).
 * `deadline` (ms since epoch) bounds the whole batch. Returns each module's output and, if it
 * failed, its runtime error or trap.
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
    ["run", "--quiet", "--no-config", "--no-lock", "--sloppy-imports", "--allow-read", `--v8-flags=${V8_FLAGS.join(",")}`, MAIN],
    { input: frames, timeout, maxBuffer: 1 << 30, encoding: "utf8" },
  );
  if (r.error && (r.error as NodeJS.ErrnoException).code === "ETIMEDOUT") throw new CompileError("runtime", "timeout");
  if (r.error) throw new CompileError("internal", `deno: ${r.error.message}`);
  if (r.status !== 0) throw new CompileError("internal", `deno exited with ${r.status ?? r.signal}: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as DenoRun[];
}

/**
 * Run one module on Deno. `out` receives the program's output (all at once, when the process
 * ends), also before a runtime error; a runtime error or trap throws `CompileError("runtime", …)`.
 */
export function runOnDeno(binary: Uint8Array, opts: { deadline?: number; out?: (s: string) => void } = {}): { stdout: string } {
  const [r] = runManyOnDeno([binary], opts);
  if (r!.stdout !== "") opts.out?.(r!.stdout);
  if (r!.error) throw new CompileError("runtime", r!.error.kind === "trap" ? `trap: ${r!.error.message}` : r!.error.message);
  return { stdout: r!.stdout };
}
