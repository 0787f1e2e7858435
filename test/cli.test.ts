// End-to-end tests of the command-line tools (tools/run.ts, tools/run-pass.ts): spawned as real
// processes, so exit statuses, stdout/stderr separation and error rendering are what a user sees.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const tsxCli = join(root, "node_modules/tsx/dist/cli.mjs");
const dir = mkdtempSync(join(tmpdir(), "links-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Write a program to a temporary file and return its path. */
function program(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function tool(script: "run" | "run-pass" | "compile", ...args: string[]) {
  const r = spawnSync(process.execPath, [tsxCli, `tools/${script}.ts`, ...args], {
    cwd: root,
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, NO_COLOR: "1" },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, firstErr: r.stderr.split("\n")[0] };
}

/** No tool ever shows a JavaScript stack trace. */
const noStack = (s: string) => expect(s).not.toMatch(/^\s+at .*[(:]\d+/m);

const T = 60_000;

describe("tools/run.ts", () => {
  it("prints the value and its type", () => {
    const r = tool("run", program("ok.links", "1 + 2\n"));
    expect(r).toMatchObject({ status: 0, stdout: "3 : Int\n", stderr: "" });
  }, T);

  it("prints program output before the value", () => {
    const r = tool("run", program("print.links", 'print("hi"); print("!\\n"); 1\n'), "--backend", "interp", "--timeout", "10");
    expect(r).toMatchObject({ status: 0, stdout: "hi!\n1 : Int\n", stderr: "" });
  }, T);

  it("runs actors on wasmfx with --prefer-globals and, on Deno, --yield-is-switch; refuses switch on Node", () => {
    const f = program("actors.links", "fun main() { var me = self(); var p = spawn { me ! 41 }; recv() + 1 } main()\n");
    expect(tool("run", f, "--backend", "wasmfx", "--prefer-globals")).toMatchObject({ status: 0, stdout: "42 : Int\n", stderr: "" });
    expect(tool("run", f, "--backend", "wasmfx", "--engine", "deno", "--yield-is-switch")).toMatchObject({ status: 0, stdout: "42 : Int\n", stderr: "" });
    const node = tool("run", f, "--backend", "wasmfx", "--yield-is-switch");
    expect(node.status).toBe(1);
    expect(node.firstErr).toMatch(/^error: unsupported: `switch` on --engine node: .*--engine deno$/);
    noStack(node.stderr);
  }, T);

  const errors: [string, string, string, (f: string) => string][] = [
    ["a syntax error", "syntax.links", "var x = ;\n", (f) => `${f}:1:9: Syntax error: unexpected token \`;\`; expected an expression`],
    ["a type error", "type.links", '1 + "a"\n', (f) => `${f}:1:5: Type error: the expression has type`],
    ["an unsupported feature", "xml.links", "<a>b</a>\n", (f) => `${f}:1:1: error: unsupported: XML literals`],
    // as in Links, the top-level effect row is open: an unhandled operation is a runtime error
    ["an unhandled operation", "op.links", "{ do Foo }\n", (f) => `${f}:1:3: runtime error: unhandled operation: Foo`],
    ["a runtime error", "hd.links", "hd([])\n", (f) => `${f}:1:1: runtime error: hd: empty list`],
  ];
  for (const [what, name, text, first] of errors) {
    it(`reports ${what} on stderr with status 1`, () => {
      const f = program(name, text);
      const r = tool("run", f);
      expect(r.status).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.firstErr).toBe(first(f));
      noStack(r.stderr);
    }, T);
  }

  it("reports a missing file", () => {
    const f = join(dir, "does-not-exist.links");
    const r = tool("run", f);
    expect(r).toMatchObject({ status: 1, stdout: "", firstErr: `error: cannot read ${f}: no such file` });
    noStack(r.stderr);
  }, T);

  it("rejects an unknown flag", () => {
    const r = tool("run", program("ok2.links", "1\n"), "--bogus");
    expect(r).toMatchObject({ status: 1, stdout: "", firstErr: "error: Unrecognized flag: --bogus in command run" });
    noStack(r.stderr);
  }, T);

  it("--help mentions every flag", () => {
    const r = tool("run", "--help");
    expect(r.status).toBe(0);
    for (const flag of ["--backend", "--engine", "--timeout", "--help", "interp", "wasmfx", "deno", "SECONDS"]) expect(r.stdout).toContain(flag);
  }, T);

  it.each(["node", "deno"])("--backend wasmfx --engine %s runs the module: output, value, runtime errors", (engine) => {
    const ok = tool("run", program(`w-${engine}.links`, 'print("hi "); map(fun(x) { x * 2 }, [1, 2, 3])\n'), "--backend", "wasmfx", "--engine", engine);
    expect(ok).toMatchObject({ status: 0, stdout: "hi [2, 4, 6] : [Int]\n", stderr: "" });
    const badFile = program(`wbad-${engine}.links`, 'print("before"); hd([])\n');
    const bad = tool("run", badFile, "--backend", "wasmfx", "--engine", engine);
    expect(bad).toMatchObject({ status: 1, stdout: "before", firstErr: `${badFile}:1:18: runtime error: hd: empty list` });
    noStack(bad.stderr);
  }, T);

  it("--engine deno honours --timeout", () => {
    const r = tool("run", program("spin.links", "fun spin(n) { spin(n + 1) } spin(0)\n"), "--backend", "wasmfx", "--engine", "deno", "--timeout", "1");
    expect(r).toMatchObject({ status: 1, firstErr: "error: runtime error: timeout" });
  }, T);
});

describe("tools/run-pass.ts", () => {
  it("--list lists the passes in order", () => {
    const r = tool("run-pass", "--list");
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines.map((l) => l.split(":")[0])).toEqual(["parse", "desugar", "infer", "anf", "closure-convert", "box-poly", "fold-constants", "detect-actors", "preempt", "extract-handlers", "lower-param-handlers", "direct-resume", "tail-resume", "synthesize-scheduler", "prefer-globals", "switch-opt", "codegen"]);
    expect(lines[0]).toMatch(/^parse: Source → Surface {2,}\S/);
    // optional and research passes say whether they run and how to switch them
    expect(lines[6]).toMatch(/\[research, off: --with fold-constants\]$/);
    expect(lines[11]).toMatch(/\[optional, on: --without direct-resume\]$/);
    expect(lines[12]).toMatch(/\[optional, on: --without tail-resume\]$/);
    expect(lines[14]).toMatch(/\[research, off: --with prefer-globals\]$/);
    const switched = tool("run-pass", "--list", "--with", "fold-constants", "--without", "direct-resume").stdout;
    expect(switched).toContain("[research, on: --with fold-constants]");
    expect(switched).toContain("[optional, off: --without direct-resume]");
  }, T);

  it("--with and --without switch passes on and off; unknown names are usage errors", () => {
    const f = program("toggle.links", "var unused = 2 * 3; 1 + 2\n");
    const on = tool("run-pass", f, "--with", "fold-constants", "--dump=box-poly,fold-constants", "--check", "--backend", "wasmfx");
    expect(on.status).toBe(0);
    expect(on.stdout).toContain(";; ---- after fold-constants (Boxed) ----");
    expect(on.stdout.endsWith("3 : Int\n")).toBe(true);
    const off = tool("run-pass", f, "--without", "direct-resume", "--dump", "--backend", "wasmfx");
    expect(off.status).toBe(0);
    expect(off.stdout).not.toContain("after direct-resume");
    const offDump = tool("run-pass", f, "--dump=fold-constants");
    expect(offDump.status).toBe(1);
    expect(offDump.stderr).toContain("a research pass, off by default: add --with fold-constants");
    // a switch that would do nothing is a usage error, not silently ignored
    const noEffect = tool("run", f, "--with", "fold-constants");
    expect(noEffect.status).toBe(1);
    expect(noEffect.stderr).toContain("--with fold-constants has no effect: the run stops after infer");
    const otherPipeline = tool("run", f, "--backend", "wasmfx", "--without", "mark-pure");
    expect(otherPipeline.status).toBe(1);
    expect(otherPipeline.stderr).toContain("the wasmfx pipeline has no optional pass mark-pure");
    const bad = tool("run-pass", f, "--with", "codegen");
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/fold-constants/);
  }, T);

  it("--list --backend cps lists the cps pipeline; --dump with --backend cps dumps its passes", () => {
    const r = tool("run-pass", "--list", "--backend", "cps");
    expect(r.status).toBe(0);
    expect(r.stdout.trimEnd().split("\n").map((l) => l.split(":")[0])).toEqual(["parse", "desugar", "infer", "anf", "closure-convert", "box-poly", "fold-constants", "detect-actors", "preempt", "mark-pure", "cps", "tail-resume", "cps-codegen"]);
    const d = tool("run-pass", program("cpsdump.links", "handle(do Ask()) { case <Ask => k> -> k(1) + k(2) case x -> x }\n"), "--dump=cps", "--check", "--backend", "cps");
    expect(d.status).toBe(0);
    expect(d.stdout).toContain(";; ---- after cps (CPS) ----");
    expect(d.stdout.endsWith("\n3 : Int\n")).toBe(true);
    const bad = tool("run-pass", program("cpsuntil.links", "1\n"), "--until", "codegen", "--backend", "cps");
    expect(bad.status).toBe(1);
    expect(bad.firstErr).toContain("the cps pipeline runs no such pass");
    const badDump = tool("run-pass", program("cpsdump2.links", "1\n"), "--dump=cps");
    expect(badDump.status).toBe(1);
    expect(badDump.firstErr).toContain("cps: the wasmfx pipeline runs no such pass");
  }, T);

  it("--dump prints a header per pass, --backend runs the program", () => {
    const r = tool("run-pass", program("dump.links", "1 + 2\n"), "--dump", "--check", "--backend", "interp");
    expect(r.status).toBe(0);
    const headers = r.stdout.split("\n").filter((l) => l.startsWith(";; ----"));
    expect(headers).toEqual([
      ";; ---- after parse (Surface) ----",
      ";; ---- after desugar (Core) ----",
      ";; ---- after infer (TypedCore) ----",
      ";; ---- after anf (ANF) ----",
      ";; ---- after closure-convert (Closed) ----",
      ";; ---- after box-poly (Boxed) ----",
      ";; ---- after detect-actors (Boxed) ----",
      ";; ---- after preempt (Boxed) ----",
      ";; ---- after extract-handlers (Handlers) ----",
      ";; ---- after lower-param-handlers (ThreadedHandlers) ----",
      ";; ---- after direct-resume (ThreadedHandlers) ----",
      ";; ---- after tail-resume (ThreadedHandlers) ----",
      ";; ---- after synthesize-scheduler (Scheduled) ----",
      ";; ---- after codegen (WasmIR) ----",
    ]);
    expect(r.stdout.endsWith("\n3 : Int\n")).toBe(true);
  }, T);

  it("--json is JSON; --dump=NAME and --until select passes; errors are included", () => {
    const ok = tool("run-pass", program("json.links", "1 + 2\n"), "--json", "--dump=desugar", "--until", "desugar", "--time");
    expect(ok.status).toBe(0);
    const j = JSON.parse(ok.stdout);
    expect(j.passes.map((p: { name: string }) => p.name)).toEqual(["parse", "desugar"]);
    expect(j.passes[0]).toMatchObject({ from: "Source", to: "Surface" });
    expect(j.passes[0].dump).toBeUndefined();
    expect(typeof j.passes[1].dump).toBe("string");
    expect(ok.stderr).toMatch(/^pass\s+from → to\s+ms\n/); // --time: the table goes to stderr

    const f = program("json-err.links", '1 + "a"\n');
    const bad = tool("run-pass", f, "--json");
    expect(bad.status).toBe(1);
    expect(JSON.parse(bad.stdout).error).toMatchObject({ kind: "type", span: { line: 1, col: 5 } });
    expect(bad.firstErr).toBe(`${f}:1:5: Type error: the expression has type`);
  }, T);

  it("rejects unknown pass names, listing the valid ones", () => {
    const r = tool("run-pass", program("ok3.links", "1\n"), "--dump=parse,frobnicate");
    expect(r.status).toBe(1);
    expect(r.firstErr).toContain("unknown: frobnicate; valid passes: parse, desugar, infer");
    noStack(r.stderr);
  }, T);

  it("--help mentions every flag", () => {
    const r = tool("run-pass", "--help");
    expect(r.status).toBe(0);
    for (const flag of ["--list", "--dump", "--until", "--check", "--time", "--json", "--backend", "--help", "EXAMPLES"])
      expect(r.stdout).toContain(flag);
  }, T);
});

describe("tools/compile.ts", () => {
  it("writes a validated .wasm binary; unsupported programs exit 1 with the message", () => {
    const out = join(dir, "p.wasm");
    const r = tool("compile", program("p.links", "fun f(x) { x * 2 } f(21)\n"), "-o", out);
    expect(r.status).toBe(0);
    expect([...readFileSync(out).subarray(0, 4)]).toEqual([0, 0x61, 0x73, 0x6d]); // \0asm
    expect(r.firstErr).toMatch(/p\.wasm: \d+ bytes \(wasm; \.wasm \d+ bytes at -O2/);
    const bad = tool("compile", program("h.links", "shallowhandle(do A)(s <- 1) { case <A => k> -> 1 case x -> x }\n"), "-o", out);
    expect(bad.status).toBe(1);
    expect(bad.firstErr).toBe("error: unsupported: parameterised shallow handlers (not yet on the wasmfx backend)");
    noStack(bad.stderr);
  }, T);
});

describe("wrong input gets a clear message (issue 15)", () => {
  it("invalid UTF-8 is a syntax error at the bad byte", () => {
    const file = join(dir, "bad-utf8.links");
    writeFileSync(file, Buffer.from([...Buffer.from('var x = "a'), 0xff, ...Buffer.from('b";\nx\n')]));
    const r = tool("run", file);
    expect(r.status).toBe(1);
    expect(r.firstErr).toBe(`${file}:1:11: Syntax error: invalid UTF-8: byte 0xff does not start or continue a character (Links source files are UTF-8)`);
    noStack(r.stderr);
  }, T);

  it("a directory as FILE says so", () => {
    const r = tool("run", dir);
    expect(r).toMatchObject({ status: 1, stdout: "" });
    expect(r.firstErr).toBe(`error: cannot read ${dir}: it is a directory, not a .links file`);
  }, T);

  it("an output in a missing directory gives the reason", () => {
    const out = join(dir, "no-such-dir", "x.wasm");
    const r = tool("compile", program("w.links", "1\n"), "-o", out);
    expect(r.status).toBe(1);
    expect(r.firstErr).toBe(`error: cannot write ${out}: no such directory`);
  }, T);

  it("a caret under a tab-indented line keeps the tabs", () => {
    const r = tool("run", program("tabs.links", "\tvar x = 1 + true;\n\tx\n"));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("\n  \tvar x = 1 + true;\n  \t            ^^^^");
  }, T);

  it("--timeout must be positive", () => {
    for (const t of ["0", "-1"]) {
      const r = tool("run", program("t.links", "1\n"), "--timeout", t);
      expect(r).toMatchObject({ status: 1, stdout: "" });
      expect(r.firstErr).toBe(`error: --timeout ${t}: the time limit must be a positive number of seconds`);
    }
  }, T);

  it("--set takes Links' effect-sugar settings and names one it does not know", () => {
    const f = program("sugar.links", "sig f : () {E:() => a}-> a fun f() { do E } f\n");
    expect(tool("run", f, "--set", "effect_sugar=true", "--set", "effect_sugar_policy=contract")).toMatchObject({ status: 0, stdout: "fun : () {E:a}-> a\n" });
    const bad = tool("run", f, "--set", "nonsense=1");
    expect(bad.status).toBe(1);
    expect(bad.firstErr).toMatch(/^error: --set nonsense: not a setting this compiler knows/);
  }, T);
});
