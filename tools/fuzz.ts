// A differential fuzzer: random well-typed programs of the Links subset (type-directed, from a
// seeded PRNG) run on interp and on every selected backend × engine; stdout, exit status and the
// first line's error kind must agree with interp. A disagreement is shrunk to a small reproducer
// (printed, and written to --out). With --parser, a parser fuzzer instead: random bytes, token soup
// and mutated programs through the front end, which must succeed or fail with a clean error.
// Generator: tools/fuzz-gen.ts, tools/fuzz-gen-fx.ts (AST: tools/fuzz-ast.ts); runs: tools/fuzz-run.ts;
// loop: tools/fuzz-lib.ts; shrinker: tools/fuzz-shrink.ts; parser fuzzer: tools/fuzz-parser.ts.
//
//   tsx tools/fuzz.ts [--count N] [--seed S] [--backend B]... [--engine E]... [--parser] [--max-size N]
//                     [--out DIR] [--timeout S] [--exclude FEATURE]... [-O N] [--shrink N] [--features]
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Console, Effect, Option } from "effect";
import { Command, Flag } from "effect/cli";
import { ENGINES, prepareBackend } from "./compile-lib.js";
import { runCli, toDriverError, usageError } from "./driver.js";
import { FEATURES } from "./fuzz-gen.js";
import { type Finding, type FuzzReport, fuzz } from "./fuzz-lib.js";
import { type Outcome, type Target, targetName } from "./fuzz-run.js";
import { fuzzParser } from "./fuzz-parser.js";
import { KNOWN } from "./fuzz-known.js";

const WASM_BACKENDS = ["wasmfx", "cps"] as const;

function showOutcome(name: string, o: Outcome): string {
  const lines = [`--- ${name}: exit ${o.exitCode}`];
  if (o.stdout !== "") lines.push(o.stdout.replace(/\n$/, ""));
  if (o.stderr !== "") lines.push(o.stderr.split("\n").slice(0, 6).join("\n").replace(/\n$/, ""));
  return lines.join("\n");
}

function showFinding(n: number, f: Finding): string {
  const head = `disagreement ${n}: program ${f.index} (generator seed ${f.programSeed}) on ${f.target}: ${f.why}\n  features: ${f.used.join(", ") || "-"}`;
  if (f.shrunk) {
    return [head, `--- reproducer (shrunk from ${f.text.length} to ${f.shrunk.text.length} characters in ${f.shrunk.tests} tests):`,
      f.shrunk.text.replace(/\n$/, ""), showOutcome("interp", f.shrunk.interp), showOutcome(f.target, f.shrunk.got)].join("\n");
  }
  return `${head}\n  not shrunk (the same disagreement with the same known-bug features was, or --shrink's limit); ${firstDifference(f.interp, f.got)}`;
}

/** Where two outcomes first differ, in a line. */
function firstDifference(a: Outcome, b: Outcome): string {
  const la = (a.stdout + a.stderr).split("\n"), lb = (b.stdout + b.stderr).split("\n");
  let i = 0;
  while (i < la.length && la[i] === lb[i]) i++;
  const cut = (s: string | undefined) => JSON.stringify((s ?? "").slice(0, 160));
  return `first difference at output line ${i + 1}: interp ${cut(la[i])}, this backend ${cut(lb[i])}`;
}

function progress(kind: string, done: number, total: number, t0: number, what: string): void {
  process.stderr.write(`fuzz${kind}: ${done}/${total} ${what} (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
}

const fuzzCmd = Command.make(
  "fuzz",
  {
    count: Flag.Int("count").pipe(Flag.withMetavar("N"), Flag.withDefault(100), Flag.withDescription("how many programs (or parser inputs) to try (default: 100)")),
    seed: Flag.Int("seed").pipe(Flag.withMetavar("S"), Flag.withDefault(1), Flag.withDescription("the PRNG seed; program i of a seed is always the same (default: 1)")),
    backend: Flag.Literals("backend", WASM_BACKENDS).pipe(Flag.withMetavar("BACKEND"), Flag.atLeast(0),
      Flag.withDescription("a backend compared with interp; repeatable (default: wasmfx and cps)")),
    engine: Flag.Literals("engine", ENGINES).pipe(Flag.withMetavar("ENGINE"), Flag.atLeast(0),
      Flag.withDescription(`one more engine for the Wasm backends, besides node: ${ENGINES.filter((e) => e !== "node").join(", ")}; repeatable`)),
    parser: Flag.Boolean("parser").pipe(Flag.withDefault(false), Flag.withDescription(
      "fuzz the front end instead: random bytes, token soup and mutated programs must parse and type or fail with a clean error")),
    maxSize: Flag.Int("max-size").pipe(Flag.withMetavar("N"), Flag.withDefault(60), Flag.withDescription("about how many expression nodes a program has (default: 60)")),
    out: Flag.String("out").pipe(Flag.withMetavar("DIR"), Flag.optional, Flag.withDescription(
      "write each disagreement's program and reproducer (and each parser failure) as .links files to DIR")),
    timeout: Flag.Finite("timeout").pipe(Flag.withMetavar("S"), Flag.withDefault(10), Flag.withDescription(
      "seconds per run, on every backend and engine; a program interp does not finish is skipped (default: 10)")),
    exclude: Flag.String("exclude").pipe(Flag.withMetavar("FEATURE"), Flag.atLeast(0), Flag.withDescription(
      `a generator feature to leave out; repeatable; \`known\` = the known bugs' (${KNOWN.map((k) => k.feature).join(", ")}); --features lists them`)),
    opt: Flag.Literals("opt", ["0", "1", "2", "3"] as const).pipe(Flag.withAlias("O"), Flag.withMetavar("N"), Flag.withDefault("0" as const),
      Flag.withDescription("binaryen's optimisation level for the Wasm backends (default: 0, fastest to compile; the CLIs' default is 2)")),
    shrink: Flag.Int("shrink").pipe(Flag.withMetavar("N"), Flag.withDefault(10), Flag.withDescription("shrink at most N disagreements (default: 10; shrinking one takes up to 300 runs)")),
    features: Flag.Boolean("features").pipe(Flag.withDefault(false), Flag.withDescription("list the generator's features and exit")),
  },
  (o) =>
    Effect.gen(function* () {
      if (o.features) {
        for (const [name, doc] of Object.entries(FEATURES)) yield* Console.log(`${name.padEnd(16)} ${doc}`);
        return;
      }
      if (o.count < 0) return yield* usageError("--count must be at least 0");
      if (o.maxSize < 1) return yield* usageError("--max-size must be at least 1");
      const exclude = o.exclude.flatMap((f) => (f === "known" ? KNOWN.map((k) => k.feature) : [f]));
      const unknown = exclude.filter((f) => !(f in FEATURES));
      if (unknown.length > 0) return yield* usageError(`--exclude ${unknown[0]}: no such feature (features: ${Object.keys(FEATURES).join(", ")}, known)`);
      const outDir = Option.getOrUndefined(o.out);
      const write = (name: string, text: string) => {
        if (!outDir) return;
        mkdirSync(outDir, { recursive: true });
        writeFileSync(join(outDir, name), text);
      };
      const t0 = Date.now();

      if (o.parser) {
        const r = yield* Effect.try({
          try: () => fuzzParser({
            count: o.count, seed: o.seed, maxSize: o.maxSize,
            onProgress: (done) => progress(" --parser", done, o.count, t0, "inputs"),
            onFinding: (f) => {
              process.stdout.write(`failure: input ${f.index} (${f.kind}): ${f.problem}\n--- reproducer:\n${JSON.stringify(f.shrunk)}\n`);
              write(`parser-${f.index}.links`, f.shrunk);
            },
          }),
          catch: (e) => toDriverError(e),
        });
        yield* Console.log(`accepted ${r.accepted}, rejected cleanly ${r.rejected}, ${(r.ms / 1000).toFixed(1)} s`);
        yield* Console.log(`fuzz: ${r.inputs} inputs, ${r.findings.length} failures`);
        if (r.findings.length > 0) process.exitCode = 1;
        return;
      }

      const backends = o.backend.length > 0 ? o.backend : WASM_BACKENDS;
      const engines = [...new Set(["node" as const, ...o.engine])];
      const targets: Target[] = backends.flatMap((backend) => engines.map((engine) => ({ backend, engine })));
      yield* Effect.promise(() => prepareBackend("wasmfx"));
      let shown = 0;
      const report: FuzzReport = yield* Effect.try({
        try: () => fuzz({
          count: o.count, seed: o.seed, targets, maxSize: o.maxSize, exclude, timeoutS: o.timeout,
          optimize: Number(o.opt) as 0 | 1 | 2 | 3, shrinkLimit: o.shrink,
          onProgress: (done, r) => progress("", done, o.count, t0, `programs, ${r.disagreements} disagreements, ${r.rejects.length} generator rejects`),
          onFinding: (f) => {
            shown++;
            process.stdout.write(showFinding(shown, f) + "\n\n");
            const base = `${f.index}-${f.target.replace("/", "-")}`;
            write(`${base}.links`, f.text);
            if (f.shrunk) write(`${base}.min.links`, f.shrunk.text);
          },
        }),
        catch: (e) => toDriverError(e),
      });
      for (const rj of report.rejects.slice(0, 5)) {
        yield* Console.log(`generator reject: program ${rj.index}:\n${rj.error.split("\n").slice(0, 4).join("\n")}\n${rj.text}`);
        write(`reject-${rj.index}.links`, rj.text);
      }
      const features = Object.entries(report.features).sort(([a], [b]) => a.localeCompare(b)).map(([f, n]) => `${f} ${n}`).join(", ");
      yield* Console.log(`targets: ${targets.map(targetName).join(", ")}; -O${o.opt}; ${(report.ms / 1000).toFixed(1)} s`);
      yield* Console.log(`programs using each feature: ${features}`);
      if (report.disagreements > 0) {
        const by = Object.entries(report.byKnown).sort(([, a], [, b]) => b - a).map(([k, n]) => `${k} ${n}`).join(", ");
        yield* Console.log(`disagreeing programs by the known bugs' features they use (one: its name; several; none: a new bug?): ${by}`);
      }
      yield* Console.log(`generator rejects ${report.rejects.length}, timeouts ${report.timeouts}, runtime errors on interp ${report.runtimeErrors}, ` +
        `one-shot stops on wasmfx (multishot, expected) ${report.oneShot}`);
      yield* Console.log(`fuzz: ${report.programs} programs, ${report.disagreements} disagreements`);
      if (report.disagreements > 0) process.exitCode = 1;
    }),
).pipe(
  Command.withDescription(
    "Differential fuzzing: random well-typed programs (Int edges, floats, strings, records, variants, lists, closures, recursion, " +
    "deep/shallow/parameterised/multishot handlers, processes) run on interp and on wasmfx and cps; any difference in stdout, exit status " +
    "or error kind is shrunk to a small reproducer. The last line is `fuzz: N programs, D disagreements`; the exit status is 1 if D > 0. " +
    "With --parser, the front end is fuzzed instead (last line `fuzz: N inputs, F failures`)."),
  Command.withExamples([
    { command: "fuzz --count 1000 --seed 1", description: "a thousand programs on wasmfx and cps (Node)" },
    { command: "fuzz --count 200 --backend cps --engine deno --out fuzz-out", description: "cps on Node and Deno, reproducers in fuzz-out/" },
    { command: "fuzz --count 500 --exclude known", description: "without the known bugs' triggers" },
    { command: "fuzz --parser --count 2000", description: "the front end must fail cleanly on junk" },
  ]),
);

runCli(fuzzCmd);
