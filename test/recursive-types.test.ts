// Equi-recursive types (issue 13): inference introduces `mu` where the occurs check would fail
// and every occurrence is guarded (inside a field of a record, variant or effect row), as Links
// does by default (`infer_recursive_types=guarded`); `mu` in annotations and typenames; the
// program shapes that need them run on every backend and agree with interp.
import { describe, expect, it } from "vitest";
import { prepareBackend, runSource } from "../tools/compile-lib.js";
import { beforeAll } from "vitest";

const src = (name: string, text: string) => ({ file: `${name}.links`, text });

/** The program's output on interp, checked against every Wasm backend. */
function everywhere(name: string, text: string): string {
  const ref = runSource(src(name, text), "interp");
  expect(ref.stderr).toBe("");
  for (const backend of ["wasmfx", "cps"] as const) expect(runSource(src(name, text), backend)).toEqual(ref);
  return ref.stdout;
}

beforeAll(async () => { await prepareBackend("wasmfx"); });

describe("recursive types inferred", () => {
  it("a generator handler that returns the rest of the stream", () => {
    expect(everywhere("gen", `
fun nats(n) { do Yield(n); nats(n + 1) }
fun gen(f) {
  handle (f()) {
    case <Yield(x) => k> -> More(x, fun() { k(()) })
    case v -> End
  }
}
fun take(s, n) {
  if (n == 0) [] else switch (s) {
    case More(x, rest) -> x :: take(rest(), n - 1)
    case End -> []
  }
}
take(gen(fun() { nats(1) }), 5)`)).toBe("[1, 2, 3, 4, 5] : [Int]\n");
  });

  it("a handler that returns a paused computation", () => {
    expect(everywhere("pause", `
fun comp() { var a = do Pause(1); var b = do Pause(a + 1); a + b }
fun run(f) { handle (f()) { case <Pause(n) => k> -> Paused(n, k) case v -> Done(v) } }
fun drive(s) { switch (s) { case Paused(n, k) -> drive(k(n * 10)) case Done(v) -> v } }
drive(run(comp))`)).toBe("120 : Int\n");
  });

  it("an unannotated tree builder and an unannotated insert into a binary search tree", () => {
    expect(everywhere("tree", `
fun build(h) { if (h == 0) Leaf else Node(build(h - 1), h, build(h - 1)) }
fun size(t) { switch (t) { case Leaf -> 0 case Node(l, _, r) -> size(l) + 1 + size(r) } }
fun ins(x, t) {
  switch (t) {
    case Leaf -> Node(Leaf, x, Leaf)
    case Node(l, y, r) -> if (x < y) Node(ins(x, l), y, r) else if (x > y) Node(l, y, ins(x, r)) else t
  }
}
fun toList(t) { switch (t) { case Leaf -> [] case Node(l, y, r) -> toList(l) ++ [y] ++ toList(r) } }
(size(build(10)), toList(fold_left(fun(t, x) { ins(x, t) }, Leaf, [5, 3, 8, 1, 4, 7, 9, 2, 6])))`))
      .toBe("(1023, [1, 2, 3, 4, 5, 6, 7, 8, 9]) : (Int, [Int])\n");
  });

  it("prints mu types (a recursive type, a recursive row)", () => {
    const type = (text: string) => runSource(src("t", text), "interp").stdout;
    expect(type("fun build(h) { if (h == 0) Leaf else Node(build(h - 1), h, build(h - 1)) } build"))
      .toBe("fun : (Int) ~> mu b.[|Leaf|Node:(b, Int, b)|_::Any|]\n");
    expect(type("fun ins(x, t) { switch (t) { case Leaf -> Node(Leaf, x, Leaf) case Node(l, y, r) -> if (x < y) Node(ins(x, l), y, r) else Node(l, y, ins(x, r)) } } ins"))
      .toBe("fun : (a, [|Leaf|(mu b . Node:([|Leaf|b|], a, [|Leaf|b|]))|]) ~> [|Leaf|(mu b . Node:([|Leaf|b|], a, [|Leaf|b|]))|]\n");
  });

  it("rejects an unguarded recursive type, as Links does by default", () => {
    const r = runSource(src("f", "fun f(x) { f }"), "interp");
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^f\.links:1:1: Type error: the function f has type/);
    expect(runSource(src("neg", "fun (x) {x:a} : a"), "interp").exitCode).toBe(1);
  });
});

describe("mu in annotations and typenames", () => {
  it("a typename that is a mu type, a signature using it", () => {
    expect(everywhere("stream", `
typename Stream = mu s.[|More:(Int, () -> s)|End|];
sig upto : (Int, Int) -> Stream
fun upto(i, n) { if (i > n) End else More(i, fun() { upto(i + 1, n) }) }
fun sum(s) { switch (s) { case End -> 0 case More(x, rest) -> x + sum(rest()) } }
(sum(upto(1, 100)), upto)`)).toBe("(5050, fun) : (Int, (Int, Int) -> Stream)\n");
  });

  it("a mu type in an annotation", () => {
    expect(everywhere("nat", `
sig two : () -> mu n.[|Z|S:n|]
fun two() { S(S(Z)) }
fun count(n) { switch (n) { case Z -> 0 case S(m) -> 1 + count(m) } }
count(two())`)).toBe("2 : Int\n");
  });
});

describe("prelude additions", () => {
  it("gensym counts from 0 per run; !! indexes a list; gen1 generalises an empty effect row", () => {
    expect(everywhere("prelude", "fun f(x) { x + 1 } var g = gen1(f); (gensym(), gensym(), [10, 20, 30] !! 2, g(1), gensym())"))
      .toBe("(0, 1, 30, 2, 2) : (Int, Int, Int, Int, Int)\n");
  });
});

describe("mu types print rolled, as Links prints them", () => {
  it("a variant that is a mu type's body prints as the mu type (Recursive variant types [1])", () => {
    expect(runSource(src("rv", "fun (x) { switch (x) { case A(a) -> a case y -> x } }"), "interp").stdout)
      .toBe("fun : (mu a.[|A:a|b|]) -> mu a.[|A:a|b|]\n");
  });
});
