import { defineConfig } from "vitest/config";
import { V8_FLAGS } from "./backends/wasm/node.js";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    // vitest's defaults, spelled out because CI relies on them: every test file runs in a child
    // process of its own, so a V8 crash in Wasm code ends that file's process only, and .ci/run
    // (tools/ci-summary.ts) names the file. On CI's 2 cores vitest runs one file at a time
    // (maxWorkers defaults to cores - 1), leaving a core to vitest and the tests' own child
    // processes (tsx, deno).
    pool: "forks",
    isolate: true,
    // Node's V8 (14.6) can segfault when a Wasm code GC walks the stacks while a WasmFX
    // continuation's stack with no saved frame is still listed (core dump: a null read in
    // StackFrameIterator::Reset from WasmEngine::ReportLiveCodeFromStackForGC). binaryen's own
    // 14 MB Wasm module tiering up sets off such code GCs during the first Wasm runs of a process.
    // Of 62 fresh processes running the first handler tests' programs, 3 segfaulted silently in
    // that phase (the likely end of test/handlers.test.ts's worker in the issue: 16 tests without
    // a result); with --no-wasm-code-gc (in V8_FLAGS), 0 of 100 (no code GC runs; dead code stays,
    // no RSS difference measured). The flags are given at start, before V8 compiles any Wasm.
    execArgv: [...V8_FLAGS],
    // the JSON report is what .ci/run judges the run by (tools/ci-summary.ts)
    reporters: ["default", ["json", { outputFile: ".test-results.json" }]],
  },
});
