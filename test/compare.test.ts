// tools/compare.ts, the backend comparison: as a library function on two small programs (a deep
// state handler and a multishot choice) on interp, wasmfx and cps, checking the table, the JSON
// report's sizes, the CSV and the HTML; and as a command (tsx child process) for --help, usage and
// file errors, timeouts and the files it writes.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compare } from "../tools/compare-lib.js";
import type { CompareReport, Measurement } from "../tools/compare-types.js";
import { csv, table } from "../tools/compare-report.js";
import { html } from "../tools/compare-html.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const tsxCli = join(root, "node_modules/tsx/dist/cli.mjs");
const fixture = (name: string) => join("test/fixtures/compare", name);
const STATE = fixture("state_loop.links"), CHOICE = fixture("choice.links"), FOREVER = fixture("forever.links");
const dir = mkdtempSync(join(tmpdir(), "links-compare-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tool(...args: string[]) {
  const r = spawnSync(process.execPath, [tsxCli, "tools/compare.ts", ...args], { cwd: root, encoding: "utf8", timeout: 60_000, env: { ...process.env, NO_COLOR: "1" } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
const noStack = (s: string) => expect(s).not.toMatch(/^\s+at .*[(:]\d+/m);

describe("compare as a library", () => {
  let report: CompareReport;
  const get = (file: string, config: string): Measurement => report.programs.find((p) => p.file === file)!.results.find((m) => m.config === config)!;
  const CONFIGS = ["interp", "wasmfx/node/O2", "cps/node/O2"];

  beforeAll(async () => {
    report = await compare({ files: [STATE, CHOICE].map((f) => join(root, f)), backends: ["interp", "wasmfx", "cps"], runs: 2, compileRuns: 1 });
    for (const p of report.programs) p.file = p.file.slice(root.length);
    for (const p of report.programs) for (const m of p.results) m.program = p.file;
  }, 90_000);

  it("names the configurations and takes the first as the baseline", () => {
    expect(report.configs.map((c) => c.name)).toEqual(CONFIGS);
    expect(report.baseline).toBe("interp");
    const t = table(report);
    for (const c of CONFIGS) expect(t).toContain(c);
    for (const f of [STATE, CHOICE]) expect(t).toContain(f);
  });

  it("measures sizes with a runtime + program breakdown of the code section", () => {
    const json = JSON.parse(JSON.stringify(report)) as CompareReport;
    for (const p of json.programs) for (const m of p.results.filter((r) => r.config !== "interp")) {
      const size = m.size!;
      expect(size.total).toBeGreaterThan(0);
      // every byte of the file is in a section, after the 8-byte header
      expect(8 + size.sections.reduce((a, s) => a + s.bytes, 0)).toBe(size.total);
      const code = size.code!;
      expect(code.total).toBe(size.sections.find((s) => s.name === "code")!.size);
      expect(code.runtime).toBeGreaterThan(0);
      expect(code.program).toBeGreaterThan(0);
      expect(code.runtime + code.program).toBe(code.total);
      expect(code.functions.some((f) => f.kind === "runtime" && f.name === "str_len")).toBe(true);
      expect(m.compile!.passes.map((x) => x.pass)).toContain("infer");
      expect(Object.keys(m.compile!.stages)).toEqual(expect.arrayContaining(["parse", "validate", "optimize", "emit"]));
    }
    expect(get(STATE, "interp").size).toBeUndefined();
  });

  it("times the runs and reads peak memory", () => {
    for (const c of CONFIGS) {
      const m = get(STATE, c);
      expect(m.status).toBe("ok");
      expect(m.run!.times).toHaveLength(2);
      expect(m.run!.min).toBeLessThanOrEqual(m.run!.median);
      expect(m.run!.median).toBeLessThanOrEqual(m.run!.max);
      expect(m.memory!.peakKB).toBeGreaterThan(1000);
      expect(m.ratio.time).not.toBeNull();
    }
    expect(get(STATE, "interp").ratio.time).toBe(1);
  });

  it("reports the multishot program as unsupported on wasmfx, and the same output elsewhere", () => {
    const w = get(CHOICE, "wasmfx/node/O2");
    expect(w.status).toBe("unsupported");
    expect(w.reason).toMatch(/^unsupported: continuation resumed twice/);
    expect(w.sameOutput).toBeNull();
    expect(get(CHOICE, "cps/node/O2")).toMatchObject({ status: "ok", sameOutput: true });
    expect(get(CHOICE, "interp").stdout).toBe("[(1, 4), (2, 3), (3, 2), (4, 1)] : [(Int, Int)]\n");
    for (const c of CONFIGS) expect(get(STATE, c)).toMatchObject({ status: "ok", sameOutput: true, stdout: "counting\n(2000, 2000) : (Int, Int)\n" });
    expect(report.programs.every((p) => !p.failedEverywhere)).toBe(true);
    expect(table(report)).toMatch(/wasmfx\/node\/O2 .*unsupported: continuation resumed twice/);
  });

  it("writes CSV with a header and a row per program × configuration", () => {
    const lines = csv(report).trim().split("\n");
    expect(lines[0]).toMatch(/^program,config,backend,engine,opt,/);
    expect(lines).toHaveLength(1 + 2 * 3);
    expect(lines.find((l) => l.startsWith(`${CHOICE},wasmfx/node/O2,`))).toContain(",unsupported,");
  });

  it("writes one HTML page with SVG charts for every program", () => {
    const page = html(report);
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    const sections = page.split("<section>").slice(1);
    expect(sections).toHaveLength(2);
    for (const s of sections) expect(s).toContain("<svg");
  });
});

describe("compare as a command", () => {
  it("has --help", () => {
    const r = tool("--help");
    expect(r.status).toBe(0);
    for (const f of ["--backend", "--engine", "--opt, -O", "--with", "--runs", "--baseline", "--json", "--html", "--csv", "--timeout"]) expect(r.stdout).toContain(f);
  }, 60_000);

  it("reports a missing file, an unknown baseline and a bad --config cleanly", () => {
    const missing = tool("no-such.links");
    expect(missing.status).toBe(1);
    expect(missing.stderr.trim()).toBe("error: cannot read no-such.links: no such file");
    const baseline = tool(CHOICE, "--backend", "interp", "--baseline", "nope");
    expect(baseline.status).toBe(1);
    expect(baseline.stderr).toMatch(/^error: --baseline nope is not one of the configurations: interp/);
    const spec = tool(CHOICE, "--config", "backend=interp,engine=deno");
    expect(spec.status).toBe(1);
    expect(spec.stderr).toMatch(/^error: --config .*engine and O apply to the Wasm backends only/);
    for (const r of [missing, baseline, spec]) noStack(r.stderr);
  }, 60_000);

  it("stops runs at --timeout, still writes its outputs and exits 0", () => {
    const out = (ext: string) => join(dir, `report.${ext}`);
    const r = tool(FOREVER, CHOICE, "--backend", "interp", "--backend", "wasmfx", "--runs", "1", "--compile-runs", "1", "--timeout", "1",
      "--json", out("json"), "--csv", out("csv"), "--html", out("html"));
    expect(r.status).toBe(0);
    noStack(r.stderr);
    expect(r.stderr).toMatch(/\[1\/4\] test\/fixtures\/compare\/forever\.links interp/);
    const report = JSON.parse(readFileSync(out("json"), "utf8")) as CompareReport;
    const [forever, choice] = report.programs;
    expect(forever!.results.map((m) => m.status)).toEqual(["timeout", "timeout"]);
    expect(forever!.failedEverywhere).toBe(true);
    expect(choice!.results.map((m) => m.status)).toEqual(["ok", "unsupported"]);
    expect(r.stdout).toContain("forever.links: no configuration ran it to the end");
    expect(existsSync(out("csv")) && existsSync(out("html"))).toBe(true);
    expect(readFileSync(out("html"), "utf8").split("<section>").slice(1).every((s) => s.includes("<svg"))).toBe(true);
  }, 60_000);
});
