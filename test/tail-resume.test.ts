// tail-resume (passes/tail-resume.ts): which clauses it marks in place, on each backend's
// language; the validators; and the backends running in-place operations (codegen-evidence.ts on
// wasmfx, cps-codegen.ts on cps) agreeing with the interpreter on programs that mix in-place
// clauses with forwarding, shadowing, shallow and parameterised handlers, escaping and multishot
// continuations, clauses that drop k, and clauses that perform.
import { beforeAll, describe, expect, it } from "vitest";
import { type ThreadedProgram, printThreaded, validateThreadedHandlers } from "../ir/handlers.js";
import { type CpsProgram, printCps, validateCps } from "../ir/cps.js";
import { printModule, type WasmModule } from "../ir/wasm.js";
import { prepareBackend, runPipeline, runSource } from "../tools/compile-lib.js";
import { compileWasm } from "../backends/wasmfx/index.js";
import { pipelines } from "../passes/pipeline.js";

const upTo = (text: string, until: string, backend?: "cps") => runPipeline({ file: "t.links", text }, { until, check: true, backend });

/** Each deep handler clause of the program as `Op:in-place` or `Op:general`, on wasmfx's and on cps's language (they must agree). */
function marks(text: string): string[] {
  const t = upTo(text, "tail-resume") as ThreadedProgram;
  expect(validateThreadedHandlers(t)).toEqual([]);
  const wasmfx = t.handlers.flatMap((h) => h.ops.map((o) => `${o.op}:${o.inPlace ? "in-place" : "general"}`));
  const c = upTo(text, "tail-resume", "cps") as CpsProgram;
  expect(validateCps(c)).toEqual([]);
  const cps = c.handlers.filter((h) => !h.prelude && !h.shallow).flatMap((h) => h.ops.map((o) => `${o.op}:${o.inPlace ? "in-place" : "general"}`));
  expect(cps.sort()).toEqual([...wasmfx].sort());
  return wasmfx.sort();
}
const under = (clauses: string, body = "do Op(1)") => `handle(${body}) { ${clauses} case x -> x }`;

describe("tail-resume: the marking", () => {
  it("is optional, after direct-resume on wasmfx and after cps on cps", () => {
    const names = (p: keyof typeof pipelines) => pipelines[p].steps.map((s) => `${s.pass.name}${s.kind === "optional" ? "?" : ""}`);
    expect(names("wasmfx")).toEqual(expect.arrayContaining(["direct-resume?", "tail-resume?"]));
    expect(names("wasmfx").indexOf("tail-resume?")).toBe(names("wasmfx").indexOf("direct-resume?") + 1);
    expect(names("cps").slice(-3)).toEqual(["cps", "tail-resume?", "cps-codegen"]);
  });

  it("marks clauses that resume once, in tail position, performing nothing before", () => {
    expect(marks(under("case <Op(x) => k> -> k(x + 1)"))).toEqual(["Op:in-place"]);
    expect(marks(under("case <Op(x) => k> -> if (x > 0) k(x) else k(0 - x)"))).toEqual(["Op:in-place"]);
    expect(marks(under("case <Op(x) => k> -> switch (x) { case 1 -> k(10) case _ -> k(20) }"))).toEqual(["Op:in-place"]);
    // pure calls before the resumption are fine, through known functions too
    expect(marks(`fun sq(n) { n * n } ${under("case <Op(x) => k> -> var y = sq(x); k(y + length([1, 2]))")}`)).toEqual(["Op:in-place"]);
  });

  it("parameterised handlers: k(v, s1) in tail position sets the parameter", () => {
    expect(marks("handle({ do Put(do Get + 1); do Get })(s <- 41) { case <Get => k> -> k(s, s) case <Put(p) => k> -> k((), p) case x -> x }"))
      .toEqual(["Get:in-place", "Put:in-place"]);
  });

  it("leaves a clause general when k is stored, called twice, not in tail position, or followed by more work", () => {
    expect(marks(under("case <Op(x) => k> -> var ks = [k]; hd(ks)(x)"))).toEqual(["Op:general"]);
    expect(marks(under("case <Op(x) => k> -> k(x) + k(x)"))).toEqual(["Op:general"]);
    expect(marks(under("case <Op(x) => k> -> k(x) + 1"))).toEqual(["Op:general"]);
    expect(marks(under("case <Op(x) => k> -> var y = k(x); y * 2"))).toEqual(["Op:general"]);
    expect(marks(under("case <Op(x) => k> -> (fun(v) { k(v) })(x)"))).toEqual(["Op:general"]);
    // a path that drops k, or k not a variable
    expect(marks(under("case <Op(x) => k> -> if (x > 0) k(x) else 0"))).toEqual(["Op:general"]);
    expect(marks(under("case <Op(x) => _> -> 0"))).toEqual(["Op:general"]);
  });

  it("leaves a clause general when it performs, handles or calls what may perform before resuming", () => {
    expect(marks(`handle(${under("case <Op(x) => k> -> k(do Ask + x)")}) { case <Ask => k> -> k(1) }`)).toEqual(["Ask:in-place", "Op:general"]);
    expect(marks(`fun ask() { do Ask } handle(${under("case <Op(x) => k> -> k(ask() + x)")}) { case <Ask => k> -> k(1) }`)).toEqual(["Ask:in-place", "Op:general"]);
    expect(marks(under("case <Op(x) => k> -> k(handle(x) { case r -> r })"))).toEqual(["Op:general"]);
    expect(marks(`fun app(f, x) { f(x) } ${under("case <Op(x) => k> -> k(app(fun(y) { y }, x))")}`)).toEqual(["Op:general"]);
  });

  it("marks an operation only when every clause of it in the handler qualifies", () => {
    expect(marks(under("case <Op(0) => k> -> k(1) case <Op(x) => k> -> k(x) + 1"))).toEqual(["Op:general", "Op:general"]);
    expect(marks(under("case <Op(0) => k> -> k(1) case <Op(x) => k> -> k(x)"))).toEqual(["Op:in-place", "Op:in-place"]);
  });

  it("never marks a shallow handler's clauses (the handler is gone once it resumes)", () => {
    const t = upTo("shallowhandle(do Op(1)) { case <Op(x) => k> -> k(x) case x -> x }", "tail-resume") as ThreadedProgram;
    expect(JSON.stringify(t.main)).not.toMatch(/inPlace/);
    const c = upTo("shallowhandle(do Op(1)) { case <Op(x) => k> -> k(x) case x -> x }", "tail-resume", "cps") as CpsProgram;
    expect(c.handlers.filter((h) => h.shallow).flatMap((h) => h.ops.filter((o) => o.inPlace))).toEqual([]);
  });

  it("on wasmfx, marks nothing where processes switch stacks (their handler chains would need saving per process)", () => {
    const text = `fun f() { ${under("case <Op(x) => k> -> k(x)")} } var p = spawn { f() }; f()`;
    const t = upTo(text, "tail-resume") as ThreadedProgram;
    expect(t.handlers.flatMap((h) => h.ops.filter((o) => o.inPlace))).toEqual([]);
    const c = upTo(text, "tail-resume", "cps") as CpsProgram;
    expect(c.handlers.filter((h) => !h.prelude).flatMap((h) => h.ops.filter((o) => o.inPlace).map((o) => o.op))).toEqual(["Op"]);
  });

  it("prints in-place clauses as (in-place k), and --without tail-resume marks none", () => {
    const text = under("case <Op(x) => k> -> k(x)");
    expect(printThreaded(upTo(text, "tail-resume") as ThreadedProgram)).toMatch(/\(op Op \(x:i64\) \(in-place k:closure\) \(seq .*\(tail \(k /);
    expect(printCps(upTo(text, "tail-resume", "cps") as CpsProgram)).toMatch(/\(op Op \(x:i64\) \(in-place k:closure\) \(seq .*\(jump \(k /);
    expect(printThreaded(upTo(text, "direct-resume") as ThreadedProgram)).toMatch(/\(op Op \(x:i64\) \(direct k:closure\)/);
    const t = runPipeline({ file: "t.links", text }, { until: "synthesize-scheduler", without: ["tail-resume"] }) as ThreadedProgram;
    expect(JSON.stringify(t.handlers)).not.toMatch(/inPlace/);
  });

  it("the validators reject a clause marked in place that does not deserve it", () => {
    const t = upTo(under("case <Op(x) => k> -> k(x) + 1"), "tail-resume") as ThreadedProgram;
    t.handlers[0]!.ops[0]!.inPlace = true;
    expect(validateThreadedHandlers(t).join("\n")).toMatch(/Op is marked in-place but/);
    const c = upTo(under("case <Op(x) => k> -> k(x) + 1"), "tail-resume", "cps") as CpsProgram;
    c.handlers.find((h) => !h.prelude)!.ops[0]!.inPlace = true;
    expect(validateCps(c).join("\n")).toMatch(/Op is marked in-place but/);
  });
});

// ---------------------------------------------------------------- the backends against interp
const programs: [string, string][] = [
  ["state, parameterised (countdown)", `
    fun loop() { var i = do Get; if (i == 0) i else { do Set(i - 1); loop() } }
    fun run(n) { handle(loop())(s <- n) { case <Get => k> -> k(s, s) case <Set(x) => k> -> k((), x) case x -> x } }
    (run(1000), run(0))`],
  ["state, deep, with a state closure (k inside a function: general)", `
    fun count(n) { var i = do Get; if (i >= n) i else { do Put(i + 1); count(n) } }
    (handle(count(10)) {
      case <Get => k> -> fun(s) { k(s)(s) }
      case <Put(p) => k> -> fun(_) { k(())(p) }
      case x -> fun(_) { x }
    })(3)`],
  ["reader, and state printing from a clause", `
    fun f(n) { if (n == 0) 0 else do Ask + f(n - 1) }
    handle(handle({ var a = f(5); do Log("a"); do Log("b"); a })(seen <- "") {
      case <Log(m) => k> -> print(m); k((), seen ^^ m)
      case r -> (r, seen)
    }) { case <Ask => k> -> k(7) case r -> r }`],
  ["forwarding through an inner handler of another operation", `
    handle(handle({ var a = do Get; do Tell(a); do Set(a * 2); do Tell(do Get); do Get })(log <- []) {
      case <Tell(x) => k> -> k((), x :: log)
      case r -> (r, log)
    })(s <- 5) { case <Get => k> -> k(s, s) case <Set(x) => k> -> k((), x) case r -> r }`],
  ["an inner general handler of the same operation hides an outer in-place one", `
    handle((handle(do Ask + do Ask) { case <Ask => k> -> var y = k(1); y * 10 }, do Ask))
      { case <Ask => k> -> k(100) }`],
  ["an inner in-place handler of the same operation hides an outer general one", `
    handle((handle(do Ask + do Ask) { case <Ask => k> -> k(1) }, do Ask))
      { case <Ask => k> -> var y = k(100); y }`],
  ["a clause that performs (general) an operation handled in place outside", `
    handle(handle(do Op(1) + do Op(2)) { case <Op(x) => k> -> k(do Get + x) })(s <- 10) {
      case <Get => k> -> k(s, s + 1)
      case r -> (r, s)
    }`],
  ["a general clause that performs an operation handled by a general handler outside (a stack switch from the clause), next to an in-place clause", `
    handle(handle(do Op(1) + do Ask + do Op(2)) { case <Op(x) => k> -> k(do Big(x)) case <Ask => k> -> k(5) }) {
      case <Big(x) => k> -> var y = k(x * 1000); y + 1
    }`],
  ["escaping continuations mixed with in-place clauses, resumed under another handler", `
    fun comp() { var x = do Get; var y = do Pause(x); do Set(y); do Log(do Get); do Get + x }
    handle(handle(comp())(s <- 1) {
        case <Get => k> -> k(s, s)
        case <Set(v) => k> -> k((), v)
        case <Pause(x) => k> -> handle(k(x + 100, s + 1))(acc <- 0) { case <Log(v) => j> -> j((), acc + v) case r -> r + acc * 1000 }
        case r -> r
      }) { case <Log(v) => k> -> k(()) case r -> r }`],
  ["an escaping continuation resumed after its handler returned, under another in-place handler of what it performs", `
    fun comp() { var x = do Get; var y = do Pause(x); do Log(y); do Get + y }
    var f = handle(handle(comp())(s <- 1) {
        case <Get => k> -> k(s, s)
        case <Pause(x) => k> -> fun() { var g = k(x + 100, s + 1); g() }
        case r -> fun() { r }
      }) { case <Log(v) => k> -> k(()) case r -> r };
    handle(f())(acc <- 0) { case <Log(v) => k> -> k((), acc + v) case r -> r + acc * 1000 }`],
  ["a continuation stored in a list and resumed, in a handler with in-place clauses", `
    handle({ var a = do Get; var b = do Save(a); do Set(b); do Get + a })(s <- 2) {
      case <Get => k> -> k(s, s)
      case <Set(x) => k> -> k((), x)
      case <Save(x) => k> -> var ks = [k]; hd(ks)(x * 10, s)
      case r -> r
    }`],
  ["a generator (shallow handler) whose body uses an in-place handler outside", `
    fun gen(n) { if (n > 0) { do Yield(n * do Ask); gen(n - 1) } else () }
    fun sum(f) { shallowhandle(f()) { case <Yield(x) => k> -> x + sum(fun() { k(()) }) case () -> 0 } }
    handle(sum(fun() { gen(4) })) { case <Ask => k> -> k(3) }`],
  ["a generator resumed later, the shallow handler's body itself installing an in-place handler", `
    fun walk(xs) { switch (xs) { case [] -> () case x :: rest -> do Yield(x + do Ask); walk(rest) } }
    fun collect(f, acc) { shallowhandle(f()) { case <Yield(x) => k> -> collect(fun() { k(()) }, x :: acc) case () -> acc } }
    collect(fun() { handle(walk([1, 2, 3])) { case <Ask => k> -> k(10) } }, [])`],
  ["an exception-like clause (drops k) next to in-place clauses", `
    fun safeDiv(a, b) { if (b == 0) do Fail else a / b }
    fun run(xs) { handle({ var t = do Get; var r = safeDiv(100, t); do Set(t - 1); r })(s <- xs) {
      case <Get => k> -> k(s, s)
      case <Set(x) => k> -> k((), x)
      case <Fail => k> -> -1
      case r -> r } }
    (run(4), run(0))`],
  // a function tests the innermost handler once per run (codegen-evidence's and cps-inplace's
  // innermostIs): these change it between runs, and within one (a handler installed after a do)
  ["one function run under different in-place handlers, and outside them", `
    fun g() { do Get + do Get }
    handle(handle(g())(s <- 10) { case <Get => k> -> k(s, s + 1) case r -> r } + g() + g())(s <- 1) {
      case <Get => k> -> k(s, s * 2) case r -> (r, s) }`],
  ["a function that performs, installs a handler of the same operation in place, then performs again", `
    fun f() { var a = do Get; var b = handle({ do Get + 100 })(s <- 5) { case <Get => k> -> k(s, s) case x -> x }; a + b + do Get }
    handle(f() + f())(s <- 1) { case <Get => k> -> k(s, s + 1) case x -> (x, s) }`],
  ["a recursive function whose runs alternate between two in-place handlers", `
    fun h(n, f) { if (n == 0) 0 else handle(f(n) + h(n - 1, f))(s <- n) { case <Get => k> -> k(s, s) case x -> x } }
    fun w(n) { do Get * n + do Get }
    handle(h(6, w) + w(2))(s <- 1000) { case <Get => k> -> k(s, s + 1) case x -> x }`],
  // a self tail call loops (passes/codegen-tail-loop.ts), past the prologue's test of the
  // innermost handler only when that cannot change
  ["a tail-recursive function whose self calls swap its parameters, performing in place", `
    fun f(a, b, n) { if (n == 0) (a, b, do Get) else { do Set(do Get + a); f(b, a + b, n - 1) } }
    handle(f(1, 2, 20))(s <- 0) { case <Get => k> -> k(s, s) case <Set(x) => k> -> k((), x) case r -> r }`],
  ["a function that calls itself inside a handler it installs, under an outer one of the same operation", `
    fun f(n) { var a = do Get; var b = do Get; if (n == 0) a * b else handle(f(n - 1))(s <- n * 10) { case <Get => k> -> k(s, s + 1) case x -> x + a + b } }
    handle(f(5) + do Get)(s <- 1) { case <Get => k> -> k(s, s * 3) case x -> (x, s) }`],
  // a do right in a deep handle's computation knows its handler statically (FnCtx.knownHandler)
  ["dos right in the handled computation, around a call, a nested handler of the same operation and a suspension to an outer handler", `
    fun g() { do Ask + 1 }
    handle(handle({ var a = do Ask; var b = g(); var c = handle(do Ask * 2)(s <- 100) { case <Ask => k> -> k(s, s + 1) case x -> x };
        var d = do Other(a); a + b + c + d + do Ask })(s <- 1) { case <Ask => k> -> k(s, s + 10) case x -> (x, s) })
      { case <Other(x) => k> -> var r = k(x * 1000); r }`],
  ["a do right in the handled computation after its continuation escaped and was resumed later", `
    var f = handle(handle({ var a = do Ask; var x = do Pause(a); a + x + do Ask })(s <- 1) {
        case <Ask => k> -> k(s, s + 1) case r -> fun() { r } }) {
      case <Pause(v) => k> -> fun() { var g = k(v * 10); g() } case r -> r };
    handle(f() + do Ask)(s <- 7) { case <Ask => k> -> k(s, s) case r -> r }`],
  ["nested in-place handlers of different operations, and a do deep in recursion", `
    fun deep(n) { if (n == 0) do Get + do Ask else 1 + deep(n - 1) }
    handle(handle(deep(50))(s <- 3) { case <Get => k> -> k(s, s) case r -> r }) { case <Ask => k> -> k(4) }`],
];

describe("the backends run in-place clauses as interp runs them", () => {
  beforeAll(() => prepareBackend("wasmfx"));

  it.each(programs)("%s", (_, text) => {
    const src = { file: "t.links", text };
    const ref = runSource(src, "interp");
    expect(ref.exitCode, ref.stderr).toBe(0);
    expect(runSource(src, "wasmfx")).toEqual(ref);
    expect(runSource(src, "cps")).toEqual(ref);
    expect(runSource(src, "cps", { without: ["mark-pure"] })).toEqual(ref);
    expect(runSource(src, "wasmfx", { without: ["tail-resume"] })).toEqual(ref);
  });

  it("multishot on cps mixed with in-place clauses: each resumption gets its own parameters", () => {
    const text = `
      fun body() { var a = do Get; do Set(a + 1); var c = do Choose; do Set(do Get * 10); if (c) do Get + 1 else do Get + 2 }
      handle(body())(s <- 1) {
        case <Get => k> -> k(s, s)
        case <Set(x) => k> -> k((), x)
        case <Choose => k> -> k(true, s) + k(false, s)
        case r -> r
      }`;
    const src = { file: "t.links", text };
    const ref = runSource(src, "interp");
    expect(ref.stdout).toBe("43 : Int\n");
    expect(runSource(src, "cps")).toEqual(ref);
    expect(runSource(src, "cps", { without: ["tail-resume"] })).toEqual(ref);
  });

  it("multishot on cps through an in-place state handler between the do and the handler resuming twice (copies share no state)", () => {
    const text = `
      fun body() { do Set(1); var c = do Choose; do Set(do Get + (if (c) 10 else 100)); do Get }
      handle(handle(body())(s <- 0) { case <Get => k> -> k(s, s) case <Set(x) => k> -> k((), x) case r -> r }) {
        case <Choose => k> -> k(true) + k(false)
      }`;
    const src = { file: "t.links", text };
    const ref = runSource(src, "interp");
    expect(ref.stdout).toBe("112 : Int\n");
    expect(runSource(src, "cps")).toEqual(ref);
    expect(runSource(src, "cps", { without: ["mark-pure"] })).toEqual(ref);
  });
});

describe("cps: a handler's parameters in its frame or in a cell, with multishot resumptions copying the frame", () => {
  beforeAll(() => prepareBackend("cps"));
  // a parameter that needs no box (a list): in the frame itself (cps-inplace's inFrame); an Int, a Float, or two: a cell
  it.each([
    ["two parameters (a cell)", `
      fun body() { do Set(1); var c = do Choose; do Set(do Get + (if (c) 10 else 100)); do Get }
      handle(handle(body())(s <- 0, t <- 0.5) { case <Get => k> -> k(s, s, t *. 2.0) case <Set(x) => k> -> k((), x, t +. 1.0) case r -> (r, t) }) {
        case <Choose => k> -> k(true) ++ [(0, 0.0)] ++ k(false)
        case r -> [r]
      }`, "[(11, 8.0), (0, 0.0), (101, 8.0)] : [(Int, Float)]\n"],
    ["an Int parameter past 31 bits (a cell)", `
      fun body() { do Set(4000000000); var c = do Choose; do Set(do Get * (if (c) 3 else 5)); do Get }
      handle(handle(body())(s <- 0) { case <Get => k> -> k(s, s) case <Set(x) => k> -> k((), x) case r -> r }) {
        case <Choose => k> -> k(true) + k(false)
      }`, "32000000000 : Int\n"],
    ["a Float parameter (a cell)", `
      fun body() { do Set(1.5); var c = do Choose; do Set(do Get +. (if (c) 10.0 else 100.0)); do Get }
      handle(handle(body())(s <- 0.0) { case <Get => k> -> k(s, s) case <Set(x) => k> -> k((), x) case r -> r }) {
        case <Choose => k> -> k(true) +. k(false)
      }`, "113.0 : Float\n"],
    ["a list parameter (in the frame)", `
      fun body() { do Push(1); var c = do Choose; do Push(if (c) 10 else 100); do Get }
      handle(handle(body())(s <- []) { case <Get => k> -> k(s, s) case <Push(x) => k> -> k((), x :: s) case r -> r }) {
        case <Choose => k> -> k(true) ++ k(false)
      }`, "[10, 1, 100, 1] : [Int]\n"],
  ])("%s", (_, text, out) => {
    const src = { file: "t.links", text };
    const ref = runSource(src, "interp");
    expect(ref.stdout).toBe(out);
    expect(runSource(src, "cps")).toEqual(ref);
    expect(runSource(src, "cps", { without: ["tail-resume"] })).toEqual(ref);
  });
});

describe("code generation of in-place operations", () => {
  beforeAll(() => prepareBackend("wasmfx"));
  const countdown = "fun loop() { var i = do Get; if (i == 0) i else { do Set(i - 1); loop() } } handle(loop())(s <- 10) { case <Get => k> -> k(s, s) case <Set(x) => k> -> k((), x) case x -> x }";

  it("wasmfx: a do asks the chain of handler nodes first; suspend is left for the other paths", () => {
    const wat = printModule(upTo(countdown, "codegen") as WasmModule, false);
    expect(wat).toMatch(/\(call \$ev_perform \(i32\.const \d+\)/);
    expect(wat).toMatch(/\(func \$handler_\d+\$ip\d+ \(type \$IPFn\)/);
    expect(wat).toMatch(/\(type \$N:handler_\d+ \(sub final \$Node \(struct .*\(field \(mut i64\)\)\)\)\)/);
    expect(wat).toMatch(/\(suspend \$op\d+/);
  });

  it("wasmfx: a program with no in-place clause is compiled as before (no chain)", () => {
    const text = "handle(do Ask + 1) { case <Ask => k> -> var y = k(1); y * 2 }";
    const wat = printModule(upTo(text, "codegen") as WasmModule, false);
    expect(wat).not.toMatch(/\$node|ev_perform/);
    const without = printModule(runPipeline({ file: "t.links", text }, { until: "codegen", without: ["tail-resume"] }) as WasmModule, false);
    expect(wat).toBe(without);
  });

  it("cps: a do tries the innermost handler frame's in-place clause, then $ip_perform, then $perform", () => {
    const wat = printModule(upTo(countdown, "cps-codegen", "cps") as WasmModule, false);
    expect(wat).toMatch(/\(call \$ip_perform/);
    expect(wat).toMatch(/\(return_call \$perform/);
    expect(wat).toMatch(/\(func \$[^ ]+\$ip\d+ \(type \$IPFn\)/);
  });

  it("cps: a self tail call loops back past the prologue when the handler frames stay, before it when they change", () => {
    const fn = (wat: string, name: string) => { const at = wat.indexOf(`(func $fn:${name} `); return wat.slice(at, wat.indexOf("\n  (func ", at + 1)); };
    const loop = fn(printModule(upTo(countdown, "cps-codegen", "cps") as WasmModule, false), "loop");
    expect(loop).not.toMatch(/\(return_call \$fn:loop /);
    // the test of the innermost frame (struct.get $HFrame 0) comes before the loop
    expect(loop.indexOf("(struct.get $HFrame 0")).toBeGreaterThan(0);
    expect(loop.indexOf("(struct.get $HFrame 0")).toBeLessThan(loop.indexOf("(loop $self"));
    const nested = fn(printModule(upTo(programs.find(([n]) => n.startsWith("a function that calls itself inside"))![1], "cps-codegen", "cps") as WasmModule, false), "f");
    expect(nested.indexOf("(loop $self")).toBeGreaterThan(0);
    expect(nested.indexOf("(loop $self")).toBeLessThan(nested.indexOf("(struct.get $HFrame 0"));
  });

  it("wasmfx: a do right in a deep handle's computation calls the clause, with no test and no other path", () => {
    const wat = printModule(upTo("handle(do Ask + do Ask)(s <- 1) { case <Ask => k> -> k(s, s + 1) case x -> x }", "codegen") as WasmModule, false);
    const at = wat.indexOf("(func $fn:handlee_");
    const handlee = wat.slice(at, wat.indexOf("\n  (func ", at + 1));
    expect(handlee.match(/\(call \$handler_\d+\$ip\d+\$\d+/g)).toHaveLength(2);
    expect(handlee).not.toMatch(/ev_perform|suspend|br_on_cast/);
  });

  it("countdown's loop allocates nothing on wasmfx once optimised, but on the general path", () => {
    const { wat } = compileWasm(upTo(countdown, "codegen") as WasmModule, { text: true });
    const start = wat!.indexOf("(func $fn:loop ");
    const loop = wat!.slice(start, wat!.indexOf("\n (func ", start + 1));
    // the self tail call is a loop, past the once-per-run test of the innermost node
    expect(loop).not.toMatch(/\(return_call \$fn:loop/);
    expect(loop).toMatch(/\(br_on_cast [^]*\(loop \$self\d+ [^]*\(br \$self\d+\)/);
    // the clauses are inlined, and the box of Get's value met its unboxing and went
    expect(loop).not.toMatch(/\(call \$handler_\d+\$ip/);
    // the one allocation left: Set's argument, boxed for `$ev_perform` and `suspend` only
    expect(loop.match(/\(struct\.new /g)).toHaveLength(1);
    expect(loop).toMatch(/\(call \$ev_perform\s+\(i32\.const 1\)\s+\(local\.tee \$\d+\s+\(if \(result \(ref eq\)\)[^]*?\(struct\.new /);
  });
});
