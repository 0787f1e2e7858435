// The Chromium engine (backends/wasm/chromium.ts): modules from both Wasm backends run in a
// headless Chromium page and agree with interp — output, value, runtime errors (with the output
// printed before them), a stack overflow as on Node, a timeout that closes the page (the browser
// goes on), and `switch` refused. One browser for the file. Skipped, with the reason printed, only
// where Chromium cannot start.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumProblem, closeChromium, runManyOnChromium, runOnChromium } from "../backends/wasm/chromium.js";
import { compileWasm } from "../backends/wasmfx/index.js";
import { CompileError } from "../ir/common.js";
import type { WasmModule } from "../ir/wasm.js";
import { backendInput } from "../passes/pipeline.js";
import { prepareBackend, runPipeline, runSource } from "../tools/compile-lib.js";

const problem = chromiumProblem();
const cannotStart = problem?.startsWith("unsupported:") ?? false;
if (cannotStart) console.log(`test/chromium.test.ts skipped: ${problem}`);

const root = join(import.meta.dirname, "..");
const example = (name: string) => ({ file: `examples/${name}`, text: readFileSync(join(root, "examples", name), "utf8") });
const compile = (text: string, backend: "wasmfx" | "cps" = "wasmfx", toggles: { with?: string[] } = {}) =>
  compileWasm(runPipeline({ file: "t.links", text }, { until: backendInput[backend], backend, ...toggles }) as WasmModule).binary;

describe.skipIf(cannotStart)("--engine chromium", () => {
  beforeAll(() => prepareBackend("wasmfx"));
  afterAll(() => closeChromium());

  it("starts", () => {
    expect(problem).toBeUndefined();
  });

  const programs: [string, { file: string; text: string }][] = [
    ["examples/deep_state.links", example("deep_state.links")],
    ["examples/lists.links", example("lists.links")],
    ["output before a runtime error", { file: "bad.links", text: 'print("before"); hd([])\n' }],
    ["more than 8 KiB of output before a runtime error", {
      file: "lines.links",
      text: 'fun lines(n) { if (n > 0) { println("line " ^^ intToString(n)); lines(n - 1) } else () } lines(3000); 1 / 0\n',
    }],
    ["floats and Math", { file: "math.links", text: 'sqrt(2.0) +. sin(1.0) +. cos(2.0) +. exp(1.5) +. log(3.0) +. stringToFloat(" 1.25e3") +. 2.0 ^. 0.5\n' }],
  ];
  it.each((["wasmfx", "cps"] as const).flatMap((b) => programs.map(([name, src]) => [name, b, src] as const)))(
    "%s on %s agrees with interp",
    (_name, backend, src) => {
      const ref = runSource(src, "interp");
      expect(runSource(src, backend, { engine: "chromium" })).toEqual(ref);
    },
  );

  it("a stack overflow is the error Node gives: named, with the recursive call's location", () => {
    const src = { file: "deep.links", text: "fun deep(n) { if (n == 0) 0 else 1 + deep(n - 1) } deep(100000000)\n" };
    const node = runSource(src, "wasmfx", { engine: "node" });
    expect(node.stderr.split("\n")[0]).toBe("deep.links:1:38: runtime error: stack overflow");
    // where in `deep` the overflow is detected differs between the two V8s (the call, or its argument)
    const chromium = runSource(src, "wasmfx", { engine: "chromium" });
    expect(chromium).toMatchObject({ stdout: "", exitCode: 1 });
    expect(chromium.stderr.split("\n")[0]).toMatch(/^deep\.links:1:(38|43): runtime error: stack overflow$/);
  });

  it("a run past its deadline is a timeout; all the output printed before it arrives; the next run gets a new page", () => {
    const spin = compile('fun lines(n) { if (n > 0) { println("line " ^^ intToString(n)); lines(n - 1) } else () }\n'
      + "fun spin(n) { spin(n + 1) } lines(5000); spin(0)\n");
    let out = "";
    const t0 = Date.now();
    expect(() => runOnChromium(spin, { deadline: Date.now() + 1000, out: (s) => (out += s) })).toThrow(new CompileError("runtime", "timeout"));
    expect(Date.now() - t0).toBeLessThan(10_000);
    // every line printed before the spin arrives (the page passes each print on at once)
    expect(out).toBe(Array.from({ length: 5000 }, (_, i) => `line ${5000 - i}\n`).join(""));
    expect(runOnChromium(compile("1 + 2\n")).stdout).toBe("3 : Int\n");
  });

  it("--timeout through the tools: the same error as interp's", () => {
    const src = { file: "spin.links", text: "fun spin(n) { spin(n + 1) } spin(0)\n" };
    // the deadline covers the compile too (binaryen ~1 s); interp's own counts from the start
    const r = runSource(src, "cps", { engine: "chromium", deadline: Date.now() + 2500 });
    expect(r).toEqual(runSource(src, "interp", { deadline: Date.now() + 500 }));
    expect(r.stderr).toBe("error: runtime error: timeout\n");
  });

  it("runs several modules in one request, each in a fresh instance", () => {
    const counter = compile("var r = random(); print(intToString(1)); r >= 0.0 && r < 1.0\n");
    const runs = runManyOnChromium([counter, compile("hd([])\n"), counter]);
    expect(runs.map((r) => [r.stdout, r.error?.message])).toEqual([
      ["1true : Bool\n", undefined], ["", "hd: empty list"], ["1true : Bool\n", undefined],
    ]);
  });

  it("refuses a module that yields with `switch` (Chromium 147's V8 crashes the page on it)", () => {
    const r = runSource(example("prime-sieve.links"), "wasmfx", { engine: "chromium", with: ["switch-opt"] });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^error: unsupported: `switch` on --engine chromium: .*run it with --engine deno\n$/);
  });
});
