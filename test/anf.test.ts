// The anf pass: IR in (Links source through the front end) → ANF out, printed.
import { describe, expect, it } from "vitest";
import { runPipeline } from "../tools/compile-lib.js";
import { type AnfProgram, anfDef, compToSExp, validateAnf } from "../ir/anf.js";
import { skipPrelude } from "../ir/kit.js";
import { sexp } from "../ir/common.js";
import { PRIMITIVES } from "../prelude/primitives.js";

/** The user's part of the program after `anf`, printed on one line. */
function anfOf(text: string): string {
  const p = runPipeline({ file: "t.links", text }, { check: true, until: "anf" }) as AnfProgram;
  return sexp(compToSExp(skipPrelude(anfDef, p.body)), 10_000);
}

describe("anf", () => {
  it("names every intermediate result, left to right", () => {
    expect(anfOf("fun f(a, b) { a } f(1 + 2, 3 * 4)")).toBe(
      "(seq (letrec (f (lambda (a b) (return a)))) (let-app t (+ 1 2)) (let-app t_1 (* 3 4)) (tail-app f t t_1))");
  });
  it("binds a non-tail if with let-comp and keeps the tail call in tail position", () => {
    expect(anfOf("fun g(x) { x } var y = if (true) 1 else 2; g(y)")).toBe(
      "(seq (letrec (g (lambda (x) (return x)))) (let-comp y (if true (return 1) (return 2))) (tail-app g y))");
  });
  it("renames shadowed variables so every binder is unique", () => {
    expect(anfOf("var x = 1; var x = x + 1; x")).toBe("(seq (let x 1) (let-app x_1 (+ x 1)) (return x_1))");
  });
  it("turns data constructors into let-values over atoms", () => {
    expect(anfOf("[(a = 1, b = Foo(2))]")).toBe(
      "(seq (let t (con Foo 2)) (let t_1 (record (a 1) (b t))) (let t_2 nil) (let t_3 (cons t_1 t_2)) (return t_3))");
  });
  it("keeps handlers as computations with normalised bodies", () => {
    expect(anfOf("handle(do Get + 1) { case <Get => k> -> k(41) case x -> x }")).toBe(
      "(handle (seq (let-comp t (do Get)) (tail-app + t 1)) (params) (op Get () k (tail-app k 41)) (return x (return x)))");
  });
  it("keeps every atom typed and every binder unique in the whole program (prelude included)", () => {
    for (const text of ["map(fun(x) { x + 1 }, [1, 2, 3])", "fun f(x) { var y = x; var y = y; y } f(f(1))"]) {
      const p = runPipeline({ file: "t.links", text }, { until: "anf" }) as AnfProgram;
      expect(validateAnf(p, new Set(Object.keys(PRIMITIVES)))).toEqual([]);
    }
  });
});
