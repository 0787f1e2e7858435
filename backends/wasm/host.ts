// The JS side of a compiled program on Node 26: imports `host.write` (UTF-8 output) and
// `host.fail` (a runtime error), then runs the module's `main` and flushes its output buffer.
import * as v8 from "node:v8";
import { CompileError } from "../../ir/common.js";

let flagsSet = false;
/**
 * WasmFX (cont.new, resume, suspend, ...) must be switched on before the first compile.
 * V8 14.6 aborts the process ("Check failed: !op.Effects().can_write()", WasmLoadElimination)
 * when it optimises a function that both resumes a continuation and allocates (struct.new,
 * array.new*), so that pass is switched off too.
 */
export function enableWasmFX(): void {
  if (!flagsSet) {
    v8.setFlagsFromString("--experimental-wasm-wasmfx");
    v8.setFlagsFromString("--no-turboshaft-wasm-load-elimination");
    flagsSet = true;
  }
}

// The project's TypeScript libs declare no WebAssembly values; this is the part used here.
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export interface HostOptions {
  write: (s: string) => void;
}

export interface Program {
  /** Call `main`, then flush buffered output (also when main fails). */
  run(): void;
  /** All exports, for tests and tools. */
  exports: Record<string, unknown>;
  /** Decode a `(ref $String)` returned by an export. */
  readString(s: unknown): string;
}

export function instantiate(binary: Uint8Array, opts: HostOptions): Program {
  enableWasmFX();
  const decoder = new TextDecoder();
  let ex: Record<string, (...a: unknown[]) => unknown> = {};
  // JS cannot index a Wasm GC array: read it byte by byte through the runtime's exports.
  const readString = (s: unknown): string => {
    const n = ex.str_len!(s) as number;
    const bytes = new Uint8Array(n);
    for (let i = 0; i < n; i++) bytes[i] = ex.str_byte!(s, i) as number;
    return decoder.decode(bytes);
  };
  const imports = {
    host: {
      write: (s: unknown) => opts.write(readString(s)),
      fail: (s: unknown) => {
        throw new CompileError("runtime", readString(s));
      },
    },
  };
  const instance = new Wasm.Instance(new Wasm.Module(binary), imports);
  ex = instance.exports as typeof ex;
  return {
    run() {
      try {
        ex.main!();
      } finally {
        ex.flush!(); // output written before an error still appears
      }
    },
    exports: instance.exports,
    readString,
  };
}
