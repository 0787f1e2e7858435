// Differential testing: the wasmfx backend must agree with the reference interpreter on every
// example, every handler example and every value-printing Links test case that the interpreter
// passes, except where the wasmfx backend reports the program unsupported or stops with
// the one-shot error (multishot programs, listed and checked exactly) — with the module run on
// both engines, Node (in process) and Deno (the `deno` devDependency).
import { HANDLER_EXAMPLE_SETTINGS, typeSyntaxOf } from "../tools/links-settings.js";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ENGINES, prepareBackend, runPipeline, runSource } from "../tools/compile-lib.js";
import { type CompiledWasm, compileWasm, runWasm } from "../backends/wasmfx/index.js";
import { runManyOnDeno } from "../backends/wasm/deno.js";
import { CompileError } from "../ir/common.js";
import type { WasmModule } from "../ir/wasm.js";

/** Run on Node in this process: the output, and whether it ended in a runtime error. */
function runOnNode(bin: CompiledWasm): { stdout: string; failed: boolean; message: string } {
  let stdout = "";
  try {
    runWasm(bin, { out: (s) => (stdout += s) });
    return { stdout, failed: false, message: "" };
  } catch (e) {
    if (e instanceof CompileError && e.kind === "runtime") return { stdout, failed: true, message: e.message };
    throw e;
  }
}
import { defaultSuiteDir, loadSuite, runCase } from "../tools/conformance-lib.js";

const examplesDir = join(import.meta.dirname, "..", "examples");
const examples = readdirSync(examplesDir).filter((f) => f.endsWith(".links")).sort();

describe("wasmfx agrees with interp", () => {
  beforeAll(() => prepareBackend("wasmfx"));

  it.each(ENGINES.flatMap((e) => examples.map((x) => [x, e] as const)))("examples/%s on %s", (name, engine) => {
    const src = { file: `examples/${name}`, text: readFileSync(join(examplesDir, name), "utf8") };
    const ref = runSource(src, "interp");
    const wasm = runSource(src, "wasmfx", { engine });
    expect(ref.exitCode).toBe(0);
    if (name === "choice.links") {
      // multishot: resumes a continuation twice
      // (located at the second resumption)
      expect(wasm.stderr.split("\n")[0]).toBe("examples/choice.links:5:38: runtime error: continuation resumed twice: the wasmfx backend supports one-shot continuations; run with --backend cps (operation Choose)");
    } else {
      expect(wasm).toEqual(ref);
    }
  });

  // every primitive the prelude table lists, as a call and as a value, and their runtime errors
  it.each([
    'var s = "héllo wörld"; (strlen(s), charAt(s, 1), strsub(s, 1, 4), implode(reverse(explode(s))))',
    '(stringToInt("-42"), stringToInt("0x7fffffffffffffff"), stringToInt("4611686018427387903"), isInt(" 12 "), isInt("1a"), isInt("-"), stringToFloat(" 1.5e3"))',
    '(sin(1.0), cos(2.0), exp(1.0), log(10.0), 2.0 ^. 0.5, 2 ^ 10, sqrt(2.0), floor(-.1.5), ceiling(1.2))',
    '(floatToInt(1.0e19), floatToInt(-.3.7), floatToInt(-.1.0e30), intToChar(955), charToInt(\'λ\'))',
    '(map(sin, [0.0, 1.0]), map(charToInt, explode("aé")), map(strlen, ["", "ab"]), map(isInt, ["1"]), map(implode, [[\'x\']]))',
    'var r = random(); (r >= 0.0 && r < 1.0)',
    'charAt("abc", 3)', 'charAt("abc", -1)', 'strsub("abc", 2, 2)', 'strsub("abc", 0, -1)',
    'stringToInt("12a")', 'stringToFloat("x1")', 'floatToInt(1.0 /. 0.0)',
  ])("the primitives in %s", (text) => {
    const src = { file: "prims.links", text };
    const ref = runSource(src, "interp");
    for (const engine of ENGINES) expect(runSource(src, "wasmfx", { engine })).toEqual(ref);
  });

  // extension of open records, rest patterns, and () where an open record is expected
  it.each([
    'fun addZ(r) { (z = 3 | r) } (addZ((x = 1, y = "two")), addZ((a = 0, zz = 9, b = true)), addZ(()))',
    'fun dropX(r) { switch (r) { case (x = a | rest) -> (a, rest) } } (dropX((x = 1, y = 2)), dropX((x = 1, 1 = \'c\', w = [2])), dropX((x = 5)))',
    'fun f(r) { var (x = a | s) = r; (y = a | s) } f((x = 1, w = 2))',
    'fun g(r) { (a = 1 | r) == (a = 1 | r) } (g(()), g((b = 2)), [(), ()] == [(), ()], [()] < [(), ()])',
  ])("open records in %s", (text) => {
    const src = { file: "rows.links", text };
    const ref = runSource(src, "interp");
    expect(ref.exitCode).toBe(0);
    for (const engine of ENGINES) expect(runSource(src, "wasmfx", { engine })).toEqual(ref);
  });

  const dir = defaultSuiteDir();
  it.skipIf(!dir)("on every handler example of the Links suite that interp runs (multishot ones: the one-shot error)", () => {
    const handlersDir = join(dir!, "examples", "handlers");
    const ran: string[] = [];
    const multishot: string[] = [];
    for (const name of readdirSync(handlersDir).filter((f) => f.endsWith(".links")).sort()) {
      const src = { file: `examples/handlers/${name}`, text: readFileSync(join(handlersDir, name), "utf8"), typeSyntax: typeSyntaxOf(HANDLER_EXAMPLE_SETTINGS) };
      const ref = runSource(src, "interp");
      const wasm = runSource(src, "wasmfx");
      if (ref.exitCode !== 0) {
        // the front end is shared: a program interp cannot run fails the same way on wasmfx
        expect(wasm).toEqual(ref);
        continue;
      }
      ran.push(name);
      if (/continuation resumed twice/.test(wasm.stderr)) {
        multishot.push(name);
        expect(wasm.stderr).toMatch(/^examples\/handlers\/\w+\.links:\d+:\d+: runtime error: continuation resumed twice: the wasmfx backend supports one-shot continuations; run with --backend cps \(operation \w+\)\n/);
      } else {
        expect(wasm).toEqual(ref);
      }
    }
    console.log(`handler examples: interp runs ${ran.length} (${ran.join(", ")}); multishot: ${multishot.join(", ")}`);
    expect(multishot).toEqual(["coins.links"]);
    expect(ran.length).toBeGreaterThanOrEqual(8);
  }, 120_000);

  it.skipIf(!dir)("on every value-printing Links test case interp passes", () => {
    const cases = loadSuite(dir!).filter((c) => c.category === "value" && c.ignore === undefined);
    let unsupported = 0;
    const multishot: string[] = [];
    const compared: { c: (typeof cases)[number]; ref: { stdout: string; failed: boolean }; bin: CompiledWasm }[] = [];
    const disagreements: string[] = [];
    const disagree = (c: (typeof cases)[number], engine: string, got: { stdout: string; failed: boolean }, ref: { stdout: string; failed: boolean }) => {
      if (got.stdout !== ref.stdout || got.failed !== ref.failed) disagreements.push(`${c.file} | ${c.name} on ${engine}: ${JSON.stringify(got.stdout)} ${got.failed} vs ${JSON.stringify(ref)}`);
    };
    for (const c of cases) {
      const verdict = runCase(c, "interp", 10_000);
      if (verdict.verdict !== "passed") continue;
      const src = { file: c.programFile, text: c.program };
      const ref = { stdout: verdict.run!.stdout, failed: verdict.run!.exitCode !== 0 };
      let bin: CompiledWasm;
      try {
        bin = compileWasm(runPipeline(src, { until: "codegen" }) as WasmModule);
      } catch (e) {
        if (e instanceof CompileError && e.kind === "unsupported") { unsupported++; continue; }
        throw e;
      }
      const node = runOnNode(bin);
      if (node.failed && /continuation resumed twice: the wasmfx backend supports one-shot continuations/.test(node.message)) {
        multishot.push(`${c.file} | ${c.name}`);
        continue;
      }
      compared.push({ c, ref, bin });
      disagree(c, "node", node, ref);
    }
    // one Deno process for the lot (a start costs ~50 ms)
    const onDeno = runManyOnDeno(compared.map((x) => x.bin.binary));
    compared.forEach(({ c, ref }, i) => disagree(c, "deno", { stdout: onDeno[i]!.stdout, failed: onDeno[i]!.error !== undefined }, ref));
    console.log(`differential: ${compared.length} compared on node and deno, ${unsupported} unsupported on wasmfx, ${disagreements.length} disagreements; multishot (one-shot error on wasmfx): ${multishot.join("; ")}`);
    // exactly the cases that resume a continuation twice
    expect(multishot).toEqual(["handlers.tests | Binary choice handling (1)", "handlers.tests | Binary choice handling (2)"]);
    expect(disagreements).toEqual([]);
    expect(compared.length).toBeGreaterThanOrEqual(225);
  }, 600_000);
});

describe("float literals (issue 15: found by the fuzzer)", () => {
  beforeAll(async () => { await prepareBackend("wasmfx"); });
  it("a negative zero and an overflowing literal print as on interp, in expressions and patterns", () => {
    for (const text of ["-.0.0", "1.0 /. (-.0.0)", "1.0e309", "switch (1.0e309) { case 1.0e309 -> 1 case _ -> 2 }"]) {
      const src = { file: "f.links", text };
      const ref = runSource(src, "interp");
      expect(ref.exitCode, text).toBe(0);
      expect(runSource(src, "wasmfx"), text).toEqual(ref);
      expect(runSource(src, "cps"), text).toEqual(ref);
    }
  });
});
