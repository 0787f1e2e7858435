// Running compiled modules on Deno (the `deno` devDependency): one `deno run` of
// backends/wasm/deno-main.ts per batch, the modules on stdin, the same V8 flags as on Node.
// Output reaches the caller as it is printed (deno-main.ts writes it at once, the caller reads it
// as it comes), and what was printed before a kill at the deadline is kept.
import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
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

/**
 * The records deno-main.ts writes (see there), read as they come: one DenoRun per module that
 * began; each piece of output also goes to `out` at once.
 */
class Records {
  readonly runs: DenoRun[] = [];
  private cur: DenoRun | undefined;
  private pending = Buffer.alloc(0);
  private readonly decoder = new TextDecoder();
  constructor(private readonly out?: (s: string) => void) {}

  push(chunk: Buffer): void {
    let buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let at = 0;
    while (at + 5 <= buf.length) {
      const kind = String.fromCharCode(buf[at]!), n = buf.readUInt32LE(at + 1);
      if (at + 5 + n > buf.length) break; // the rest of the record is still to come (or was cut off by a kill)
      const body = buf.subarray(at + 5, at + 5 + n);
      at += 5 + n;
      this.cur ??= { stdout: "" };
      if (kind === "O") {
        const text = this.decoder.decode(body);
        this.cur.stdout += text;
        this.out?.(text);
      } else {
        this.runs.push({ ...this.cur, ...(JSON.parse(this.decoder.decode(body)) as RunEnd) });
        this.cur = undefined;
      }
    }
    buf = buf.subarray(at);
    this.pending = Buffer.from(buf);
  }

  /** The runs, the last one marked `timeout` when the process was killed at the deadline. */
  finish(killed: boolean): DenoRun[] {
    if (killed) this.runs.push({ ...(this.cur ?? { stdout: "" }), timeout: true });
    return this.runs;
  }
}

/** Whether process `pid` is still running (Linux: its /proc entry, not a zombie). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}
const nap = new Int32Array(new SharedArrayBuffer(4));
/** How long the parent sleeps between looks at the child's output, ms. */
const POLL_MS = 2;

/**
 * Run modules on Deno, one after the other in one `deno run` (a start costs ~50 ms); `out` gets
 * each piece of output as it is printed. `deadline` (ms since epoch) bounds the whole batch: past
 * it the process is killed and the last run has `timeout` (with the output printed until then);
 * the modules after it have no run.
 *
 * The caller blocks, so the child writes its records to a file that the caller reads as it grows
 * (every 2 ms when there is nothing new), and the caller sees the child end by its /proc entry.
 * Where there is no /proc, the child runs to its end first (spawnSync) and `out` gets the output then.
 */
export function runManyOnDeno(binaries: Uint8Array[], opts: { deadline?: number; out?: (s: string) => void } = {}): DenoRun[] {
  if (cached === null) cached = denoExecutable();
  if (cached === undefined) throw new CompileError("unsupported", "unsupported: --engine deno needs Deno (npm install installs the `deno` devDependency)");
  const frames = Buffer.concat(binaries.flatMap((b) => {
    const len = Buffer.alloc(4);
    len.writeUInt32LE(b.length);
    return [len, b];
  }));
  const args = ["run", "--quiet", "--no-config", "--no-lock", "--sloppy-imports", "--allow-read", `--v8-flags=${[...V8_FLAGS, ...MAIN_THREAD_STACK_FLAGS].join(",")}`, MAIN];
  const records = new Records(opts.out);
  if (!existsSync("/proc/self/stat")) {
    const timeout = opts.deadline === undefined ? undefined : Math.max(1, opts.deadline - Date.now());
    const r = spawnSync(cached, args, { input: frames, timeout, killSignal: "SIGKILL", maxBuffer: 1 << 30 });
    const killed = r.error !== undefined && (r.error as NodeJS.ErrnoException).code === "ETIMEDOUT";
    if (r.error && !killed) throw new CompileError("internal", `deno: ${r.error.message}`);
    if (!killed && r.status !== 0) throw new CompileError("internal", `deno exited with ${r.status ?? r.signal}: ${r.stderr.toString().trim()}`);
    records.push(r.stdout);
    return records.finish(killed);
  }
  const dir = mkdtempSync(join(tmpdir(), "links-deno-"));
  try {
    writeFileSync(join(dir, "in"), frames);
    const fds = [openSync(join(dir, "in"), "r"), openSync(join(dir, "out"), "w"), openSync(join(dir, "err"), "w")];
    const child = spawn(cached, args, { stdio: fds });
    fds.forEach((fd) => closeSync(fd));
    child.on("error", () => {}); // a failed start shows as no pid
    child.unref();
    if (child.pid === undefined) throw new CompileError("internal", `deno: could not start ${cached}`);
    const outFd = openSync(join(dir, "out"), "r");
    const buf = Buffer.alloc(1 << 16);
    let pos = 0, killed = false, ended = false;
    try {
      for (;;) {
        const n = readSync(outFd, buf, 0, buf.length, pos);
        if (n > 0) { pos += n; records.push(buf.subarray(0, n)); continue; }
        if (ended) break; // (read once more after it ended: what it wrote last)
        if (!running(child.pid)) { ended = true; continue; }
        if (!killed && opts.deadline !== undefined && Date.now() > opts.deadline) { child.kill("SIGKILL"); killed = true; }
        Atomics.wait(nap, 0, 0, POLL_MS);
      }
    } finally {
      closeSync(outFd);
    }
    if (!killed && records.runs.length < binaries.length) {
      throw new CompileError("internal", `deno ended after ${records.runs.length} of ${binaries.length} modules: ${readFileSync(join(dir, "err"), "utf8").trim()}`);
    }
    return records.finish(killed && records.runs.length < binaries.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Run one module on Deno. `out` receives the program's output as it is printed, also before a
 * runtime error or a timeout; a runtime error, trap or stack overflow throws
 * `CompileError("runtime", …)`, the deadline `CompileError("runtime", "timeout")`.
 */
export function runOnDeno(binary: Uint8Array, opts: { deadline?: number; out?: (s: string) => void; where?: Locator } = {}): { stdout: string } {
  // (the output already reached `out` as it was printed)
  return finishRun(runManyOnDeno([binary], opts)[0]!, "deno", { where: opts.where });
}
