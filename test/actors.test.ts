// Actors on every backend: detect-actors' levels, synthesize-scheduler's output, preemption, and
// the actor programs (examples, the prime sieve, ping-pong, 20,000 processes, a spinning process,
// an angel, main computing after a spawn) on cps and wasmfx — Node and Deno, with and without --prefer-globals and
// --yield-is-switch (Deno only: Node 26's V8 has no `switch`) — each agreeing with interp.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type Engine, prepareBackend, runPipeline, runSource } from "../tools/compile-lib.js";
import { compileWasm } from "../backends/wasmfx/index.js";
import type { BoxedProgram } from "../ir/boxed.js";
import type { ScheduledProgram } from "../ir/scheduled.js";
import { printModule, type WasmModule } from "../ir/wasm.js";
import { languages } from "../passes/pipeline.js";

const root = join(import.meta.dirname, "..");
const file = (path: string) => ({ file: path, text: readFileSync(join(root, path), "utf8") });
const inline = (name: string, text: string) => ({ file: `${name}.links`, text });

const SPIN = inline("spin", `
fun spin() { spin() }
fun main() {
  var me = self();
  var s = spawn { spin() };
  var t = spawn { me ! 42 };
  receive { case n -> n }
}
main()
`);
const ANGEL = inline("angel", `
fun count(i) { if (i == 0) () else { yield(); count(i - 1) } }
var a = spawnAngel { count(1000); println("angel done") };
println("main done");
1
`);
// main computes after spawning: preemption lets the child run before main ends (on interp too)
const MAIN_COMPUTES = inline("main-computes", `
fun count(i) { if (i == 0) () else count(i - 1) }
var p = spawn { println("child") };
count(100000);
1
`);
const programs = [
  file("examples/actors.links"), file("examples/prime-sieve.links"), file("bench/actors/pingpong.links"),
  file("bench/actors/spawn.links"), file("bench/actors/yield.links"), SPIN, ANGEL, MAIN_COMPUTES,
];

/** Each Wasm configuration: backend, engine, research passes switched on. */
const configs: { backend: "cps" | "wasmfx"; engine: Engine; with: string[] }[] = [
  { backend: "cps", engine: "node", with: [] },
  { backend: "cps", engine: "deno", with: [] },
  ...(["node", "deno"] as const).flatMap((engine) => [[], ["prefer-globals"]].map((w) => ({ backend: "wasmfx" as const, engine, with: w }))),
  { backend: "wasmfx", engine: "deno", with: ["switch-opt"] },
  { backend: "wasmfx", engine: "deno", with: ["prefer-globals", "switch-opt"] },
];

beforeAll(async () => { await prepareBackend("wasmfx"); });

const level = (text: string): string => {
  const p = runPipeline(inline("level", text), { until: "detect-actors" }) as BoxedProgram;
  return p.actors!.level;
};

describe("detect-actors", () => {
  it.each([
    ["1 + 2", "none"],
    ["self() ! 1; recv()", "mailbox"],
    ["spawnWait { 1 + 2 }", "single"],
    ["var p = spawn { recv() + 1 }; p ! 1", "several"],
    ["var p = spawn { () }; spawnWait { 1 }", "several-wait"],
    ["var p = spawnAngel { () }; 1", "angels"],
    ["var p = spawnAngel { () }; spawnWait { 1 }", "all"],
  ])("%s is level %s", (text, want) => {
    expect(level(text)).toBe(want);
  });

  it("names each primitive with the first function using it, in the dump", () => {
    const p = runPipeline(inline("uses", "fun f() { recv() } var p = spawn { f() }; p ! 1"), { until: "detect-actors" }) as BoxedProgram;
    expect(languages.Boxed.print(p)).toContain("(actors several (uses");
    expect(p.actors!.uses).toContainEqual(["recv", expect.stringMatching(/^f/)]);
    expect(p.actors!.uses).toContainEqual(["spawn", "main"]);
  });
});

describe("preempt and synthesize-scheduler", () => {
  it("a %tick at the entry of every function that calls, only where several processes may run", () => {
    const several = runPipeline(SPIN, { until: "preempt", check: true }) as BoxedProgram;
    expect(several.actors!.preempt).toBe(100);
    const spin = several.functions.find((f) => f.name.startsWith("spin"))!;
    expect(spin.body.tag === "LetApp" && spin.body.fn.tag === "Var" && spin.body.fn.name).toBe("%tick");
    const single = runPipeline(inline("w", "fun f(x) { f(x) } spawnWait { 1 }"), { until: "preempt" }) as BoxedProgram;
    expect(single.actors!.preempt).toBeUndefined();
    expect(languages.Boxed.print(single)).not.toContain("%tick");
  });

  it("main becomes the main process of a scheduler; receive becomes recv and a case; --check passes", () => {
    const p = runPipeline(file("examples/actors.links"), { until: "synthesize-scheduler", check: true }) as ScheduledProgram;
    const dump = languages.Scheduled.print(p);
    expect(p.scheduler).toEqual({ level: "several-wait", preempt: 100, globals: false, switch: false });
    expect(dump).toContain("(schedule (thunk main%proc))");
    expect(dump).toMatch(/\(spawn spawn \(thunk proc_\d+/);
    expect(dump).not.toContain("(receive");
    const flags = runPipeline(file("examples/actors.links"), { until: "switch-opt", check: true, with: ["prefer-globals", "switch-opt"] }) as ScheduledProgram;
    expect(flags.scheduler).toMatchObject({ globals: true, switch: true });
  });

  it("a program that uses no process primitive carries no scheduler bytes; sizes grow with the level", () => {
    const wat = (text: string) => printModule(runPipeline(inline("s", text), { until: "codegen" }) as WasmModule, true);
    const none = wat("fun f(x) { x + 1 } f(41)");
    expect(none).not.toMatch(/\$Proc|\$schedule|\$sched\b|\$PCont/);
    const size = (text: string) => compileWasm(runPipeline(inline("s", text), { until: "codegen" }) as WasmModule).size;
    const sizes = ["41 + 1", "self() ! 41; recv() + 1", "spawnWait { 41 + 1 }", "var p = spawn { () }; 42"].map(size);
    expect(sizes[0]).toBeLessThan(sizes[1]!);
    expect(sizes[1]).toBeLessThan(sizes[3]!);
  });
});

describe("actor programs agree with interp on every backend, engine and flag", () => {
  const refs = new Map<string, ReturnType<typeof runSource>>();
  const ref = (src: { file: string; text: string }) => {
    if (!refs.has(src.file)) refs.set(src.file, runSource(src, "interp"));
    return refs.get(src.file)!;
  };

  it.each(programs.flatMap((p) => configs.map((c) => [p.file, `${c.backend} on ${c.engine}${c.with.length ? ` with ${c.with.join(", ")}` : ""}`, p, c] as const)))(
    "%s: %s", (_f, _c, src, c) => {
      const want = ref(src);
      expect(want.exitCode).toBe(0);
      expect(runSource(src, c.backend, { engine: c.engine, with: c.with })).toEqual(want);
    });

  it("the prime sieve is at most 2,257 bytes at -O2 with every flag (the Links backend's published size)", () => {
    for (const w of [[], ["prefer-globals"], ["switch-opt"], ["prefer-globals", "switch-opt"]]) {
      const m = runPipeline(file("examples/prime-sieve.links"), { until: "codegen", with: w }) as WasmModule;
      expect(compileWasm(m, { optimize: 2 }).size).toBeLessThanOrEqual(2257);
    }
  });

  it("a mailbox of main's own, and the deadlock message, as interp gives them", () => {
    const alone = inline("alone", "self() ! 41; recv() + 1");
    const dead = inline("dead", "fun main() { var p = spawn { recv() + 1 }; recv() + 1 } main()");
    for (const src of [alone, dead]) {
      const want = ref(src);
      for (const backend of ["cps", "wasmfx"] as const) expect(runSource(src, backend)).toEqual(want);
    }
    expect(ref(dead).stderr).toContain("deadlock: every process is waiting for a message");
  });

  it("--yield-is-switch on Node is refused with a message naming --engine deno", () => {
    const r = runSource(SPIN, "wasmfx", { engine: "node", with: ["switch-opt"] });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^error: unsupported: `switch` on --engine node: .*run it with --engine deno/);
  });
});
