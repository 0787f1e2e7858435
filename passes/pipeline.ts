// The one place where the order of passes is written.
//
//   parse    Source  → Surface        passes/parse.ts
//   desugar  Surface → Core           passes/desugar.ts
//   infer    Core    → Core (typed)   passes/infer.ts
//   anf      TypedCore → ANF          passes/anf.ts        (Wasm backends from here)
//   closure-convert  ANF → Closed      passes/closure-convert.ts
//   box-poly Closed  → Boxed          passes/box-poly.ts
//   extract-handlers  Boxed → Handlers           passes/extract-handlers.ts
//   lower-param-handlers  Handlers → ThreadedHandlers  passes/lower-param-handlers.ts
//   direct-resume  ThreadedHandlers → ThreadedHandlers  passes/direct-resume.ts
//   codegen  ThreadedHandlers → WasmIR  passes/codegen.ts  (then binaryen: backends/wasm/binaryen.ts)
// The cps backend shares the passes up to box-poly, then:
//   mark-pure  Boxed → Boxed          passes/mark-pure.ts   (selective CPS: functions that cannot perform)
//   cps      Boxed → CPS              passes/cps.ts
//   cps-codegen  CPS → WasmIR          passes/cps-codegen.ts
//
// Each pass is a plain pure function. Each language has a printer (for --dump) and a validator
// (for --check); `languages` below pairs them by name. Backends take the last language.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Program } from "../ir/surface.js";
import { printSurface, validateSurface } from "../ir/surface.js";
import { type CoreProgram, printCore, validateCore } from "../ir/core.js";
import { parseProgram, parseType } from "./parse.js";
import { desugar } from "./desugar.js";
import { infer } from "./infer.js";
import { anf } from "./anf.js";
import { type AnfProgram, printAnf, validateAnf } from "../ir/anf.js";
import { closureConvert } from "./closure-convert.js";
import { type ClosedProgram, printClosed, validateClosed } from "../ir/closed.js";
import { type PrimitiveReps, boxPoly, primitiveReps } from "./box-poly.js";
import { type BoxedProgram, printBoxed, validateBoxed } from "../ir/boxed.js";
import { extractHandlers } from "./extract-handlers.js";
import { lowerParamHandlers } from "./lower-param-handlers.js";
import { directResume } from "./direct-resume.js";
import { type HandlersProgram, printHandlers, validateHandlers, validateThreadedHandlers } from "../ir/handlers.js";
import { codegen } from "./codegen.js";
import { type WasmModule, printModule, validateWasm } from "../ir/wasm.js";
import { markPure } from "./mark-pure.js";
import { cps } from "./cps.js";
import { cpsCodegen } from "./cps-codegen.js";
import { type CpsProgram, printCps, validateCps } from "../ir/cps.js";
import { PRIMITIVES } from "../prelude/primitives.js";
import type { TypeExpr } from "../ir/surface.js";

export interface Source {
  file: string;
  text: string;
}

/** A language of the pipeline: how to print it and how to check it. */
export interface Language<T> {
  name: string;
  print: (x: T) => string;
  validate: (x: T) => string[];
}

export interface Pass<A, B> {
  name: string;
  from: string;
  to: string;
  description: string;
  run: (input: A) => B;
}

const primitiveNames = new Set(Object.keys(PRIMITIVES));

export const languages = {
  Source: { name: "Source", print: (s: Source) => s.text, validate: () => [] } satisfies Language<Source>,
  Surface: { name: "Surface", print: printSurface, validate: validateSurface } satisfies Language<Program>,
  Core: { name: "Core", print: (p: CoreProgram) => printCore(p, false), validate: (p: CoreProgram) => validateCore(p, primitiveNames) } satisfies Language<CoreProgram>,
  TypedCore: {
    name: "TypedCore",
    print: (p: CoreProgram) => printCore(p, true),
    validate: (p: CoreProgram) => validateCore(p, primitiveNames, true),
  } satisfies Language<CoreProgram>,
  ANF: { name: "ANF", print: printAnf, validate: (p: AnfProgram) => validateAnf(p, primitiveNames) } satisfies Language<AnfProgram>,
  Closed: { name: "Closed", print: printClosed, validate: (p: ClosedProgram) => validateClosed(p, primitiveNames) } satisfies Language<ClosedProgram>,
  Boxed: { name: "Boxed", print: (p: BoxedProgram) => printBoxed(p), validate: (p: BoxedProgram) => validateBoxed(p) } satisfies Language<BoxedProgram>,
  Handlers: { name: "Handlers", print: printHandlers, validate: (p: HandlersProgram) => validateHandlers(p) } satisfies Language<HandlersProgram>,
  ThreadedHandlers: { name: "ThreadedHandlers", print: printHandlers, validate: validateThreadedHandlers } satisfies Language<HandlersProgram>,
  CPS: { name: "CPS", print: printCps, validate: validateCps } satisfies Language<CpsProgram>,
  WasmIR: { name: "WasmIR", print: (m: WasmModule) => printModule(m, false), validate: validateWasm } satisfies Language<WasmModule>,
} as const;

// ---------------------------------------------------------------- the prelude
const preludePath = fileURLToPath(new URL("../prelude/prelude.links", import.meta.url));
let preludeCache: Program | undefined;
export function prelude(): Program {
  return (preludeCache ??= parseProgram(readFileSync(preludePath, "utf8"), "<prelude>"));
}

let primitiveRepsCache: PrimitiveReps | undefined;
/** The primitives' representations, from their Links types: worked out once, used by box-poly and codegen. */
const primReps = (): PrimitiveReps => (primitiveRepsCache ??= primitiveReps(primitiveTypeTable()));

let primitiveTypes: Map<string, TypeExpr> | undefined;
export function primitiveTypeTable(): Map<string, TypeExpr> {
  if (!primitiveTypes) {
    primitiveTypes = new Map();
    for (const [name, p] of Object.entries(PRIMITIVES)) primitiveTypes.set(name, parseType(p.type, `<primitive ${name}>`));
  }
  return primitiveTypes;
}

// ---------------------------------------------------------------- the passes, in order
export const parsePass: Pass<Source, Program> = {
  name: "parse", from: "Source", to: "Surface",
  description: "lex and parse the Links subset; the prelude's declarations come first",
  run: (src) => {
    const user = parseProgram(src.text, src.file);
    const pre = prelude();
    return { stmts: [...pre.stmts, ...user.stmts], result: user.result, preludeCount: pre.stmts.length };
  },
};

export const desugarPass: Pass<Program, CoreProgram> = {
  name: "desugar", from: "Surface", to: "Core",
  description: "blocks, var, operators, lists, tuples, comprehensions, sections to Core",
  run: desugar,
};

export const inferPass: Pass<CoreProgram, CoreProgram> = {
  name: "infer", from: "Core", to: "TypedCore",
  description: "Hindley–Milner with row-polymorphic records, variants and effects",
  run: (p) => infer(p, primitiveTypeTable()),
};

export const anfPass: Pass<CoreProgram, AnfProgram> = {
  name: "anf", from: "TypedCore", to: "ANF",
  description: "A-normal form: atomic arguments, let-value / let-apply bindings, a tail computation",
  run: anf,
};

/**
 * All passes, in order. The interpreter runs the output of `infer` (TypedCore); the Wasm
 * backends continue through the passes after it.
 */
export const closureConvertPass: Pass<AnfProgram, ClosedProgram> = {
  name: "closure-convert", from: "ANF", to: "Closed",
  description: "lift every lambda to a function with its captured variables; known calls are direct",
  run: closureConvert,
};

export const boxPolyPass: Pass<ClosedProgram, BoxedProgram> = {
  name: "box-poly", from: "Closed", to: "Boxed",
  description: "representations from types (i64/f64/i32 unboxed, eq where polymorphic) and explicit box/unbox at the boundaries",
  run: (p) => boxPoly(p, primReps()),
};

export const extractHandlersPass: Pass<BoxedProgram, HandlersProgram> = {
  name: "extract-handlers", from: "Boxed", to: "Handlers",
  description: "handled computations become functions for cont.new; deep handlers become handler functions (the resume loop); shallow ones stay inline",
  run: extractHandlers,
};

export const lowerParamHandlersPass: Pass<HandlersProgram, HandlersProgram> = {
  name: "lower-param-handlers", from: "Handlers", to: "ThreadedHandlers",
  description: "handler parameters become values threaded through the resume loop: initial values as arguments, new ones through k",
  run: lowerParamHandlers,
};

export const directResumePass: Pass<HandlersProgram, HandlersProgram> = {
  name: "direct-resume", from: "ThreadedHandlers", to: "ThreadedHandlers",
  description: "marks operation clauses whose k is only called, at most once on any path: codegen resumes those in place, with no closure or one-shot box",
  run: directResume,
};

export const codegenPass: Pass<HandlersProgram, WasmModule> = {
  name: "codegen", from: "ThreadedHandlers", to: "WasmIR",
  description: "Wasm GC code: specialised and generic function entries, return_call for tail calls, type-directed printing",
  run: (p) => codegen(p, primReps()),
};

export const markPurePass: Pass<BoxedProgram, BoxedProgram> = {
  name: "mark-pure", from: "Boxed", to: "Boxed",
  description: "marks the functions no call of which can perform an operation: the cps backend keeps them in direct style",
  run: markPure,
};

export const cpsPass: Pass<BoxedProgram, CpsProgram> = {
  name: "cps", from: "Boxed", to: "CPS",
  description: "continuation-passing style: non-tail calls that may perform push a frame and jump; handlers become handler frames",
  run: cps,
};

export const cpsCodegenPass: Pass<CpsProgram, WasmModule> = {
  name: "cps-codegen", from: "CPS", to: "WasmIR",
  description: "Wasm GC code: frames and handler frames as structs, every CPS call a return_call, resumptions copied (multishot)",
  run: (p) => cpsCodegen(p, primReps()),
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyPass = Pass<any, any>;
/** The passes every Wasm backend runs (the interpreter stops after `infer`). */
export const sharedPasses: readonly AnyPass[] = [parsePass, desugarPass, inferPass, anfPass, closureConvertPass, boxPolyPass];

/** Each Wasm backend's passes, in order. */
export const pipelines = {
  wasmfx: [...sharedPasses, extractHandlersPass, lowerParamHandlersPass, directResumePass, codegenPass],
  cps: [...sharedPasses, markPurePass, cpsPass, cpsCodegenPass],
} as const satisfies Record<string, readonly AnyPass[]>;

/** The wasmfx pipeline: what tools run when no backend is named. */
export const pipeline: readonly AnyPass[] = pipelines.wasmfx;

/** The passes to run for a backend (interp: the shared ones; it stops after `infer`). */
export const passesFor = (backend: string | undefined): readonly AnyPass[] => (backend === "cps" ? pipelines.cps : pipelines.wasmfx);

/** Every pass of every pipeline, each once, in pipeline order. */
export const allPasses: readonly AnyPass[] = [...new Set([...pipelines.wasmfx, ...pipelines.cps])];

/** The last pass each backend needs. */
export const backendInput = { interp: "infer", wasmfx: "codegen", cps: "cps-codegen" } as const;

export function languageOf(name: string): Language<unknown> {
  const l = (languages as Record<string, Language<never>>)[name];
  if (!l) throw new Error(`unknown language ${name}`);
  return l as Language<unknown>;
}
