// Known disagreements the differential fuzzer finds (tools/fuzz.ts `--exclude known`), each as the
// generator feature that triggers it, a minimal reproducer and what the backends print. Remove an
// entry when its bug is fixed (test/fuzz.test.ts warns when a reproducer agrees again).
export interface KnownBug {
  feature: string;
  reproducer: string;
  symptom: string;
}

export const KNOWN: readonly KnownBug[] = [];
