// CI's verdict on a vitest run (called by .ci/run): vitest's exit code alone is not enough. When
// the worker running a test file dies, vitest's JSON report still says the file "passed" and
// "success": true; the file's unreported tests have the status "pending" and count nowhere
// (measured with vitest 4.1.1: a SIGKILLed or aborted worker). So this reads the JSON report and
// vitest's console output and fails when
//   - vitest exited non-zero, or the report is missing;
//   - a test/**/*.test.ts file on disk is not in the report (or the counts differ);
//   - a file failed, or has no tests, or a test in it failed or never ran ("pending": no result);
//   - vitest printed an unhandled error or a pool error (a worker that exited unexpectedly, could
//     not be started or stopped), which it may print after the report is written.
// Only a skip (or todo) the suite declares (it.skip, it.skipIf(…), describe.skipIf(…)) is an
// acceptable non-run; each one is named on the closing line.
//
//   tsx tools/ci-summary.ts REPORT.json VITEST-OUTPUT.log VITEST-EXIT-CODE
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { relative, resolve } from "node:path";

interface Assertion {
  ancestorTitles: string[];
  title: string;
  status: string;
}
interface FileResult {
  name: string;
  status: string;
  message: string;
  assertionResults: Assertion[];
}
interface Report {
  testResults: FileResult[];
}

if (process.argv.includes("--help")) {
  console.log("usage: tsx tools/ci-summary.ts [REPORT.json] [VITEST-OUTPUT.log] [VITEST-EXIT-CODE]\n" +
    "CI's verdict on a vitest run (.ci/run calls it): exit 1, naming the file, when a test file did not finish,\n" +
    "a test did not run (other than a declared skip), a test failed, or vitest printed a pool or unhandled error.\n" +
    "Defaults: .test-results.json, no log, exit code 0. Prints one closing line: N passed, N failed, N skipped.");
  process.exit(0);
}
const [reportPath = ".test-results.json", logPath, exitArg = "0"] = process.argv.slice(2);
const problems: string[] = [];
const rel = (p: string) => relative(process.cwd(), resolve(p));
const firstLine = (s: string) => s.split("\n").find((l) => l.trim() !== "")?.trim() ?? "";

const vitestExit = Number(exitArg);
if (vitestExit !== 0) problems.push(`vitest exited with status ${exitArg}`);

// the files vitest.config.ts includes: test/**/*.test.ts
const onDisk = (readdirSync("test", { recursive: true }) as string[])
  .map((f) => `test/${f.split("\\").join("/")}`)
  .filter((f) => f.endsWith(".test.ts") && !f.includes("/node_modules/"))
  .sort();

let report: Report | undefined;
if (!existsSync(reportPath)) problems.push(`no JSON report at ${reportPath}: vitest did not finish`);
else {
  try {
    report = JSON.parse(readFileSync(reportPath, "utf8")) as Report;
  } catch (e) {
    problems.push(`the JSON report ${reportPath} cannot be read: ${e instanceof Error ? e.message : String(e)}`);
  }
}

let passed = 0, failed = 0, notRun = 0;
const skipped: string[] = [];
const finished: string[] = [];
const results = report?.testResults ?? [];
for (const f of results) {
  const file = rel(f.name);
  const name = (a: Assertion) => [file, ...a.ancestorTitles, a.title].join(" > ");
  const byStatus = (s: string) => f.assertionResults.filter((a) => a.status === s);
  const ok = byStatus("passed"), bad = byStatus("failed"), pending = byStatus("pending");
  // a skip in a failed file may be the failure's doing (a beforeAll that threw skips its tests)
  const fileOk = f.status === "passed";
  const skips = f.assertionResults.filter((a) => a.status === "skipped" || a.status === "todo");
  const declared = fileOk ? skips : [];
  const other = f.assertionResults.filter((a) => !["passed", "failed", "pending", "skipped", "todo"].includes(a.status));
  const skippedByFailure = fileOk ? [] : skips;
  passed += ok.length;
  failed += bad.length;
  notRun += pending.length + other.length + skippedByFailure.length;
  skipped.push(...declared.map((a) => (a.status === "todo" ? `${name(a)} (todo)` : name(a))));
  let complete = true;
  if (!fileOk) {
    complete = false;
    const why = f.message ? firstLine(f.message) : bad.length ? "" : "a hook or a suite failed (vitest's output above says which)";
    problems.push(`${file}: ${f.status}${why ? `: ${why}` : ""}`);
  }
  if (f.assertionResults.length === 0) {
    complete = false;
    problems.push(`${file}: no tests ran`);
  }
  for (const a of bad) problems.push(`${file}: failed: ${name(a)}`);
  const list = (as: Assertion[]) => as.map((a) => `\n    ${name(a)} [${a.status}]`).join("");
  const total = f.assertionResults.length;
  if (pending.length + other.length > 0) {
    complete = false;
    problems.push(
      `${file}: ${pending.length + other.length} of ${total} tests never ran (no result in the report: ` +
        `the worker running the file died or was stopped):${list([...pending, ...other])}`,
    );
  }
  if (skippedByFailure.length > 0)
    problems.push(`${file}: ${skippedByFailure.length} of ${total} tests skipped because the file failed:${list(skippedByFailure)}`);
  if (complete) finished.push(file);
}

const reported = new Set(results.map((f) => rel(f.name)));
if (report) {
  for (const f of onDisk) if (!reported.has(f)) problems.push(`${f}: not in vitest's report: it never ran`);
  if (results.length !== onDisk.length)
    problems.push(`the report has ${results.length} test files, the disk has ${onDisk.length} test/**/*.test.ts files`);
}

// what vitest printed: errors outside any test, including ones printed after the report
if (logPath !== undefined) {
  const log = existsSync(logPath) ? readFileSync(logPath, "utf8").replace(/\x1b\[[0-9;]*[A-Za-z]/g, "") : "";
  if (log === "") problems.push(`no vitest output at ${logPath}`);
  const seen = new Set<string>();
  const patterns = [
    /\[vitest-pool\]:[^\n]*/g, // Timeout terminating / Failed to terminate / Failed to start / Timeout starting / Worker … emitted error
    /\[vitest-pool-runner\]:[^\n]*/g,
    /\[vitest-worker\]:[^\n]*/g,
    /Worker exited unexpectedly[^\n]*/g,
    /Vitest caught \d+ unhandled errors?[^\n]*/g,
    /^\s*Errors\s+\d+ errors?[^\n]*/gm,
    /close timed out after[^\n]*/g,
    /WARNING: Some tests are still running[^\n]*/g,
  ];
  for (const p of patterns)
    for (const m of log.matchAll(p)) {
      const line = m[0].trim().split(`${process.cwd()}/`).join("");
      if (!seen.has(line)) {
        seen.add(line);
        problems.push(`vitest printed: ${line}`);
      }
    }
}

for (const p of problems) console.log(`ci: ${p}`);
const files = `${finished.length} of ${onDisk.length} test files finished`;
const skips = skipped.length ? ` (declared: ${skipped.join("; ")})` : "";
const summary = `${passed} passed, ${failed} failed, ${skipped.length} skipped${skips}${notRun ? `, ${notRun} never ran` : ""}; ${files}`;
if (problems.length > 0) {
  console.log(`${summary} — CI FAILED (${problems.length} problem${problems.length === 1 ? "" : "s"} above)`);
  process.exit(1);
}
console.log(summary);
