// The Effect side of the tools: typed errors, the pipeline as an Effect (pass by pass, timed,
// optionally validated), the backend run, and the shared CLI runner. Passes stay plain functions.
import * as NodeRuntime from "@effect/platform-node/NodeRuntime";
import * as NodeServices from "@effect/platform-node/NodeServices";
import { Console, Data, Effect, FileSystem, Layer, Runtime } from "effect";
import { CliError, CliOutput, Command, Flag } from "effect/cli";
import { CompileError, type ErrorKind, renderError, type Span, isStackOverflow, tooDeep } from "../ir/common.js";
import { type Source, type Toggles, allSteps, passesFor } from "../passes/pipeline.js";
import { onToolThread } from "./big-stack.js";
import { type Backend, ENGINES, type RunOptions, prepareBackend, runOn, runPipeline, toggleProblem } from "./compile-lib.js";

/** `--engine node|deno|chromium`, shared by the tools that run Wasm modules. */
export const engineFlag = Flag.Literals("engine", ENGINES).pipe(
  Flag.withMetavar("ENGINE"),
  Flag.withDefault("node"),
  Flag.withDescription("the engine that runs a Wasm backend's module: node (this process, WasmFX flag on), deno (a `deno run` child process; the `deno` devDependency) or chromium (a headless Chromium 147 page; the `@sparticuz/chromium` and `puppeteer-core` devDependencies) (default: node)"),
);

/** Names of the passes `--with` can switch on (research) and `--without` off (optional). */
const toggleable = (kind: "research" | "optional") => allSteps.filter((s) => s.kind === kind).map((s) => s.pass.name);
/** `--with NAME` (repeatable): run a research pass that is off by default. */
export const withFlag = Flag.Literals("with", toggleable("research")).pipe(
  Flag.withMetavar("PASS"), Flag.atLeast(0),
  Flag.withDescription(`switch on a research pass that is off by default; repeatable (passes: ${toggleable("research").join(", ")})`),
);
/** `--without NAME` (repeatable): skip an optional pass. */
export const withoutFlag = Flag.Literals("without", toggleable("optional")).pipe(
  Flag.withMetavar("PASS"), Flag.atLeast(0),
  Flag.withDescription(`skip an optional pass; repeatable (passes: ${toggleable("optional").join(", ")})`),
);

/** `--prefer-globals`: the same as `--with prefer-globals`. */
export const preferGlobalsFlag = Flag.Boolean("prefer-globals").pipe(Flag.withDefault(false), Flag.withDescription(
  "wasmfx: the active process and run queue live in globals, so self(), spawn and send need no suspension to the scheduler (= --with prefer-globals)"));
/** `--yield-is-switch`: the same as `--with switch-opt`. */
export const yieldIsSwitchFlag = Flag.Boolean("yield-is-switch").pipe(Flag.withDefault(false), Flag.withDescription(
  "wasmfx: a yield switches straight to the next process with `switch` (= --with switch-opt); needs --engine deno (the V8s of Node 26 and Chromium 147 lack switch)"));
/** The research passes switched on: `--with` and the two scheduler flags. */
export const researchOn = (o: { with: readonly string[]; preferGlobals: boolean; yieldIsSwitch: boolean }): string[] =>
  [...new Set([...o.with, ...(o.preferGlobals ? ["prefer-globals"] : []), ...(o.yieldIsSwitch ? ["switch-opt"] : [])])];

// ---------------------------------------------------------------- typed errors
interface ErrorFields {
  readonly kind: ErrorKind | "file" | "usage";
  readonly message: string;
  readonly span: Span | undefined;
  /** The error as shown to the user: `file:line:col: Kind: message` + source line + caret. */
  readonly rendered: string;
}
/** A tagged error class; `Command.run` prints `rendered` (its CliError.userMessage) on stderr. */
const DriverErrorClass = <const Tag extends string>(tag: Tag) =>
  class extends Data.TaggedError(tag)<ErrorFields> {
    override readonly [CliError.userMessage]: string = this.rendered;
    /** We print it ourselves; `runMain` must not log it again. */
    override readonly [Runtime.errorReported]: boolean = false;
  };
export class LinksSyntaxError extends DriverErrorClass("LinksSyntaxError") {}
export class LinksTypeError extends DriverErrorClass("LinksTypeError") {}
export class UnsupportedError extends DriverErrorClass("UnsupportedError") {}
export class LinksRuntimeError extends DriverErrorClass("LinksRuntimeError") {}
export class InternalError extends DriverErrorClass("InternalError") {}
/** The input file cannot be read. */
export class FileError extends DriverErrorClass("FileError") {}
/** A bad combination of options (e.g. an unknown pass name). */
export class UsageError extends DriverErrorClass("UsageError") {}
export type DriverError =
  | LinksSyntaxError | LinksTypeError | UnsupportedError | LinksRuntimeError | InternalError | FileError | UsageError;

const byKind: Record<ErrorKind, new (fields: ErrorFields) => DriverError> = {
  syntax: LinksSyntaxError, type: LinksTypeError, unsupported: UnsupportedError, runtime: LinksRuntimeError, internal: InternalError,
};

/**
 * Any throwable from a pass or backend → a typed error, rendered against the source text. Never a
 * stack trace. A stack overflow is the compiler's limit on nesting, not a bug: `unsupported: the
 * program nests too deeply for the compiler (… in WHERE)` (big-stack.ts's `tooDeep`).
 */
export function toDriverError(e: unknown, src?: Source, where?: string): DriverError {
  const err = e instanceof CompileError ? e
    : isStackOverflow(e) ? tooDeep(e, where)
    : new CompileError("internal", e instanceof Error ? e.message : String(e));
  return new byKind[err.kind]({ kind: err.kind, message: err.message, span: err.span, rendered: renderError(err, src?.text) });
}

export const usageError = (message: string) => new UsageError({ kind: "usage", message, span: undefined, rendered: `error: ${message}` });

// ---------------------------------------------------------------- reading, compiling, running
export const readSource = (file: string): Effect.Effect<Source, FileError | LinksSyntaxError, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem;
    const fail = (why: string) => new FileError({ kind: "file", message: `cannot read ${file}: ${why}`, span: undefined, rendered: `error: cannot read ${file}: ${why}` });
    const info = yield* fs.stat(file).pipe(Effect.mapError((e) => fail(e.reason._tag === "NotFound" ? "no such file" : (e.reason.description ?? e.reason._tag))));
    if (info.type === "Directory") return yield* Effect.fail(fail("it is a directory, not a .links file"));
    const bytes = yield* fs.readFile(file).pipe(Effect.mapError((e) => fail(e.reason._tag === "BadArgument" ? e.message : (e.reason.description ?? e.reason._tag))));
    const text = decodeUtf8(bytes, file);
    if (typeof text !== "string") return yield* Effect.fail(new LinksSyntaxError({ kind: "syntax", message: text.message, span: text.span, rendered: renderError(text, new TextDecoder().decode(bytes)) }));
    return { file, text };
  });

/** A source file's text, or the syntax error at its first byte that is not UTF-8 (Links source is UTF-8). */
export function decodeUtf8(bytes: Uint8Array, file: string): string | CompileError {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    // find the first bad byte: decode ever longer prefixes that end on a character boundary
    let good = 0;
    for (let i = 0; i < bytes.length;) {
      const b = bytes[i]!;
      const len = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
      try {
        if (len === 0 || i + len > bytes.length) throw new Error();
        new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(i, i + len));
      } catch {
        good = i;
        break;
      }
      i += len;
      good = i;
    }
    const before = new TextDecoder().decode(bytes.subarray(0, good));
    const lines = before.split("\n");
    const line = lines.length, col = lines[lines.length - 1]!.length + 1;
    const span: Span = { file, line, col, endLine: line, endCol: col + 1 };
    return new CompileError("syntax", `invalid UTF-8: byte 0x${bytes[good]!.toString(16).padStart(2, "0")} does not start or continue a character (Links source files are UTF-8)`, span);
  }
}

export interface PassRun {
  name: string;
  from: string;
  to: string;
  ms: number;
  output: unknown;
}

/**
 * Run the passes (compile-lib's `runPipeline`, the one runner) as an Effect, stopping after
 * `until`; with `check`, each output is validated against its language. `onPass` runs after each
 * pass, as it finishes (dumps of the passes before a failing one are shown).
 */
export const compile = Effect.fn("compile")(function* (
  src: Source,
  opts: Toggles & { until?: string; check?: boolean; onPass?: (r: PassRun) => Effect.Effect<void>; backend?: Backend } = {},
) {
  const problem = toggleProblem(opts.backend, opts, opts.until);
  if (problem) return yield* usageError(problem);
  const runs: PassRun[] = [];
  const output = yield* Effect.try({
    try: () => runPipeline(src, {
      ...opts,
      onPass: (p) => {
        const r: PassRun = { name: p.pass, from: p.from, to: p.to, ms: p.ms, output: p.output };
        runs.push(r);
        if (opts.onPass) Effect.runSync(opts.onPass(r));
      },
    }),
    catch: (e) => toDriverError(e, src, `pass ${passesFor(opts.backend, opts)[runs.length]?.name ?? "?"}`),
  });
  return { output, runs };
});

export interface BackendResult {
  backend: Backend;
  /** What the program printed. */
  output: string;
  /** The final `VALUE : TYPE` line (without newline). */
  value: string;
}

/**
 * Run a backend on its input (TypedCore for interp, WasmIR for wasmfx and cps); `out` receives
 * output as it is printed. A stack overflow before binaryen has emitted the module is the
 * compiler's (too deep); after, the program's own, at run time.
 */
export const runBackend = (src: Source, input: unknown, backend: Backend, opts: RunOptions = {}) => {
  let built = false;
  return Effect.promise(() => prepareBackend(backend)).pipe(Effect.andThen(Effect.try({
    try: (): BackendResult => {
      built = false;
      const chunks: string[] = [];
      const out = (s: string) => { chunks.push(s); opts.out?.(s); };
      const onStage = (stage: string, ms: number) => { if (stage === "binaryen emit") built = true; opts.onStage?.(stage, ms); };
      runOn(backend, input, { ...opts, out, onStage });
      const value = chunks.pop() ?? "";
      return { backend, output: chunks.join(""), value: value.replace(/\n$/, "") };
    },
    catch: (e) => toDriverError(built && isStackOverflow(e) ? new CompileError("runtime", e.message) : e, src, `the ${backend} backend`),
  })), Effect.withSpan(`backend ${backend}`));
};

// ---------------------------------------------------------------- the CLI runner
/** Bad invocations print `error: …` and a hint on stderr (exit 1) instead of the whole help page. */
const presenter: CliOutput.Presenter = {
  present: (event) =>
    event._tag === "InvalidInvocation"
      ? Console.error(`${event.errors.map((e) => `error: ${e.message}`).join("\n")}\nRun \`${event.commandPath.join(" ")} --help\` for usage.`)
      : CliOutput.defaultPresenter.present(event),
};
const base = CliOutput.defaultFormatter({ colors: false });
/** Our errors' userMessage is already rendered: print it verbatim. */
const formatter: CliOutput.Formatter = { ...base, formatError: (e) => (e._tag === "UserError" ? e.message : base.formatError(e)) };

/** Run a command on process.argv: exit 0 on success, 1 with the rendered error on stderr otherwise. */
export function runCli<Name extends string, I, C, E>(cmd: Command.Command<Name, I, C, E, Command.Environment>): void {
  onToolThread();
  // Started after the calling module has finished evaluating: on the big-stack worker thread
  // (tools/big-stack.ts), a command that fails at once (a usage error) would otherwise call
  // process.exit while Node still evaluates the command's module, which aborts V8 (Node 26.10:
  // `Check failed: !is_null()`).
  setImmediate(() => Command.run(cmd, { version: "0.1.0" }).pipe(
    // A defect is a bug in the tools: still one line on stderr, not a stack trace.
    Effect.catchDefect((d) => { const e = toDriverError(d); return Effect.andThen(Console.error(e.rendered), Effect.fail(e)); }),
    Effect.provide(Layer.mergeAll(NodeServices.layer, CliOutput.layer(formatter), CliOutput.layerPresenter(presenter))),
    NodeRuntime.runMain,
  ));
}
