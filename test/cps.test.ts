// The cps backend (issue 5): its passes (mark-pure, cps, cps-codegen) checked on their own, then
// the backend against the reference interpreter — every example, every handler example of the
// Links suite, every value-printing Links test case interp passes, multishot programs (n-queens,
// subsets, a backtracking parser), processes — and the stack-depth guarantees.
import { HANDLER_EXAMPLE_SETTINGS, typeSyntaxOf } from "../tools/links-settings.js";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { prepareBackend, runPipeline, runSource } from "../tools/compile-lib.js";
import { compileWasm, runWasm } from "../backends/wasmfx/index.js";
import { CompileError } from "../ir/common.js";
import type { WasmModule } from "../ir/wasm.js";
import type { BoxedProgram } from "../ir/boxed.js";
import { type CpsProgram, printCps, validateCps } from "../ir/cps.js";
import { cpsCodegenPass, cpsPass, markPurePass, pipelines } from "../passes/pipeline.js";
import { defaultSuiteDir, loadSuite, runCase } from "../tools/conformance-lib.js";

const boxed = (text: string) => runPipeline({ file: "t.links", text }, { until: "box-poly", backend: "cps" }) as BoxedProgram;
const cpsOf = (text: string, selective = true): CpsProgram => {
  const b = boxed(text);
  return cpsPass.run(selective ? markPurePass.run(b) : b);
};
/** Compile and run on Node, with or without selective CPS (mark-pure). */
function runCps(text: string, selective = true): string {
  const m = cpsCodegenPass.run(cpsOf(text, selective)) as WasmModule;
  return runWasm(compileWasm(m)).stdout;
}
const interp = (text: string) => runSource({ file: "t.links", text }, "interp");

beforeAll(() => prepareBackend("cps"));

describe("cps passes", () => {
  it("the cps pipeline is the shared passes, then mark-pure, cps, tail-resume, cps-codegen", () => {
    expect(pipelines.cps.passes().map((p) => `${p.name}: ${p.from} → ${p.to}`)).toEqual([
      "parse: Source → Surface", "desugar: Surface → Core", "infer: Core → TypedCore", "anf: TypedCore → ANF",
      "closure-convert: ANF → Closed", "box-poly: Closed → Boxed", "detect-actors: Boxed → Boxed", "preempt: Boxed → Boxed", "mark-pure: MarkedBoxed → MarkedBoxed", "cps: MarkedBoxed → CPS", "tail-resume: CPS → CPS", "cps-codegen: CPS → WasmIR",
    ]);
  });

  it("mark-pure: recursion through pure calls is pure; an operation, a handler or a closure call is not", () => {
    const p = markPurePass.run(boxed(`
      fun fib(n) { if (n < 2) n else fib(n - 1) + fib(n - 2) }
      fun even2(n) { if (n == 0) true else odd2(n - 1) }
      fun odd2(n) { if (n == 0) false else even2(n - 1) }
      fun ask() { do Ask }
      fun viaAsk(n) { n + ask() }
      fun apply(f, x) { f(x) }
      fun local() { handle(1) { case <Ask => k> -> k(2) case x -> x } }
      (fib(3), even2(2), apply(fib, 2), local())`));
    const pure = Object.fromEntries(p.functions.filter((f) => !f.prelude).map((f) => [f.name, f.pure]));
    expect(pure).toEqual({ fib: true, even2: true, odd2: true, ask: false, viaAsk: false, apply: false, local: false });
  });

  it("cps: a non-tail call that may perform pushes a frame over the variables the rest uses", () => {
    const p = cpsOf("fun ask() { do Ask } fun f(x) { var y = ask(); y + x } handle(f(1)) { case <Ask => k> -> k(41) case v -> v }");
    const dump = printCps(p);
    expect(dump).toContain("(define (f x:i64) (env) (seq (push f$k1 x) (jump (call ask))))");
    expect(dump).toMatch(/\(frame\s+f\$k1\s+\(env x:i64\)/);
    expect(dump).toMatch(/\(handle %main\$h\d+ \(env\) \(params\)\)/);
    expect(validateCps(p)).toEqual([]);
  });

  it("cps: pure functions stay in direct style with a CPS twin; without mark-pure everything is CPS", () => {
    const text = "fun fib(n) { if (n < 2) n else fib(n - 1) + fib(n - 2) } fib(10)";
    const sel = cpsOf(text);
    expect(sel.direct.map((f) => f.name)).toContain("fib");
    expect(sel.functions.map((f) => f.name)).toContain("fib%cps");
    expect("direct" in sel.main).toBe(true);
    // the twin jumps to twins: it never grows the Wasm stack
    expect(printCps(sel)).toContain("(push fib%cps$k1 n) (jump (call fib%cps t_1))");
    const all = cpsOf(text, false);
    expect(all.direct).toEqual([]);
    expect("cps" in all.main).toBe(true);
    expect(validateCps(sel)).toEqual([]);
    expect(validateCps(all)).toEqual([]);
    expect(runCps(text, true)).toBe("55 : Int\n");
    expect(runCps(text, false)).toBe("55 : Int\n");
  });

  it("the validator rejects a direct function that performs, and a push with the wrong fields", () => {
    const p = cpsOf("fun ask() { do Ask } fun f(x) { var y = ask(); y + x } handle(f(1)) { case <Ask => k> -> k(41) case v -> v }");
    const ask = p.functions.find((f) => f.name === "ask")!;
    const wrong: CpsProgram = { ...p, direct: [...p.direct, { ...ask, body: { tag: "Do", op: "Ask", args: [], rep: "eq" }, ret: "eq" }], functions: [...p.functions, { ...ask, name: "ask%cps" }] };
    expect(validateCps(wrong).join("\n")).toMatch(/function ask is in direct style but performs Ask/);
    const f = p.functions.find((x) => x.name === "f")!;
    const badPush: CpsProgram = { ...p, functions: p.functions.map((x) => (x === f && f.body.tag === "Push" ? { ...x, body: { ...f.body, captured: [] } } : x)) };
    expect(validateCps(badPush).join("\n")).toMatch(/push of f\$k1 with 0 values for 1 fields/);
  });

  it("cps-codegen: every CPS call is a tail call; frames are $Frame subtypes", () => {
    const m = cpsCodegenPass.run(cpsOf("fun ask() { do Ask } fun f(x) { var y = ask(); y + x } handle(f(1)) { case <Ask => k> -> k(41) case v -> v }")) as WasmModule;
    const fn = m.functions.find((f) => f.name === "fn:f")!;
    const text = JSON.stringify(fn.body);
    expect(text).toContain('"return_call"');
    expect(text).not.toMatch(/"op":"call"[^_]/);
    expect(m.types.some((t) => /\(sub final \$Frame/.test(t))).toBe(true);
  });
});

describe("cps agrees with interp", () => {
  const examplesDir = join(import.meta.dirname, "..", "examples");
  const examples = [
    ...readdirSync(examplesDir).filter((f) => f.endsWith(".links")),
    ...readdirSync(join(examplesDir, "multishot")).map((f) => `multishot/${f}`),
  ].sort();

  it.each(examples)("examples/%s (selective CPS on and off)", (name) => {
    const text = readFileSync(join(examplesDir, name), "utf8");
    const ref = interp(text);
    expect(ref.exitCode).toBe(0);
    // every pass's output valid in its language (mark-pure's Boxed, the CPS, the WasmIR)
    expect(() => runPipeline({ file: name, text }, { backend: "cps", check: true })).not.toThrow();
    expect(runSource({ file: "t.links", text }, "cps")).toEqual(ref);
    expect(runCps(text, false)).toBe(ref.stdout);
  });

  it("multishot: n-queens, subsets and the backtracking parser give the expected answers", () => {
    const run = (f: string) => runSource({ file: f, text: readFileSync(join(examplesDir, "multishot", f), "utf8") }, "cps").stdout;
    expect(run("queens.links")).toBe("(4, [4, 2, 0, 5, 3, 1]) : (Int, [Int])\n");
    expect(run("subsets.links")).toBe("[[1, 2, 3], [1, 2], [1, 3], [1], [2, 3], [2], [3], []] : [[Int]]\n");
    expect(run("parser.links")).toBe("([10], [14], [], [42]) : ([Int], [Int], [Int], [Int])\n");
  });

  it.each([
    // a resumption run twice from a stored variable, and returned out of the handler
    "handle(do Choose()) { case <Choose => k> -> var r = k; var a = r(true); (a.1, r(false).2) case x -> (x, not(x)) }",
    "handle({ var a = do Choose(); var b = do Choose(); (a, b) }) { case <Choose => k> -> k(true) ++ k(false) case x -> [x] }",
    // forwarding: the inner handler does not handle Choose, the outer one resumes through it twice
    "handle(handle({ var x = do Choose(); do Tell(x); x })(n <- 0) { case <Tell(b) => k> -> k((), n + 1) case v -> (v, n) }) { case <Choose => k> -> k(true) ++ k(false) case p -> [p] }",
    // shallow handlers, multishot
    "fun go(m) { shallowhandle(m()) { case <Choose => k> -> go(fun() { k(true) }) ++ go(fun() { k(false) }) case x -> [x] } } go(fun() { if (do Choose()) 1 else 2 })",
    // parameterised, resumed with new parameter values twice
    "handle({ var a = do Get(); var b = do Get(); a + b })(s <- 1) { case <Get => k> -> k(s, s + 1) + k(s, s + 10) case x -> x }",
    // processes
    "fun go() { var p1 = spawn { receive { case Hi(pid) -> pid ! 100 } }; spawnWait { p1 ! Hi(self()) ; receive { case n -> n } } } go()",
    "var p = spawnAngel { print(\"angel\") }; print(\"main \"); 1",
  ])("%s", (text) => {
    const ref = interp(text);
    expect(ref.exitCode).toBe(0);
    expect(runSource({ file: "t.links", text }, "cps")).toEqual(ref);
    expect(runCps(text, false)).toBe(ref.stdout);
  });

  it("an unhandled operation and a deadlock are runtime errors naming what happened", () => {
    const m = cpsCodegenPass.run(cpsOf("fun f() { do Boom } handle(1) { case <Other => k> -> k(1) case x -> x }")) as WasmModule;
    expect(() => runWasm(compileWasm(m))).not.toThrow();
    const dead = runSource({ file: "t.links", text: "recv() + 1" }, "cps");
    expect(dead.stderr).toBe("error: runtime error: deadlock: every process is waiting for a message\n");
  });

  const dir = defaultSuiteDir();
  it.skipIf(!dir)("on every handler example of the Links suite that interp runs, multishot ones included", () => {
    const handlersDir = join(dir!, "examples", "handlers");
    const ran: string[] = [];
    for (const name of readdirSync(handlersDir).filter((f) => f.endsWith(".links")).sort()) {
      const src = { file: `examples/handlers/${name}`, text: readFileSync(join(handlersDir, name), "utf8"), typeSyntax: typeSyntaxOf(HANDLER_EXAMPLE_SETTINGS) };
      const ref = runSource(src, "interp");
      expect(runSource(src, "cps"), name).toEqual(ref);
      if (ref.exitCode === 0) ran.push(name);
    }
    expect(ran).toContain("coins.links"); // multishot: one-shot error on wasmfx
    expect(ran.length).toBeGreaterThanOrEqual(8);
  }, 120_000);

  it.skipIf(!dir)("on every value-printing Links test case interp passes (Binary choice handling included)", () => {
    const cases = loadSuite(dir!).filter((c) => c.category === "value" && c.ignore === undefined);
    const disagreements: string[] = [];
    let compared = 0;
    for (const c of cases) {
      const verdict = runCase(c, "interp", 10_000);
      if (verdict.verdict !== "passed") continue;
      let stdout = "", failed = false;
      try {
        stdout = runWasm(compileWasm(runPipeline({ file: c.programFile, text: c.program }, { until: "cps-codegen", backend: "cps" }) as WasmModule)).stdout;
      } catch (e) {
        if (!(e instanceof CompileError)) throw e;
        failed = true;
        stdout = e.message;
      }
      compared++;
      if (stdout !== verdict.run!.stdout || failed !== (verdict.run!.exitCode !== 0)) disagreements.push(`${c.file} | ${c.name}: ${JSON.stringify(stdout)}`);
    }
    expect(disagreements).toEqual([]);
    expect(compared).toBeGreaterThanOrEqual(239);
  }, 600_000);
});

describe("cps: the Wasm stack does not grow with the program", () => {
  it("1,000,000 nested non-tail calls in a function that performs (heap frames)", () => {
    expect(runSource({ file: "t.links", text: "fun count(n) { if (n == 0) do Get() else 1 + count(n - 1) } handle(count(1000000)) { case <Get => k> -> k(0) case x -> x }" }, "cps").stdout).toBe("1000000 : Int\n");
  });
  it("1,000,000 nested non-tail calls in a pure function (direct style on the runner's big stack, then its CPS twin)", () => {
    const text = "fun sum(n) { if (n == 0) 0 else n + sum(n - 1) } sum(1000000)";
    expect(runSource({ file: "t.links", text }, "wasmfx").stdout).toBe("500000500000 : Int\n");
    expect(runSource({ file: "t.links", text }, "cps").stdout).toBe("500000500000 : Int\n");
  });
  it("10,000,000 iterations of a loop that performs at its end", () => {
    expect(runSource({ file: "t.links", text: "fun loop(i, acc) { if (i == 0) acc + do Get() else loop(i - 1, acc + 1) } handle(loop(10000000, 0)) { case <Get => k> -> k(0) case x -> x }" }, "cps").stdout).toBe("10000000 : Int\n");
  });
  it("1,000,000 operations each resumed (a deep handler loop)", () => {
    expect(runSource({ file: "t.links", text: "fun loop(i) { if (i == 0) 0 else { do Tick(); loop(i - 1) } } handle(loop(1000000)) { case <Tick => k> -> k(()) case x -> x }" }, "cps").stdout).toBe("0 : Int\n");
  });
});
