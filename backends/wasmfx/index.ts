// Backend `wasmfx`: WasmIR → WAT (with the runtime) → binaryen (validate, optimise, emit) → run
// on Node 26 with the WasmFX flag. Prints the program's output and `VALUE : TYPE` as `interp` does.
import { printModule, type WasmModule } from "../../ir/wasm.js";
import { assemble, loadBinaryen } from "../wasm/binaryen.js";

/** Load what the backend needs (binaryen) before the first `compileWasm`. */
export const prepareWasm = loadBinaryen;
import { instantiate } from "../wasm/host.js";

export interface CompiledWasm {
  binary: Uint8Array;
  size: number;
}

/** Validate, optimise (-O0…-O3, default -O2) and emit the module. */
export function compileWasm(m: WasmModule, opts: { optimize?: 0 | 1 | 2 | 3 } = {}): CompiledWasm {
  const a = assemble(printModule(m, true), { optimize: opts.optimize ?? 2 });
  return { binary: a.binary, size: a.binary.length };
}

export function runWasm(c: CompiledWasm, opts: { out?: (s: string) => void } = {}): { stdout: string } {
  let stdout = "";
  instantiate(c.binary, {
    write: (s) => {
      stdout += s;
      opts.out?.(s);
    },
  }).run();
  return { stdout };
}
