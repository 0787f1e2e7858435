// The box-poly pass: representations from types, coercions only at the boundaries.
import { describe, expect, it } from "vitest";
import { runPipeline } from "../tools/compile-lib.js";
import { type BoxedProgram, printBoxed, validateBoxed } from "../ir/boxed.js";

const boxed = (text: string) => runPipeline({ file: "t.links", text }, { check: true, until: "box-poly" }) as BoxedProgram;
const define = (p: BoxedProgram, name: string) => {
  const out = printBoxed(p);
  const i = out.indexOf(`(define\n    (${name} `) >= 0 ? out.indexOf(`(define\n    (${name} `) : out.indexOf(`(define (${name} `);
  return out.slice(i, out.indexOf("\n  (define", i + 1) > 0 ? out.indexOf("\n  (define", i + 1) : out.indexOf("\n  (main", i));
};

describe("box-poly", () => {
  it("keeps monomorphic code unboxed: Int as i64, Bool as i32, comparisons specialised", () => {
    const f = define(boxed("fun loop(i, acc) { if (i == 0) acc else loop(i - 1, acc + 1) } loop(10, 0)"), "loop");
    expect(f).toContain("(loop i:i64 acc:i64)");
    expect(f).toContain("(returns i64)");
    expect(f).toContain("(let-app t:i32 (== i 0))");
    expect(f).not.toMatch(/\((un)?box /);
    expect(f).toContain("(tail (call loop t_1 t_2))");
  });
  it("boxes at polymorphic boundaries and unboxes the result", () => {
    const out = printBoxed(boxed("fun id(x) { x } id(1) + 2"));
    expect(out).toContain("(define (id x:eq) (env) (returns eq) (return x))");
    expect(out).toMatch(/\(let (b\$\d+):eq \(box i64 1\)\)\s+\(let-app (b\$\d+):eq \(call id \1\)\)\s+\(let (b\$\d+):i64 \(unbox i64 \2\)\)/);
  });
  it("stores data-structure fields boxed and unboxes projections", () => {
    const out = printBoxed(boxed("var r = (a = 1.5, b = true); r.a"));
    expect(out).toMatch(/\(box f64 1\.5\)/);
    expect(out).toMatch(/\(box i32 true\)/);
    expect(out).toMatch(/\(unbox f64 b\$\d+\)/);
  });
  it("passes captured variables through eq environment slots", () => {
    const f = define(boxed("fun add(n) { fun(x) { x + n } } add(1)(2)"), "t");
    expect(f).toMatch(/\(env (b\$\d+):eq\)/);
    expect(f).toMatch(/\(let n:i64 \(unbox i64 b\$\d+\)\)/);
  });
  it("calls closures with boxed arguments and results", () => {
    const f = define(boxed("fun twice(f, x) { f(f(x)) } twice(fun(y) { y * 2 }, 3)"), "twice");
    expect(f).toContain("(twice f:closure x:eq)");
    expect(f).toContain("(tail (f t))");
  });
  it("produces valid Boxed for the examples and the prelude", () => {
    for (const text of ["map(fun(x) { x * 2 }, [1, 2])", "fold_left((+), 0, [1, 2, 3])", "handle(do Get) { case <Get => k> -> k(1) }"])
      expect(validateBoxed(boxed(text))).toEqual([]);
  });
});
