// Known disagreements the differential fuzzer finds (tools/fuzz.ts `--exclude known`), each as the
// generator feature that triggers it, a minimal reproducer and what the backends print. Remove an
// entry when its bug is fixed (test/fuzz.test.ts warns when a reproducer agrees again).
export interface KnownBug {
  feature: string;
  reproducer: string;
  symptom: string;
}

export const KNOWN: readonly KnownBug[] = [
  {
    feature: "deep-recursion",
    reproducer: "{ ignore(spawnWait { 0 }); fun d(n) { if (n <= 0) 0 else 0 + d(n - 1) } d(20000) }",
    symptom: "interp, cps: 0 : Int; wasmfx/node: runtime error: stack overflow (with processes, main runs on a continuation, whose stack keeps V8's ~1 MB: docs/running-and-errors.md)",
  },
];
