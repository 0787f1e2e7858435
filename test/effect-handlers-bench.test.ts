// The effect-handlers-bench programs (bench/effect-handlers-bench/) at their test sizes: each
// prints its expected result on interp, cps and wasmfx (a multishot one stops on wasmfx with the
// one-shot error), its JavaScript reference computes the same value, and the size line the bench
// rewrites is there.
import { pathToFileURL } from "node:url";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { prepareBackend, runSource } from "../tools/compile-lib.js";
import { SUITE_DIR, loadSuite, programText } from "../bench/effect-handlers-bench.js";

beforeAll(async () => { await prepareBackend("wasmfx"); });

const suite = loadSuite();

describe("effect-handlers-bench", () => {
  it("has the suite's eleven programs", () => {
    expect(suite.map((p) => p.name).sort()).toEqual(
      ["countdown", "fibonacci_recursive", "generator", "handler_sieve", "iterator", "nqueens", "parsing_dollars", "product_early", "resume_nontail", "tree_explore", "triples"]);
  });

  it.each(suite.map((p) => [p.name, p] as const))("%s prints its expected result on every backend", async (_, p) => {
    const src = { file: p.file, text: programText(p, p.sizes.test) };
    const expected = `${p.expected.test}\n`;
    const last = (s: string) => s.trimEnd().split("\n").pop() + "\n";
    const ref = runSource(src, "interp", { deadline: Date.now() + 60_000 });
    expect(ref.stderr).toBe("");
    expect(last(ref.stdout)).toBe(expected);
    expect(runSource(src, "cps")).toEqual(ref);
    const fx = runSource(src, "wasmfx");
    if (p.multishot) expect(fx.stderr).toMatch(/continuation resumed twice: the wasmfx backend supports one-shot continuations/);
    else expect(fx).toEqual(ref);
    const { run } = (await import(pathToFileURL(join(SUITE_DIR, p.js)).href)) as { run: (n: number) => unknown };
    expect(`${String(run(p.sizes.test))} : Int\n`).toBe(expected);
  }, 120_000);
});
