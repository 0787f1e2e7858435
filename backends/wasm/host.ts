// The JS side of a compiled program, for every engine (Node, Deno, a Chromium page): supplies the
// imports `host.write` (a chunk of UTF-8 output), `host.fail` (a runtime error with a message),
// `host.parse_float`, `host.random`, five `Math` functions (so that results agree with the
// interpreter to the bit) and the never-called pair of backends/wasm/interruptible.ts; runs the
// module's `main` (its output buffered in 8 KiB chunks, or passed on print by print), and says how
// the run ended (`runModule`, the same for every engine: docs/running-and-errors.md). Imports
// nothing, so Deno and the Node runner thread load it as is.

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
  /** Pass each print on at once rather than in 8 KiB chunks (when `write` is cheap and must not lose output). */
  unbuffered?: boolean;
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
  // output: one host write per print, passed on in chunks of at least 8 KiB (and at the end), or each at once (`unbuffered`)
  let buffered: string[] = [];
  let size = 0;
  const chunk = opts.unbuffered ? 0 : 8192;
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
        if ((size += text.length) >= chunk) flush();
      },
      fail: (s: unknown) => opts.fail(readString(s)),
      parse_float: (s: unknown) => Number(readString(s)),
      random: Math.random,
      // backends/wasm/interruptible.ts: a call on a path never taken
      zero: 0,
      never: () => {
        throw new Error("host.never was called");
      },
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

/**
 * How a run ended, the same on every engine. `stack` is V8's stack trace of the error (with
 * `wasm-function[i]:0xOFFSET` frames), for backends/wasm/failure.ts to find where in the source it
 * happened.
 */
export interface RunFailure {
  kind: "runtime" | "trap" | "stack-overflow" | "internal";
  message: string;
  /** the JS error's name, for "internal" */
  name?: string;
  stack?: string;
}
export interface RunEnd {
  error?: RunFailure;
  /** `main`'s time (instantiation excluded), ms */
  ms?: number;
}

class Reported extends Error {}

/** Frames kept in an error's stack trace: enough to reach the program's code below the runtime's. */
const STACK_FRAMES = 64;

/**
 * Instantiate and run a module, and say how it ended: a runtime error the program reported, a
 * trap, a stack overflow (V8's RangeError, from Wasm or the host), or anything else.
 */
export function runModule(binary: Uint8Array, write: (s: string) => void, opts: { unbuffered?: boolean } = {}): RunEnd {
  const E = Error as unknown as { stackTraceLimit: number };
  const limit = E.stackTraceLimit;
  E.stackTraceLimit = STACK_FRAMES;
  try {
    const program = instantiateWith(binary, {
      write,
      fail: (message) => {
        throw new Reported(message);
      },
      unbuffered: opts.unbuffered,
    });
    const t0 = performance.now();
    program.run();
    return { ms: performance.now() - t0 };
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    const stack = err.stack;
    if (e instanceof Reported) return { error: { kind: "runtime", message: err.message, stack } };
    if (e instanceof RangeError && /call stack/i.test(e.message)) return { error: { kind: "stack-overflow", message: "stack overflow", stack } };
    if (isTrap(e)) return { error: { kind: "trap", message: `trap: ${err.message}`, stack } };
    return { error: { kind: "internal", message: err.message, name: err.name, stack } };
  } finally {
    E.stackTraceLimit = limit;
  }
}
