// Known disagreements the differential fuzzer finds (tools/fuzz.ts `--exclude known`), each as the
// generator feature that triggers it, a minimal reproducer and what the backends print. Remove an
// entry when its bug is fixed (test/fuzz.test.ts warns when a reproducer agrees again).
export interface KnownBug {
  feature: string;
  reproducer: string;
  symptom: string;
}

export const KNOWN: readonly KnownBug[] = [
  { feature: "unit-compare", reproducer: "() < ()", symptom: "interp: false : Bool; wasmfx, cps: internal error: binaryen could not parse the generated WAT: … popping from empty stack (call $compare_values (nop) (nop))" },
  { feature: "deep-recursion", reproducer: "fun d(n) { if (n <= 0) 0 else 1 + d(n - 1) } d(20000)", symptom: "interp, cps: 20000 : Int; wasmfx/node: internal error: Maximum call stack size exceeded" },
  { feature: "parse-empty", reproducer: 'isInt("")', symptom: "interp: false : Bool; wasmfx, cps: runtime error: trap: array element access out of bounds" },
  { feature: "bad-char", reproducer: "intToChar(-1)", symptom: "interp: internal error: Invalid code point -1; wasmfx, cps: a 4-byte garbage Char" },
  { feature: "process-print", reproducer: "spawn { () }", symptom: "interp: Process(1) : …; wasmfx, cps: ? : …" },
  { feature: "int-literal-64", reproducer: "9223372036854775808", symptom: "interp: 9223372036854775808 : Int; wasmfx, cps: -9223372036854775808 : Int" },
];
