// Running a compiled module in this Node process: the WasmFX flags, and errors as CompileErrors.
import * as v8 from "node:v8";
import { CompileError } from "../../ir/common.js";
import { instantiateWith, isTrap, type Program } from "./host.js";

let flagsSet = false;
/**
 * WasmFX (cont.new, resume, suspend, ...) must be switched on before the first compile.
 * V8 14.6 aborts the process ("Check failed: !op.Effects().can_write()", WasmLoadElimination)
 * when it optimises a function that both resumes a continuation and allocates (struct.new,
 * array.new*), so that pass is switched off too. V8 14.6 can also segfault when a Wasm code GC walks
 * the stacks while a WasmFX continuation stack with no saved frame is listed (a null read in
 * StackFrameIterator::Reset from WasmEngine::ReportLiveCodeFromStackForGC; 3 of 62 fresh
 * processes running the first handler tests, 0 of 100 with the flag): no Wasm code GC.
 * Deno gets the same flags (backends/wasm/deno.ts); the test workers get them at start (vitest.config.ts).
 */
export const V8_FLAGS = ["--experimental-wasm-wasmfx", "--no-turboshaft-wasm-load-elimination", "--no-wasm-code-gc"];

export function enableWasmFX(): void {
  if (!flagsSet) {
    for (const f of V8_FLAGS) v8.setFlagsFromString(f);
    flagsSet = true;
  }
}

/**
 * Instantiate on Node. A runtime error the program reports (`host.fail`) and a trap both surface
 * as `CompileError("runtime", …)` from `run()`.
 */
export function instantiate(binary: Uint8Array, opts: { write: (s: string) => void }): Program {
  enableWasmFX();
  const prog = instantiateWith(binary, {
    write: opts.write,
    fail: (message) => {
      throw new CompileError("runtime", message);
    },
  });
  return {
    ...prog,
    run() {
      try {
        prog.run();
      } catch (e) {
        if (isTrap(e)) throw new CompileError("runtime", `trap: ${e.message}`);
        throw e;
      }
    },
  };
}
