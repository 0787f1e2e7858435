// The one file that imports binaryen: WAT text in, validated (and optionally optimised) binary out.
// Features: everything V8 14.6 (Node 26) and V8 15.0 (Deno 2.9) run. NOT Features.All: in
// binaryen 132 that includes CompactImports (imports emitted with kind 0x7e, which V8 rejects:
// "unknown import kind") and CustomDescriptors (the optimiser then writes exact heap types:
// "invalid heap type 'exact'").
import { readFileSync } from "node:fs";
import { registerHooks } from "node:module";
import type Binaryen from "binaryen";
import { CompileError } from "../../ir/common.js";

// binaryen prints validation errors with the `console.error` it binds when it loads, so install
// a redirectable one for the load (captured output lands in `sink`; otherwise it passes through).
let sink: string[] | undefined;
let binaryen: typeof Binaryen | undefined;
let FEATURES: Binaryen.Features = 0;
/** binaryen's own one-caller inlining limit (-1: any size), restored after a capped compile */
let ONE_CALLER_DEFAULT = -1;

/**
 * Load binaryen (a 14 MB module with top-level await): done once, on demand, so that tools that
 * never emit Wasm (the interpreter, the front end) do not pay for it.
 *
 * tsx's loader rewrites every `import(` in a JavaScript module it loads and builds a source map for
 * it: for binaryen's index.js that took 8–9 s of every tool start. An in-thread load hook (which
 * Node runs before tsx's off-thread ones) hands Node the file unchanged: 0.45 s, as plain node.
 */
export async function loadBinaryen(): Promise<void> {
  if (binaryen) return;
  const consoleError = console.error;
  console.error = (...args: unknown[]) => {
    if (sink) sink.push(args.map(String).join(" "));
    else consoleError.apply(console, args);
  };
  const hooks = registerHooks({
    load: (url, context, next) =>
      /\/node_modules\/binaryen\/index\.js$/.test(url)
        ? { format: "module", source: readFileSync(new URL(url)), shortCircuit: true }
        : next(url, context),
  });
  try {
    binaryen = (await import("binaryen")).default;
  } finally {
    hooks.deregister();
    // binaryen keeps the redirecting function it bound; everyone else gets the original back
    console.error = consoleError;
  }
  ONE_CALLER_DEFAULT = binaryen.getOneCallerInlineMaxSize();
  const F = binaryen.Features;
  FEATURES = F.MutableGlobals | F.NontrappingFPToInt | F.SIMD128 |
    F.BulkMemory | F.BulkMemoryOpt | F.SignExt | F.ExceptionHandling | F.TailCall | F.ReferenceTypes |
    F.Multivalue | F.GC | F.ExtendedConst | F.StackSwitching | F.CallIndirectOverlong;
}

export const features = (): Binaryen.Features => FEATURES;

export interface AssembleOptions {
  /** binaryen's -O level; 0 = validate only. */
  optimize: 0 | 1 | 2 | 3;
  /** binaryen's shrink level (-Os = 1, -Oz = 2); default 0. */
  shrink?: 0 | 1 | 2;
  /**
   * Cap binaryen's one-caller inlining (by default, a function called from one place is inlined
   * whatever its size) at its flexible limit (20). For modules where one function calls very many
   * functions once each (main calling each of a long program's top-level functions): binaryen
   * moves all of them into it in one inlining round, and heap2local, re-run on the result, is
   * quadratic in a function's size (a generated 2,000-line program: 16 s of 23 in heap2local).
   */
  capOneCallerInlining?: boolean;
  /** Print the optimised module back as text (`Assembled.wat`); default true. */
  text?: boolean;
  /** Called after each stage with its time in ms: parse, validate, optimize, emit, text. */
  onStage?: (stage: string, ms: number) => void;
}

export interface Assembled {
  binary: Uint8Array;
  /** The module as binaryen prints it after optimisation ("" with `text: false`). */
  wat: string;
  size: number;
}

/** Run `f`, collecting what binaryen prints as errors meanwhile. */
function captureStderr<T>(f: () => T): { result: T; stderr: string } {
  const lines: string[] = [];
  sink = lines;
  try {
    return { result: f(), stderr: lines.join("\n") };
  } finally {
    sink = undefined;
  }
}

function excerpt(wat: string, lines = 20): string {
  const all = wat.split("\n");
  return all.slice(0, lines).join("\n") + (all.length > lines ? `\n... (${all.length - lines} more lines)` : "");
}

export function assemble(wat: string, opts: AssembleOptions): Assembled {
  const binaryen = loaded();
  let t = performance.now();
  const lap = (stage: string) => { const n = performance.now(); opts.onStage?.(stage, n - t); t = n; };
  const parsed = captureStderr(() => {
    try {
      return binaryen.parseText(wat);
    } catch (e) {
      // binaryen's exception objects are not always `instanceof Error` (other realm)
      const msg = (e as { message?: unknown } | undefined)?.message;
      return new Error(typeof msg === "string" ? msg : String(e));
    }
  });
  if (parsed.result instanceof Error) {
    throw new CompileError("internal",
      `binaryen could not parse the generated WAT: ${parsed.result.message}\n${parsed.stderr}${watContext(wat, parsed.result.message)}`);
  }
  const mod = parsed.result;
  lap("parse");
  try {
    mod.setFeatures(FEATURES);
    const v = captureStderr(() => mod.validate());
    lap("validate");
    if (!v.result) {
      throw new CompileError("internal",
        `binaryen rejected the generated module:\n${v.stderr.trim()}\n--- module ---\n${excerpt(wat)}`);
    }
    if (opts.optimize > 0) {
      binaryen.setOptimizeLevel(opts.optimize);
      binaryen.setShrinkLevel(opts.shrink ?? 0);
      binaryen.setOneCallerInlineMaxSize(opts.capOneCallerInlining ? binaryen.getFlexibleInlineMaxSize() : ONE_CALLER_DEFAULT);
      mod.optimize();
    }
    lap("optimize");
    const binary = mod.emitBinary();
    lap("emit");
    const text = opts.text === false ? "" : mod.emitText();
    if (opts.text !== false) lap("text");
    return { binary, wat: text, size: binary.length };
  } finally {
    mod.dispose();
  }
}

function loaded(): typeof Binaryen {
  if (!binaryen) throw new CompileError("internal", "binaryen is not loaded: await loadBinaryen() before assembling");
  return binaryen;
}

/** For a parse error "L:C: error: ...", the offending line with its neighbours; else the first lines. */
function watContext(wat: string, message: string): string {
  const m = /^(\d+):(\d+):/.exec(message);
  if (!m) return `--- module ---\n${excerpt(wat)}`;
  const line = Number(m[1]), lines = wat.split("\n");
  const from = Math.max(0, line - 3), to = Math.min(lines.length, line + 2);
  return `--- module lines ${from + 1}-${to} ---\n` +
    lines.slice(from, to).map((l, i) => `${from + i + 1 === line ? ">" : " "} ${from + i + 1}: ${l}`).join("\n");
}
