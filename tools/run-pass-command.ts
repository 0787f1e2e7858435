// The `run-pass` command (tools/run-pass.ts runs it on a thread with a big stack: tools/big-stack.ts).
//
// Run the pipeline pass by pass and look at what each pass produced.
//
//   tsx tools/run-pass.ts FILE [--dump[=PASS,PASS]] [--until PASS] [--check] [--time] [--json] [--backend interp|wasmfx|cps]
//                         [--engine node|deno|chromium] [--with PASS]... [--without PASS]... [--prefer-globals] [--yield-is-switch]
//   tsx tools/run-pass.ts --list [--backend cps]
import { Cause, Console, Effect, Option } from "effect";
import { Argument, Command, Flag } from "effect/cli";
import type { CoreProgram } from "../ir/core.js";
import { allPasses, backendInput, languageOf, passesFor, pipelineFor, pipelineName } from "../passes/pipeline.js";
import { BACKENDS } from "./compile-lib.js";
import { type BackendResult, compile, engineFlag, type PassRun, readSource, runBackend, runCli, preferGlobalsFlag, researchOn, usageError, withFlag, withoutFlag, yieldIsSwitchFlag } from "./driver.js";

/** Every pass of both Wasm pipelines (the cps backend's after box-poly are its own). */
const passNames = allPasses.map((p) => p.name);

/** `all`, or a comma-separated list of pass names. */
const parseDumpList = (s: string): Option.Option<string[]> => {
  if (s === "all") return Option.some(["all"]); // the chosen backend's passes, expanded below
  const names = s.split(",").map((n) => n.trim()).filter((n) => n !== "");
  return names.length > 0 && names.every((n) => passNames.includes(n)) ? Option.some(names) : Option.none();
};

const dumpHeader = (r: PassRun) => `;; ---- after ${r.name} (${r.to}) ----`;
const printIR = (r: PassRun) => languageOf(r.to).print(r.output);

function timingTable(runs: PassRun[]): string {
  const rows = runs.map((r) => [r.name, r.from ? `${r.from} → ${r.to}` : `(backend ${r.to})`, r.ms.toFixed(2)]);
  rows.push(["total", "", runs.reduce((a, r) => a + r.ms, 0).toFixed(2)]);
  const head = ["pass", "from → to", "ms"];
  const w = [0, 1].map((i) => Math.max(head[i]!.length, ...rows.map((r) => r[i]!.length)));
  const wms = Math.max(2, ...rows.map((r) => r[2]!.length));
  const line = (r: string[]) => `${r[0]!.padEnd(w[0]!)}  ${r[1]!.padEnd(w[1]!)}  ${r[2]!.padStart(wms)}`;
  return [line(head), ...rows.map(line)].join("\n");
}

const runPass = Command.make(
  "run-pass",
  {
    file: Argument.String("file").pipe(Argument.withDescription("the Links program (.links); not needed with --list"), Argument.optional),
    list: Flag.Boolean("list").pipe(Flag.withDefault(false), Flag.withDescription("list the passes in order (name: From → To  description) and exit; with --backend cps, the cps backend's (default: wasmfx's)")),
    dump: Flag.String("dump").pipe(
      Flag.withOptionalValue("all"),
      Flag.withMetavar("PASS,PASS"),
      Flag.filterMap(parseDumpList, (s) =>
        `comma-separated pass names; unknown: ${s.split(",").filter((n) => !passNames.includes(n.trim())).join(", ") || "(none given)"}; valid passes: ${passNames.join(", ")}`),
      Flag.optional,
      Flag.withDescription(`print the IR after every pass, or with --dump=PASS,PASS after those passes only (passes: ${passNames.join(", ")})`),
    ),
    until: Flag.Literals("until", passNames).pipe(Flag.withMetavar("PASS"), Flag.optional, Flag.withDescription("stop after this pass")),
    check: Flag.Boolean("check").pipe(Flag.withDefault(false), Flag.withDescription("validate the output of every pass against its language")),
    time: Flag.Boolean("time").pipe(Flag.withDefault(false), Flag.withDescription("print a per-pass timing table on stderr; with --backend, also the backend's own steps (binaryen parse, validate, optimize, emit; instantiate + run)")),
    json: Flag.Boolean("json").pipe(
      Flag.withDefault(false),
      Flag.withDescription('machine-readable output on stdout: {"passes":[{"name","from","to","ms","dump"?}],"result"?,"error"?}'),
    ),
    with: withFlag,
    without: withoutFlag,
    preferGlobals: preferGlobalsFlag,
    yieldIsSwitch: yieldIsSwitchFlag,
    engine: engineFlag,
    backend: Flag.Literals("backend", BACKENDS).pipe(
      Flag.withMetavar("BACKEND"),
      Flag.optional,
      Flag.withDescription("run the passes this backend needs (cps: the shared passes, then mark-pure, cps, cps-codegen; otherwise wasmfx's), then the program, printing its output and `VALUE : TYPE`"),
    ),
  },
  (o) =>
    Effect.gen(function* () {
      const backend = Option.getOrUndefined(o.backend);
      const toggles = { with: researchOn(o), without: o.without };
      const pipeline = passesFor(backend, toggles);
      if (o.list) {
        // every step of the chosen pipeline; optional and research ones say how to switch them
        const steps = pipelineFor(backend).steps;
        const on = new Set(pipeline.map((p) => p.name));
        const head = (p: { name: string; from: string; to: string }) => `${p.name}: ${p.from} → ${p.to}`;
        const w = Math.max(...steps.map((s) => head(s.pass).length));
        const note = (s: (typeof steps)[number]) =>
          s.kind === "required" ? "" : s.kind === "optional" ? ` [optional, ${on.has(s.pass.name) ? "on" : "off"}: --without ${s.pass.name}]` : ` [research, ${on.has(s.pass.name) ? "on" : "off"}: --with ${s.pass.name}]`;
        return yield* Console.log(steps.map((s) => `${head(s.pass).padEnd(w)}  ${s.pass.description}${note(s)}`).join("\n"));
      }
      if (Option.isNone(o.file)) return yield* usageError("missing FILE (run `run-pass --help` for usage)");
      const until = Option.getOrUndefined(o.until);
      const dump = Option.map(o.dump, (ns) => (ns[0] === "all" ? pipeline.map((p) => p.name) : ns));
      const missing = [...(until ? [until] : []), ...Option.getOrElse(dump, () => [])].filter((n) => !pipeline.some((p) => p.name === n));
      if (missing.length > 0) {
        // a research pass left off or an optional one switched off: say how to run it
        const name = missing[0]!;
        const steps = pipelineFor(backend).steps;
        const step = steps.find((s) => s.pass.name === name);
        const why = !step ? (pipelineName(backend) === "cps" ? " (a pass of the wasmfx pipeline)" : " (a pass of the cps pipeline: add --backend cps)")
          : step.kind === "research" ? ` (a research pass, off by default: add --with ${name})`
          : step.kind === "optional" && o.without.includes(name) ? ` (switched off by --without ${name})` : "";
        return yield* usageError(`${missing.join(", ")}: the ${pipelineName(backend)} pipeline runs no such pass${why}; it runs ${pipeline.map((p) => p.name).join(", ")}`);
      }
      if (backend && until && until !== pipeline.at(-1)!.name)
        return yield* usageError(`--backend needs the whole pipeline, but --until stops after ${until}`);
      // With no output option, show the IR after the last pass that runs.
      const quiet = Option.isNone(o.dump) && !backend && !o.json && !o.time;
      const dumpSet = new Set(Option.getOrElse(dump, () => (quiet ? [until ?? pipeline.at(-1)!.name] : [])));

      const src = yield* readSource(o.file.value);
      const passes: { name: string; from: string; to: string; ms: number; dump?: string }[] = [];
      let result: BackendResult | undefined;
      /** the backend's own steps (binaryen's, the run), after the passes in --time and --json */
      const stages: { name: string; from: string; to: string; ms: number }[] = [];
      const onPass = (r: PassRun) =>
        Effect.suspend(() => {
          const dump = dumpSet.has(r.name) ? printIR(r) : undefined;
          passes.push({ name: r.name, from: r.from, to: r.to, ms: Number(r.ms.toFixed(3)), ...(dump !== undefined ? { dump } : {}) });
          return dump === undefined || o.json ? Effect.void : Console.log(`${dumpHeader(r)}\n${dump}`);
        });
      const program = Effect.gen(function* () {
        const { output, runs } = yield* compile(src, { until, check: o.check, onPass, backend, ...toggles });
        if (backend)
          result = yield* runBackend(src, (runs.find((r) => r.name === backendInput[backend])?.output ?? output) as CoreProgram, backend, {
            engine: o.engine,
            out: o.json ? undefined : (s) => process.stdout.write(s),
            onStage: (name, ms) => stages.push({ name, from: "", to: backend, ms: Number(ms.toFixed(3)) }),
          });
      });
      const exit = yield* Effect.exit(program);
      if (o.time) yield* Console.error(timingTable([...passes, ...stages].map((p) => ({ ...p, output: undefined }))));
      if (o.json) {
        const error = exit._tag === "Failure" ? Option.getOrUndefined(Cause.findErrorOption(exit.cause)) : undefined;
        yield* Console.log(JSON.stringify({
          passes, ...(stages.length ? { backendSteps: stages.map(({ name, ms }) => ({ name, ms })) } : {}), ...(result ? { result } : {}),
          ...(error ? { error: { kind: error.kind, tag: error._tag, message: error.message, span: error.span, rendered: error.rendered } } : {}),
        }, null, 2));
      }
      return yield* exit;
    }),
).pipe(
  Command.withDescription("Run the compiler's passes on a Links program and inspect the result of each."),
  Command.withExamples([
    { command: "run-pass --list", description: "the passes, in order" },
    { command: "run-pass prog.links --dump=cps --backend cps", description: "the CPS the cps backend makes of a program, then run it" },
    { command: "run-pass prog.links --dump --check --time", description: "print the IR after every pass, validate it, and time the passes" },
    { command: "run-pass prog.links --dump=desugar --until desugar", description: "show the Core produced by desugar and stop there" },
    { command: "run-pass prog.links --json --backend interp", description: "machine-readable pass list and run result" },
  ]),
);

runCli(runPass);
