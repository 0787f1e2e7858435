// The `actors` section of tools/bench.ts: bench/actors/{pingpong,spawn,yield}.links on wasmfx
// (Node and Deno; prefer-globals off and on; on Deno also yield by `switch`), on cps and on
// interp, each configuration's run time as a ratio to wasmfx on the same engine with the
// default scheduler (suspend to the scheduler, globals off), all in one run; preemption's cost
// (bench/actors/compute.links with and without the preempt pass); and the .wasm size of a small
// program of each scheduler level (-O2).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runPipeline } from "../tools/compile-lib.js";
import { runInterp } from "../backends/interp/index.js";
import type { CoreProgram } from "../ir/core.js";
import type { WasmModule } from "../ir/wasm.js";
import { type CompiledWasm, compileWasm } from "../backends/wasmfx/index.js";
import { instantiate } from "../backends/wasm/node.js";
import { runManyOnDeno } from "../backends/wasm/deno.js";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A configuration: backend, engine, research passes on. */
interface Config { name: string; backend: "wasmfx" | "cps"; engine: "node" | "deno"; with: string[] }
const CONFIGS: Config[] = [
  { name: "wasmfx node", backend: "wasmfx", engine: "node", with: [] },
  { name: "wasmfx node prefer-globals", backend: "wasmfx", engine: "node", with: ["prefer-globals"] },
  { name: "wasmfx deno", backend: "wasmfx", engine: "deno", with: [] },
  { name: "wasmfx deno prefer-globals", backend: "wasmfx", engine: "deno", with: ["prefer-globals"] },
  { name: "wasmfx deno switch", backend: "wasmfx", engine: "deno", with: ["switch-opt"] },
  { name: "wasmfx deno prefer-globals switch", backend: "wasmfx", engine: "deno", with: ["prefer-globals", "switch-opt"] },
  { name: "cps node", backend: "cps", engine: "node", with: [] },
  { name: "cps deno", backend: "cps", engine: "deno", with: [] },
];

/** Programs of each scheduler level, for their sizes. */
const LEVEL_PROGRAMS: Record<string, string> = {
  none: "fun f(x) { x + 1 } f(41)",
  mailbox: "self() ! 41; recv() + 1",
  single: "spawnWait { 41 + 1 }",
  several: "var me = self(); var p = spawn { me ! 41 }; recv() + 1",
  "several-wait": "var me = self(); var p = spawn { me ! 41 }; spawnWait { 1 } + recv()",
  angels: "var me = self(); var p = spawnAngel { me ! 41 }; recv() + 1",
  all: "var me = self(); var p = spawnAngel { me ! 41 }; spawnWait { 1 } + recv()",
};

function timeOnNode(bin: CompiledWasm, runs: number): { ms: number; out: string } {
  let out = "";
  const times: number[] = [];
  for (let i = 0; i < runs + 2; i++) {
    out = "";
    const prog = instantiate(bin.binary, { write: (s) => (out += s) });
    const t0 = performance.now();
    prog.run();
    if (i >= 2) times.push(performance.now() - t0); // two warm-up runs
  }
  return { ms: median(times), out };
}
function timeOnDeno(bin: CompiledWasm, runs: number): { ms: number; out: string } {
  const r = runManyOnDeno(Array.from({ length: runs + 2 }, () => bin.binary));
  const bad = r.find((x) => x.error);
  if (bad) throw new Error(`deno: ${bad.error!.message}`);
  return { ms: median(r.slice(2).map((x) => x.ms!)), out: r[0]!.stdout };
}

export function benchActors(quick: boolean, progress: (m: string) => void): { rows: string[][]; results: Record<string, unknown> } {
  const rows: string[][] = [];
  const results: Record<string, unknown> = {};
  const runs = quick ? 1 : 5;
  for (const name of ["pingpong", "spawn", "yield"]) {
    try {
      benchProgram(name);
    } catch (e) {
      // a failed run is a result too (the table says so), not the end of the bench
      const message = e instanceof Error ? e.message : String(e);
      progress(`actors ${name}: FAILED: ${message}`);
      rows.push([`actors ${name}`, "FAILED", message, "", ""]);
      results[`actors:${name}`] = { error: message };
    }
  }
  function benchProgram(name: string) {
    const text = readFileSync(join(import.meta.dirname, "actors", `${name}.links`), "utf8");
    const src = { file: `${name}.links`, text };
    progress(`actors ${name} on interp`);
    let ref = "";
    const core = runPipeline(src, { until: "infer" }) as CoreProgram;
    const t0 = performance.now();
    runInterp(core, { out: (s) => (ref += s) });
    const interpMs = performance.now() - t0;
    const measured: Record<string, { ms: number; size: number }> = {};
    for (const c of CONFIGS) {
      progress(`actors ${name} on ${c.name}`);
      const bin = compileWasm(runPipeline(src, { until: c.backend === "cps" ? "cps-codegen" : "codegen", backend: c.backend, with: c.with }) as WasmModule);
      const r = c.engine === "node" ? timeOnNode(bin, runs) : timeOnDeno(bin, runs);
      if (r.out !== ref) throw new Error(`actors ${name} on ${c.name}: printed ${JSON.stringify(r.out)}, interp ${JSON.stringify(ref)}`);
      measured[c.name] = { ms: r.ms, size: bin.size };
    }
    const base = (engine: string) => measured[`wasmfx ${engine}`]!.ms;
    for (const c of CONFIGS) {
      const m = measured[c.name]!;
      const ratio = m.ms / base(c.engine);
      rows.push([`actors ${name}`, `${c.name} (${m.size} B)`, `${m.ms.toFixed(1)} ms`, `wasmfx ${c.engine} ${base(c.engine).toFixed(1)} ms`, ratio.toFixed(2)]);
    }
    rows.push([`actors ${name}`, "interp", `${interpMs.toFixed(0)} ms`, `wasmfx node ${base("node").toFixed(1)} ms`, (interpMs / base("node")).toFixed(2)]);
    results[`actors:${name}`] = {
      ...Object.fromEntries(Object.entries(measured)), interpMs,
      switchOverSuspend: measured["wasmfx deno switch"]!.ms / measured["wasmfx deno"]!.ms,
      globalsOnOverOffNode: measured["wasmfx node prefer-globals"]!.ms / measured["wasmfx node"]!.ms,
      globalsOnOverOffDeno: measured["wasmfx deno prefer-globals"]!.ms / measured["wasmfx deno"]!.ms,
    };
  }
  // preemption's cost: a process that computes without waiting, with and without `preempt`
  {
    const text = readFileSync(join(import.meta.dirname, "actors", "compute.links"), "utf8");
    const src = { file: "compute.links", text };
    const cost: Record<string, { on: number; off: number; ratio: number }> = {};
    for (const backend of ["wasmfx", "cps"] as const) {
      progress(`actors compute on ${backend}, with and without preempt`);
      const time = (without: string[]) =>
        timeOnNode(compileWasm(runPipeline(src, { until: backend === "cps" ? "cps-codegen" : "codegen", backend, without }) as WasmModule), runs);
      const withIt = time([]), without = time(["preempt"]);
      if (withIt.out !== without.out) throw new Error(`actors compute on ${backend}: ${JSON.stringify(withIt.out)} with preempt, ${JSON.stringify(without.out)} without`);
      const on = withIt.ms, off = without.ms;
      cost[backend] = { on, off, ratio: on / off };
      rows.push(["actors compute (fib 27)", `${backend} node, preempt every 100 calls`, `${on.toFixed(1)} ms`, `without ${off.toFixed(1)} ms`, (on / off).toFixed(2)]);
    }
    results["actors:preemptCost"] = cost;
  }
  // sizes per level (wasmfx -O2, default flags and with prefer-globals)
  const sizes: Record<string, { default: number; preferGlobals: number; cps: number }> = {};
  for (const [level, text] of Object.entries(LEVEL_PROGRAMS)) {
    const src = { file: `${level}.links`, text };
    const size = (backend: "wasmfx" | "cps", w: string[]) =>
      compileWasm(runPipeline(src, { until: backend === "cps" ? "cps-codegen" : "codegen", backend, with: w }) as WasmModule).size;
    sizes[level] = { default: size("wasmfx", []), preferGlobals: size("wasmfx", ["prefer-globals"]), cps: size("cps", []) };
    rows.push([`actors size ${level}`, "wasmfx / prefer-globals / cps, B", `${sizes[level].default}`, `${sizes[level].preferGlobals}`, `${sizes[level].cps}`]);
  }
  results["actors:sizes"] = sizes;
  return { rows, results };
}
