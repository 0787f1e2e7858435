// The one file that imports binaryen: WAT text in, validated (and optionally optimised) binary out.
// What a big or deeply nested function gets instead of -O2, and what is refused: "big and deep
// functions" below.
// Features: everything V8 14.6 (Node 26) and V8 15.0 (Deno 2.9) run. NOT Features.All: in
// binaryen 132 that includes CompactImports (imports emitted with kind 0x7e, which V8 rejects:
// "unknown import kind") and CustomDescriptors (the optimiser then writes exact heap types:
// "invalid heap type 'exact'").
import { readFileSync } from "node:fs";
import { registerHooks } from "node:module";
import type Binaryen from "binaryen";
import { CompileError, unsupported } from "../../ir/common.js";
import { sections } from "./sections.js";

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
  /** Functions binaryen must not inline (by name, without `$`). */
  noInline?: string[];
  /** Also emit the source map of the `;;@ file:line:col` annotations in the text (`Assembled.sourceMap`). */
  sourceMap?: boolean;
  /** Called after each stage with its time in ms: parse, validate, optimize, emit, text. */
  onStage?: (stage: string, ms: number) => void;
}

export interface Assembled {
  binary: Uint8Array;
  /** The module as binaryen prints it after optimisation ("" with `text: false`). */
  wat: string;
  size: number;
  /** With `sourceMap`: the source map (JSON, version 3) from code offsets to the annotated locations. */
  sourceMap?: string;
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
  const shape = watShape(wat);
  refuseBeyondLimits(shape);
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
      for (const name of opts.noInline ?? []) {
        binaryen.setPassArgument("no-inline", name);
        mod.runPasses(["no-inline"]);
      }
      binaryen.setPassArgument("no-inline", null);
      binaryen.setOptimizeLevel(opts.optimize);
      binaryen.setShrinkLevel(opts.shrink ?? 0);
      binaryen.setOneCallerInlineMaxSize(opts.capOneCallerInlining ? binaryen.getFlexibleInlineMaxSize() : ONE_CALLER_DEFAULT);
      optimizeAroundBig(mod, shape);
    }
    lap("optimize");
    refuseTooManyLocals(mod);
    // with a map, binaryen adds a sourceMappingURL section (an empty URL gives no map): removed,
    // so the binary is the same bytes with or without (it is the last section: no offset moves)
    const { binary, sourceMap } = opts.sourceMap
      ? (({ binary, sourceMap }) => ({ binary: withoutSection(binary, "sourceMappingURL"), sourceMap }))(mod.emitBinary("module.wasm.map"))
      : { binary: mod.emitBinary(), sourceMap: undefined };
    lap("emit");
    const text = opts.text === false ? "" : mod.emitText();
    if (opts.text !== false) lap("text");
    return { binary, wat: text, size: binary.length, ...(sourceMap ? { sourceMap } : {}) };
  } finally {
    mod.dispose();
  }
}

// ---------------------------------------------------------------- big and deep functions
// binaryen.js 132 has limits that a long or deeply nested program reaches (a 10,000-term
// `1 + 1 + … + 1`, a 10,000-element list literal, 10,000 nested `if`s or `switch`es):
//
// - Its text parser recurses on the nesting of the WAT, on binaryen's own stack (in its linear
//   memory and of a fixed size, unlike the JS stack, which the tools enlarge: tools/big-stack.ts).
//   Past ~25,000 levels it fails with `memory access out of bounds` or `__next_prime overflow`
//   (measured: nested `block`s fail at 25,500 levels, `if`s nested in conditions at 25,500,
//   Links `switch`es, three levels each, at 28,000; `try_table`, which the code generators do not
//   write, at 20,000). A module that nests deeper than MAX_NESTING is refused before binaryen sees
//   it, as `unsupported: the program nests too deeply for binaryen …`; 10,000 nested `if`s (20,005
//   levels) pass, 10,000 nested `switch`es (30,005) do not.
// - -O1…-O3 are super-linear in the size of a function. simplify-locals sinks a chain of
//   single-use locals into one expression as deep as the chain, which optimize-instructions then
//   walks at every level; coalesce-locals is quadratic in the number of locals; code-pushing,
//   vacuum and remove-unused-brs in `if` nesting; inlining-optimizing runs the function passes
//   again on every function it inlines into. binaryen's -O2 of the wasmfx module of `1 + … + 1`
//   took 3.2 / 5.4 / 15.7 / 87 s at 1,000 / 2,000 / 4,000 / 10,000 terms (at 10,000: inlining-optimizing 79 s,
//   simplify-locals-nostructure 24 s, optimize-instructions 17 s; with those skipped, coalesce-locals
//   46 s), and of a 10,000-branch `else if` chain 53 s (code-pushing 31 s, vacuum 12 s).
//   The rule: a function is *big* when it has more than BIG.locals locals, nests more than
//   BIG.depth levels or has more than BIG.size instructions (counted on the text by `watShape`:
//   no function of a bench or example program has more than 538 instructions, 38 locals or 16
//   levels; the 1,000-branch `else if` chain of `npm run bench` 15,011 instructions, 1,000
//   locals and 2,003 levels; the main function of a generated 10,000-line program 3,751 locals).
//   A module with no big function is optimised as before (`optimize`, binaryen's default
//   pipeline at the level). In a module with one, binaryen's function passes at the level run on
//   each function that is not big (`optimizeFunction`), the big ones stay as the code generator
//   wrote them, and binaryen's whole-module passes (inlining, dead-argument elimination, global
//   and type refining, …) do not run: they would run the function passes on the big ones again
//   (inlining-optimizing). binaryen's optimize then takes 0.1–0.2 s on the 10,000-term sum and the
//   10,000-element list (their parse 1.8 s, emit 0.3 s). An unoptimised big function costs V8
//   instead, when it runs: the list's `main`, 20,000 locals of reference type, ~4 s (1.5 s at -O2).
// - V8 compiles no function with more than 50,000 locals (params included: "local count too
//   large"). binaryen merges locals in the functions it optimises (coalesce-locals), not in the
//   big ones, so a function that has more is refused: `unsupported: …` (a block or expression chain
//   of some 50,000 bindings, e.g. a 100,000-term `1 + … + 1` on the Wasm backends); before parsing
//   when the text declares that many, else after optimising.

/** Deeper WAT than this is refused before parsing (binaryen's parser fails past ~25,000 levels). */
const MAX_NESTING = 22_000;
/** A function bigger than this in any of the three measures is not optimised (see above). */
const BIG = { locals: 2_000, depth: 2_500, size: 100_000 };
/** V8's limit on a function's locals, params included (kV8MaxWasmFunctionLocals). */
const V8_MAX_LOCALS = 50_000;

/** A defined function as the WAT text has it: `size` counts its parenthesised forms, `depth` their deepest nesting inside it. */
export interface FuncShape { name: string; size: number; depth: number; locals: number }

/**
 * The defined functions of a module's WAT text (`(func $name …)` fields of the `(module …)`) and
 * the deepest nesting of the whole text, in one linear scan that skips strings and comments.
 * Names are as binaryen has them (without `$`; a quoted `$"…"` name unquoted).
 */
export function watShape(wat: string): { funcs: FuncShape[]; depth: number } {
  const funcs: FuncShape[] = [];
  let depth = 0, max = 0, base = 0;
  let cur: FuncShape | undefined;
  const n = wat.length;
  for (let i = 0; i < n; i++) {
    const c = wat.charCodeAt(i);
    if (c === 40 /* ( */) {
      if (wat.charCodeAt(i + 1) === 59 /* (; block comment ;) */) {
        const e = wat.indexOf(";)", i + 2);
        i = e < 0 ? n : e + 1;
        continue;
      }
      if (++depth > max) max = depth;
      if (cur) {
        cur.size++;
        if (depth - base > cur.depth) cur.depth = depth - base;
        if (depth === base + 1 && wat.startsWith("local", i + 1) && /\s/.test(wat[i + 6] ?? "")) cur.locals++;
      } else if (depth === 2 && wat.startsWith("func", i + 1) && /[\s()]/.test(wat[i + 5] ?? "")) {
        const m = /^\s+\$("(?:[^"\\]|\\.)*"|[^\s()"]+)/.exec(wat.slice(i + 5, i + 1005));
        const name = !m ? "" : m[1]!.startsWith('"') ? unquote(m[1]!) : m[1]!;
        cur = { name, size: 0, depth: 0, locals: 0 };
        base = depth;
      }
    } else if (c === 41 /* ) */) {
      if (cur && depth === base) {
        funcs.push(cur);
        cur = undefined;
      }
      depth--;
    } else if (c === 34 /* " */) {
      for (i++; i < n && wat.charCodeAt(i) !== 34; i++) if (wat.charCodeAt(i) === 92 /* \\ */) i++;
    } else if (c === 59 /* ; */ && wat.charCodeAt(i + 1) === 59) {
      const e = wat.indexOf("\n", i);
      i = e < 0 ? n : e;
    }
  }
  return { funcs, depth: max };
}

/** A WAT string's text (`\\`, `\"`, `\n`, `\t`, `\hh`; enough for names). */
function unquote(q: string): string {
  return q.slice(1, -1).replace(/\\(?:([0-9a-fA-F]{2})|(.))/g, (_, hex: string | undefined, ch: string) =>
    hex ? String.fromCharCode(parseInt(hex, 16)) : ch === "n" ? "\n" : ch === "t" ? "\t" : ch);
}

const bigOf = (f: FuncShape) => f.locals > BIG.locals || f.depth > BIG.depth || f.size > BIG.size;

/** Before binaryen parses: WAT nested too deeply for its parser, a function with more locals than V8 takes (counted on the text). */
function refuseBeyondLimits(shape: { funcs: FuncShape[]; depth: number }): void {
  if (shape.depth > MAX_NESTING) {
    const deepest = shape.funcs.reduce<FuncShape | undefined>((a, f) => (!a || f.depth > a.depth ? f : a), undefined);
    const where = deepest && deepest.depth + 2 >= shape.depth ? ` (function ${deepest.name})` : "";
    throw unsupported(`the program nests too deeply for binaryen: its Wasm nests ${shape.depth.toLocaleString("en")} levels deep${where}, `
      + `and binaryen.js's text parser overflows its stack at about 25,000 (the limit here: ${MAX_NESTING.toLocaleString("en")})`);
  }
  const most = shape.funcs.reduce<FuncShape | undefined>((a, f) => (!a || f.locals > a.locals ? f : a), undefined);
  if (most && most.locals > V8_MAX_LOCALS) throw tooManyLocals(most.name, most.locals);
}

const tooManyLocals = (name: string, locals: number) =>
  unsupported(`the program is too long for one Wasm function: function ${name} has ${locals.toLocaleString("en")} locals, `
    + `and V8 compiles functions of at most ${V8_MAX_LOCALS.toLocaleString("en")} (a function this big is not optimised, so its locals are not merged)`);

/** `mod.optimize()`, or with big functions, binaryen's function passes on each of the others (see above). */
function optimizeAroundBig(mod: Binaryen.Module, shape: { funcs: FuncShape[] }): void {
  const big = new Set(shape.funcs.filter(bigOf).map((f) => f.name));
  if (big.size === 0) {
    mod.optimize();
    return;
  }
  const b = loaded();
  for (let i = 0, n = mod.getNumFunctions(); i < n; i++) {
    const f = mod.getFunctionByIndex(i);
    const info = b.getFunctionInfo(f);
    if (!info.module && !big.has(info.name)) mod.optimizeFunction(f);
  }
}

/** After optimisation, exactly (params included): a function with more locals than V8 takes. */
function refuseTooManyLocals(mod: Binaryen.Module): void {
  const b = loaded();
  for (let i = 0, n = mod.getNumFunctions(); i < n; i++) {
    const info = b.getFunctionInfo(mod.getFunctionByIndex(i));
    if (info.module) continue;
    const locals = info.vars.length + b.expandType(info.params).length;
    if (locals > V8_MAX_LOCALS) throw tooManyLocals(info.name, locals);
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

/** `binary` without its custom sections named `name`. */
function withoutSection(binary: Uint8Array, name: string): Uint8Array {
  const keep = sections(binary).filter((s) => s.name !== `custom "${name}"`);
  const parts = [binary.subarray(0, 8), ...keep.map((s) => binary.subarray(s.start + s.size - s.bytes, s.start + s.size))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}
