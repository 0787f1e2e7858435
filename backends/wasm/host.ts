// The JS side of a compiled program, for any engine (Node or Deno): supplies the imports
// `host.write` (a chunk of UTF-8 output), `host.fail` (a runtime error with a message),
// `host.parse_float`, `host.random` and five `Math` functions (so that results agree with the
// interpreter to the bit), runs the
// module's `main`, and buffers its output (8 KiB chunks to `write`). Imports nothing, so Deno can load it as is;
// backends/wasm/node.ts and backends/wasm/deno-main.ts wrap it for their engine.

// The project's TypeScript libs declare no WebAssembly values; this is the part used here.
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  RuntimeError: new (...a: never[]) => Error;
}
const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** A trap (failed cast, unreachable, …) rather than a runtime error the program reported. */
export const isTrap = (e: unknown): e is Error => e instanceof Wasm.RuntimeError;

/**
 * What V8 throws for a `suspend` that no enclosing `resume` handles (it exposes no constructor to
 * test against, only the error's name). Type inference rejects a program whose operations can
 * escape every handler, so this is reported rather than expected.
 */
const isUnhandledSuspend = (e: unknown): boolean => e instanceof Error && e.name === "SuspendError";
export const UNHANDLED_MESSAGE = "unhandled operation: no handler encloses it at run time (the wasmfx backend cannot name it)";

export interface HostOptions {
  write: (s: string) => void;
  /** Called with the message of a runtime error reported by the program; must throw. */
  fail: (message: string) => never;
}

export interface Program {
  /** Call `main`, then pass on the output still buffered (also when main fails). */
  run(): void;
  /** All exports, for tests and tools. */
  exports: Record<string, unknown>;
  /** Decode a `(ref $String)` returned by an export. */
  readString(s: unknown): string;
}

export function instantiateWith(binary: Uint8Array, opts: HostOptions): Program {
  const decoder = new TextDecoder();
  let ex: Record<string, (...a: unknown[]) => unknown> = {};
  // JS cannot index a Wasm GC array: read it byte by byte through the runtime's exports.
  const readString = (s: unknown): string => {
    const n = ex.str_len!(s) as number;
    const bytes = new Uint8Array(n);
    let ascii = true;
    for (let i = 0; i < n; i++) ascii = (bytes[i] = ex.str_byte!(s, i) as number) < 0x80 && ascii;
    // short ASCII strings (most prints) without the decoder's per-call cost
    return ascii && n <= 256 ? String.fromCharCode.apply(null, bytes as unknown as number[]) : decoder.decode(bytes);
  };
  // output: one host write per print, passed on in chunks of at least 8 KiB (and at the end)
  let buffered: string[] = [];
  let size = 0;
  const flush = () => {
    if (buffered.length === 0) return;
    const chunk = buffered.join("");
    buffered = [];
    size = 0;
    opts.write(chunk);
  };
  const imports = {
    host: {
      write: (s: unknown) => {
        const text = readString(s);
        buffered.push(text);
        if ((size += text.length) >= 8192) flush();
      },
      fail: (s: unknown) => opts.fail(readString(s)),
      parse_float: (s: unknown) => Number(readString(s)),
      random: Math.random,
    },
    Math: { sin: Math.sin, cos: Math.cos, exp: Math.exp, log: Math.log, pow: Math.pow },
  };
  const instance = new Wasm.Instance(new Wasm.Module(binary), imports);
  ex = instance.exports as typeof ex;
  return {
    run() {
      try {
        ex.main!();
      } catch (e) {
        if (isUnhandledSuspend(e)) opts.fail(UNHANDLED_MESSAGE);
        throw e;
      } finally {
        flush(); // output written before an error still appears
      }
    },
    exports: instance.exports,
    readString,
  };
}
