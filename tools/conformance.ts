// Run the Links developers' test suite (../shared/links-tests, or LINKS_TESTS_DIR) on one or more
// backends: a per-file table (value-printing / type-printing / expected-error cases, one column
// per backend), and the per-case results as JSON in conformance/<backend>.json so runs can be
// compared with git diff.
//
//   tsx tools/conformance.ts [--backend B]... [--engine node|deno|chromium] [--only handlers,records] [--timeout 5] [--failures]
import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { Console, Effect } from "effect";
import { Command, Flag } from "effect/cli";
import { BACKENDS, prepareBackend } from "./compile-lib.js";
import { engineFlag, runCli, usageError } from "./driver.js";
import { type CaseResult, type Summary, defaultSuiteDir, formatTable, loadSuite, runCase, summarize } from "./conformance-lib.js";

const conformance = Command.make(
  "conformance",
  {
    backend: Flag.Literals("backend", BACKENDS).pipe(Flag.atLeast(0), Flag.withMetavar("BACKEND"), Flag.withDescription("a backend to run the cases on; repeat for several (default: every backend, one table column each)")),
    engine: engineFlag,
    only: Flag.String("only").pipe(Flag.optional, Flag.withMetavar("FILES"), Flag.withDescription("comma-separated .tests file name prefixes, e.g. handlers,records")),
    timeout: Flag.Finite("timeout").pipe(Flag.withDefault(5), Flag.withMetavar("SECONDS"), Flag.withDescription("per-case time limit, on every backend and engine (default: 5)")),
    failures: Flag.Boolean("failures").pipe(Flag.withDefault(false), Flag.withDescription("also list every case that did not pass, with the reason")),
    out: Flag.String("out").pipe(Flag.optional, Flag.withMetavar("DIR"), Flag.withDescription("the directory for the JSON results, one <backend>.json each (default: conformance/)")),
  },
  ({ backend, engine, only, timeout, failures, out }) =>
    Effect.gen(function* () {
      const dir = defaultSuiteDir();
      if (!dir) return yield* Effect.fail(usageError("no Links test suite found (looked in ../shared/links-tests and LINKS_TESTS_DIR)"));
      const prefixes = only._tag === "Some" ? only.value.split(",") : undefined;
      const cases = loadSuite(dir, prefixes);
      const backends = backend.length > 0 ? [...new Set(backend)] : [...BACKENDS];
      const summaries: Record<string, Summary> = {};
      const dirOut = out._tag === "Some" ? out.value : join(import.meta.dirname, "..", "conformance");
      mkdirSync(dirOut, { recursive: true });
      for (const b of backends) {
        yield* Effect.promise(() => prepareBackend(b));
        const results: CaseResult[] = [];
        let lastFile = "";
        for (const c of cases) {
          if (c.file !== lastFile) {
            process.stderr.write(`${b}: running ${c.file}\n`);
            lastFile = c.file;
          }
          results.push(runCase(c, b, timeout * 1000, engine));
        }
        const summary = (summaries[b] = summarize(results));
        if (failures) for (const r of results) if (r.verdict === "failed" || r.verdict === "unsupported") yield* Console.log(`${b}: ${r.verdict.padEnd(11)} ${r.file} | ${r.name} [${r.category}]: ${r.detail ?? ""}`);
        const file = join(dirOut, `${b}.json`);
        writeFileSync(file, JSON.stringify({ backend: b, total: summary.total, byFile: summary.byFile, cases: results.map(({ run: _run, ...r }) => r) }, null, 1) + "\n");
        process.stderr.write(`${b}: results written to ${file}\n`);
      }
      yield* Console.log(formatTable(summaries));
    }),
).pipe(
  Command.withDescription("Run the Links test suite on backends and report passed / failed / unsupported per file and category, one column per backend."),
  Command.withExamples([
    { command: "conformance", description: "every .tests file on every backend" },
    { command: "conformance --backend wasmfx --engine deno", description: "the Wasm backend, modules run on Deno" },
    { command: "conformance --backend interp --only handlers --failures", description: "one file on the interpreter, listing what fails" },
  ]),
);

runCli(conformance);
