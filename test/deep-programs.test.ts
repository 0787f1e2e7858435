// Big and deep programs (issue 15, item 5): 10,000-deep expression chains and 100,000 top-level
// bindings compile and run on every backend, or stop with a clean `unsupported` error, never an
// internal one. The programs are generated here. They run through tools/big-stack.ts: the
// library helper (one worker thread with the tools' big stack, for all of them) and, twice, the
// CLI as a child process (its command runs on that stack with no node flags).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BigStackJob, runSourcesOnBigStack } from "../tools/big-stack.js";
import { type Backend, type RunOutcome, prepareBackend, runSource } from "../tools/compile-lib.js";

const N = 10_000;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** name → program text and what it prints (its value line) */
const programs: Record<string, { text: string; value: string }> = {
  "1 + 1 + … + 1": { text: `${range(N).map(() => "1").join(" + ")}\n`, value: `${N} : Int` },
  "a list literal": { text: `[${range(N).join(", ")}]\n`, value: `[${range(N).join(", ")}] : [Int]` },
  "nested if": {
    text: `fun f(b) { ${"if (b) ".repeat(N)}1${" else 0".repeat(N)} }\nf(true)\n`,
    value: "1 : Int",
  },
  "nested switch": {
    text: `fun f(n) { ${"switch (n) { case 0 -> 0 case m -> ".repeat(N)}n${" }".repeat(N)} }\nf(7)\n`,
    value: "7 : Int",
  },
  "r.a.a…a on a nested record": {
    text: `var r = ${"(a = ".repeat(N)}1${")".repeat(N)};\nr${".a".repeat(N)}\n`,
    value: "1 : Int",
  },
};

/** 100,000 top-level `var`s (the prelude's and the program's bindings make one long chain). */
const VARS = 100_000;
const manyVars = `${range(VARS).map((i) => `var x${i} = ${i};`).join("\n")}\nx${VARS - 1}\n`;

const BACKENDS: Backend[] = ["interp", "wasmfx", "cps"];
/** binaryen.js's text parser fails past ~25,000 levels of Wasm nesting (backends/wasm/binaryen.ts): a Links `switch` is three */
const tooDeepForBinaryen = (name: string, backend: Backend) => name === "nested switch" && backend !== "interp";

const jobs: (BigStackJob & { name: string })[] = [];
for (const [name, p] of Object.entries(programs))
  for (const backend of BACKENDS) jobs.push({ name, backend, src: { file: "deep.links", text: p.text } });
// on interp and cps (the item's "compile time linear in the number of bindings"); wasmfx shares the
// front end with cps and would add ~3.5 s
for (const backend of ["interp", "cps"] as const) jobs.push({ name: "100,000 top-level vars", backend, src: { file: "vars.links", text: manyVars } });

let outcomes: RunOutcome[] = [];
const outcome = (name: string, backend: Backend) => outcomes[jobs.findIndex((j) => j.name === name && j.backend === backend)]!;

beforeAll(async () => {
  outcomes = await runSourcesOnBigStack(jobs);
}, 300_000);

/** No internal error, no JavaScript stack trace. */
const clean = (r: RunOutcome) => {
  expect(r.stderr).not.toMatch(/internal error/);
  expect(r.stderr).not.toMatch(/^\s+at .*[(:]\d+/m);
};

describe("10,000-deep programs on every backend", () => {
  for (const [name, p] of Object.entries(programs))
    for (const backend of BACKENDS)
      it(`${name} on ${backend}`, () => {
        const r = outcome(name, backend);
        clean(r);
        if (tooDeepForBinaryen(name, backend)) {
          expect(r.exitCode).toBe(1);
          expect(r.stderr).toMatch(/^error: unsupported: the program nests too deeply for binaryen: its Wasm nests 30,\d{3} levels deep/);
        } else {
          expect(r).toEqual({ stdout: `${p.value}\n`, stderr: "", exitCode: 0 });
        }
      });
});

describe("100,000 top-level bindings", () => {
  for (const backend of ["interp", "cps"] as const)
    it(`var x0 = 0; … var x99999 = 99999; x99999 on ${backend}`, () => {
      expect(outcome("100,000 top-level vars", backend)).toEqual({ stdout: `${VARS - 1} : Int\n`, stderr: "", exitCode: 0 });
    });
});

describe("a 2^27-character string", () => {
  // interp's strlen, charAt and strsub built an array of the string's characters: this one aborted
  // the process ("FATAL ERROR: invalid array length"); they count code points in place now
  const text = 'fun double(s, n) { if (n == 0) s else double(s ^^ s, n - 1) } var s = double("a\u{1F600}", 26); (strlen(s), charAt(s, 134217727), strlen(strsub(s, 1, 100)))';
  beforeAll(() => prepareBackend("wasmfx"));
  for (const backend of ["interp", "wasmfx"] as const)
    it(`strlen, charAt and strsub on ${backend}`, () => {
      expect(runSource({ file: "t.links", text }, backend)).toEqual({ stdout: "(134217728, '\u{1F600}', 100) : (Int, Char, Int)\n", stderr: "", exitCode: 0 });
    }, 60_000);
});

// ---------------------------------------------------------------- the CLI, with no node flags
const root = fileURLToPath(new URL("..", import.meta.url));
const tsxCli = join(root, "node_modules/tsx/dist/cli.mjs");
const dir = mkdtempSync(join(tmpdir(), "links-deep-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tool(script: "run" | "run-pass", text: string, ...args: string[]) {
  const file = join(dir, "deep.links");
  writeFileSync(file, text);
  const r = spawnSync(process.execPath, [tsxCli, `tools/${script}.ts`, file, ...args], { cwd: root, encoding: "utf8", timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("the CLI compiles on its big stack", () => {
  it("run: 10,000-term 1 + … + 1 on interp (Node's default stack overflowed in desugar)", () => {
    expect(tool("run", programs["1 + 1 + … + 1"]!.text)).toEqual({ status: 0, stdout: `${N} : Int\n`, stderr: "" });
  }, 120_000);

  it("run-pass --backend cps: what binaryen cannot parse is a clean error, exit status 1", () => {
    const r = tool("run-pass", programs["nested switch"]!.text, "--backend", "cps");
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: unsupported: the program nests too deeply for binaryen/);
    expect(r.stderr).not.toMatch(/internal error|^\s+at /m);
  }, 120_000);
});
