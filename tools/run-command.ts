// The `run` command (tools/run.ts runs it on a thread with a big stack: tools/big-stack.ts).
//
// Compile a Links program and run it: program output, then `VALUE : TYPE`.
//
//   tsx tools/run.ts FILE [--backend interp|wasmfx|cps] [--engine node|deno|chromium] [--timeout SECONDS] [--with PASS]... [--without PASS]...
//                         [--prefer-globals] [--yield-is-switch]
import { Effect, Option } from "effect";
import { Argument, Command, Flag } from "effect/cli";
import type { CoreProgram } from "../ir/core.js";
import { BACKENDS } from "./compile-lib.js";
import { backendInput } from "../passes/pipeline.js";
import { SETTINGS_HELP, typeSyntaxOf } from "./links-settings.js";
import { compile, engineFlag, usageError, preferGlobalsFlag, readSource, researchOn, runBackend, runCli, withFlag, withoutFlag, yieldIsSwitchFlag } from "./driver.js";

const run = Command.make(
  "run",
  {
    file: Argument.String("file").pipe(Argument.withDescription("the Links program (.links) to compile and run")),
    backend: Flag.Literals("backend", BACKENDS).pipe(
      Flag.withMetavar("BACKEND"),
      Flag.withDefault("interp"),
      Flag.withDescription("where to run the compiled program (default: interp)"),
    ),
    engine: engineFlag,
    with: withFlag,
    without: withoutFlag,
    preferGlobals: preferGlobalsFlag,
    yieldIsSwitch: yieldIsSwitchFlag,
    set: Flag.String("set").pipe(
      Flag.withMetavar("NAME=VALUE"),
      Flag.atLeast(0),
      Flag.withDescription(`a Links setting (repeatable): ${SETTINGS_HELP}`),
    ),
    timeout: Flag.Finite("timeout").pipe(
      Flag.withMetavar("SECONDS"),
      Flag.optional,
      Flag.withDescription("stop the program with a runtime error after this many seconds, on every backend and engine (what it printed before is shown; default: no limit)"),
    ),
  },
  ({ file, backend, engine, timeout, without: off, set, ...o }) =>
    Effect.gen(function* () {
      const typeSyntax = yield* Effect.try({ try: () => typeSyntaxOf(set), catch: (e) => usageError((e as Error).message) });
      if (Option.isSome(timeout) && !(timeout.value > 0)) return yield* Effect.fail(usageError(`--timeout ${timeout.value}: the time limit must be a positive number of seconds`));
      const src = { ...(yield* readSource(file)), ...(typeSyntax ? { typeSyntax } : {}) };
      const { output } = yield* compile(src, { until: backendInput[backend], backend, with: researchOn(o), without: off });
      const deadline = Option.getOrUndefined(Option.map(timeout, (s) => Date.now() + s * 1000));
      yield* runBackend(src, output as CoreProgram, backend, { deadline, engine, out: (s) => process.stdout.write(s) });
    }),
).pipe(
  Command.withDescription("Compile a Links program and run it, printing its output and then `VALUE : TYPE`."),
  Command.withExamples([
    { command: "run examples/deep_state.links", description: "run a program on the interpreter" },
    { command: "run loop.links --backend interp --timeout 5", description: "give up after five seconds" },
    { command: "run examples/lists.links --backend wasmfx --engine deno", description: "compile to Wasm and run the module on Deno" },
    { command: "run examples/choice.links --backend cps", description: "multishot handlers: the CPS backend on Wasm GC" },
    { command: "run f.links --set effect_sugar=true --set effect_sugar_policy=pres,chf", description: "print the result's type with Links' effect sugar" },
    { command: "run examples/prime-sieve.links --backend wasmfx --engine deno --yield-is-switch", description: "actors: preempted processes that yield with `switch`" },
  ]),
);

runCli(run);
