// The backend comparison of tools/compare.ts as a library function (`compare`): the
// configurations (the cross product of backends × engines × -O levels, plus --config ones, with
// the --with/--without switches where they take effect), and for every program × configuration
// its compile time (per pass and per binaryen stage), .wasm size (tools/compare-wasm.ts), run
// time and peak memory (a child process per measurement: tools/compare-child.ts) and whether it
// printed what the baseline configuration printed.
//
// Compiling happens in this process: after a warm-up of the compiler on the first program, each
// program × configuration is compiled once untimed (which also yields the function names for the
// size breakdown) and then --compile-runs times timed (medians); configurations that differ only
// in the engine share those compiles. Running happens in the child, never here.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CompileError, renderError, isStackOverflow, tooDeep } from "../ir/common.js";
import type { WasmModule } from "../ir/wasm.js";
import { backendInput } from "../passes/pipeline.js";
import { compileWasm, prepareWasm } from "../backends/wasmfx/index.js";
import { BACKENDS, type Backend, ENGINES, type Engine, runPipeline, toggleProblem } from "./compile-lib.js";
import type { CompareReport, CompileMeasure, Config, Measurement, OptLevel, ProgramReport, RunMeasure, SizeBreakdown, Status } from "./compare-types.js";
import { breakdown, compileWithNames, runtimeFunctionNames } from "./compare-wasm.js";
import { type ChildResult, runChild } from "./compare-child.js";

/** A usage or file problem: the CLI prints `error: <message>` and exits with 1. */
export class CompareProblem extends Error {}

export interface CompareOptions {
  files: string[];
  /** default: all three, unless `configs` is given */
  backends?: readonly Backend[];
  /** default: node */
  engines?: readonly Engine[];
  /** default: 2 */
  opts?: readonly OptLevel[];
  /** research passes on / optional passes off in every configuration where they take effect */
  with?: readonly string[];
  without?: readonly string[];
  /** `[NAME:]backend=B,engine=E,O=N,with=P+Q,without=P` */
  configs?: readonly string[];
  /** timed runs after the warm-up (default 5) */
  runs?: number;
  /** timed compiles after the warm-up compile (default 3) */
  compileRuns?: number;
  /** a configuration's name (default: the first) */
  baseline?: string;
  /** seconds per run (default: none) */
  timeoutS?: number;
  /** a progress line, e.g. `[3/12] fib.links wasmfx/node/O2 run 2/5` */
  onProgress?: (line: string) => void;
}

const isWasm = (b: Backend) => b !== "interp";

function configName(c: Omit<Config, "name">): string {
  const base = isWasm(c.backend) ? `${c.backend}/${c.engine}/O${c.opt}` : c.backend;
  return base + c.with.map((p) => `+${p}`).join("") + c.without.map((p) => `-${p}`).join("");
}

/** Keep the switches that take effect on `backend`; the others become notes. */
function applicable(backend: Backend, kind: "with" | "without", passes: readonly string[], notes: Set<string>): string[] {
  return passes.filter((p) => {
    const problem = toggleProblem(backend, { [kind]: [p] });
    if (problem) notes.add(`${problem} (left out of the ${backend} configurations)`);
    return !problem;
  });
}

/** One `--config` spec: `[NAME:]key=value,…` with keys backend, engine, O (or opt), with, without; a bare backend name is `backend=`. */
function parseConfigSpec(spec: string, global: { with: readonly string[]; without: readonly string[] }, notes: Set<string>): Config {
  const colon = spec.indexOf(":"), eq = spec.indexOf("=");
  const name = colon >= 0 && (eq < 0 || colon < eq) ? spec.slice(0, colon).trim() : undefined;
  const body = name !== undefined ? spec.slice(colon + 1) : spec;
  const kv: Record<string, string[]> = {};
  for (const part of body.split(",").map((s) => s.trim()).filter(Boolean)) {
    const m = /^(\w+)\s*=\s*(.*)$/.exec(part) ?? ((BACKENDS as readonly string[]).includes(part) ? [part, "backend", part] : null);
    const key = m?.[1] === "opt" ? "O" : m?.[1];
    if (!m || !["backend", "engine", "O", "with", "without"].includes(key!))
      throw new CompareProblem(`--config ${spec}: expected key=value with key backend, engine, O, with or without, got \`${part}\``);
    (kv[key!] ??= []).push(...m[2]!.split("+").map((s) => s.trim()).filter(Boolean));
  }
  const one = (k: string) => { if ((kv[k]?.length ?? 0) > 1) throw new CompareProblem(`--config ${spec}: ${k} given twice`); return kv[k]?.[0]; };
  const backend = one("backend");
  if (!backend || !(BACKENDS as readonly string[]).includes(backend)) throw new CompareProblem(`--config ${spec}: backend=interp|wasmfx|cps is required`);
  const b = backend as Backend, engine = one("engine"), opt = one("O");
  if (!isWasm(b) && (engine !== undefined || opt !== undefined)) throw new CompareProblem(`--config ${spec}: engine and O apply to the Wasm backends only`);
  if (engine !== undefined && !(ENGINES as readonly string[]).includes(engine)) throw new CompareProblem(`--config ${spec}: engine must be one of ${ENGINES.join(", ")}`);
  if (opt !== undefined && !/^[0-3]$/.test(opt)) throw new CompareProblem(`--config ${spec}: O must be 0, 1, 2 or 3`);
  for (const kind of ["with", "without"] as const)
    for (const p of kv[kind] ?? []) {
      const problem = toggleProblem(b, { [kind]: [p] });
      if (problem) throw new CompareProblem(`--config ${spec}: ${problem}`);
    }
  const c = {
    backend: b,
    ...(isWasm(b) ? { engine: (engine ?? "node") as Engine, opt: Number(opt ?? 2) as OptLevel } : {}),
    with: [...new Set([...(kv.with ?? []), ...applicable(b, "with", global.with, notes)])],
    without: [...new Set([...(kv.without ?? []), ...applicable(b, "without", global.without, notes)])],
  };
  return { name: name || configName(c), ...c };
}

/** The configurations, in order, and notes on switches left out. Throws CompareProblem. */
export function makeConfigs(o: Pick<CompareOptions, "backends" | "engines" | "opts" | "with" | "without" | "configs">): { configs: Config[]; notes: string[] } {
  const notes = new Set<string>();
  const global = { with: o.with ?? [], without: o.without ?? [] };
  const configs: Config[] = [];
  const crossProduct = !o.configs?.length || o.backends?.length || o.engines?.length || o.opts?.length;
  if (crossProduct) {
    const engines = [...new Set(o.engines?.length ? o.engines : ["node" as const])];
    const opts = [...new Set(o.opts?.length ? o.opts : [2 as const])];
    for (const backend of new Set(o.backends?.length ? o.backends : BACKENDS)) {
      const w = applicable(backend, "with", global.with, notes), wo = applicable(backend, "without", global.without, notes);
      if (!isWasm(backend)) { configs.push({ name: configName({ backend, with: w, without: wo }), backend, with: w, without: wo }); continue; }
      for (const engine of engines) for (const opt of opts) {
        const c = { backend, engine, opt, with: w, without: wo };
        configs.push({ name: configName(c), ...c });
      }
    }
  }
  for (const spec of o.configs ?? []) configs.push(parseConfigSpec(spec, global, notes));
  const seen = new Set<string>();
  for (const c of configs) {
    if (seen.has(c.name)) throw new CompareProblem(`two configurations are named ${c.name} (name a --config with NAME:…)`);
    seen.add(c.name);
  }
  return { configs, notes: [...notes] };
}

// ---------------------------------------------------------------- statistics
/** The q-quantile of sorted `s`, interpolating between neighbours. */
function quantile(s: number[], q: number): number {
  const at = (s.length - 1) * q, lo = Math.floor(at), hi = Math.ceil(at);
  return s[lo]! + (s[hi]! - s[lo]!) * (at - lo);
}
export function summarise(times: number[], warmupMs: number | null): RunMeasure {
  const s = [...times].sort((a, b) => a - b);
  return { times, warmupMs, median: quantile(s, 0.5), min: s[0]!, max: s[s.length - 1]!, q1: quantile(s, 0.25), q3: quantile(s, 0.75) };
}

// ---------------------------------------------------------------- compiling
interface Compiled { measure: CompileMeasure; module?: WasmModule; binary?: Uint8Array; size?: SizeBreakdown }
type CompileOutcome = { ok: Compiled } | { status: Status; reason: string; message: string };

const firstLine = (s: string) => s.split("\n")[0]!;

function failure(e: unknown, text: string): { status: Status; reason: string; message: string } {
  if (isStackOverflow(e)) e = tooDeep(e);
  if (e instanceof CompileError) {
    const message = renderError(e, text);
    return { status: e.kind === "unsupported" ? "unsupported" : "error", reason: firstLine(e.kind === "unsupported" ? e.message : message), message };
  }
  const message = `internal error: ${e instanceof Error ? e.message : String(e)}`;
  return { status: "error", reason: firstLine(message), message };
}

/**
 * Warm the compiler up before anything is timed: the first compiles in a process are several
 * times slower (JavaScript and binaryen's own Wasm code are not optimised yet), which would
 * count against whichever configuration comes first. Two untimed compiles of `text` on each
 * backend in use; errors are the measurements' business.
 */
function warmUp(file: string, text: string, configs: Config[]): void {
  for (const backend of new Set(configs.map((c) => c.backend)))
    for (let i = 0; i < 2; i++) {
      try {
        const out = runPipeline({ file, text }, { until: backendInput[backend], backend });
        if (isWasm(backend)) compileWasm(out as WasmModule, { optimize: 2 });
      } catch {
        break;
      }
    }
}

const median = (xs: number[]) => quantile([...xs].sort((a, b) => a - b), 0.5);

/**
 * Compile for `c` (engine aside): once untimed (the warm-up; the function names), then `reps`
 * times timed; each pass's and stage's time and the total are medians over those.
 */
function compileFor(file: string, text: string, c: Config, reps: number): CompileOutcome {
  const src = { file, text };
  const popts = { until: backendInput[c.backend], backend: c.backend, with: c.with, without: c.without };
  try {
    const warm = runPipeline(src, popts);
    const named = isWasm(c.backend) ? compileWithNames(warm as WasmModule, c.opt ?? 2) : undefined;
    const passRuns: Map<string, number[]> = new Map(), stageRuns: Map<string, number[]> = new Map(), totals: number[] = [], fronts: number[] = [];
    const add = (into: Map<string, number[]>, k: string, ms: number, rep: number) => {
      const xs = into.get(k) ?? [];
      xs[rep] = (xs[rep] ?? 0) + ms;
      into.set(k, xs);
    };
    let last: { m: WasmModule; binary: Uint8Array } | undefined;
    for (let rep = 0; rep < reps; rep++) {
      let front = 0, back = 0;
      const out = runPipeline(src, { ...popts, onPass: (p) => { add(passRuns, p.pass, p.ms, rep); front += p.ms; } });
      if (isWasm(c.backend)) {
        const { binary } = compileWasm(out as WasmModule, { optimize: c.opt ?? 2, onStage: (st, ms) => { add(stageRuns, st, ms, rep); back += ms; } });
        last = { m: out as WasmModule, binary };
      }
      totals.push(front + back);
      fronts.push(front);
    }
    const medians = (from: Map<string, number[]>) => [...from].map(([k, xs]) => [k, median(xs.map((x) => x ?? 0))] as const);
    const measure: CompileMeasure = {
      ms: median(totals), frontMs: median(fronts), reps,
      passes: medians(passRuns).map(([pass, ms]) => ({ pass, ms })), stages: Object.fromEntries(medians(stageRuns)),
    };
    if (!last) return { ok: { measure } };
    const { m, binary } = last;
    const same = named && named.binary.length === binary.length && named.binary.every((x, i) => x === binary[i]);
    const size = breakdown(binary, same ? named.names : undefined, runtimeFunctionNames(m));
    if (!same) size.codeNote = "the compile that printed the function names gave another binary";
    return { ok: { measure, module: m, binary, size } };
  } catch (e) {
    return failure(e, text);
  }
}

// ---------------------------------------------------------------- running
/** A child's result as a status: unsupported for what a backend cannot do (multishot on wasmfx, …). */
function runStatus(r: ChildResult, backend: Backend, runs: number, timeoutS: number): { status: Status; reason: string; message: string } | undefined {
  if (r.t === "failed") {
    const status: Status = r.timeout ? "timeout" : r.message.startsWith("unsupported:") ? "unsupported" : "error";
    return { status, reason: firstLine(r.message), message: r.message };
  }
  if (!r.error) return undefined;
  const msg = r.error.message;
  const status: Status = backend === "interp" && msg === "timeout" ? "timeout"
    : /continuation resumed twice|^unsupported:/.test(msg) ? "unsupported" : "error";
  const message = status === "timeout" ? `timeout: ${r.errorRun ? `run ${r.errorRun}/${runs}` : "the warm-up run"} took more than ${timeoutS} s`
    : r.error.kind === "runtime" && status === "error" ? `runtime error: ${msg}` : msg;
  return { status, reason: firstLine(status === "unsupported" && !message.startsWith("unsupported:") ? `unsupported: ${message}` : message), message };
}

const fmtRun = (i: number, runs: number) => (i === 0 ? "warm-up run" : `run ${i}/${runs}`);

/** Compare the configurations on the programs. Throws CompareProblem for usage and file problems. */
export async function compare(o: CompareOptions): Promise<CompareReport> {
  const runs = o.runs ?? 5, timeoutS = o.timeoutS ?? 0, compileRuns = o.compileRuns ?? 3;
  if (!Number.isInteger(runs) || runs < 1) throw new CompareProblem(`--runs must be a positive integer, got ${runs}`);
  if (!Number.isInteger(compileRuns) || compileRuns < 1) throw new CompareProblem(`--compile-runs must be a positive integer, got ${compileRuns}`);
  if (!(timeoutS >= 0)) throw new CompareProblem(`--timeout must be a positive number of seconds, got ${timeoutS}`);
  if (o.files.length === 0) throw new CompareProblem("no program to compare: give at least one FILE");
  const { configs, notes } = makeConfigs(o);
  const baseline = o.baseline ?? configs[0]!.name;
  if (!configs.some((c) => c.name === baseline))
    throw new CompareProblem(`--baseline ${baseline} is not one of the configurations: ${configs.map((c) => c.name).join(", ")}`);
  const sources = o.files.map((file) => {
    try { return { file, text: readFileSync(file, "utf8") }; } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new CompareProblem(`cannot read ${file}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : (e as Error).message}`);
    }
  });
  if (configs.some((c) => isWasm(c.backend))) await prepareWasm();
  const progress = o.onProgress ?? (() => {});
  const total = sources.length * configs.length;
  progress("warming up the compiler");
  warmUp(sources[0]!.file, sources[0]!.text, configs);
  const tmp = mkdtempSync(join(tmpdir(), "links-compare-"));
  const programs: ProgramReport[] = [];
  let k = 0;
  try {
    for (const [pi, { file, text }] of sources.entries()) {
      const compiled = new Map<string, CompileOutcome & { wasmFile?: string }>();
      const results: Measurement[] = [];
      for (const c of configs) {
        const step = `[${++k}/${total}] ${file} ${c.name}`;
        const key = `${c.backend}|${c.opt}|${c.with.join("+")}|${c.without.join("+")}`;
        let comp = compiled.get(key);
        if (!comp) {
          progress(`${step} compile`);
          comp = compileFor(file, text, c, compileRuns);
          if ("ok" in comp && comp.ok.binary) {
            const wasmFile = join(tmp, `${pi}-${compiled.size}.wasm`);
            writeFileSync(wasmFile, comp.ok.binary);
            comp = { ...comp, wasmFile };
          }
          compiled.set(key, comp);
        }
        const m: Measurement = { program: file, config: c.name, status: "ok", sameOutput: null, ratio: { time: null, size: null, peak: null } };
        results.push(m);
        if (!("ok" in comp)) { Object.assign(m, { status: comp.status, reason: comp.reason, message: comp.message, phase: "compile" }); continue; }
        m.compile = comp.ok.measure;
        if (comp.ok.size) m.size = comp.ok.size;
        if (comp.ok.module?.usesSwitch && c.engine !== "deno") {
          const message = `unsupported: \`switch\` on --engine ${c.engine ?? "node"}: this module yields with \`switch\` (--yield-is-switch), which ${c.engine === "chromium" ? "Chromium 147's" : "Node 26's"} V8 does not implement; run it with --engine deno`;
          Object.assign(m, { status: "unsupported", reason: message, message, phase: "compile" });
          continue;
        }
        const job = isWasm(c.backend) ? { kind: "wasm" as const, engine: c.engine ?? "node", wasmFile: comp.wasmFile! } : { kind: "interp" as const, sourceFile: file };
        progress(`${step} starting the measuring process`);
        const r = await runChild(job, runs, timeoutS, (i) => progress(`${step} ${fmtRun(i, runs)}`));
        const bad = runStatus(r, c.backend, runs, timeoutS);
        if (r.t === "result") {
          m.stdout = r.stdout;
          if (r.outputVaries) m.outputVaries = true;
          if (r.memory) m.memory = r.memory;
          if (!bad) m.run = summarise(r.times, r.warmupMs);
        }
        if (bad) Object.assign(m, { ...bad, phase: "run" });
      }
      programs.push(finishProgram(file, results, baseline));
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return { date: new Date().toISOString(), node: process.version, runs, compileRuns, timeoutSeconds: timeoutS || null, baseline, configs, notes, programs };
}

/** Same-output flags and ratios against the baseline configuration. */
function finishProgram(file: string, results: Measurement[], baseline: string): ProgramReport {
  const base = results.find((r) => r.config === baseline)!;
  const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined && b > 0 ? a / b : null);
  for (const r of results) {
    if (r.status === "ok" && base.status === "ok") r.sameOutput = r.stdout === base.stdout;
    r.ratio = {
      time: ratio(r.run?.median, base.run?.median),
      size: ratio(r.size?.total, base.size?.total),
      peak: ratio(r.memory?.peakKB, base.memory?.peakKB),
    };
  }
  return { file, results, failedEverywhere: results.every((r) => r.status !== "ok") };
}
