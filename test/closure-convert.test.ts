// The closure-convert pass: Links source through anf → Closed, printed.
import { describe, expect, it } from "vitest";
import { runPipeline } from "../tools/compile-lib.js";
import { type ClosedProgram, printClosed, validateClosed } from "../ir/closed.js";
import { PRIMITIVES } from "../prelude/primitives.js";

const closed = (text: string) => runPipeline({ file: "t.links", text }, { check: true, until: "closure-convert" }) as ClosedProgram;
const fn = (p: ClosedProgram, name: string) => p.functions.find((f) => f.name === name)!;

describe("closure-convert", () => {
  it("lifts a lambda with the variables it captures; closed functions capture nothing", () => {
    const p = closed("fun add(n) { fun(x) { x + n } } add(1)(2)");
    expect(fn(p, "add").captured).toEqual([]);
    expect(fn(p, "t").captured.map((b) => b.name)).toEqual(["n"]);
    expect(printClosed(p)).toContain("(define (t x) (captures n) (tail (+ x n)))");
  });
  it("makes calls to known functions direct, and calls through values generic", () => {
    const out = printClosed(closed("fun twice(f, x) { f(f(x)) } fun inc(x) { x + 1 } twice(inc, 1)"));
    expect(out).toContain("(define (twice f x) (captures) (seq (let-app t (f x)) (tail (f t))))");
    expect(out).toContain("(tail (call twice inc 1))");
  });
  it("captures a non-closed function's closure but not a closed one's", () => {
    const p = closed("fun outer(k) { fun helper(y) { y + k } fun user(z) { helper(z) + inc(z) } user(1) } fun inc(x) { x + 1 } outer(5)");
    expect(fn(p, "user").captured.map((b) => b.name)).toEqual(["helper"]);
    expect(printClosed(p)).toMatch(/\(let-app t(_\d+)? \(call helper z\)\)/);
  });
  it("keeps mutually recursive groups as letrec of closures", () => {
    const out = printClosed(closed("fun f(n) { mutual { fun ev(x) { if (x == 0) true else od(x - 1) } fun od(x) { if (x == 0) n > 0 else ev(x - 1) } } ev(n) } f(4)"));
    expect(out).toContain("(letrec (ev (closure ev od)) (od (closure od n ev)))");
    expect(out).toContain("(captures n ev)");
  });
  it("produces valid Closed for every example and the prelude", () => {
    for (const text of ["map(fun(x) { x * 2 }, [1, 2])", "handle(do Get) { case <Get => k> -> k(1) }"]) {
      expect(validateClosed(closed(text), new Set(Object.keys(PRIMITIVES)))).toEqual([]);
    }
  });
});
