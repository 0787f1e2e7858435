// Measuring child of tools/compare.ts for a compiled module on --engine chromium (`node --import tsx`):
// starts a headless Chromium (backends/wasm/chromium-browser.ts), then runs the .wasm file in its
// page once to warm up and then N times, each in a fresh instance; the times are taken in the page
// (`main` only, as on Node and Deno; Chromium's performance.now() has 0.1 ms steps). Talks to the
// parent as bench/compare/protocol.ts describes; the marks name the page's renderer process, whose
// peak RSS is the measurement's (the engine, the page's host script, the module and one run).
//
//   run-chromium.ts FILE.wasm RUNS
import { readFileSync } from "node:fs";
import { ChromiumRunner, ChromiumUnavailable, measuringProfileDir } from "../../backends/wasm/chromium-browser.js";
import { V8_FLAGS } from "../../backends/wasm/node.js";
import { type RunError, emit, runError, mark } from "./protocol.js";

const [file, runsArg] = process.argv.slice(2);
const binary = new Uint8Array(readFileSync(file!));
const runs = Number(runsArg ?? 5);
const runner = new ChromiumRunner(V8_FLAGS, { profileDir: measuringProfileDir(process.pid) });
let stdout = "", warmupMs: number | null = null, outputVaries = false;
let error: RunError | undefined, errorRun: number | undefined;
const times: number[] = [];
try {
  await runner.ready();
  const renderer = await runner.rendererPid();
  mark("base", renderer);
  for (let i = 0; i <= runs && !error; i++) {
    emit({ t: "run", i });
    const r = await runner.run(binary);
    if (r.error) {
      error = runError(r.error);
      errorRun = i;
    } else if (i === 0) warmupMs = r.ms!;
    else times.push(r.ms!);
    if (i === 0) { stdout = r.stdout; mark("peak", renderer); }
    else if (r.stdout !== stdout && !error) outputVaries = true;
  }
} catch (e) {
  const message = e instanceof ChromiumUnavailable ? `unsupported: ${e.message}` : `chromium: ${e instanceof Error ? e.message : String(e)}`;
  error = { kind: "internal", message };
  errorRun = 0;
}
// selfPeakKB: this Node process's maxRSS says nothing about the page's
emit({ t: "result", stdout, times, warmupMs, selfPeakKB: null, outputVaries, ...(error ? { error, errorRun } : {}) });
await runner.close();
process.exit(0);
