// Issue 15: timeouts that hold, output as it is printed, deep recursion on wasmfx, and runtime
// errors named with their source location on every backend (docs/running-and-errors.md).
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileWasm, runWasm } from "../backends/wasmfx/index.js";
import { denoExecutable } from "../backends/wasm/deno.js";
import { assemble } from "../backends/wasm/binaryen.js";
import { printModule, type WasmModule } from "../ir/wasm.js";
import { backendInput } from "../passes/pipeline.js";
import { type Backend, prepareBackend, runPipeline, runSource } from "../tools/compile-lib.js";

const BACKENDS: Backend[] = ["interp", "wasmfx", "cps"];
const wasm = (text: string, backend: "wasmfx" | "cps" = "wasmfx") =>
  compileWasm(runPipeline({ file: "t.links", text }, { until: backendInput[backend], backend }) as WasmModule);

beforeAll(async () => {
  await prepareBackend("wasmfx");
});

describe("timeouts hold and keep the output (Node runner thread)", () => {
  // a self tail call (a Wasm loop since passes/codegen-tail-loop.ts: V8 checks its back edge), and
  // loops V8 would not interrupt without backends/wasm/interruptible.ts: mutual tail calls
  // (inlined into one function) and, on cps, a loop of CPS tail calls
  const loops = [
    ["self tail call", 'fun loop(n) { if (n < 0) 0 else loop(n + 1) } print("before"); loop(0)'],
    ["mutual tail calls", 'fun f(n) { if (n < 0) 0 else g(n + 1) } fun g(n) { if (n < 0) 1 else f(n + 2) } print("before"); f(0)'],
  ] as const;
  it.each(BACKENDS.flatMap((b) => loops.map(([name, text]) => [name, b, text] as const)))("%s on %s", (_name, backend, text) => {
    const t0 = Date.now();
    const r = runSource({ file: "t.links", text }, backend, { deadline: Date.now() + 1500 });
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(r).toMatchObject({ stdout: "before", exitCode: 1 });
    expect(r.stderr).toBe("error: runtime error: timeout\n");
  });

  it("the output reaches `out` as it is printed, before the run ends", () => {
    const bin = wasm('print("early"); fun spin(n) { spin(n + 1) } spin(0)');
    let firstAt = -1;
    const t0 = Date.now();
    expect(() => runWasm(bin, { deadline: t0 + 2000, out: () => { if (firstAt < 0) firstAt = Date.now() - t0; } })).toThrow("timeout");
    expect(firstAt).toBeGreaterThanOrEqual(0);
    expect(firstAt).toBeLessThan(1500);
    // and the runner thread that replaces the stopped one works
    expect(runWasm(wasm("1 + 2")).stdout).toBe("3 : Int\n");
  });

  it("more than the ring buffer's 1 MiB of output arrives whole and in order", () => {
    const r = runWasm(wasm('fun lines(n) { if (n > 0) { println(intToString(n) ^^ " abcdefghijklmnopqrstuvwxyz"); lines(n - 1) } else () } lines(100000)'));
    const lines = r.stdout.split("\n");
    expect(lines.length).toBe(100002);
    expect(lines[0]).toBe("100000 abcdefghijklmnopqrstuvwxyz");
    expect(lines[99999]).toBe("1 abcdefghijklmnopqrstuvwxyz");
  });

  it.skipIf(!denoExecutable())("on Deno the output printed before a timeout is kept", () => {
    const r = runSource({ file: "t.links", text: 'print("before"); fun spin(n) { spin(n + 1) } spin(0)' }, "wasmfx", { engine: "deno", deadline: Date.now() + 3000 });
    expect(r).toEqual({ stdout: "before", stderr: "error: runtime error: timeout\n", exitCode: 1 });
  });
});

describe("deep recursion on wasmfx (the runner's 1 GiB stack; continuations keep V8's ~1 MB)", () => {
  it("1,000,000-deep non-tail recursion; 4,000-deep inside a handler; 1,000,000 there: a located stack overflow", () => {
    expect(runSource({ file: "t.links", text: "fun d(n) { if (n == 0) 0 else 1 + d(n - 1) } d(1000000)" }, "wasmfx").stdout).toBe("1000000 : Int\n");
    const inHandler = (n: number) => `fun d(n) { if (n == 0) do Get else 1 + d(n - 1) } handle(d(${n})) { case <Get => k> -> k(0) case x -> x }`;
    expect(runSource({ file: "t.links", text: inHandler(4000) }, "wasmfx").stdout).toBe("4000 : Int\n");
    expect(runSource({ file: "t.links", text: inHandler(4000) }, "wasmfx", { without: ["tail-resume"] }).stdout).toBe("4000 : Int\n");
    expect(runSource({ file: "t.links", text: inHandler(1000000) }, "wasmfx").stderr.split("\n")[0]).toMatch(/^t\.links:1:\d+: runtime error: stack overflow$/);
  });
});

describe("runtime errors name FILE:LINE:COL on every backend", () => {
  const program = (last: string) => [
    "fun f(x) {",
    "  x / 0",
    "}",
    "fun g(xs) { hd(xs) + 1 }",
    "fun k(x) { switch (x) { case 1 -> 2 } }",
    "fun deep(n) { if (n == 0) 0 else 1 + deep(n - 1) }",
    'print("a");',
    last,
  ].join("\n");
  const cases = [
    ["division by zero", "f(3)", "t.links:2:3: runtime error: division by zero"],
    ["hd([]) in the prelude: the program's call", "g([])", "t.links:4:13: runtime error: hd: empty list"],
    ["a match failure: the case", "k(5)", "t.links:5:12: runtime error: pattern match failure"],
  ] as const;
  it.each(BACKENDS.flatMap((b) => cases.map(([name, last, want]) => [name, b, last, want] as const)))("%s on %s", (_name, backend, last, want) => {
    const r = runSource({ file: "t.links", text: program(last) }, backend);
    expect(r.stdout).toBe("a");
    expect(r.stderr.split("\n")[0]).toBe(want);
  });

  it("a stack overflow on wasmfx (Node's runner thread overflows at 10^8 frames): the recursive call", () => {
    const r = runSource({ file: "t.links", text: program("deep(100000000)") }, "wasmfx");
    expect(r.stderr.split("\n")[0]).toBe("t.links:6:38: runtime error: stack overflow");
  });
});

describe("source locations leave the binary as it was", () => {
  it("the same bytes with and without the source map; the map names the program's file", () => {
    const m = runPipeline({ file: "t.links", text: "fun f(x) { x / 0 } f(3)" }, { until: "codegen", backend: "wasmfx" }) as WasmModule;
    const wat = printModule(m, true, { locations: true });
    expect(wat).toContain(";;@ t.links:1:12");
    expect(printModule(m)).not.toContain(";;@");
    const withMap = assemble(wat, { optimize: 2, text: false, sourceMap: true });
    const without = assemble(wat, { optimize: 2, text: false });
    expect(withMap.binary).toEqual(without.binary);
    expect(JSON.parse(withMap.sourceMap!).sources).toEqual(["t.links"]);
  });
});

describe("run --timeout through the CLI (issue 15's done-when)", () => {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), "links-running-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it.each(["interp", "wasmfx", "cps"])("--timeout 3 ends an infinite loop on %s with the lines printed before it", (backend) => {
    const file = join(dir, "loop.links");
    writeFileSync(file, 'println("one"); println("two"); fun loop(n) { loop(n + 1) } loop(0)\n');
    const t0 = Date.now();
    const r = spawnSync(process.execPath, [join(root, "node_modules/tsx/dist/cli.mjs"), "tools/run.ts", file, "--backend", backend, "--timeout", "3"], { cwd: root, encoding: "utf8", timeout: 60_000 });
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("one\ntwo\n");
    expect(r.stderr).toBe("error: runtime error: timeout\n");
  });
});

describe("run shows the output as it is printed, while the program still runs (issue 15, item 3)", () => {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), "links-live-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const configs: [string, string[]][] = [
    ["interp", ["--backend", "interp"]],
    ["wasmfx on Node", ["--backend", "wasmfx"]],
    ["cps on Node", ["--backend", "cps"]],
    ...(denoExecutable() ? [["wasmfx on Deno", ["--backend", "wasmfx", "--engine", "deno"]] as [string, string[]]] : []),
  ];
  // a loop with no end and no --timeout: the lines must show while it loops (before, on Node and
  // Deno, the second line waited in the tool thread's stdout for the run to end, which it never did)
  it.each(configs)("%s", async (_name, flags) => {
    const file = join(dir, "loop.links");
    writeFileSync(file, 'println("one"); println("two"); fun loop(n) { loop(n + 1) } loop(0)\n');
    // its own process group, so that the kill below ends tsx's node and Deno with it
    const child = spawn(process.execPath, [join(root, "node_modules/tsx/dist/cli.mjs"), "tools/run.ts", file, ...flags], { cwd: root, detached: true });
    let out = "";
    child.stdout.on("data", (b: Buffer) => { out += b.toString(); });
    const t0 = Date.now();
    try {
      while (out !== "one\ntwo\n" && Date.now() - t0 < 40_000) await new Promise((r) => setTimeout(r, 100));
      expect(out).toBe("one\ntwo\n");
      expect(child.exitCode).toBe(null); // still looping
    } finally {
      process.kill(-child.pid!, "SIGKILL");
    }
  }, 60_000);
});
