// extract-handlers and lower-param-handlers, pass by pass, and the WasmFX instructions they lead
// to in codegen's output.
import { beforeAll, describe, expect, it } from "vitest";
import type { HandlersProgram, ThreadedProgram } from "../ir/handlers.js";
import { handlersKit, validateHandlers, validateThreadedHandlers } from "../ir/handlers.js";
import { printModule, type WasmModule } from "../ir/wasm.js";
import { prepareBackend, runPipeline, runSource } from "../tools/compile-lib.js";

const upTo = (text: string, until: string) => runPipeline({ file: "h.links", text }, { until, check: true });

/** Every computation form in a program's functions, handlers and main. */
function forms(p: HandlersProgram): string[] {
  const out: string[] = [];
  const bodies = [...p.functions.map((f) => f.body), ...p.handlers.flatMap((h) => [...h.ops.map((o) => o.body), h.ret.body]), p.main];
  for (const b of bodies) handlersKit.everyComp(b, (c) => out.push(c.tag));
  return out;
}

const deep = `fun f(n) { var base = n * 10; handle(do Ask + 1) { case <Ask => k> -> k(base) case x -> x + n } } f(4)`;
const shallow = `handle(shallowhandle(do Ask + 1) { case <Ask => k> -> k(5) case x -> x }) { case <Ask => k> -> k(0) }`;
const param = `handle({ var x = do Get; do Put(x + 1); do Get })(s <- 41) { case <Get => k> -> k(s, s) case <Put(p) => k> -> k((), p) case x -> x }`;

describe("extract-handlers", () => {
  it("lifts a deep handler: the computation into a thunk, the clauses into a handler function over what they use", () => {
    const p = upTo(deep, "extract-handlers") as HandlersProgram;
    expect(forms(p)).not.toContain("Handle");
    expect(forms(p)).toContain("HandleCall");
    expect(p.handlers).toHaveLength(1);
    const h = p.handlers[0]!;
    expect(h.ops.map((o) => o.op)).toEqual(["Ask"]);
    // the clauses use `base` (for k) and `n` (in the return clause): i64 parameters, not boxed
    expect(h.free.map((b) => `${b.name}:${b.rep}`).sort()).toEqual(["base:i64", "n:i64"]);
    // the handled computation `do Ask + 1` uses nothing from f: its function takes only the
    // value of the first resume
    const thunk = p.functions.find((f) => f.name.startsWith("handlee"))!;
    expect(thunk.params.map((b) => `${b.name}:${b.rep}`)).toEqual([`${thunk.name}%start:eq`]);
    expect(thunk.captured).toEqual([]);
    expect(validateHandlers(p)).toEqual([]);
  });

  it("makes the free variables of a handled computation arguments of its function, in their own representations", () => {
    const p = upTo("fun f(n, s) { handle(do Ask + n + strlen(s)) { case <Ask => k> -> k(1) } } f(4, \"ab\")", "extract-handlers") as HandlersProgram;
    const thunk = p.functions.find((f) => f.name.startsWith("handlee"))!;
    expect(thunk.params.map((b) => b.rep)).toEqual(["i64", "string", "eq"]);
  });

  it("keeps a shallow handler's clauses inline", () => {
    const p = upTo(shallow, "extract-handlers") as HandlersProgram;
    expect(p.handlers).toHaveLength(1); // the outer, deep one
    expect(forms(p)).toContain("ShallowHandle");
    expect(forms(p)).not.toContain("Handle");
  });

  it("leaves handler parameters on the call until lower-param-handlers threads them", () => {
    const before = upTo(param, "extract-handlers") as HandlersProgram;
    expect(before.handlers[0]!.params).toHaveLength(1);
    expect(validateThreadedHandlers(before).join("\n")).toMatch(/still has handler parameters/);
    const after = upTo(param, "lower-param-handlers") as ThreadedProgram;
    expect(validateThreadedHandlers(after)).toEqual([]);
    expect(after.handlers[0]!.params).toHaveLength(1);
  });
});

describe("direct-resume", () => {
  const clauses = (text: string) => {
    const p = upTo(text, "direct-resume") as ThreadedProgram;
    expect(validateThreadedHandlers(p)).toEqual([]);
    return p.handlers.flatMap((h) => h.ops.map((o) => `${o.op}:${o.direct ? "direct" : "boxed"}`));
  };

  it("marks a clause whose k is called at most once on every path, or not used at all", () => {
    expect(clauses(deep)).toEqual(["Ask:direct"]);
    expect(clauses("handle(do Ask) { case <Ask => k> -> if (true) k(1) else k(2) }")).toEqual(["Ask:direct"]);
    expect(clauses("handle({ do Fail; 1 }) { case <Fail => k> -> 0 }")).toEqual(["Fail:direct"]);
  });

  it("leaves a clause boxed when k may be called twice or escapes", () => {
    expect(clauses("handle(do Choose) { case <Choose => k> -> k(true) + k(false) case x -> if (x) 1 else 2 }")).toEqual(["Choose:boxed"]);
    expect(clauses("handle(do Ask + 1) { case <Ask => k> -> var ks = [k]; hd(ks)(41) case x -> x }")).toEqual(["Ask:boxed"]);
    expect(clauses("handle(do Ask + 1) { case <Ask => k> -> (fun(x) { k(x) })(41) case x -> x }")).toEqual(["Ask:boxed"]);
  });

  it("the validator rejects a clause marked direct whose k is used otherwise", () => {
    const p = upTo("handle(do Choose) { case <Choose => k> -> k(true) + k(false) case x -> if (x) 1 else 2 }", "direct-resume") as ThreadedProgram;
    p.handlers[0]!.ops[0]!.direct = true;
    expect(validateThreadedHandlers(p).join("\n")).toMatch(/Choose is marked direct/);
  });
});

describe("codegen of handlers (WasmFX)", () => {
  beforeAll(() => prepareBackend("wasmfx"));

  it("a deep handler is cont.new, resume with an (on $tag $label) per operation, and suspend", () => {
    // (the general path: with tail-resume, this `do` right in the handle calls its clause in place)
    const wat = printModule(runPipeline({ file: "h.links", text: deep }, { until: "codegen", check: true, without: ["tail-resume"] }) as WasmModule, false);
    expect(wat).toMatch(/\(cont\.new \$KCont \(ref\.func \$fn:handlee_\d+\)\)/);
    expect(wat).toMatch(/\(resume \$KCont \(on \$op0 \$on\d+\)/);
    expect(wat).toMatch(/\(suspend \$op0\)/);
    expect(wat).toMatch(/\(tag \$op0 \(param\) \(result eqref\)\) ;; Ask/);
    // its clause is direct: k(base) calls the handler function on the continuation, no box
    expect(wat).not.toMatch(/ContBox|\$resume/);
  });

  it("binds a handled computation's free variables with cont.bind", () => {
    const wat = printModule(upTo("fun f(n) { handle(do Ask + n) { case <Ask => k> -> k(1) } } f(4)", "codegen") as WasmModule, false);
    expect(wat).toMatch(/\(type \$Thunk0 \(func \(param i64 eqref\) \(result eqref\)\)\)/);
    expect(wat).toMatch(/\(cont\.bind \$KThunk0 \$KCont \(local\.get \$n\) \(cont\.new \$KThunk0/);
  });

  it("a clause whose k escapes resumes through a one-shot box", () => {
    const wat = printModule(upTo("handle(do Ask + 1) { case <Ask => k> -> var ks = [k]; hd(ks)(41) case x -> x }", "codegen") as WasmModule, false);
    expect(wat).toMatch(/\(struct\.new \$ContBox/);
  });

  it.each([
    [deep, "45 : Int\n"],
    [shallow, "6 : Int\n"],
    [param, "42 : Int\n"],
    // forwarding: Ask is not handled by the inner handler
    ["handle(handle(do Ask + do Tell) { case <Tell => k> -> k(1) }) { case <Ask => k> -> k(10) }", "11 : Int\n"],
    // a continuation stored in a data structure, taken out and resumed
    ["handle(do Ask + 1) { case <Ask => k> -> var ks = [k]; hd(ks)(41) case x -> x }", "42 : Int\n"],
    // direct clauses: k on one of two paths, k unused, k in a shallow handler, with parameters
    ["handle(do Ask + 1) { case <Ask => k> -> if (1 < 2) k(1) else k(2) case x -> x * 10 }", "20 : Int\n"],
    ["handle({ do Fail; 1 }) { case <Fail => k> -> 0 case x -> x }", "0 : Int\n"],
    ["shallowhandle(do Ask + do Ask) { case <Ask => k> -> handle(k(1)) { case <Ask => j> -> j(5) } }", "6 : Int\n"],
  ])("%s agrees with interp", (text, expected) => {
    const src = { file: "h.links", text };
    const ref = runSource(src, "interp");
    expect(ref.stdout).toBe(expected);
    expect(runSource(src, "wasmfx")).toEqual(ref);
  });

  it("unwinds a continuation a clause drops, with resume_throw (after cont.bind: V8 14.6 crashes without)", () => {
    const wat = printModule(upTo("handle({ do Fail; 1 }) { case <Fail => k> -> 0 case x -> x }", "codegen") as WasmModule, false);
    expect(wat).toMatch(/\(resume_throw \$KCont0 \$discard\s+\(cont\.bind \$KCont \$KCont0 \(ref\.null none\)/);
    expect(wat).toMatch(/\(try_table \(catch_all \$discarded\d+\)/);
  });

  // V8 does not reclaim the stack of a dropped continuation: without the discard, the first of
  // these exhausts its stack memory (measured: the process dies with "StackSegment Allocation
  // failed"); the others drop 500,000 each
  it.each([
    // k never used
    ["fun go(n, acc) { if (n == 0) acc else { var r = handle({ do Fail; 1 }) { case <Fail => k> -> 0 case x -> x }; go(n - 1, acc + r) } } go(1000000, 0)", "0 : Int\n"],
    // k used on one path only
    ["fun go(n, acc) { if (n == 0) acc else { var r = handle(do Ask(n) + 1) { case <Ask(m) => k> -> if (m mod 2 == 0) k(m) else 0 case x -> x }; go(n - 1, acc + r) } } go(1000000, 0)", "250001000000 : Int\n"],
    // in a shallow handler's clause
    ["fun go(n, acc) { if (n == 0) acc else { var r = handle(shallowhandle(do Ask(n) + 1) { case <Ask(m) => k> -> if (m mod 2 == 0) k(m) else 0 }) { case <Ask(m) => k> -> k(m) }; go(n - 1, acc + r) } } go(1000000, 0)", "250001000000 : Int\n"],
  ])("1,000,000 handled computations, half or all of them dropped: %s", (text, expected) => {
    expect(runSource({ file: "drop.links", text }, "wasmfx")).toEqual({ stdout: expected, stderr: "", exitCode: 0 });
  }, 60_000);

  it("a second resumption is the one-shot error, naming the operation", () => {
    const r = runSource({ file: "h.links", text: "handle(do Choose) { case <Choose => k> -> k(true) + k(false) case x -> if (x) 1 else 2 }" }, "wasmfx");
    expect(r.exitCode).toBe(1);
    expect(r.stderr.split("\n")[0]).toBe("h.links:1:53: runtime error: continuation resumed twice: the wasmfx backend supports one-shot continuations; run with --backend cps (operation Choose)");
  });
});

describe("an operation no handler handles (the top-level row is open, as in Links)", () => {
  beforeAll(() => prepareBackend("wasmfx"));
  it.each([
    ["at the top level", "{ do Foo }", "Foo", "u.links:1:3", "  ^^^^^^"],
    ["forwarded by a handler of another operation", "fun f() { do Boom(1) } handle (f()) { case <Bang => k> -> 0 }", "Boom", "u.links:1:11", "          ^^^^^^^^^^"],
    // one of several sites, in a function called from several places (the last `do` that ran)
    ["at the second of two sites", "fun g(x) { if (x > 7) do Bang else do Boom(x) } g(9) + g(3)", "Bang", "u.links:1:23", "                      ^^^^^^^"],
  ])("%s is a runtime error naming it and where it was performed, on every backend", (_what, text, op, at, caret) => {
    for (const backend of ["interp", "wasmfx", "cps"] as const) {
      const r = runSource({ file: "u.links", text }, backend);
      expect(r, backend).toEqual({ stdout: "", stderr: `${at}: runtime error: unhandled operation: ${op}\n  ${text}\n  ${caret}\n`, exitCode: 1 });
    }
  });

  it("a program whose handlers handle everything is unchanged by the top-level handler", () => {
    const src = { file: "h.links", text: "fun h1(m,h) { handle(m()) { case <Foo => k> -> h(fun() { k(()) },h1) case x -> x } } fun h2(m,h) { handle(m()) { case <Foo => k> -> h(fun() { k(()) },h2) case x -> x } } h1(fun(){42},h2)" };
    const ref = runSource(src, "interp");
    expect(ref.stdout).toBe("42 : Int\n");
    expect(runSource(src, "wasmfx")).toEqual(ref);
    expect(runSource(src, "cps")).toEqual(ref);
  });
});
