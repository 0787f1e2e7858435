// The `compile` command (tools/compile.ts runs it on a thread with a big stack: tools/big-stack.ts).
//
// Compile a Links program to a Wasm binary or WAT text.
//
//   tsx tools/compile.ts FILE -o OUT [--backend wasmfx|cps] [-O 0|1|2|3] [--emit wasm|wat] [--with PASS]... [--without PASS]...
//                        [--prefer-globals] [--yield-is-switch]
import { writeFileSync } from "node:fs";
import { Console, Effect } from "effect";
import { Argument, Command, Flag } from "effect/cli";
import { printModule, type WasmModule } from "../ir/wasm.js";
import { backendInput } from "../passes/pipeline.js";
import { compileWasm, prepareWasm } from "../backends/wasmfx/index.js";
import { compile, preferGlobalsFlag, readSource, researchOn, runCli, toDriverError, usageError, withFlag, withoutFlag, yieldIsSwitchFlag } from "./driver.js";

const compileCmd = Command.make(
  "compile",
  {
    file: Argument.String("file").pipe(Argument.withDescription("the Links program (.links) to compile")),
    out: Flag.String("output").pipe(Flag.withAlias("o"), Flag.withMetavar("OUT"), Flag.withDescription("where to write the result")),
    backend: Flag.Literals("backend", ["wasmfx", "cps"] as const).pipe(Flag.withDefault("wasmfx"), Flag.withDescription("the Wasm backend: wasmfx (stack switching) or cps (CPS on Wasm GC, multishot) (default: wasmfx)")),
    level: Flag.Literals("opt", ["0", "1", "2", "3"] as const).pipe(Flag.withAlias("O"), Flag.withDefault("2"), Flag.withMetavar("N"), Flag.withDescription("binaryen optimisation level (default: 2)")),
    emit: Flag.Literals("emit", ["wasm", "wat"] as const).pipe(Flag.withDefault("wasm"), Flag.withDescription("write the binary (default) or the WAT text with the runtime")),
    with: withFlag,
    without: withoutFlag,
    preferGlobals: preferGlobalsFlag,
    yieldIsSwitch: yieldIsSwitchFlag,
  },
  ({ file, out, backend, level, emit, without: off, ...o }) =>
    Effect.gen(function* () {
      const src = yield* readSource(file);
      const { output } = yield* compile(src, { until: backendInput[backend], backend, with: researchOn(o), without: off });
      const m = output as WasmModule;
      yield* Effect.promise(() => prepareWasm());
      const t0 = performance.now();
      const bin = yield* Effect.try({ try: () => compileWasm(m, { optimize: Number(level) as 0 | 1 | 2 | 3 }), catch: (e) => toDriverError(e, src) });
      const ms = performance.now() - t0;
      const bytes = emit === "wasm" ? bin.binary : new TextEncoder().encode(printModule(m, true));
      yield* Effect.try({ try: () => writeFileSync(out, bytes), catch: (e) => usageError(`cannot write ${out}: ${osReason(e)}`) });
      yield* Console.error(`${out}: ${bytes.length} bytes (${emit}; .wasm ${bin.size} bytes at -O${level}, binaryen ${ms.toFixed(0)} ms)`);
    }),
).pipe(
  Command.withDescription("Compile a Links program to WebAssembly (validated and optimised by binaryen)."),
  Command.withExamples([
    { command: "compile examples/lists.links -o lists.wasm", description: "a binary at -O2" },
    { command: "compile examples/lists.links -o lists.wat --emit wat -O 0", description: "the WAT the code generator wrote" },
  ]),
);

runCli(compileCmd);

/** The operating system's reason a file could not be written (`ENOENT` → "no such directory"). */
function osReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such directory";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR") return "it is a directory";
  if (code === "ENOSPC") return "no space left on the device";
  return e instanceof Error ? e.message : String(e);
}
