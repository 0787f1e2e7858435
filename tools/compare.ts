// Compare backends on Links programs: for every program × configuration (backend × engine ×
// -O level × pass switches), compile time per pass and binaryen stage, .wasm size (runtime vs
// program code, per section), run time (median and spread over --runs after a warm-up), peak
// memory (each measurement in its own child process) and whether the output matches the baseline
// configuration's. A table on stdout; --json, --csv and --html (inline SVG charts) on request.
// The work is tools/compare-lib.ts; outputs: tools/compare-report.ts, tools/compare-html.ts.
//
//   tsx tools/compare.ts FILE... [--backend B]... [--engine E]... [-O N]... [--with P]... [--without P]...
//                        [--config SPEC]... [--runs N] [--compile-runs N] [--baseline CONFIG] [--timeout S]
//                        [--json OUT] [--csv OUT] [--html OUT] [--quiet]
import { writeFileSync } from "node:fs";
import { Console, Effect, Option } from "effect";
import { Argument, Command, Flag } from "effect/cli";
import { BACKENDS, ENGINES } from "./compile-lib.js";
import { runCli, toDriverError, usageError, withFlag, withoutFlag } from "./driver.js";
import { CompareProblem, compare } from "./compare-lib.js";
import type { OptLevel } from "./compare-types.js";
import { csv, table } from "./compare-report.js";
import { html } from "./compare-html.js";

const output = (name: string, what: string) =>
  Flag.String(name).pipe(Flag.withMetavar("OUT"), Flag.optional, Flag.withDescription(`write ${what} to OUT`));

/** Progress on stderr: one line rewritten in place on a terminal, a line per step otherwise. */
function progressLine(quiet: boolean): { show: (s: string) => void; done: () => void } {
  if (quiet) return { show: () => {}, done: () => {} };
  const tty = process.stderr.isTTY;
  let shown = false;
  return {
    show: (s) => {
      if (tty) { process.stderr.write(`\r\x1b[K${s.slice(0, (process.stderr.columns || 100) - 1)}`); shown = true; }
      else process.stderr.write(s + "\n");
    },
    done: () => { if (shown) process.stderr.write("\r\x1b[K"); },
  };
}

const compareCmd = Command.make(
  "compare",
  {
    files: Argument.String("file").pipe(Argument.atLeast(1), Argument.withDescription("the Links programs (.links) to measure")),
    backend: Flag.Literals("backend", BACKENDS).pipe(Flag.withMetavar("BACKEND"), Flag.atLeast(0),
      Flag.withDescription("a backend to compare; repeatable (default: interp, wasmfx and cps)")),
    engine: Flag.Literals("engine", ENGINES).pipe(Flag.withMetavar("ENGINE"), Flag.atLeast(0),
      Flag.withDescription("an engine for the Wasm backends: node (Node 26, WasmFX flag on), deno or chromium (headless Chromium 147); repeatable (default: node)")),
    opt: Flag.Literals("opt", ["0", "1", "2", "3"] as const).pipe(Flag.withAlias("O"), Flag.withMetavar("N"), Flag.atLeast(0),
      Flag.withDescription("a binaryen optimisation level for the Wasm backends; repeatable (default: 2)")),
    with: withFlag,
    without: withoutFlag,
    config: Flag.String("config").pipe(Flag.withMetavar("SPEC"), Flag.atLeast(0), Flag.withDescription(
      "one more configuration, `[NAME:]backend=B,engine=E,O=N,with=P+Q,without=P` (e.g. `globals:backend=wasmfx,with=prefer-globals`); repeatable; with only --config, the default cross product is left out")),
    runs: Flag.Int("runs").pipe(Flag.withMetavar("N"), Flag.withDefault(5), Flag.withDescription("timed runs after one warm-up run, each in a fresh instance (default: 5)")),
    compileRuns: Flag.Int("compile-runs").pipe(Flag.withMetavar("N"), Flag.withDefault(3),
      Flag.withDescription("timed compiles after one untimed one; compile times are their medians (default: 3)")),
    baseline: Flag.String("baseline").pipe(Flag.withMetavar("CONFIG"), Flag.optional,
      Flag.withDescription("the configuration ratios and outputs are compared against (default: the first, `interp` by default)")),
    timeout: Flag.Finite("timeout").pipe(Flag.withMetavar("SECONDS"), Flag.optional,
      Flag.withDescription("give up a run after this many seconds (the measuring process is killed; default: no limit)")),
    json: output("json", "the whole report as JSON (per-pass times, binaryen stages, sections, each function's size, every run)"),
    csv: output("csv", "one CSV row per program × configuration"),
    html: output("html", "one self-contained HTML page with SVG bar charts per program"),
    quiet: Flag.Boolean("quiet").pipe(Flag.withDefault(false), Flag.withDescription("no progress lines on stderr")),
  },
  (o) =>
    Effect.gen(function* () {
      const progress = progressLine(o.quiet);
      const report = yield* Effect.tryPromise({
        try: () => compare({
          files: [...o.files], backends: o.backend, engines: o.engine, opts: o.opt.map((n) => Number(n) as OptLevel),
          with: o.with, without: o.without, configs: o.config, runs: o.runs, compileRuns: o.compileRuns,
          baseline: Option.getOrUndefined(o.baseline), timeoutS: Option.getOrUndefined(o.timeout), onProgress: progress.show,
        }),
        catch: (e) => (e instanceof CompareProblem ? usageError(e.message) : toDriverError(e)),
      }).pipe(Effect.ensuring(Effect.sync(progress.done)));
      yield* Console.log(table(report));
      const outputs: [Option.Option<string>, () => string][] = [
        [o.json, () => JSON.stringify(report, null, 1) + "\n"], [o.csv, () => csv(report)], [o.html, () => html(report)],
      ];
      for (const [file, text] of outputs) {
        if (Option.isNone(file)) continue;
        yield* Effect.try({ try: () => writeFileSync(file.value, text()), catch: (e) => usageError(`cannot write ${file.value}: ${(e as Error).message}`) });
        yield* Console.error(`wrote ${file.value}`);
      }
    }),
).pipe(
  Command.withDescription(
    "Compare backends on Links programs: compile time (per pass and binaryen stage), .wasm size (runtime vs program code, per section), " +
    "run time (median and spread over --runs after a warm-up), peak memory (each measurement in its own process) and same output as the baseline. " +
    "Configurations are backends × engines × -O levels (engines and -O apply to wasmfx and cps), named like `interp`, `wasmfx/node/O2`, `cps/deno/O0+fold-constants`. " +
    "What a configuration cannot run is reported as unsupported; the exit status is 0 unless the usage or a file is wrong."),
  Command.withExamples([
    { command: "compare bench/fib.links bench/deep_handler.links", description: "interp, wasmfx and cps on Node at -O2, 5 runs each" },
    { command: "compare bench/queens.links --backend cps --backend wasmfx --engine node --engine deno --html out.html", description: "multishot on two engines (wasmfx: unsupported), with charts" },
    { command: "compare bench/state.links --backend wasmfx -O 0 -O 2 --runs 10 --csv state.csv", description: "what binaryen's -O2 buys" },
    { command: "compare examples/prime-sieve.links --config wasmfx --config globals:backend=wasmfx,with=prefer-globals", description: "a research pass on and off" },
  ]),
);

runCli(compareCmd);
