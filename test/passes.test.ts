// Tests for the pipeline as a whole (passes/pipeline.ts): every example goes through every pass
// with its output validated (`check`), and each pass's printed IR matches a golden dump in
// test/golden/dumps/<example>.<pass>.txt; the validators reject broken IR.
import { tInt } from "../ir/types.js";
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CompileError, noSpan, type Span } from "../ir/common.js";
import type { CExpr, CoreProgram } from "../ir/core.js";
import { languageOf, pipeline, pipelines } from "../passes/pipeline.js";
import { runPipeline } from "../tools/compile-lib.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const examplesDir = join(root, "examples");
const examples = readdirSync(examplesDir).filter((f) => f.endsWith(".links")).sort();

/**
 * Every pass's printed output for a program, in pipeline order, validated as it goes. A pass
 * that reports a feature unsupported (e.g. codegen on handlers, for now) ends the list with its
 * message as the dump.
 */
function dumps(file: string, text: string): { pass: string; to: string; dump: string }[] {
  const out: { pass: string; to: string; dump: string }[] = [];
  try {
    runPipeline({ file, text }, {
      check: true,
      onPass: ({ pass, output }) => {
        const p = pipeline.find((q) => q.name === pass)!;
        // printed at once: later passes may annotate the same objects in place
        out.push({ pass, to: p.to, dump: languageOf(p.to).print(output) });
      },
    });
  } catch (e) {
    if (!(e instanceof CompileError) || e.kind !== "unsupported") throw e;
    const pass = pipeline[out.length]!;
    out.push({ pass: pass.name, to: pass.to, dump: e.message });
  }
  return out;
}

describe("pipeline: golden dumps of every pass for every example", () => {
  it("the pipeline is parse, desugar, infer, anf, closure-convert, box-poly, detect-actors, preempt, extract-handlers, lower-param-handlers, direct-resume, tail-resume, synthesize-scheduler, codegen", () => {
    expect(pipeline.map((p) => `${p.name}: ${p.from} → ${p.to}`)).toEqual([
      "parse: Source → Surface",
      "desugar: Surface → Core",
      "infer: Core → TypedCore",
      "anf: TypedCore → ANF",
      "closure-convert: ANF → Closed",
      "box-poly: Closed → Boxed",
      "detect-actors: Boxed → Boxed",
      "preempt: Boxed → Boxed",
      "extract-handlers: Boxed → Handlers",
      "lower-param-handlers: Handlers → ThreadedHandlers",
      "direct-resume: ThreadedHandlers → ThreadedHandlers",
      "tail-resume: ThreadedHandlers → ThreadedHandlers",
      "synthesize-scheduler: ThreadedHandlers → Scheduled",
      "codegen: Scheduled → WasmIR",
    ]);
  });

  it.each(examples)("%s", async (name) => {
    const text = readFileSync(join(examplesDir, name), "utf8");
    const ds = dumps(`examples/${name}`, text);
    expect(ds.map((d) => d.pass)).toEqual(pipeline.map((p) => p.name));
    for (const d of ds) {
      // no run-dependent text: object addresses, fresh type-variable ids, timings
      expect(d.dump).not.toMatch(/\[object Object\]|undefined|NaN/);
      await expect(d.dump).toMatchFileSnapshot(`golden/dumps/${basename(name, ".links")}.${d.pass}.txt`);
    }
  });

  // the cps backend's own passes (the shared ones are the wasmfx pipeline's, above)
  const cpsExamples = [...examples, ...readdirSync(join(examplesDir, "multishot")).filter((f) => f.endsWith(".links")).sort().map((f) => `multishot/${f}`)];
  const cpsOwn = pipelines.cps.passes().filter((p) => !pipeline.includes(p)).map((p) => p.name);
  it.each(cpsExamples)("%s on the cps pipeline", async (name) => {
    const out: { pass: string; dump: string }[] = [];
    runPipeline({ file: `examples/${name}`, text: readFileSync(join(examplesDir, name), "utf8") }, {
      backend: "cps", check: true,
      onPass: ({ pass, to, output }) => { if (cpsOwn.includes(pass)) out.push({ pass, dump: languageOf(to).print(output) }); },
    });
    expect(out.map((d) => d.pass)).toEqual(["mark-pure", "cps", "tail-resume", "cps-codegen"]);
    for (const d of out) {
      expect(d.dump).not.toMatch(/\[object Object\]|undefined|NaN/);
      await expect(d.dump).toMatchFileSnapshot(`golden/dumps/cps/${basename(name, ".links")}.${d.pass}.txt`);
    }
  });

  it("dumps are deterministic: compiling twice prints the same IR", () => {
    const text = readFileSync(join(examplesDir, "deep_state.links"), "utf8");
    expect(dumps("a.links", text)).toEqual(dumps("a.links", text));
  });
});

// ---------------------------------------------------------------- validators

const sp = (line: number, col: number): Span => ({ file: "t.links", line, col, endLine: line, endCol: col + 1 });

describe("validators catch broken IR", () => {
  const core = (body: CExpr): CoreProgram => ({ typenames: [], body });

  // Variables are checked in TypedCore: Core may mention unknown names, which `infer` reports
  // as type errors with a location. These hand-built nodes carry a (dummy) type.
  const typed = (e: CExpr): CExpr => ({ ...e, type: tInt }) as CExpr;

  it("TypedCore: an unbound variable", () => {
    const p = core(typed({ tag: "Lam", params: ["x"], body: typed({ tag: "App", fn: typed({ tag: "Var", name: "+", span: sp(1, 10) }), args: [typed({ tag: "Var", name: "x", span: sp(1, 12) }), typed({ tag: "Var", name: "y", span: sp(1, 16) })], span: sp(1, 10) }), span: sp(1, 1) }));
    expect(languageOf("TypedCore").validate(p)).toEqual(["1:16: unbound variable y"]);
    expect(languageOf("Core").validate(p)).toEqual([]);
  });

  it("TypedCore: a variable used outside the scope of its binder", () => {
    const x = (line: number, col: number): CExpr => typed({ tag: "Var", name: "x", span: sp(line, col) });
    const p = core(typed({
      tag: "Let", name: "f", rhs: typed({ tag: "Lam", params: ["x"], body: x(1, 12), span: sp(1, 1) }), body: x(2, 1), span: sp(1, 1),
    }));
    expect(languageOf("TypedCore").validate(p)).toEqual(["2:1: unbound variable x"]);
  });

  it("Core: well-formed programs and primitives are accepted", () => {
    const p = core({ tag: "Lam", params: ["x"], body: { tag: "App", fn: { tag: "Var", name: "+", span: noSpan }, args: [{ tag: "Var", name: "x", span: noSpan }, { tag: "Lit", lit: { kind: "Int", value: 1n }, span: noSpan }], span: noSpan }, span: noSpan });
    expect(languageOf("Core").validate(p)).toEqual([]);
  });

  it("TypedCore: a node without a type", () => {
    const typed = runPipeline({ file: "t.links", text: "fun (x) { x + 1 }" }, { until: "infer" }) as CoreProgram;
    expect(languageOf("TypedCore").validate(typed)).toEqual([]);
    const untyped = runPipeline({ file: "t.links", text: "fun (x) { x + 1 }" }, { until: "desugar" }) as CoreProgram;
    const errs = languageOf("TypedCore").validate(untyped);
    expect(errs.length).toBeGreaterThan(0);
    expect(errs.every((e) => /node has no type$/.test(e))).toBe(true);
  });

  it("check turns an invalid pass output into an internal error naming the pass", () => {
    // Break the infer pass for the duration of this test: its output mentions an unbound name.
    const desugar = pipeline.find((p) => p.name === "infer")!;
    const run = desugar.run;
    desugar.run = (x: unknown) => {
      const out = run(x) as CoreProgram;
      return { ...out, body: { tag: "Let", name: "z", rhs: { tag: "Var", name: "broken", span: sp(1, 1), type: tInt }, body: out.body, span: sp(1, 1), type: tInt } };
    };
    let err: unknown;
    try {
      runPipeline({ file: "t.links", text: "1 + 2" }, { check: true });
    } catch (e) {
      err = e;
    } finally {
      desugar.run = run;
    }
    expect(err).toBeInstanceOf(CompileError);
    expect((err as CompileError).kind).toBe("internal");
    expect((err as CompileError).message).toBe("output of pass infer is not valid TypedCore:\n  1:1: unbound variable broken");
    // once restored, the same program validates again
    expect(() => runPipeline({ file: "t.links", text: "1 + 2" }, { check: true })).not.toThrow();
  });
});
