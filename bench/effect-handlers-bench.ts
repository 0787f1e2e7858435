// The effect-handlers-bench suite (bench/effect-handlers-bench/: eleven programs written in our
// Links subset from the suite's descriptions, each with a direct-style JavaScript reference and
// its sizes and expected results in suite.json) and its section of tools/bench.ts: every program
// at its bench size through tools/compare (wasmfx and cps on Node, each run in a child process),
// against the JavaScript reference timed in this process, as ratios.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { compare } from "../tools/compare-lib.js";

export const SUITE_DIR = join(import.meta.dirname, "effect-handlers-bench");

export interface SuiteProgram {
  name: string;
  /** the .links file and its JavaScript reference (`export function run(n)`), in SUITE_DIR */
  file: string;
  js: string;
  sizes: { test: number; bench: number };
  /** the last line a run prints (`VALUE : TYPE`) at each size */
  expected: { test: string; bench: string };
  /** resumes a continuation twice: runs on interp and cps; wasmfx reports the one-shot error */
  multishot: boolean;
  description: string;
}

export function loadSuite(): SuiteProgram[] {
  return JSON.parse(readFileSync(join(SUITE_DIR, "suite.json"), "utf8")) as SuiteProgram[];
}

/** The program's text with its input size: the number on the line marked `# @size`. */
export function programText(p: SuiteProgram, size: number): string {
  const text = readFileSync(join(SUITE_DIR, p.file), "utf8");
  const marked = /^(var \w+ = )-?\d+(; # @size)$/m;
  if (!marked.test(text)) throw new Error(`${p.file}: no line of the form \`var n = N; # @size\``);
  return text.replace(marked, `$1${size}$2`);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export interface SuiteRow {
  program: string;
  config: string;
  size: number;
  /** median run time, ms (undefined: the configuration could not run it) */
  ms?: number;
  jsMs: number;
  ratio?: number;
  /** printed the expected result */
  correct: boolean;
  note?: string;
}

/** Every program at its bench size (test size with `quick`) on wasmfx and cps, against JavaScript. */
export async function benchSuite(quick: boolean, progress: (s: string) => void): Promise<SuiteRow[]> {
  const dir = mkdtempSync(join(tmpdir(), "ehb-"));
  const rows: SuiteRow[] = [];
  for (const p of loadSuite()) {
    const size = quick ? p.sizes.test : p.sizes.bench;
    const expected = quick ? p.expected.test : p.expected.bench;
    const file = join(dir, p.file);
    writeFileSync(file, programText(p, size));
    const { run } = (await import(pathToFileURL(join(SUITE_DIR, p.js)).href)) as { run: (n: number) => unknown };
    run(size);
    const jsMs = median(Array.from({ length: quick ? 1 : 5 }, () => { const t0 = performance.now(); run(size); return performance.now() - t0; }));
    const report = await compare({
      files: [file], backends: ["wasmfx", "cps"], engines: ["node"], runs: quick ? 1 : 3, compileRuns: 1, timeoutS: 300,
      onProgress: (line) => progress(`effect-handlers-bench: ${p.name} ${line}`),
    });
    for (const m of report.programs[0]!.results) {
      const last = (m.stdout ?? "").trimEnd().split("\n").pop();
      const ms = m.status === "ok" ? m.run?.median : undefined;
      rows.push({
        program: p.name, config: m.config, size, jsMs, correct: m.status === "ok" && last === expected,
        ...(ms !== undefined ? { ms, ratio: ms / Math.max(jsMs, 0.001) } : {}),
        ...(m.status !== "ok" ? { note: `${m.status}: ${m.reason ?? ""}` } : last !== expected ? { note: `printed ${last}, expected ${expected}` } : {}),
      });
    }
  }
  return rows;
}

/** The rows as a Markdown table: one line per program, a column per configuration (ms and ×JS). */
export function suiteTable(rows: SuiteRow[]): string {
  const configs = [...new Set(rows.map((r) => r.config))];
  const programs = [...new Set(rows.map((r) => r.program))];
  const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
  const out = [`| program | size | JavaScript ms | ${configs.map((c) => `${c} ms (×JS)`).join(" | ")} |`, `|---|---:|---:|${configs.map(() => "---:").join("|")}|`];
  for (const p of programs) {
    const rs = rows.filter((r) => r.program === p);
    const cell = (c: string) => {
      const r = rs.find((x) => x.config === c);
      if (!r || r.ms === undefined) return r?.note?.startsWith("unsupported") ? "multishot: not on wasmfx" : (r?.note ?? "–");
      return `${fmt(r.ms)} (×${fmt(r.ratio!)})${r.correct ? "" : " WRONG"}`;
    };
    out.push(`| ${p} | ${rs[0]!.size} | ${fmt(rs[0]!.jsMs)} | ${configs.map(cell).join(" | ")} |`);
  }
  return out.join("\n");
}
