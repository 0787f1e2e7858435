// Run the Links developers' test suite (../shared/links-tests, or LINKS_TESTS_DIR) on a backend:
// a per-file table (value-printing / type-printing / expected-error cases), a summary, and the
// per-case results as JSON in conformance/<backend>.json so runs can be compared with git diff.
//
//   tsx tools/conformance.ts [--backend interp] [--only handlers,records] [--timeout 5] [--failures]
import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { Console, Effect } from "effect";
import { Command, Flag } from "effect/cli";
import { BACKENDS, prepareBackend } from "./compile-lib.js";
import { runCli, usageError } from "./driver.js";
import { defaultSuiteDir, formatTable, loadSuite, runCase, summarize } from "./conformance-lib.js";

const conformance = Command.make(
  "conformance",
  {
    backend: Flag.Literals("backend", BACKENDS).pipe(Flag.withDefault("interp"), Flag.withDescription("backend to run the cases on (default: interp)")),
    only: Flag.String("only").pipe(Flag.optional, Flag.withMetavar("FILES"), Flag.withDescription("comma-separated .tests file name prefixes, e.g. handlers,records")),
    timeout: Flag.Finite("timeout").pipe(Flag.withDefault(5), Flag.withMetavar("SECONDS"), Flag.withDescription("per-case time limit on interp (default: 5; Wasm runs cannot be interrupted)")),
    failures: Flag.Boolean("failures").pipe(Flag.withDefault(false), Flag.withDescription("also list every case that did not pass, with the reason")),
    out: Flag.String("out").pipe(Flag.optional, Flag.withMetavar("FILE"), Flag.withDescription("where to write the JSON results (default: conformance/<backend>.json)")),
  },
  ({ backend, only, timeout, failures, out }) =>
    Effect.gen(function* () {
      const dir = defaultSuiteDir();
      if (!dir) return yield* Effect.fail(usageError("no Links test suite found (looked in ../shared/links-tests and LINKS_TESTS_DIR)"));
      const prefixes = only._tag === "Some" ? only.value.split(",") : undefined;
      const cases = loadSuite(dir, prefixes);
      yield* Effect.promise(() => prepareBackend(backend));
      const results = [];
      let lastFile = "";
      for (const c of cases) {
        if (c.file !== lastFile) {
          process.stderr.write(`running ${c.file}\n`);
          lastFile = c.file;
        }
        results.push(runCase(c, backend, timeout * 1000));
      }
      const summary = summarize(results);
      yield* Console.log(formatTable(summary, backend));
      if (failures) for (const r of results) if (r.verdict === "failed" || r.verdict === "unsupported") yield* Console.log(`${r.verdict.padEnd(11)} ${r.file} | ${r.name} [${r.category}]: ${r.detail ?? ""}`);
      const file = out._tag === "Some" ? out.value : join(import.meta.dirname, "..", "conformance", `${backend}.json`);
      mkdirSync(join(file, ".."), { recursive: true });
      writeFileSync(file, JSON.stringify({ backend, total: summary.total, byFile: summary.byFile, cases: results }, null, 1) + "\n");
      yield* Console.log(`results written to ${file}`);
    }),
).pipe(
  Command.withDescription("Run the Links test suite on a backend and report passed / failed / unsupported per file and category."),
  Command.withExamples([
    { command: "conformance", description: "every .tests file on the interpreter" },
    { command: "conformance --only handlers --failures", description: "one file, listing what fails" },
  ]),
);

runCli(conformance);
