// The Links test-suite format (see ../shared/links-tests/README.md) and a runner for it.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { type Backend, type Engine, runSource } from "./compile-lib.js";
import { settingsOfArgs, typeSyntaxOf } from "./links-settings.js";

export interface TestCase {
  file: string; // the .tests file, e.g. "handlers.tests"
  name: string;
  program: string; // program text (file contents for filemode cases)
  programFile: string; // for error messages
  stdout: string | undefined;
  stderr: string | undefined;
  exit: number;
  ignore: string | undefined;
  /** the `--set=NAME=VALUE` settings of the case's `args` */
  settings: string[];
  /** value: prints `VALUE : TYPE`; type: prints `fun : TYPE`; error: expected to fail */
  category: "value" | "type" | "error";
}

export type Verdict = "passed" | "failed" | "unsupported" | "ignored";

export interface CaseResult {
  file: string;
  name: string;
  category: TestCase["category"];
  verdict: Verdict;
  detail?: string;
  /** what the program printed and its exit code (absent for ignored cases) */
  run?: { stdout: string; exitCode: number };
}

export function defaultSuiteDir(): string | undefined {
  const dir = process.env.LINKS_TESTS_DIR ?? resolve(import.meta.dirname, "../../shared/links-tests");
  return existsSync(join(dir, "tests")) ? dir : undefined;
}

/** Parse one `.tests` file. */
export function parseTestsFile(text: string, file: string, suiteDir: string): TestCase[] {
  const lines = text.split("\n").filter((l) => !l.startsWith("#"));
  const blocks: string[][] = [];
  let cur: string[] = [];
  for (const l of lines) {
    if (l.trim() === "") {
      if (cur.length) blocks.push(cur);
      cur = [];
    } else cur.push(l);
  }
  if (cur.length) blocks.push(cur);
  const cases: TestCase[] = [];
  for (const b of blocks) {
    if (b.length < 2) continue;
    // a file's header (`---`, options for every case, `---`) is not a case
    if (b[0]!.trim() === "---") continue;
    const [name, program, ...opts] = b as [string, string, ...string[]];
    const o = new Map<string, string>();
    for (const line of opts) {
      const i = line.indexOf(" : ");
      if (i >= 0) o.set(line.slice(0, i).trim(), line.slice(i + 3));
      else if (line.endsWith(" :")) o.set(line.slice(0, -2).trim(), "");
    }
    const filemode = o.get("filemode") === "true";
    let prog = program, programFile = `${file}:${name}`;
    if (filemode) {
      const path = join(suiteDir, program.trim());
      programFile = path;
      prog = existsSync(path) ? readFileSync(path, "utf8") : "";
    }
    const exit = Number(o.get("exit") ?? "0");
    const stdout = o.get("stdout");
    const category: TestCase["category"] = exit !== 0 ? "error" : stdout !== undefined && /^@?fun : /.test(stdout) ? "type" : "value";
    cases.push({ file, name, program: prog, programFile, stdout, stderr: o.get("stderr"), exit, ignore: o.get("ignore"), settings: settingsOfArgs(o.get("args") ?? ""), category });
  }
  return cases;
}

export function loadSuite(suiteDir: string, only?: string[]): TestCase[] {
  const dir = join(suiteDir, "tests");
  const files = readdirSync(dir).filter((f) => f.endsWith(".tests")).sort();
  return files
    .filter((f) => !only || only.some((o) => f.startsWith(o)))
    .flatMap((f) => parseTestsFile(readFileSync(join(dir, f), "utf8"), f, suiteDir));
}

/** Links' comparison: right-stripped and exact, or a regex matched at the start (DOTALL) for `@…`. */
export function matches(expected: string | undefined, actual: string): boolean {
  const a = actual.replace(/\s+$/, "");
  if (expected === undefined || expected === "") return a === "";
  if (expected.startsWith("@")) {
    try {
      return new RegExp(`^(?:${expected.slice(1)})`, "s").test(a);
    } catch {
      return false;
    }
  }
  return a === expected.replace(/\s+$/, "");
}

export function runCase(c: TestCase, backend: Backend, timeoutMs: number, engine: Engine = "node"): CaseResult {
  const base = { file: c.file, name: c.name, category: c.category };
  if (c.ignore !== undefined) return { ...base, verdict: "ignored", detail: c.ignore };
  let typeSyntax;
  try {
    typeSyntax = typeSyntaxOf(c.settings);
  } catch (e) {
    return { ...base, verdict: "unsupported", detail: `unsupported: ${(e as Error).message}` };
  }
  const r = runSource({ file: c.programFile, text: c.program, ...(typeSyntax ? { typeSyntax } : {}) }, backend, { deadline: Date.now() + timeoutMs, engine });
  const ran = { ...base, run: { stdout: r.stdout, exitCode: r.exitCode } };
  if (r.exitCode !== 0 && /unsupported: /.test(r.stderr)) return { ...ran, verdict: "unsupported", detail: firstLine(r.stderr) };
  const okExit = r.exitCode === c.exit;
  const okOut = matches(c.stdout, r.stdout);
  const okErr = c.exit === 0 ? true : matches(c.stderr ?? "@.", r.stderr);
  if (okExit && okOut && okErr) return { ...ran, verdict: "passed" };
  const detail = !okExit
    ? `exit ${r.exitCode}, expected ${c.exit}: ${firstLine(r.stderr) || firstLine(r.stdout)}`
    : !okOut ? `stdout ${JSON.stringify(r.stdout.trimEnd())}, expected ${JSON.stringify(c.stdout)}` : `stderr ${JSON.stringify(firstLine(r.stderr))}`;
  return { ...ran, verdict: "failed", detail };
}

function firstLine(s: string): string {
  return s.split("\n")[0] ?? "";
}

export interface Summary {
  byFile: Record<string, Record<TestCase["category"], Record<Verdict, number>>>;
  total: Record<TestCase["category"], Record<Verdict, number>>;
}

export function summarize(results: CaseResult[]): Summary {
  const empty = () => ({ passed: 0, failed: 0, unsupported: 0, ignored: 0 });
  const cats = () => ({ value: empty(), type: empty(), error: empty() });
  const byFile: Summary["byFile"] = {};
  const total = cats();
  for (const r of results) {
    (byFile[r.file] ??= cats())[r.category][r.verdict]++;
    total[r.category][r.verdict]++;
  }
  return { byFile, total };
}

/** One row per file, and for each category one column per backend. */
export function formatTable(summaries: Record<string, Summary>): string {
  const cell = (c: Record<Verdict, number> | undefined) => {
    const n = c ? c.passed + c.failed + c.unsupported : 0;
    return n === 0 ? "-" : `${c!.passed}/${n}${c!.unsupported ? ` (${c!.unsupported}u)` : ""}`;
  };
  const backends = Object.keys(summaries);
  const cats = ["value", "type", "error"] as const;
  const rows = [["file", ...cats.flatMap((k) => backends.map((b) => `${k} ${b}`))]];
  const files = [...new Set(Object.values(summaries).flatMap((s) => Object.keys(s.byFile)))];
  for (const f of files) rows.push([f, ...cats.flatMap((k) => backends.map((b) => cell(summaries[b]!.byFile[f]?.[k])))]);
  rows.push(["TOTAL", ...cats.flatMap((k) => backends.map((b) => cell(summaries[b]!.total[k])))]);
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((x, i) => x.padEnd(w[i]!)).join("  ").trimEnd()).join("\n") +
    "\n(passed/attempted; (Nu) = N of them unsupported; ignored cases are not counted)";
}
