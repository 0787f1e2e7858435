// fold-constants, the research pass that is off by default: what it rewrites, that --check
// accepts its output, that --with switches it on (and only then), and that programs print the
// same with it on every backend.
import { beforeAll, describe, expect, it } from "vitest";
import { type BoxedProgram, printBoxed } from "../ir/boxed.js";
import { foldConstantsPass, passesFor, pipelines } from "../passes/pipeline.js";
import { prepareBackend, runPipeline, runSource } from "../tools/compile-lib.js";

beforeAll(async () => { await prepareBackend("wasmfx"); });

const text = "fun f(x) { var a = 2 * 3; var unused = 99; var b = a + 1; x + b } f(1) + (4611686018427387903 + 1)";
const boxed = (on: boolean) => runPipeline({ file: "t.links", text }, { until: on ? "fold-constants" : "box-poly", check: true, with: on ? ["fold-constants"] : [] }) as BoxedProgram;

describe("fold-constants", () => {
  it("is a research pass: off by default, on with --with, in both pipelines", () => {
    expect(passesFor("wasmfx").map((p) => p.name)).not.toContain("fold-constants");
    expect(passesFor("cps", { with: ["fold-constants"] }).map((p) => p.name)).toContain("fold-constants");
    expect(pipelines.wasmfx.steps.find((s) => s.pass === foldConstantsPass)?.kind).toBe("research");
  });

  it("folds Int arithmetic on literals (63-bit wrapping) and drops unused let-values", () => {
    const before = printBoxed(boxed(false));
    const after = printBoxed(boxed(true));
    expect(before).toContain("(let-app a:i64 (* 2 3))");
    expect(after).toContain("(let a:i64 6)");
    expect(before).toContain("unused");
    expect(after).not.toContain("unused");
    // a + 1 is not folded (a is a variable); max_int + 1 wraps to min_int
    expect(after).toContain("(let-app b:i64 (+ a 1))");
    expect(after).toContain("-4611686018427387904");
  });

  it.each(["interp", "wasmfx", "cps"] as const)("the program prints the same with it on %s", (backend) => {
    const off = runSource({ file: "t.links", text }, backend);
    const on = runSource({ file: "t.links", text }, backend, { with: ["fold-constants"] });
    expect(off.stderr).toBe("");
    expect(on).toEqual(off);
    expect(on.stdout).toBe("-4611686018427387896 : Int\n");
  });
});
