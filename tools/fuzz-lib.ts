// The differential fuzzer's loop (tools/fuzz.ts; also used by test/fuzz.test.ts): generate
// program i from the seed (tools/fuzz-gen.ts), run it on interp; a program interp rejects at compile
// time is a generator bug (counted apart); otherwise run it on every target and compare with interp
// (tools/fuzz-run.ts). A disagreement is shrunk (tools/fuzz-shrink.ts) to a small reproducer.
import { programSeed } from "./fuzz-ast.js";
import { type GenOptions, generate } from "./fuzz-gen.js";
import { INTERP, type Outcome, type RunSettings, type Target, difference, runTarget, runTargets, targetName } from "./fuzz-run.js";
import { shrink, tidy } from "./fuzz-shrink.js";
import { KNOWN } from "./fuzz-known.js";

export interface FuzzOptions extends RunSettings, GenOptions {
  count: number;
  seed: number;
  targets: readonly Target[];
  /** shrink at most this many disagreements (the others are reported as generated) */
  shrinkLimit?: number;
  /** per disagreement: at most this many test runs (default 300) and seconds (default 120) */
  shrinkTests?: number;
  shrinkSeconds?: number;
  onProgress?: (done: number, report: FuzzReport) => void;
  onFinding?: (f: Finding) => void;
}

export interface Finding {
  /** the program's index and its generator seed */
  index: number;
  programSeed: number;
  target: string;
  why: string;
  text: string;
  used: string[];
  interp: Outcome;
  got: Outcome;
  /** the shrunk reproducer and its outcomes (when it was shrunk) */
  shrunk?: { text: string; interp: Outcome; got: Outcome; tests: number };
}

export interface Reject {
  index: number;
  text: string;
  error: string;
}

export interface FuzzReport {
  programs: number;
  /** programs with at least one disagreement */
  disagreements: number;
  findings: Finding[];
  rejects: Reject[];
  /** programs interp did not finish within the timeout (not compared), and target runs that timed out */
  timeouts: number;
  /** wasmfx runs of multishot programs that stopped with the one-shot error (expected) */
  oneShot: number;
  /** programs that ended with a runtime error on interp (compared all the same) */
  runtimeErrors: number;
  /** how many compared programs used each feature */
  features: Record<string, number>;
  /**
   * disagreeing programs by the known bugs' features they use: one feature's name (the likely
   * cause), "several", or "none" (a new bug, probably)
   */
  byKnown: Record<string, number>;
  ms: number;
}

export function fuzz(o: FuzzOptions): FuzzReport {
  const t0 = Date.now();
  const report: FuzzReport = { programs: 0, disagreements: 0, findings: [], rejects: [], timeouts: 0, oneShot: 0, runtimeErrors: 0, features: {}, byKnown: {}, ms: 0 };
  let shrunk = 0;
  /** the disagreements shrunk so far, with the known bugs' features their programs use */
  const shrunkKeys: { why: string; known: string[] }[] = [];
  for (let i = 0; i < o.count; i++) {
    const seed = programSeed(o.seed, i);
    const gen = generate(seed, { maxSize: o.maxSize, exclude: o.exclude });
    report.programs++;
    const ref = runTarget(gen.text, INTERP, o);
    if (ref.compileError) {
      report.rejects.push({ index: i, text: gen.text, error: ref.stderr.trim() });
    } else if (ref.timeout) {
      report.timeouts++;
    } else {
      if (ref.exitCode !== 0) report.runtimeErrors++;
      for (const f of gen.used) report.features[f] = (report.features[f] ?? 0) + 1;
      const multishot = gen.used.has("multishot");
      const outs = runTargets(gen.text, o.targets, o);
      let disagrees = ref.internal;
      const found: Finding[] = [];
      if (ref.internal) found.push(finding(i, seed, "interp", "internal error on interp", gen, ref, ref));
      o.targets.forEach((t, j) => {
        const got = outs[j]!;
        if (got.timeout) { report.timeouts++; return; }
        if (t.backend === "wasmfx" && multishot && /continuation resumed twice/.test(got.stderr)) report.oneShot++;
        const why = difference(ref, got, t, multishot);
        if (why === undefined || ref.internal) return;
        disagrees = true;
        found.push(finding(i, seed, targetName(t), why, gen, ref, got));
      });
      if (disagrees) {
        report.disagreements++;
        const known = KNOWN.map((k) => k.feature).filter((k) => gen.used.has(k));
        const key = known.length === 0 ? "none" : known.length === 1 ? known[0]! : "several";
        report.byKnown[key] = (report.byKnown[key] ?? 0) + 1;
      }
      for (const f of found) {
        const t = f.target === "interp" ? INTERP : o.targets.find((x) => targetName(x) === f.target)!;
        // the reproducer of another target's disagreement on this program may do for this one too
        const sibling = found.find((g) => g !== f && g.shrunk && g.why === f.why);
        const reused = sibling && check(sibling.shrunk!.text, f, t, multishot, o);
        const known = KNOWN.map((k) => k.feature).filter((k) => gen.used.has(k));
        // likely the same bug as one already shrunk: the same difference, and the known bugs' features of that one (and more)
        const seen = shrunkKeys.some((k) => k.why === f.why && k.known.length > 0 && k.known.every((x) => known.includes(x)));
        if (reused) f.shrunk = { text: sibling.shrunk!.text, ...reused, tests: 1 };
        else if (shrunk < (o.shrinkLimit ?? 10) && !seen) {
          shrunk++;
          shrunkKeys.push({ why: f.why, known });
          f.shrunk = shrinkFinding(f, gen.root, t, multishot, o);
        }
        report.findings.push(f);
        o.onFinding?.(f);
      }
    }
    if ((i + 1) % 50 === 0 || i + 1 === o.count) o.onProgress?.(i + 1, report);
  }
  report.ms = Date.now() - t0;
  return report;
}

function finding(index: number, programSeed: number, target: string, why: string, gen: { text: string; used: Set<string> }, interp: Outcome, got: Outcome): Finding {
  return { index, programSeed, target, why, text: gen.text, used: [...gen.used].sort(), interp, got };
}

/** Whether `text` still shows f's disagreement: interp compiles it and the target differs from it in the same way. */
function check(text: string, f: Finding, t: Target, multishot: boolean, o: FuzzOptions): { interp: Outcome; got: Outcome } | undefined {
  const ref = runTarget(text, INTERP, o);
  // interp must still compile it, and still succeed (or fail) as before: no unhandled operation
  if (ref.compileError || ref.timeout || ref.exitCode !== f.interp.exitCode) return undefined;
  if (t.backend === "interp") return ref.internal && sameError(ref, f.interp) ? { interp: ref, got: ref } : undefined;
  const got = runTarget(text, t, o);
  return !got.timeout && difference(ref, got, t, multishot) === f.why ? { interp: ref, got } : undefined;
}

/** Shrink while the program still shows the disagreement. */
function shrinkFinding(f: Finding, root: Parameters<typeof shrink>[0], t: Target, multishot: boolean, o: FuzzOptions): Finding["shrunk"] {
  const r = shrink(root, (text) => check(text, f, t, multishot, o) !== undefined, {
    maxTests: o.shrinkTests ?? 300, deadline: Date.now() + (o.shrinkSeconds ?? 120) * 1000,
  });
  const tidied = tidy(r.text);
  const text = check(tidied, f, t, multishot, o) ? tidied : r.text;
  const final = check(text, f, t, multishot, o);
  return final ? { text, ...final, tests: r.tests } : undefined;
}

const sameError = (a: Outcome, b: Outcome) => a.stderr.split("\n")[0]!.replace(/^[^:]*:\d+:\d+: /, "") === b.stderr.split("\n")[0]!.replace(/^[^:]*:\d+:\d+: /, "");
