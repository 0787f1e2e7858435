// Tests for passes/infer.ts: the printed type of a program (`resultType`, printed with
// ir/types.ts's printType in Links notation) and type errors (kind, span, message).
//
// Every expected type below was checked against what Links itself prints (the Links test
// suite in ../shared/links-tests/tests/*.tests and Links' type printer), ignoring only the
// `::Any` linearity subkinds Links adds to some type variables (the subset has no linear
// types). Programs whose printed type differs from Links for other reasons are deliberately
// left out here; they are listed in the report that came with this file.
import { describe, expect, it } from "vitest";
import { CompileError } from "../ir/common.js";
import type { CoreProgram } from "../ir/core.js";
import { printType } from "../ir/types.js";
import { runPipeline } from "../tools/compile-lib.js";

/** The printed type of a whole program, with every pass output validated. */
function typeOf(text: string): string {
  const p = runPipeline({ file: "t.links", text }, { check: true, until: "infer" }) as CoreProgram;
  return printType(p.resultType!);
}

/**
 * The CompileError that compiling `text` throws (fails the test if it compiles). Not with
 * `check`: the Core validator reports an unbound user variable as an internal error before
 * infer can report it as a type error.
 */
function errorOf(text: string): CompileError {
  try {
    runPipeline({ file: "t.links", text });
  } catch (e) {
    if (e instanceof CompileError) return e;
    throw e;
  }
  throw new Error(`expected a compile error for: ${text}`);
}

describe("infer: printed types", () => {
  const cases: [string, string][] = [
    // base types
    ["1", "Int"],
    ["1.5", "Float"],
    ["true", "Bool"],
    ["'a'", "Char"],
    ['"s"', "String"],
    ["()", "()"],
    ["fun (x) { x + 1 }", "(Int) -> Int"],
    ["fun () { 2 }", "() -> Int"],
    ["fun (x:Int) {x:Int}", "(Int) -> Int"],
    ["fun (x) { x == 1 }", "(Int) -> Bool"],
    ["fun (x, y) { x < y }", "(a, a) -> Bool"],
    // let-polymorphism
    ["fun (x) { x }", "(a::Any) -> a::Any"], // x used once: linearity Any, as Links prints it
    ["var id = fun(x){x}; (id(1), id(true))", "(Int, Bool)"],
    ["fun pair(x) { (x, x) } (pair('a'), pair(13))", "((Char, Char), (Int, Int))"],
    ["var f = fun(x) { x }; ignore(f(1)); f", "(a::Any) -> a::Any"],
    // value restriction: an application is not generalised, so its use fixes the type
    ["var f = id(id); ignore(f(1)); f", "(Int) -> Int"],
    // a signature makes recursion polymorphic
    ['sig f : (a) ~> a fun f(x) { ignore(f("a")); ignore(f(1)); x } f', "(a) ~> a"],
    ["sig choose : forall a,d::Row,e::Row. (a) -d-> (a) -e-> a fun choose(x)(y) {x} choose", "(a) -> (a) -> a"],
    // records and row polymorphism
    ['(x=1, y="two")', "(x:Int,y:String)"],
    ["fun (r) { r.x }", "((x:a::Any|_::Any)) -> a::Any"],
    ["fun (r) { (l = 1 | r) }", "((l-|a::Any)) -> (l:Int|a::Any)"],
    ["fun (r) { (r with x = r.x + 1) }", "((x:Int|a)) -> (x:Int|a)"],
    ['((x = 3) with x = "four")', "(x:String)"],
    ['{var z = (y="three"); (x=4|z) }', "(x:Int,y:String)"],
    ['fun foo(x) { x.a } (foo((a="a", b=2)), foo((a=1, c=3)))', "(String, Int)"],
    // tuples
    ['(1, "a", true)', "(Int, String, Bool)"],
    ['{var x = (1,"two"); (3=\'3\'|x) }', "(Int, String, Char)"],
    ['(1="one")', "(1:String)"],
    ["fun (x) { switch (x) { case (a, b) -> a + b } }", "((Int, Int)) -> Int"],
    // variants: constructors are open; a switch without a catch-all closes the row
    ["Foo", "[|Foo|_::Any|]"],
    ["Foo(1)", "[|Foo:Int|_::Any|]"],
    ["[C (A), C (B)]", "[[|C:[|A|B|_::Any|]|_::Any|]]"],
    ["fun (f) { switch (f) { case A(a) -> not(a) case B(b) -> b } }", "([|A:Bool|B:Bool|]) -> Bool"],
    ["fun (f) { switch (f) { case A (a) -> a case B (b) -> b case c -> false } }", "([|A:Bool|B:Bool|_|]) -> Bool"],
    ["fun (x) {(switch (x) {case A -> 0 case _ -> 1}) + (switch (x) {case A -> 0 case _ -> 1})}", "([|A|_|]) -> Int"],
    ["fun (x) {switch (x) { case(true) -> 0 case(false) -> 1 case(y) -> 2}}", "(Bool) -> Int"],
    // lists
    ["[1, 2]", "[Int]"],
    ["map(fun(x) { x + 1 }, [1])", "[Int]"],
    ["for (x <- [1,2], y <- [true, false]) [(x,y)]", "[(Int, Bool)]"],
    ["fun (x) { switch (x) { case [] -> 0 case y :: ys -> y } }", "([Int]) -> Int"],
    // annotations and typenames
    ["Just(1) : Maybe(Int)", "Maybe (Int)"],
    ["Nothing : Maybe(Int)", "Maybe (Int)"],
    ["fun (x : Maybe(Int)) { fromMaybe(x, 0) }", "(Maybe (Int)) -> Int"],
    ["typename Foo = Int; fun f(x:Foo) {x} f(1)", "Foo"],
    ['typename Bar(a,b,c) = (a,b,c); fun f(x:Bar(a,b,c)) {x} f((false, 1, "two"))', "Bar (Bool,Int,String)"],
    ["fun (x) { x } : (String) -> String", "(String) -> String"],
    ["fun (x:a, y:a) {(x, y)}", "(a, a) -> (a, a)"],
    [
      "typename F(a,b) = (a) {:b}~> a; sig f : F(Int,Int) fun f(x) {recv() + x} sig g : F(Int,String) fun g(x) {stringToInt(recv()) + x} g",
      "F (Int,String)",
    ],
    // effect rows
    ["fun (f, x: Int) { f(x) + 0 }", "((Int) -a-> Int, Int) -a-> Int"],
    ["fun (x) { print(x) }", "(String) ~> ()"],
    ["fun() { do Foo }", "() {Foo:() => a|_}-> a"],
    ["fun() { do Foo(1) }", "() {Foo:(Int) => a|_}-> a"],
    ["fun() { do Foo(()) }", "() {Foo:(()) => a|_}-> a"],
    ['fun(g : (() {A:a,B:(a) => b|_}~> b)) { g }(fun(){error("N/A")})', "() {A:() => a,B:(a) => b|_}~> b"],
    // handlers remove the operations they handle: they stay in the row with polymorphic presence
    ["fun() { handle({do A; do B + 1}) { case <A => k> -> k(()) case x -> x } }", "() {A{_},B:() => Int|_}~> Int"],
    ["fun(m) { handle(m()) { case <Get => k> -> k(1) case x -> x + 1 } }", "(() {Get:() => Int|a}~> Int) {Get{_}|a}~> Int"],
    ["handle(do Op) { case <Op => resume> -> resume(true) }", "Bool"],
    ["handle({do Fail; 42}) {case <Fail> -> Nothing : Maybe(Int) case x -> Just(x) : Maybe(Int)}", "Maybe (Int)"],
    [
      "sig f : (() {E:()|e}~> ()) -> () {E{_}|e}~> () fun f(g) { fun() { handle(g()) { case <E => res> -> res(()) }}} f",
      "(() {E:() => ()|a}~> ()) -> () {E{_}|a}~> ()",
    ],
    // parameterised handler
    [
      "fun(m) { handle(m())(s <- 0) { case <Get => k> -> k(s, s) case <Put(p) => k> -> k((), p) case x -> x + s } }",
      "(() {Get:() => Int,Put:(Int) => ()|a}~> Int) {Get{_},Put{_}|a}~> Int",
    ],
    // shallow handler: the resumption is not re-handled, so invoking it performs Get again
    ["fun(m) { shallowhandle(m()) { case <Get -> k> -> k(1) case x -> x + 1 } }", "(() {Get:() => Int|a}~> Int) {Get:() => Int|a}~> Int"],
    // mailboxes
    ["fun() { recv() + 1 }", "() {:Int|_}~> Int"],
    ["fun f() {var x = recv(); intToString(x)} fun g(x) {var () = recv(); intToString(x)} (f, g)", "(() {:Int|_}~> String, (Int) {:()|_}~> String)"],
    ["sig foo : () {:a|r}~> a fun foo() {var x = recv(); x} foo", "() {:a|_}~> a"],
    ['fun(g : (() {:a|_}~> a)) { g }(fun(){error("N/A")})', "() {:a|_}~> a"],
    ["spawn { recv() + 1 } ! 1", "()"],
    ["spawnWait { 42 }", "Int"],
  ];
  it.each(cases)("%s  :  %s", (program, expected) => {
    expect(typeOf(program)).toBe(expected);
  });

  it("a spawned process has a Process type whose row carries the mailbox type", () => {
    // How Links prints the rest of this row (`wild`) is not settled here; see the report.
    expect(typeOf("spawn { recv() + 1 }")).toMatch(/^Process \(\{:Int,.*\|_\}\)$/);
  });
});

describe("infer: type errors", () => {
  const errors: [what: string, program: string, line: number, col: number, message: RegExp][] = [
    ["Int + String", '1 + "a"', 1, 5, /^the expression has type\s+String\s+but it is expected to have type\s+Int/],
    ["a non-Bool condition", "if (1) 2 else 3", 1, 5, /^the condition has type\s+Int\s+but it is expected to have type\s+Bool/],
    ["an error on the second line", 'var x = 1;\nx ^^ "a"', 2, 1, /^the expression has type\s+Int\s+but it is expected to have type\s+String/],
    ["the wrong message type", 'spawn { recv() + 1 } ! "two"', 1, 24, /^the expression has type\s+String\s+but it is expected to have type\s+Int/],
    ["mailboxes are not polymorphic", 'var pid = spawn { recv() ++ [] }; { pid ! "one"; pid ! [2] }', 1, 43, /has type\s+String\s+but it is expected to have type\s+\[a\]/],
    ["a duplicate variable in a pattern", "fun (x, x) { x }", 1, 9, /the variable x occurs more than once/],
    ["an unknown variable", "foo + 1", 1, 1, /Unknown variable foo/],
    ["a wrong-arity call", "fun f(x, y) { x } f(1)", 1, 19, /takes 2 argument\(s\) but is applied to 1/],
    ["a closed switch applied to another constructor", "fun g(x) { switch (x) { case A(a) -> a case B(b) -> b } } g(C(1))", 1, 61, /\[\|C:Int\|a::Any\|\][\s\S]*\[\|A:b::Any\|B:b::Any\|\]/],
    ["a closed switch on another constructor", "fun () { switch (C (3)) { case A (a) -> a case B (b) -> b } }", 1, 10, /^the scrutinee has type/],
    // the body is checked against the signature: the error is where the rigid a meets Int
    ["an overly general signature", "sig f : (a) -> a fun f(x) { x + 1 }", 1, 29, /^the expression has type\s+a\s+but it is expected to have type\s+Int/],
    ["a statement that is not ()", "{ 2; }", 1, 3, /^the statement .* has type\s+Int\s+but it is expected to have type\s+\(\)/],
    ["a non-unit last statement in a function", "fun () { 2; }", 1, 10, /^the statement/],
    ["the value restriction", "var f = id(id); (f(1), f(true))", 1, 26, /^the expression has type\s+Bool\s+but it is expected to have type\s+Int/],
    ["a monomorphic lambda-bound function", "(fun (p) { (p('a'), p(13))})(fun (x) { (x,x) })", 1, 23, /has type\s+Int\s+but it is expected to have type\s+Char/],
    ["no polymorphic recursion without a signature", 'fun f(x) { ignore(f("a")); ignore(f(1)); 1}', 1, 37, /has type\s+Int\s+but it is expected to have type\s+String/],
    ["projecting an absent field", '(x="1").y', 1, 1, /^the record has type\s+\(x:String\)/],
    ["updating an absent field", "((x = 3) with y=4)", 1, 2, /^the record has type\s+\(x:Int\)/],
    ["a duplicate record field", "(x=3,x=3)", 1, 1, /the field x occurs more than once/],
    ["comparing Int with String", '1 == "two"', 1, 6, /has type\s+String\s+but it is expected to have type\s+Int/],
  ];
  it.each(errors)("rejects %s", (_what, program, line, col, message) => {
    const e = errorOf(program);
    expect(e.kind).toBe("type");
    expect(e.span).toMatchObject({ file: "t.links", line, col });
    expect(e.message).toMatch(message);
  });
});

describe("infer: negative patterns (Links: the excluded constructors are absent from what matches)", () => {
  it.each([
    ["fun(-Foo as r) { r }", "([|Foo:_::Any|b::Any|]) -> [|Foo-|b::Any|]"],
    ["(fun(x) { switch(x) { case (-(Foo, Bar, Baz) as x) -> x case _ -> Quux }})(FooBar)", "[|Bar-|Baz-|Foo-|FooBar|Quux|_|]"],
    // a negative pattern keeps the scrutinee's variant open (it matches every other constructor)
    ["fun f(v) { switch (v) { case A(x) -> x case -C -> 1 } } f(D(true))", "Int"],
  ])("%s : %s", (text, type) => {
    expect(typeOf(text)).toBe(type);
  });
});

describe("infer: polymorphic operations (Op: forall a. …, instantiated at every use)", () => {
  const catchSig = "sig catch : (() {Fail:forall a.a |e}~> b) {Fail{_} |e}~> Maybe(b) fun catch(m) { handle(m()) { case <Fail => k> : (forall a. () => a) -> Nothing case x -> Just(x) } }";
  it.each([
    // one Fail used as a Bool and as an Int, through f's signature
    [`${catchSig} sig f : () {Fail:forall a.a}~> Int fun f () { if (do Fail) 42 else do Fail } catch (f)`, "Maybe (Int)"],
    ["sig h : (() {Switch:forall a,b. (a,b) => (b,a) |e}~> c) {Switch{_} |e}~> c fun h(m) { handle(m()) { case <Switch(x,y) => k> : (forall a,b. (a,b) => (b,a)) -> k ((y,x)) } } sig f : () {Switch:forall a,b. (a,b) => (b,a)}~> Int fun f () { var (d,u) = do Switch(2,4) ; 10*d+u } h(f)", "Int"],
  ])("%s : %s", (text, type) => {
    expect(typeOf(text)).toBe(type);
  });
});

describe("infer: a handler clause annotated with a polymorphic operation type", () => {
  const sig = "sig catch : (() {Fail:forall a.a |e}~> b) {Fail{_} |e}~> Maybe(b)";
  it("is handled polymorphically: a clause that fixes the type is rejected", () => {
    expect(typeOf(`${sig} fun catch(m) { handle(m()) { case <Fail => k> : (forall a. () => a) -> Nothing case x -> Just(x) } } catch(fun() { 42 })`)).toBe("Maybe (Int)");
    const e = errorOf(`${sig} fun catch(m) { handle(m()) { case <Fail => k> : (forall a. () => a) -> Just(k(1)) case x -> Just(x) } } catch(fun() { 42 })`);
    expect(e.kind).toBe("type");
    expect(e.message).toMatch(/^the expression has type\s+Int\s+but it is expected to have type\s+a/);
  });
});
