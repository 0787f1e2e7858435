// Types printed as Links prints them (issue 13): linearity kinds (`a::Any`), recursive functions
// (wild, with pure argument-collecting arrows), and the effect sugar a program's settings ask for
// (`--set effect_sugar=true`, `--set effect_sugar_policy=…`, `--set show_quantifiers=true`).
import { describe, expect, it } from "vitest";
import { runSource } from "../tools/compile-lib.js";
import { typeSyntaxOf } from "../tools/links-settings.js";

/** What interp prints for a program whose value is a function (`fun : TYPE`), with settings. */
function typeOf(text: string, settings: string[] = []): string {
  const typeSyntax = typeSyntaxOf(settings);
  const r = runSource({ file: "t.links", text, ...(typeSyntax ? { typeSyntax } : {}) }, "interp");
  expect(r.stderr).toBe("");
  return r.stdout.trimEnd().replace(/^fun : /, "");
}

describe("linearity kinds", () => {
  it.each([
    // a parameter used once may be linear (Any); one captured by a function literal may not
    ["fun (x, y) { (x, y) }", "(a::Any, b::Any) -> (a::Any, b::Any)"],
    ["fun (x) { fun (y) { (x, y) } }", "(a) -> (c::Any) -> (a, c::Any)"],
    // used twice, or not at all: unrestricted
    ["fun (x) { (x, x) }", "(a) -> (a, a)"],
    ["fun (x) { 1 }", "(_) -> Int"],
    // used in one branch but not the other: unrestricted
    ["fun (x, b) { if (b) x else x }", "(a::Any, Bool) -> a::Any"],
    ["fun (x, y, b) { if (b) x else y }", "(a, a, Bool) -> a"],
    // a wildcard drops a value, so the value is unrestricted; `::` wants an unrestricted element
    ["fun (x) { switch (x) { case Foo -> 1 case _ -> 2 } }", "([|Foo|_|]) -> Int"],
    ["fun (x, xs) { x :: xs }", "(a, [a]) -> [a]"],
    ["fun (x) { [x] }", "(a::Any) -> [a::Any]"],
    // the rest of a record pattern lacks the labels it matched (x, unused, is unrestricted)
    ["fun ((l = x | r)) { r }", "((l:_|b::Any)) -> (l-|b::Any)"],
  ])("%s : %s", (text, expected) => expect(typeOf(text)).toBe(expected));

  it("a constructor's open row may be linear", () => {
    const r = runSource({ file: "t.links", text: "Foo(1)" }, "interp");
    expect(r.stdout).toBe("Foo(1) : [|Foo:Int|_::Any|]\n");
  });
});

describe("recursive functions", () => {
  it.each([
    ["fun fact(n) { if (n == 0) 1 else n * fact(n - 1) } fact", "(Int) ~> Int"],
    ["fun f(x)(y) { f(x)(y) } f", "(_) -> (_::Any) ~> _::Any"],
    // a signature says what the effects are: no wildness is added
    ["sig len : ([a]) -> Int fun len(xs) { switch (xs) { case [] -> 0 case _ :: t -> 1 + len(t) } } len", "([_]) -> Int"],
  ])("%s : %s", (text, expected) => expect(typeOf(text)).toBe(expected));
});

describe("effect sugar", () => {
  const map = "sig map : ((a) ~> b) -> ([a]) ~> [b] fun map(f)(xs) { switch (xs) { case [] -> [] case (x::xs) -> f(x) :: map(f)(xs) } } map";
  const sugar = (policy: string) => ["effect_sugar=true", `effect_sugar_policy=${policy}`];
  it("off (the default), every effect variable shows", () => expect(typeOf(map)).toBe("((a) ~b~> c) -> ([a]) ~b~> [c]"));
  it.each([
    ["none", "((a) ~> c) -_-> ([a]) ~> [c]"],
    ["chf", "((a) ~> c) -> ([a]) ~> [c]"],
    ["show_implicit", "((a) ~b~> c) -> ([a]) ~b~> [c]"],
    ["default", "((a) ~> c) -> ([a]) ~> [c]"],
  ])("policy %s: %s", (policy, expected) => expect(typeOf(map, sugar(policy))).toBe(expected));

  it("contract_operation_arrows writes `E:a` for `E:() => a`", () => {
    expect(typeOf("sig f : () {E:() => a}-> a fun f() { do E } f", sugar("contract"))).toBe("() {E:a}-> a");
    expect(typeOf("sig f : (a) {E:(a) => b}-> b fun f(x) { do E(x) } f", sugar("contract"))).toBe("(a) {E:(a) => b}-> b");
  });

  it("open_default: effect rows are open unless closed with `| .`", () => {
    expect(typeOf("sig ask : () {Ask:a}-> a fun ask() { do Ask } ask", sugar("open_default"))).toBe("() {Ask:() => a}-> a");
    expect(typeOf("sig ask : () {Ask:a| .}-> a fun ask() { do Ask } ask", sugar("open_default"))).toBe("() {Ask:() => a| .}-> a");
    const r = runSource({ file: "t.links", text: "sig ask : () {Ask:a| .}-> a fun ask() { do Ask } ask", typeSyntax: typeSyntaxOf(sugar("none")) }, "interp");
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/t\.links:1:\d+: .*`\| \.` closes an effect row only where effect rows are open by default/);
  });

  it("a `_` effect row is the signature's one shared effect; its operations reach the others", () => {
    const text = "sig f : (() {E:()|_}~> ()) -> () { |_}~> () fun f(g) { fun() { handle(g()) { case <E => res> -> res(()) } } } f";
    expect(typeOf(text, sugar("presence_omit"))).toBe("(() {E:() => ()|_}~> ()) -_-> () ~> ()");
  });

  it("a typename with anonymous arrows takes the shared effect as an implicit argument (alias_omit hides it)", () => {
    const text = "typename T(a) = (a) -> a; sig f : T(a) fun f(x) { x } f";
    expect(typeOf(text, sugar("none"))).toBe("T (_,{ |_})");
    expect(typeOf(text, sugar("alias_omit"))).toBe("T (_)");
  });

  it("show_quantifiers names every variable under its forall", () => {
    expect(typeOf("sig f : () -> () -> () fun f()() { () } f", ["effect_sugar=true", "show_quantifiers=true", "effect_sugar_policy=final_arrow"]))
      .toBe("forall a::Row,b::Row.() -a-> () -b-> ()");
    expect(typeOf("fun (x) { x }", ["show_quantifiers=true"])).toBe("forall a::(Any,Any),b::Row.(a::Any) -b-> a::Any");
  });

  it("unknown settings and values are errors that name them", () => {
    expect(() => typeSyntaxOf(["effect_sugar=maybe"])).toThrow(/effect_sugar=maybe: the value must be true or false/);
    expect(() => typeSyntaxOf(["effect_sugar_policy=pres,bogus"])).toThrow(/unknown option bogus/);
    expect(() => typeSyntaxOf(["no_such_setting=1"])).toThrow(/--set no_such_setting: not a setting this compiler knows/);
    expect(typeSyntaxOf(["effect_sugar=false"])).toBeUndefined();
  });
});

describe("scoped type variables", () => {
  it("an inner signature's unquantified variable is the enclosing signature's", () => {
    expect(typeOf("sig f : (a) -e-> (a, a) fun f(x) { sig g : forall b.(a, b) -e-> (a, b) fun g(x, y) { (x, y) } g(x, x) } f")).toBe("(a) -> (a, a)");
  });
});
