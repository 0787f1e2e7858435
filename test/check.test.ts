// `--check` catches broken passes: for each language of the ANF family, a pass is broken on
// purpose (a used binding dropped, a wrong representation, a form of another language, a binder
// bound twice, a process without its function, main without its scheduler) and the run with `check` fails with an internal error naming the pass, the
// binder and the problem. The broken pass is a research pass put in the pipeline the way a
// user's would be (Pipeline.then / optional), so the test also shows that way works.
import { describe, expect, it } from "vitest";
import { CompileError } from "../ir/common.js";
import * as K from "../ir/kit.js";
import { anfDef } from "../ir/anf.js";
import { closedDef } from "../ir/closed.js";
import { boxedDef } from "../ir/boxed.js";
import { handlersDef } from "../ir/handlers.js";
import { cpsDef } from "../ir/cps.js";
import { scheduledDef } from "../ir/scheduled.js";
import {
  type AnyPass, type Pass, anfPass, passesFor, boxPolyPass, closureConvertPass, cpsPass, desugarPass, extractHandlersPass, inferPass, markPurePass, parsePass, start,
} from "../passes/pipeline.js";
import { runPipeline } from "../tools/compile-lib.js";

const program = `fun f(x) { var y = x * 2; y + 1 } handle(f(do Ask)) { case <Ask => k> -> k(20) case v -> v }`;

/** c with the first node (pre-order) for which `edit` returns a replacement replaced. */
function rewriteFirst(def: K.LangDef, c: K.Node, edit: (x: K.Node) => K.Node | undefined): { out: K.Node; done: boolean } {
  const e = edit(c);
  if (e) return { out: e, done: true };
  let done = false;
  const out = K.formOf(def, c).map(c, (x) => {
    if (done) return x;
    const r = rewriteFirst(def, x, edit);
    done = r.done;
    return r.out;
  }, def);
  return { out, done };
}

type Prog = { functions?: { name: string; body: K.Node; prelude?: boolean }[]; main?: K.Node; body?: K.Node };
/** Apply `edit` to the first matching node of the user's code: its functions, then main (or the ANF body). */
function breakProgram(def: K.LangDef, edit: (x: K.Node) => K.Node | undefined) {
  return (p: Prog): Prog => {
    if (p.body) return { ...p, body: rewriteFirst(def, p.body, edit).out };
    let done = false;
    const functions = p.functions!.map((f) => {
      if (done || f.prelude) return f;
      const r = rewriteFirst(def, f.body, edit);
      done = r.done;
      return { ...f, body: r.out };
    });
    if (done) return { ...p, functions };
    // the cps backend's main is { cps } or { direct }
    const m = p.main as K.Node & { cps?: K.Node };
    return { ...p, functions, main: m.cps ? { cps: rewriteFirst(def, m.cps, edit).out } as never : rewriteFirst(def, m, edit).out };
  };
}

/** A let-value or let-apply whose variable is used after it: dropped (y in f). */
const dropUsed = (x: K.Node) => ((x.tag === "LetApp" || x.tag === "Let") && x.x.name === "y" ? x.body : undefined);
/** Bind y twice: a second let of it in front of its first. */
const bindTwice = (x: K.Node) => (x.tag === "LetApp" && x.x.name === "y" ? { ...x, body: { tag: "Let", x: { ...x.x }, value: x.fn.tag === "Var" ? { ...x.args[0] } : x.fn, body: x.body } } : undefined);

/** Run the front end, `through`, then the broken pass, with check; the error message. */
function checkError(through: AnyPass[], broken: AnyPass): string {
  try {
    runPipeline({ file: "t.links", text: program }, { check: true, passes: [...through, broken] });
  } catch (e) {
    expect(e).toBeInstanceOf(CompileError);
    expect((e as CompileError).kind).toBe("internal");
    return (e as CompileError).message;
  }
  throw new Error("check passed a broken pass");
}
const breaking = (name: string, lang: string, f: (p: Prog) => Prog): Pass<unknown, unknown> =>
  ({ name, from: lang, to: lang, description: "broken on purpose", run: (p) => f(p as Prog) });

const front = [parsePass, desugarPass, inferPass, anfPass] as AnyPass[];
const closed = [...front, closureConvertPass] as AnyPass[];
const boxed = [...closed, boxPolyPass] as AnyPass[];

describe("--check names the pass, the binder and the problem", () => {
  it("the unbroken pipeline passes check on both backends", () => {
    expect(() => runPipeline({ file: "t.links", text: program }, { check: true })).not.toThrow();
    expect(() => runPipeline({ file: "t.links", text: program }, { check: true, backend: "cps" })).not.toThrow();
  });

  it("ANF: a used binding dropped, a binder bound twice, a closure (a later language's form)", () => {
    expect(checkError(front, breaking("drop-y", "ANF", breakProgram(anfDef, dropUsed)))).toBe(
      "output of pass drop-y is not valid ANF:\n  program: y is not bound");
    expect(checkError(front, breaking("twice", "ANF", breakProgram(anfDef, bindTwice)))).toMatch(
      /^output of pass twice is not valid ANF:\n {2}program: y is bound more than once/);
    // a closure (Closed's form) in ANF
    const closure = (x: K.Node) => (x.tag === "LetApp" && x.x.name === "y" ? { tag: "Let", x: x.x, value: { tag: "Closure", fn: "f", captured: [] }, body: x.body } : undefined);
    expect(checkError(front, breaking("closure", "ANF", breakProgram(anfDef, closure)))).toMatch(/program: the value form Closure does not belong to ANF/);
  });

  it("Closed: a used binding dropped, a lambda (ANF's form) left", () => {
    expect(checkError(closed, breaking("drop-y", "Closed", breakProgram(closedDef, dropUsed)))).toBe(
      "output of pass drop-y is not valid Closed:\n  function f: y is not bound");
    const lam = (x: K.Node) => (x.tag === "LetApp" && x.x.name === "y" ? { tag: "Let", x: x.x, value: { tag: "Lam", params: [], body: { tag: "Return", atom: x.args[0] } }, body: x.body } : undefined);
    expect(checkError(closed, breaking("lambda", "Closed", breakProgram(closedDef, lam)))).toMatch(/function f: the value form Lam does not belong to Closed/);
  });

  it("Boxed: a used binding dropped, a wrong representation, a form of a later language", () => {
    expect(checkError(boxed, breaking("drop-y", "Boxed", breakProgram(boxedDef, dropUsed)))).toBe(
      "output of pass drop-y is not valid Boxed:\n  function f: y is not bound");
    const wrongRep = (x: K.Node) => (x.tag === "App" && x.args[0]?.name === "y" ? { ...x, args: [{ ...x.args[0], rep: "eq" }, ...x.args.slice(1)] } : undefined);
    expect(checkError(boxed, breaking("rep", "Boxed", breakProgram(boxedDef, wrongRep)))).toBe(
      "output of pass rep is not valid Boxed:\n  function f: y is bound as i64 but used as eq");
    const later = (x: K.Node) => (x.tag === "Handle" ? { tag: "ShallowHandle", thunk: { fn: "f", args: [] }, ops: [], ret: x.ret, rep: x.rep } : undefined);
    expect(checkError(boxed, breaking("later", "Boxed", breakProgram(boxedDef, later)))).toMatch(/main: the form ShallowHandle does not belong to Boxed/);
  });

  it("Handlers: an inline handle left (Boxed's form), a used binding dropped, a wrong representation", () => {
    const through = [...boxed, extractHandlersPass] as AnyPass[];
    const inline = (x: K.Node) => (x.tag === "HandleCall" ? { tag: "Handle", shallow: false, body: { tag: "Return", atom: x.thunk.args[0] ?? { tag: "Lit", lit: { kind: "Int", value: 1n }, rep: "i64" } }, params: [], ops: [], ret: { pat: { tag: "PAny" }, body: { tag: "Return", atom: { tag: "Lit", lit: { kind: "Int", value: 1n }, rep: "i64" } } }, rep: x.rep } : undefined);
    expect(checkError(through, breaking("inline", "Handlers", breakProgram(handlersDef, inline)))).toMatch(/main: the form Handle does not belong to Handlers/);
    expect(checkError(through, breaking("drop-y", "Handlers", breakProgram(handlersDef, dropUsed)))).toBe(
      "output of pass drop-y is not valid Handlers:\n  function f: y is not bound");
    const wrongRep = (x: K.Node) => (x.tag === "App" && x.args[0]?.name === "y" ? { ...x, args: [{ ...x.args[0], rep: "f64" }, ...x.args.slice(1)] } : undefined);
    expect(checkError(through, breaking("rep", "Handlers", breakProgram(handlersDef, wrongRep)))).toBe(
      "output of pass rep is not valid Handlers:\n  function f: y is bound as i64 but used as f64");
  });

  it("CPS: a used binding dropped, a direct-style call left, a push with a wrong representation", () => {
    const through = [...boxed, markPurePass, cpsPass] as AnyPass[];
    expect(checkError(through, breaking("drop-y", "CPS", breakProgram(cpsDef, dropUsed)))).toBe("output of pass drop-y is not valid CPS:\n  function f%cps: y is not bound");
    // a direct-style tail call (Boxed's App) left in CPS code, where every call is a jump
    const app = (x: K.Node) => (x.tag === "Jump" ? { ...x, tag: "App", rep: "eq" } : undefined);
    const inFrames = (p: Prog & { frames?: { body: K.Node }[] }) => ({ ...p, frames: p.frames!.map((fr) => ({ ...fr, body: rewriteFirst(cpsDef, fr.body, app).out })) });
    expect(checkError(through, breaking("app", "CPS", inFrames))).toMatch(/frame [^:]+: the form App does not belong to CPS/);
    const badRep = (x: K.Node) => (x.tag === "Push" && x.captured.length > 0 ? { ...x, captured: [{ ...x.captured[0], rep: "f64" }] } : undefined);
    expect(checkError(through, breaking("push", "CPS", breakProgram(cpsDef, badRep)))).toMatch(/is bound as \w+ but used as f64/);
  });

  it("Scheduled: a receive left inline, a spawn of no function, main without its scheduler", () => {
    const actors = "fun serve() { receive { case n -> n + 1 } } var p = spawn { serve() }; p ! 1";
    const through = passesFor("wasmfx").slice(0, passesFor("wasmfx").findIndex((q) => q.name === "synthesize-scheduler") + 1);
    const error = (broken: AnyPass) => {
      try { runPipeline({ file: "a.links", text: actors }, { check: true, passes: [...through, broken] }); } catch (e) { return (e as CompileError).message; }
      throw new Error("check passed a broken pass");
    };
    const recv = (x: K.Node) => (x.tag === "LetApp" && x.fn.name === "recv" ? { tag: "Receive", clauses: x.body.clauses, rep: x.body.rep } : undefined);
    expect(error(breaking("receive", "Scheduled", breakProgram(scheduledDef, recv)))).toMatch(/function serve[^:]*: the form Receive does not belong to Scheduled/);
    const spawnNothing = (x: K.Node) => (x.tag === "Spawn" ? { ...x, thunk: { fn: "nowhere", args: [] } } : undefined);
    expect(error(breaking("spawn", "Scheduled", breakProgram(scheduledDef, spawnNothing)))).toMatch(/spawn of unknown function nowhere/);
    const noScheduler = (p: Prog): Prog => ({ ...p, main: { tag: "Return", atom: { tag: "Lit", lit: { kind: "Unit" }, rep: "unit" } } });
    expect(error(breaking("unscheduled", "Scheduled", noScheduler))).toMatch(/main: the scheduler level several needs exactly one schedule, found 0/);
  });

  it("a pipeline composes only passes whose languages meet (a tsc error otherwise)", () => {
    const ok = start(parsePass).then(desugarPass).then(inferPass);
    // @ts-expect-error box-poly takes Closed, not TypedCore
    expect(() => ok.then(boxPolyPass)).not.toThrow();
    expect(ok.passes().map((p) => p.name)).toEqual(["parse", "desugar", "infer"]);
  });
});
