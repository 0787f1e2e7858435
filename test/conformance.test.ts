// The Links developers' test suite on the interpreter: the pass counts may not drop below the
// floor recorded in conformance/floor.json.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultSuiteDir, loadSuite, runCase, summarize } from "../tools/conformance-lib.js";

const floor = JSON.parse(readFileSync(join(import.meta.dirname, "..", "conformance", "floor.json"), "utf8"));
const dir = defaultSuiteDir();
if (!dir) console.log("skipped: no Links test suite");

describe("Links conformance suite", () => {
  it.skipIf(!dir)("interp passes at least the recorded floor in every category", () => {
    const cases = loadSuite(dir!);
    expect(cases.length).toBeGreaterThan(400);
    const summary = summarize(cases.map((c) => runCase(c, "interp", 10_000)));
    const passed = { value: summary.total.value.passed, type: summary.total.type.passed, error: summary.total.error.passed };
    console.log(`conformance (interp): ${JSON.stringify(passed)}; floor ${JSON.stringify(floor.interp)}`);
    expect(passed.value).toBeGreaterThanOrEqual(floor.interp.value);
    expect(passed.type).toBeGreaterThanOrEqual(floor.interp.type);
    expect(passed.error).toBeGreaterThanOrEqual(floor.interp.error);
  }, 300_000);

  it.skipIf(!dir)("parses the .tests format: names, programs, options, categories", () => {
    const cases = loadSuite(dir!, ["handlers"]);
    const binary = cases.find((c) => c.name === "Binary choice handling (2)")!;
    expect(binary.stdout).toBe("[42, 20, 22, 0] : [Int]");
    expect(binary.category).toBe("value");
    const top = cases.find((c) => c.name === "Top level operation invocation")!;
    expect(top).toMatchObject({ exit: 1, category: "error", stderr: "@." });
    expect(cases.find((c) => c.name === "Operation invocation sugar (1)")!.category).toBe("type");
  });
});
