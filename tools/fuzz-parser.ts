// The parser fuzzer (tools/fuzz.ts --parser): random byte strings, token soup from the Links
// lexicon, and mutations of valid generated programs (delete, duplicate, swap spans; insert tokens;
// or token edits that keep the syntax — other identifiers, literals of other types, other operators),
// run through the front end only (parse, desugar, infer). Every outcome must be a success or a clean
// CompileError (syntax, type or unsupported) whose message renders — never a JS exception, an
// internal error or a stack trace. A failure is shrunk by deleting chunks of the input (ddmin).
import { CompileError, renderError } from "../ir/common.js";
import { KEYWORDS } from "../passes/lexer.js";
import { Rng, programSeed } from "./fuzz-ast.js";
import { generate } from "./fuzz-gen.js";
import { runPipeline } from "./compile-lib.js";

export interface ParserFinding {
  index: number;
  kind: "bytes" | "tokens" | "mutation" | "retype";
  input: string;
  /** the first line of what went wrong */
  problem: string;
  /** a smaller input with the same problem */
  shrunk: string;
}

export interface ParserReport {
  inputs: number;
  accepted: number;
  rejected: number;
  findings: ParserFinding[];
  ms: number;
}

const SYMBOLS = ["(", ")", "[", "]", "{", "}", ",", ";", ":", ".", "~", "?", "|", "[|", "|]", "::", "..", "->", "=>", "<-", "=", "==",
  "<>", "+", "-", "*", "/", "^", "^^", "++", "!", "<", ">", "<=", ">=", "&&", "||", "~>", "-.", "+.", "*.", "/.", "^.", "$", "_", "@",
  "-@", "~@", "%", "`f`", "`mod`", "{:", "|e}", "=~", "/\\", "<|", "|>"];
const LITERALS = ["0", "1", "42", "4611686018427387904", "99999999999999999999", "1.5", "1.0e-3", "0.0", '"s"', '""', '"\\n"', "'c'",
  "'\\''", "true", "false", "()", "[]", '"λ😀"'];
const WORDS = ["x", "y", "f", "xs", "k", "s", "m", "Foo", "Bar", "Just", "Nothing", "Op", "Get", "Int", "String", "Bool", "Float", "Char",
  "Process", "Comp", "a", "e", "print", "map", "hd", "intToString", "self", "recv", "Maybe", "Either", "mod", "not", "error"];
const SNIPPETS = ["<Op => k>", "<Op(x) -> k>", "case x ->", "(s <- 0)", "sig f : (Int) -> Int", "typename T(a) = [|A:a|];", "mu a . [|N|C:a|]",
  "forall a.", "{Op:(Int) => Int|e}", "(x = 1 | r)", "(r with x = 2)", "for (x <- xs)", "where (true)", "orderby (x)", "-Foo",
  "fun(x) { x }", "op a <+> b { a }", "infixl 5 <+>;", "# comment\n", "\n", "  ", "\t", "mutual { fun f() { g() } fun g() { f() } }",
  "spawn { () }", "receive { case x -> x }", "do Op(1)", "handle(e) { case x -> x }", "shallowhandle", "(e : Int)", ": ((Int) ~> ())"];
const KEYWORD_LIST = [...KEYWORDS];

type Outcome = { ok: true } | { ok: false; problem: string };

/** Run the front end; a problem is anything but success or a clean syntax/type/unsupported CompileError. */
export function frontEndOutcome(text: string): Outcome {
  try {
    runPipeline({ file: "fuzz.links", text }, { until: "infer" });
    return { ok: true };
  } catch (e) {
    if (e instanceof CompileError) {
      if (e.kind === "internal" || e.kind === "runtime") return { ok: false, problem: `${e.kind} error: ${firstLine(e.message)}` };
      let rendered: string;
      try {
        rendered = renderError(e, text);
      } catch (r) {
        return { ok: false, problem: `renderError threw ${(r as Error).name}: ${firstLine((r as Error).message)}` };
      }
      if (/\n\s+at .*:\d+:\d+\)?$/m.test(rendered)) return { ok: false, problem: `a stack trace in the message: ${firstLine(e.message)}` };
      if (/\bundefined\b|\[object |\bNaN\b/.test(e.message) && !/undefined|object|NaN/.test(text)) return { ok: false, problem: `a garbled message: ${firstLine(e.message)}` };
      return { ok: false, problem: "" };
    }
    const err = e as Error;
    return { ok: false, problem: `${err?.name ?? "exception"}: ${firstLine(String(err?.message ?? e))}` };
  }
}

const firstLine = (s: string) => s.split("\n")[0]!.slice(0, 200);
const isFailure = (o: Outcome) => !o.ok && o.problem !== "";

function randomBytes(r: Rng): string {
  const alphabet = ["a", "z", "A", "0", "9", " ", "\n", "\t", "(", ")", "{", "}", "[", "]", '"', "'", "\\", "#", "-", ".", "=", "<", ">", "|",
    "λ", "😀", "\u0000", "\u00ff", "\ud800", "`", "%", "e", "_", ",", ";", ":"];
  return Array.from({ length: r.int(0, 60) }, () => (r.bool(0.8) ? r.pick(alphabet) : String.fromCharCode(r.int(0, 0x2fff)))).join("");
}

function tokenSoup(r: Rng): string {
  const n = r.int(1, 40);
  const toks: string[] = [];
  for (let i = 0; i < n; i++) {
    toks.push(r.weighted<() => string>([[3, () => r.pick(SYMBOLS)], [2, () => r.pick(KEYWORD_LIST)], [2, () => r.pick(LITERALS)],
      [3, () => r.pick(WORDS)], [1, () => r.pick(SNIPPETS)]])());
  }
  return toks.join(r.bool(0.8) ? " " : "");
}

function mutate(r: Rng, text: string): string {
  let s = text;
  for (let m = r.int(1, 3); m > 0; m--) {
    const span = () => { const a = r.int(0, s.length), b = Math.min(s.length, a + r.int(1, 12)); return [a, b] as const; };
    s = r.weighted<() => string>([
      [2, () => { const [a, b] = span(); return s.slice(0, a) + s.slice(b); }],
      [1, () => { const [a, b] = span(); return s.slice(0, b) + s.slice(a, b) + s.slice(b); }],
      [1, () => { const [a, b] = span(), [c, d] = span(); if (b > c) return s; return s.slice(0, a) + s.slice(c, d) + s.slice(b, c) + s.slice(a, b) + s.slice(d); }],
      [2, () => { const a = r.int(0, s.length); return s.slice(0, a) + " " + r.pick([...SYMBOLS, ...KEYWORD_LIST, ...LITERALS]) + " " + s.slice(a); }],
    ])();
  }
  return s;
}

/** Token-level edits that mostly keep the syntax: swap identifiers, literals of other types, other operators. */
function retype(r: Rng, text: string): string {
  const toks = text.match(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)+'|\d+\.\d+(?:e-?\d+)?|\d+|[A-Za-z_][A-Za-z0-9_']*|[-+*\/^<>=!&|.:]+|\s+|./gs) ?? [];
  const idents = toks.filter((t) => /^[a-z_]/.test(t) && !KEYWORDS.has(t));
  const ops = ["+", "-", "*", "/", "+.", "-.", "*.", "/.", "^^", "++", "::", "==", "<", "<=", "&&", "||", "!"];
  for (let m = r.int(1, 3); m > 0; m--) {
    const i = r.int(0, toks.length - 1), t = toks[i]!;
    if (/^[a-z_]/.test(t) && !KEYWORDS.has(t) && idents.length > 0) toks[i] = r.pick([...idents, ...WORDS.filter((w) => /^[a-z]/.test(w))]);
    else if (/^["'\d]/.test(t)) toks[i] = r.pick(LITERALS);
    else if (/^[-+*\/^<>=!&|.:]+$/.test(t)) toks[i] = r.pick(ops);
    else if (/^[A-Z]/.test(t)) toks[i] = r.pick(["Foo", "Just", "Nothing", t + "x"]);
  }
  return toks.join("");
}

/** ddmin over characters: the smallest input (within `maxTests`) with the same problem. */
export function shrinkInput(input: string, problem: string, maxTests = 600): string {
  let cur = input;
  let tests = 0;
  for (let chunk = Math.max(1, Math.floor(cur.length / 2)); chunk >= 1 && tests < maxTests; ) {
    let removed = false;
    for (let at = 0; at < cur.length && tests < maxTests; ) {
      const next = cur.slice(0, at) + cur.slice(at + chunk);
      tests++;
      const o = frontEndOutcome(next);
      if (!o.ok && o.problem === problem) { cur = next; removed = true; } else at += chunk;
    }
    if (!removed) chunk = Math.floor(chunk / 2);
  }
  return cur;
}

export function fuzzParser(o: { count: number; seed: number; maxSize?: number; onProgress?: (done: number, r: ParserReport) => void; onFinding?: (f: ParserFinding) => void }): ParserReport {
  const t0 = Date.now();
  const report: ParserReport = { inputs: 0, accepted: 0, rejected: 0, findings: [], ms: 0 };
  const seen = new Set<string>();
  for (let i = 0; i < o.count; i++) {
    const r = new Rng(programSeed(o.seed ^ 0x5eed, i));
    const kind = r.pick(["bytes", "tokens", "mutation", "retype"] as const);
    const program = () => generate(programSeed(o.seed, i), { maxSize: Math.min(o.maxSize ?? 60, 30) }).text;
    const input = kind === "bytes" ? randomBytes(r) : kind === "tokens" ? tokenSoup(r) : kind === "mutation" ? mutate(r, program()) : retype(r, program());
    report.inputs++;
    const t = Date.now();
    let out = frontEndOutcome(input);
    if (out.ok || !isFailure(out)) {
      if (Date.now() - t > 5000) out = { ok: false, problem: `slow: the front end took ${Date.now() - t} ms` };
    }
    if (out.ok) report.accepted++;
    else if (!isFailure(out)) report.rejected++;
    else {
      const problem = (out as { problem: string }).problem;
      const f: ParserFinding = { index: i, kind, input, problem, shrunk: seen.has(problem) || problem.startsWith("slow") ? input : shrinkInput(input, problem) };
      seen.add(problem);
      report.findings.push(f);
      o.onFinding?.(f);
    }
    if ((i + 1) % 50 === 0 || i + 1 === o.count) o.onProgress?.(i + 1, report);
  }
  report.ms = Date.now() - t0;
  return report;
}
