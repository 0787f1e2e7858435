// The one place where the order of passes is written.
//
//   parse    Source  → Surface        passes/parse.ts
//   desugar  Surface → Core           passes/desugar.ts
//   infer    Core    → TypedCore      passes/infer.ts
//   anf      TypedCore → ANF          passes/anf.ts        (Wasm backends from here)
//   closure-convert  ANF → Closed      passes/closure-convert.ts
//   box-poly Closed  → Boxed          passes/box-poly.ts
//   fold-constants  Boxed → Boxed      passes/fold-constants.ts  (research pass, off: --with fold-constants)
//   detect-actors  Boxed → Boxed       passes/detect-actors.ts   (the scheduler level)
//   preempt  Boxed → Boxed             passes/preempt.ts         (optional: --without preempt)
// The wasmfx backend:
//   extract-handlers  Boxed → Handlers           passes/extract-handlers.ts
//   lower-param-handlers  Handlers → ThreadedHandlers  passes/lower-param-handlers.ts
//   direct-resume  ThreadedHandlers → ThreadedHandlers  passes/direct-resume.ts (optional: --without direct-resume)
//   tail-resume  ThreadedHandlers → ThreadedHandlers  passes/tail-resume.ts (optional: --without tail-resume)
//   synthesize-scheduler  ThreadedHandlers → Scheduled  passes/synthesize-scheduler.ts
//   prefer-globals  Scheduled → Scheduled  passes/prefer-globals.ts (research: --prefer-globals)
//   switch-opt  Scheduled → Scheduled      passes/switch-opt.ts     (research: --yield-is-switch)
//   codegen  Scheduled → WasmIR         passes/codegen.ts  (then binaryen: backends/wasm/binaryen.ts)
// The cps backend:
//   mark-pure  MarkedBoxed → MarkedBoxed  passes/mark-pure.ts (optional: selective CPS; --without mark-pure)
//   cps      MarkedBoxed → CPS        passes/cps.ts
//   tail-resume  CPS → CPS             passes/tail-resume.ts (optional: --without tail-resume)
//   cps-codegen  CPS → WasmIR          passes/cps-codegen.ts
//
// Each pass is a plain pure function typed by its input and output language; a pipeline is
// built with `then`, so composing passes whose languages do not meet is a type error. Each
// language has a printer (for --dump) and a validator (for --check); `languages` pairs them.
import { readFileSync } from "node:fs";
import { PRELUDE_FILE } from "../ir/common.js";
import { fileURLToPath } from "node:url";
import type { Program } from "../ir/surface.js";
import { printSurface, validateSurface } from "../ir/surface.js";
import { type CoreProgram, printCore, validateCore } from "../ir/core.js";
import { parseProgram, parseType } from "./parse.js";
import type { TypeSyntax } from "../ir/types.js";
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
import { tailResume, tailResumeCps } from "./tail-resume.js";
import { type HandlersProgram, type ThreadedProgram, printHandlers, printThreaded, validateHandlers, validateThreadedHandlers } from "../ir/handlers.js";
import { codegen } from "./codegen.js";
import { detectActors } from "./detect-actors.js";
import { preempt } from "./preempt.js";
import { synthesizeScheduler } from "./synthesize-scheduler.js";
import { preferGlobals } from "./prefer-globals.js";
import { switchOpt } from "./switch-opt.js";
import { type ScheduledProgram, printScheduled, validateScheduled } from "../ir/scheduled.js";
import { type WasmModule, printModule, validateWasm } from "../ir/wasm.js";
import { markPure } from "./mark-pure.js";
import { cps } from "./cps.js";
import { cpsCodegen } from "./cps-codegen.js";
import { type CpsProgram, type MarkedProgram, printCps, printMarked, validateCps } from "../ir/cps.js";
import { foldConstants } from "./fold-constants.js";
import { PRIMITIVES } from "../prelude/primitives.js";
import { PRIMITIVE_NAMES } from "../ir/kit-check.js";
import type { TypeExpr } from "../ir/surface.js";

export interface Source {
  file: string;
  text: string;
  /** how types are printed and read (Links' effect sugar settings: `run --set`) */
  typeSyntax?: TypeSyntax;
}

/** A language of the pipeline: how to print it and how to check it. */
export interface Language<T> {
  name: string;
  print: (x: T) => string;
  validate: (x: T) => string[];
}

/** A pass: a pure function from language A to language B (named `from` and `to`). */
export interface Pass<A, B> {
  name: string;
  from: string;
  to: string;
  description: string;
  run: (input: A) => B;
}


export const languages = {
  Source: { name: "Source", print: (s: Source) => s.text, validate: () => [] } satisfies Language<Source>,
  Surface: { name: "Surface", print: printSurface, validate: validateSurface } satisfies Language<Program>,
  Core: { name: "Core", print: (p: CoreProgram) => printCore(p, false), validate: (p: CoreProgram) => validateCore(p, PRIMITIVE_NAMES) } satisfies Language<CoreProgram>,
  TypedCore: {
    name: "TypedCore",
    print: (p: CoreProgram) => printCore(p, true),
    validate: (p: CoreProgram) => validateCore(p, PRIMITIVE_NAMES, true),
  } satisfies Language<CoreProgram>,
  ANF: { name: "ANF", print: printAnf, validate: (p: AnfProgram) => validateAnf(p, PRIMITIVE_NAMES) } satisfies Language<AnfProgram>,
  Closed: { name: "Closed", print: printClosed, validate: (p: ClosedProgram) => validateClosed(p, PRIMITIVE_NAMES) } satisfies Language<ClosedProgram>,
  Boxed: { name: "Boxed", print: printBoxed, validate: (p: BoxedProgram) => validateBoxed(p, PRIMITIVE_NAMES) } satisfies Language<BoxedProgram>,
  MarkedBoxed: { name: "MarkedBoxed", print: printMarked, validate: (p: MarkedProgram) => validateBoxed(p, PRIMITIVE_NAMES) } satisfies Language<MarkedProgram>,
  Handlers: { name: "Handlers", print: printHandlers, validate: (p: HandlersProgram) => validateHandlers(p, PRIMITIVE_NAMES) } satisfies Language<HandlersProgram>,
  ThreadedHandlers: { name: "ThreadedHandlers", print: printThreaded, validate: (p: ThreadedProgram) => validateThreadedHandlers(p, PRIMITIVE_NAMES) } satisfies Language<ThreadedProgram>,
  Scheduled: { name: "Scheduled", print: printScheduled, validate: (p: ScheduledProgram) => validateScheduled(p, PRIMITIVE_NAMES) } satisfies Language<ScheduledProgram>,
  CPS: { name: "CPS", print: printCps, validate: (p: CpsProgram) => validateCps(p, PRIMITIVE_NAMES) } satisfies Language<CpsProgram>,
  WasmIR: { name: "WasmIR", print: (m: WasmModule) => printModule(m, false), validate: validateWasm } satisfies Language<WasmModule>,
} as const;

// ---------------------------------------------------------------- the prelude
const preludePath = fileURLToPath(new URL("../prelude/prelude.links", import.meta.url));
let preludeCache: Program | undefined;
export function prelude(): Program {
  return (preludeCache ??= parseProgram(readFileSync(preludePath, "utf8"), PRELUDE_FILE));
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
    return { stmts: [...pre.stmts, ...user.stmts], result: user.result, ...(src.typeSyntax ? { typeSyntax: src.typeSyntax } : {}) };
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

export const lowerParamHandlersPass: Pass<HandlersProgram, ThreadedProgram> = {
  name: "lower-param-handlers", from: "Handlers", to: "ThreadedHandlers",
  description: "handler parameters become values threaded through the resume loop: initial values as arguments, new ones through k",
  run: lowerParamHandlers,
};

export const directResumePass: Pass<ThreadedProgram, ThreadedProgram> = {
  name: "direct-resume", from: "ThreadedHandlers", to: "ThreadedHandlers",
  description: "marks operation clauses whose k is only called, at most once on any path: codegen resumes those in place, with no closure or one-shot box",
  run: directResume,
};

export const tailResumePass: Pass<ThreadedProgram, ThreadedProgram> = {
  name: "tail-resume", from: "ThreadedHandlers", to: "ThreadedHandlers",
  description: "marks deep handlers' clauses that resume once, in tail position, performing nothing before: a `do` runs them in place, with no stack switch",
  run: tailResume,
};

/** tail-resume on the cps pipeline: the same marking on CPS handlers (one pass, two languages; `--without tail-resume` drops either). */
export const tailResumeCpsPass: Pass<CpsProgram, CpsProgram> = {
  name: "tail-resume", from: "CPS", to: "CPS",
  description: "marks deep handlers' clauses that resume once, in tail position, performing nothing before: a `do` runs them in place, with no continuation captured",
  run: tailResumeCps,
};

export const detectActorsPass: Pass<BoxedProgram, BoxedProgram> = {
  name: "detect-actors", from: "Boxed", to: "Boxed",
  description: "which process primitives the program uses: the scheduler level (none, mailbox, single, several, several-wait, angels, all)",
  run: detectActors,
};

export const preemptPass: Pass<BoxedProgram, BoxedProgram> = {
  name: "preempt", from: "Boxed", to: "Boxed",
  description: "when several processes may be runnable: a preemption check (%tick) at the entry of every function that calls",
  run: preempt,
};

export const synthesizeSchedulerPass: Pass<ThreadedProgram, ScheduledProgram> = {
  name: "synthesize-scheduler", from: "ThreadedHandlers", to: "Scheduled",
  description: "process bodies become functions for cont.new, main becomes the main process of a scheduler of the program's level",
  run: synthesizeScheduler,
};

export const preferGlobalsPass: Pass<ScheduledProgram, ScheduledProgram> = {
  name: "prefer-globals", from: "Scheduled", to: "Scheduled",
  description: "research (--prefer-globals): the active process and run queue in globals, so self, spawn and send need no suspension",
  run: preferGlobals,
};

export const switchOptPass: Pass<ScheduledProgram, ScheduledProgram> = {
  name: "switch-opt", from: "Scheduled", to: "Scheduled",
  description: "research (--yield-is-switch): a yield switches straight to the next process with `switch` (Deno only)",
  run: switchOpt,
};

export const codegenPass: Pass<ScheduledProgram, WasmModule> = {
  name: "codegen", from: "Scheduled", to: "WasmIR",
  description: "Wasm GC code: specialised and generic function entries, return_call for tail calls, type-directed printing",
  run: (p) => codegen(p, primReps()),
};

export const markPurePass: Pass<MarkedProgram, MarkedProgram> = {
  name: "mark-pure", from: "MarkedBoxed", to: "MarkedBoxed",
  description: "marks the functions no call of which can perform an operation: the cps backend keeps them in direct style",
  run: markPure,
};

export const cpsPass: Pass<MarkedProgram, CpsProgram> = {
  name: "cps", from: "MarkedBoxed", to: "CPS",
  description: "continuation-passing style: non-tail calls that may perform push a frame and jump; handlers become handler frames",
  run: cps,
};

export const cpsCodegenPass: Pass<CpsProgram, WasmModule> = {
  name: "cps-codegen", from: "CPS", to: "WasmIR",
  description: "Wasm GC code: frames and handler frames as structs, every CPS call a return_call, resumptions copied (multishot)",
  run: (p) => cpsCodegen(p, primReps()),
};

export const foldConstantsPass: Pass<BoxedProgram, BoxedProgram> = {
  name: "fold-constants", from: "Boxed", to: "Boxed",
  description: "research example, off by default: Int arithmetic on literals folded, unused pure let-values dropped",
  run: foldConstants,
};

// ---------------------------------------------------------------- pipelines
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyPass = Pass<any, any>;
/** How a pass sits in a pipeline: always run, optional (on unless `--without`), or research (off unless `--with`). */
export interface Step { pass: AnyPass; kind: "required" | "optional" | "research" }

/** A pipeline from language I to language O; `then` only accepts a pass whose input is O. */
export class Pipeline<I, O> {
  constructor(readonly steps: readonly Step[]) {}
  then<P>(pass: Pass<O, P>): Pipeline<I, P> {
    return new Pipeline<I, P>([...this.steps, { pass, kind: "required" }]);
  }
  /** A pass that keeps the language (so the pipeline is well typed without it), on by default. */
  optional(pass: Pass<O, O>): Pipeline<I, O> {
    return new Pipeline<I, O>([...this.steps, { pass, kind: "optional" }]);
  }
  /** A pass that keeps the language, off by default: a research pass switched on by `--with NAME`. */
  research(pass: Pass<O, O>): Pipeline<I, O> {
    return new Pipeline<I, O>([...this.steps, { pass, kind: "research" }]);
  }
  /** The passes that run with these switches (names of optional passes to drop, research passes to add). */
  passes(toggles: Toggles = {}): AnyPass[] {
    return this.steps.filter((s) => (s.kind === "required" ? true : s.kind === "optional" ? !toggles.without?.includes(s.pass.name) : toggles.with?.includes(s.pass.name) ?? false)).map((s) => s.pass);
  }
}
export interface Toggles { with?: readonly string[]; without?: readonly string[] }
export const start = <A, B>(pass: Pass<A, B>): Pipeline<A, B> => new Pipeline<A, B>([{ pass, kind: "required" }]);

/** The passes every Wasm backend runs (the interpreter stops after `infer`). */
export const shared = start(parsePass).then(desugarPass).then(inferPass).then(anfPass).then(closureConvertPass).then(boxPolyPass)
  .research(foldConstantsPass).then(detectActorsPass).optional(preemptPass);

/** Each Wasm backend's pipeline. */
export const pipelines = {
  wasmfx: shared.then(extractHandlersPass).then(lowerParamHandlersPass).optional(directResumePass).optional(tailResumePass)
    .then(synthesizeSchedulerPass).research(preferGlobalsPass).research(switchOptPass).then(codegenPass),
  cps: shared.optional(markPurePass).then(cpsPass).optional(tailResumeCpsPass).then(cpsCodegenPass),
} as const satisfies Record<string, Pipeline<Source, WasmModule>>;

/** Whose pipeline a backend runs: cps's, or wasmfx's (interp too, stopping after `infer`). */
export const pipelineName = (backend: string | undefined): keyof typeof pipelines => (backend === "cps" ? "cps" : "wasmfx");
export const pipelineFor = (backend: string | undefined): Pipeline<Source, WasmModule> => pipelines[pipelineName(backend)];
/** The passes to run for a backend with these switches. */
export const passesFor = (backend: string | undefined, toggles: Toggles = {}): AnyPass[] => pipelineFor(backend).passes(toggles);

/** The wasmfx pipeline's default passes: what tools run when no backend is named. */
export const pipeline: readonly AnyPass[] = passesFor("wasmfx");

/** Every step of every pipeline, each once, in pipeline order. */
export const allSteps: readonly Step[] = [...new Map([...pipelines.wasmfx.steps, ...pipelines.cps.steps].map((s) => [s.pass.name, s])).values()];
export const allPasses: readonly AnyPass[] = allSteps.map((s) => s.pass);

/** The last pass each backend needs. */
export const backendInput = { interp: "infer", wasmfx: "codegen", cps: "cps-codegen" } as const;

export function languageOf(name: string): Language<unknown> {
  const l = (languages as Record<string, Language<never>>)[name];
  if (!l) throw new Error(`unknown language ${name}`);
  return l as Language<unknown>;
}
