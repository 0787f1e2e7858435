// Tests for the reference interpreter (backends/interp) through tools/compile-lib.ts's runSource:
// the examples against golden output, the semantics of handlers, printing, integers, equality,
// strings, comprehensions, the prelude and processes (exact stdout, `VALUE : TYPE` last), stack
// safety, and the Links handler examples (read at test time from ../shared/links-tests).
import { HANDLER_EXAMPLE_SETTINGS, typeSyntaxOf } from "../tools/links-settings.js";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runPipeline, runSource } from "../tools/compile-lib.js";
import { runInterp } from "../backends/interp/index.js";
import type { CoreProgram } from "../ir/core.js";

const root = fileURLToPath(new URL("..", import.meta.url));

/** Run a program on the interpreter. */
function run(text: string, file = "t.links", timeoutMs = 30_000) {
  return runSource({ file, text }, "interp", { deadline: Date.now() + timeoutMs });
}

/** Run a program that must succeed; returns its stdout. */
function stdoutOf(text: string): string {
  const r = run(text);
  expect(r.stderr).toBe("");
  expect(r.exitCode).toBe(0);
  return r.stdout;
}

/** A table of programs and their exact stdout. */
function table(cases: [string, string][]) {
  it.each(cases)("%s", (program, expected) => {
    expect(stdoutOf(program)).toBe(expected);
  });
}

// ---------------------------------------------------------------- the examples

describe("examples/*.links", () => {
  const dir = join(root, "examples");
  const names = readdirSync(dir).filter((f) => f.endsWith(".links")).sort();
  it("there are examples", () => expect(names.length).toBeGreaterThanOrEqual(7));
  it.each(names)("%s runs and prints its golden output", async (name) => {
    const r = run(readFileSync(join(dir, name), "utf8"), `examples/${name}`);
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    await expect(r.stdout).toMatchFileSnapshot(`golden/examples/${basename(name, ".links")}.out`);
  });
});

// ---------------------------------------------------------------- effect handlers

describe("handlers", () => {
  table([
    // deep handler threading state through the resumption (Links: "Deep state handling (1)")
    [
      "{fun state(m) { handle(m()) { case <Get => k> -> fun(s) { k(s)(s) } case <Put(p) => k> -> fun(s) { k(())(p) } case x -> fun(s) { x } } } " +
        "fun runState(s0, c) { var f = state(c); f(s0) } runState(2, fun() { var s = do Get; do Put(s + 1); var s = do Get; do Put(s + s); do Get }) }",
      "6 : Int\n",
    ],
    // parameterised handler (Links: "Deep state handling (3)")
    [
      "handle({ var s = do Get; do Put(s + 1); var s = do Get; do Put(s + s); do Get })(s <- 2) { case <Get => k> -> k(s,s) case <Put(p) => k> -> k((),p) case x -> x }",
      "6 : Int\n",
    ],
    // parameterised handler with several parameters, one of them a pattern
    [
      'handle({do A; do B; do C; do D})(a <- 0, b <- false, (c0, c1) as c <- (true,0), d <- "Hello") { case <A => k> -> k((),a+1,b,c,d) ' +
        'case <B => k> -> k((),a,not(b),c,d) case <C => k> -> k((),a,b,(not(c0), c1+1),d) case <D => k> -> k((),a,b,c,d ^^ " World") case _ -> (a,b,c,d) }',
      '(1, true, (false, 1), "Hello World") : (Int, Bool, (Bool, Int), String)\n',
    ],
    // shallow handlers: the handler must be reinstalled explicitly
    [
      "{ fun simpleState(m)(s) { shallowhandle(m()) { case <Get -> k> -> simpleState(fun() { k(s) })(s) case <Put(s) -> k> -> simpleState(fun() { k(()) })(s) case x -> x } } " +
        "fun count() { var n = do Get; if (n == 0) {n} else {do Put(n-1); count() }} simpleState(count)(10) }",
      "0 : Int\n",
    ],
    ["{ fun h1(m) { shallowhandle(m()) { case <One -> k> -> h1(fun() { k(1) }) case x -> x - 1 } } h1(fun() { do One + do One }) }", "1 : Int\n"],
    [
      "{ fun h1(m) { shallowhandle(m()) { case <One -> k> -> h1(fun() { k(1) }) } } fun h2(m) { shallowhandle(m()) { case <One -> k> -> h1(fun() { k(2) }) } } h2(fun() { do One + do One }) }",
      "3 : Int\n",
    ],
    // an operation the inner handler does not handle is forwarded to the outer one
    [
      'handle(handle({ var x = do Ask; do Log(intToString(x)); x + 1 }) { case <Ask => k> -> k(41) }) { case <Log(s) => k> -> print(s ^^ " "); k(()) }',
      "41 42 : Int\n",
    ],
    ["handle(handle(do A + do B) { case <A => k> -> k(1) }) { case <B => k> -> k(100) }", "101 : Int\n"],
    // nested handlers for the same operation: the innermost wins
    ["handle(handle(do A + do A) { case <A => k> -> k(1) }) { case <A => k> -> k(100) }", "2 : Int\n"],
    // composition of three deep handlers (Links: "Deep Handler composition")
    [
      "fun h1(m)() { handle(m()) { case <Op1 => k> -> k(1) } } fun h2(m)() { handle(m()) { case <Op2 => k> -> k(2) } } " +
        "fun h3(m)() { handle(m()) { case <Op3 => k> -> k(3) } } h1(h2(h3(fun() { do Op1 + do Op2 + do Op3 })))()",
      "6 : Int\n",
    ],
    // multishot continuations (Links: "Binary choice handling")
    [
      "handle({ var x = if (do Choose) 40 else 20; var y = if (do Choose) 2 else -20; x + y }) {case <Choose => k> -> k(true) ++ k(false) case x -> [x]}",
      "[42, 20, 22, 0] : [Int]\n",
    ],
    // a resumption stored in the handler's result and resumed after the handler returned
    [
      'var r = handle({ do Escape; print("Back in action "); do Escape; 1 }) { case <Escape => k> -> Just(fun() { ignore(k(())); 0 }) case _ -> Nothing };\n' +
        "switch (r) { case Just(f) -> f() case Nothing -> -1 }",
      "Back in action 0 : Int\n",
    ],
    [
      "var r = shallowhandle({ var x = do Ask; x * 2 }) { case <Ask -> k> -> Just(k) case _ -> Nothing };\nhandle(fromJust(r)(21)) { case <Ask => k> -> k(0) }",
      "42 : Int\n",
    ],
    // exceptions: a clause that does not resume discards the rest of the computation
    ["{ handle({do Fail; 42}) {case <Fail> -> Nothing : Maybe(Int) case x -> Just(x) : Maybe(Int)} }", "Nothing : Maybe (Int)\n"],
    ["handle(42) {case <Fail> -> Nothing : Maybe(Int) case x -> Just(x) : Maybe(Int)}", "Just(42) : Maybe (Int)\n"],
    ['handle({ print("a"); do Fail; print("b"); 1 }) { case <Fail> -> 0 }', "a0 : Int\n"],
    [
      'handle({ print("a"); var x = do Fail("bad"); print("b"); x }) { case <Fail(msg)> -> msg ^^ "!" case x -> x }',
      'a"bad!" : String\n',
    ],
    // the implicit return clause and operation-argument patterns
    ["handle(42) { }", "42 : Int\n"],
    ["handle(do Move(John)) { case <Move(Alice)> -> 'A' case <Move(Bob)> -> 'B' case <Move(_)> -> 'U' case x -> x }", "'U' : Char\n"],
  ]);
});

// ---------------------------------------------------------------- printing

describe("printing values", () => {
  table([
    ['"L\\x69nks"', '"Links" : String\n'],
    ['"L\\151nks"', '"Links" : String\n'],
    // print writes strings raw: escapes are decoded by the lexer
    ['print("a\\tb\\\\c\\"d\\n"); strlen("a\\tb\\\\c\\"d\\n")', 'a\tb\\c"d\n8 : Int\n'],
    ["'a'", "'a' : Char\n"],
    ["['x', 'y']", "['x', 'y'] : [Char]\n"],
    ["(3.0, 0.1, -.1.5, 2.5 *. 2.0, 1.0 /. 3.0, 1.0e3)", "(3.0, 0.1, -1.5, 5.0, 0.333333333333, 1000.0) : (Float, Float, Float, Float, Float, Float)\n"],
    ["intToFloat(3)", "3.0 : Float\n"],
    ["sin((switch (max([2.0,3.0])) { case Just(f) -> f case Nothing -> 0.0 }) /. 3.0 *. 3.14)", "0.00159265291649 : Float\n"],
    ['(x = 1, y = "two")', '(x = 1, y = "two") : (x:Int,y:String)\n'],
    ['("client"=5, "fun"=7)', '("client" = 5, "fun" = 7) : (client:Int,fun:Int)\n'],
    ['(1, "two", 3.0, \'c\', true, ())', '(1, "two", 3.0, \'c\', true, ()) : (Int, String, Float, Char, Bool, ())\n'],
    ['(1="one")', '(1 = "one") : (1:String)\n'],
    ["(x = (y = (z = 1)))", "(x = (y = (z = 1))) : (x:(y:(z:Int)))\n"],
    ["Foo", "Foo : [|Foo|_::Any|]\n"],
    ["Foo(Bar(Baz))", "Foo(Bar(Baz)) : [|Foo:[|Bar:[|Baz|_::Any|]|_::Any|]|_::Any|]\n"],
    ["Just(Left([1, 2]))", "Just(Left([1, 2])) : [|Just:[|Left:[Int]|_::Any|]|_::Any|]\n"],
    // a record or tuple argument is printed without doubled parentheses
    ["(Foo((a = 5, b = 3)), Rect(2.0, 3.5))", "(Foo(a = 5, b = 3), Rect(2.0, 3.5)) : ([|Foo:(a:Int,b:Int)|_::Any|], [|Rect:(Float, Float)|_::Any|])\n"],
    ["[(a = 1, b = [Foo]), (a = 2, b = [])]", "[(a = 1, b = [Foo]), (a = 2, b = [])] : [(a:Int,b:[[|Foo|_::Any|]])]\n"],
    ["fun (x) { x }", "fun : (a::Any) -> a::Any\n"],
    ["(fun(x) { x + 1 }, 1)", "(fun, 1) : ((Int) -> Int, Int)\n"],
    ["Just(fun(x) { x + 1 })", "Just(fun) : [|Just:(Int) -> Int|_::Any|]\n"],
    ["()", "() : ()\n"],
  ]);

  it("print and println", () => {
    expect(stdoutOf('print("a"); println("b"); print("c"); 1')).toBe("ab\nc1 : Int\n");
    expect(stdoutOf('println("hello"); println("world")')).toBe("hello\nworld\n() : ()\n");
  });
});

// ---------------------------------------------------------------- integers

describe("integers", () => {
  table([
    // 63-bit two's complement, wrapping (OCaml's int)
    ["4611686018427387903 + 1", "-4611686018427387904 : Int\n"],
    ["-4611686018427387903 - 2", "4611686018427387903 : Int\n"],
    ["2003004005006007002", "2003004005006007002 : Int\n"],
    ["(2 ^ 10, -2^4, 2/3 + 1/3, 1032452430 * 102300234234)", "(1024, 16, 0, 4163033019059954732) : (Int, Int, Int, Int)\n"],
    // `/` truncates towards zero; `mod` has the sign of the dividend
    ["(7 / 2, -7 / 2, 7 / -2, -7 / -2)", "(3, -3, -3, 3) : (Int, Int, Int, Int)\n"],
    ["(7 mod 3, -7 mod 3, 7 mod -3, -7 mod -3)", "(1, -1, 1, -1) : (Int, Int, Int, Int)\n"],
    ["100 + 200 / 10 - 3 * 10", "90 : Int\n"],
    ["(true || (1 / 0) == 0, false && (1 / 0) == 0)", "(true, false) : (Bool, Bool)\n"],
  ]);

  it.each(["1 / 0", "5 mod 0", "{var x = 10; x / (x - 10)}"])("%s is a runtime error", (program) => {
    const r = run(program);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/division by zero/);
  });
});

// ---------------------------------------------------------------- equality, ordering, strings

describe("equality and ordering", () => {
  table([
    ["[1,2,3] == [1,2,3] && [1,2,3] <> [2,1,3]", "true : Bool\n"],
    ['(x=1, y="two") == (y="two", x=1)', "true : Bool\n"],
    ['(1,"two",3) == (2="two", 3=3,1=1)', "true : Bool\n"],
    ["(A(1) == A(1), A(1) == B(1), A(1) == A(2), Just([1]) <> Just([1, 2]))", "(true, false, false, true) : (Bool, Bool, Bool, Bool)\n"],
    ["([] < [], [] > [], [1] < [], [1] > [], [] < [1], [1, 2] < [1, 3], [1, 2] < [1])", "(false, false, false, true, true, true, false) : (Bool, Bool, Bool, Bool, Bool, Bool, Bool)\n"],
    ['((1,"foo") < (2, "foo"), (1, "b") < (1, "c"), (2, "a") <= (2, "a"), (1, "z") > (2, "a"))', "(true, true, true, false) : (Bool, Bool, Bool, Bool)\n"],
    ["((a = 1, b = 2) < (a = 1, b = 3), (a = 2, b = 0) < (a = 1, b = 9))", "(true, false) : (Bool, Bool)\n"],
    ['(false < true, \'a\' < \'b\', "abc" < "abd", "a" < "z", "b" >= "a", 1.5 < 2.0)', "(true, true, true, true, true, true) : (Bool, Bool, Bool, Bool, Bool, Bool)\n"],
  ]);
});

describe("strings", () => {
  table([
    ['"abc" ^^ "def"', '"abcdef" : String\n'],
    ['(charAt("string", 0), strsub("string", 1, 5)) == (\'s\', "tring")', "true : Bool\n"],
    [
      '(strlen("hello"), charAt("hello", 1), strsub("hello", 1, 3), explode("abc"), implode([\'x\',\'y\']))',
      '(5, \'e\', "ell", [\'a\', \'b\', \'c\'], "xy") : (Int, Char, String, [Char], String)\n',
    ],
    ['(intToString(42), stringToInt("123"), floatToString(2.5), isInt("12"), isInt("x1"))', '("42", 123, "2.5", true, false) : (String, Int, String, Bool, Bool)\n'],
    ["(ord('a'), chr(98))", "(97, 'b') : (Int, Char)\n"],
  ]);
});

// ---------------------------------------------------------------- lists

describe("list comprehensions and the prelude", () => {
  table([
    ["for (x <- [1,2,3]) where (x > 1) [x * 10]", "[20, 30] : [Int]\n"],
    ["for (i <- [1,2,3,4,5]) if (i == 3) [] else [i, i]", "[1, 1, 2, 2, 4, 4, 5, 5] : [Int]\n"],
    ["for (i <- [2,1,3]) orderby (i) [i]", "[1, 2, 3] : [Int]\n"],
    ["for (i <- [2,1,3]) orderby (-i) [i]", "[3, 2, 1] : [Int]\n"],
    ['for (p <- [(n="b", a=2), (n="a", a=1)]) orderby (p.n) [p.a]', "[1, 2] : [Int]\n"],
    [
      'for (x <- [1,2], y <- [true, false], z <- ["foo", "bar"]) [(x,y,z)]',
      '[(1, true, "foo"), (1, true, "bar"), (1, false, "foo"), (1, false, "bar"), (2, true, "foo"), (2, true, "bar"), (2, false, "foo"), (2, false, "bar")] : [(Int, Bool, String)]\n',
    ],
    ["for () [1]", "[1] : [Int]\n"],
    ["[1..5] ++ [] ++ [6]", "[1, 2, 3, 4, 5, 6] : [Int]\n"],
    ["1 :: [] ++ [] ++ 2 :: 3 :: 4 :: [] ++ 5 :: []", "[1, 2, 3, 4, 5] : [Int]\n"],
    ["map(curry((+))(1), [1,2,3])", "[2, 3, 4] : [Int]\n"],
    [
      "(map(fun(x){x+1}, [1,2,3]), filter(fun(x){x>1}, [1,2,3]), fold_left(fun(a,b){a-b}, 10, [1,2,3]), fold_right(fun(a,b){a-b}, 10, [1,2,3]))",
      "([2, 3, 4], [2, 3], 4, -8) : ([Int], [Int], Int, Int)\n",
    ],
    [
      "(concatMap(fun(x){[x,x]}, [1,2]), reverse([1,2,3]), take(2,[1,2,3]), drop(2,[1,2,3]), take(5, [1]), drop(5, [1]))",
      "([1, 1, 2, 2], [3, 2, 1], [1, 2], [3], [1], []) : ([Int], [Int], [Int], [Int], [Int], [Int])\n",
    ],
    ['zip([1,2,3],["a","b"])', '[(1, "a"), (2, "b")] : [(Int, String)]\n'],
    ['(fromMaybe(lookup(2, [(1,"a"),(2,"b")]), "none"), fromMaybe(lookup(3, [(1,"a")]), "none"))', '("b", "none") : (String, String)\n'],
    ["(fromJust(Just(3)), length([1,2,3]), length([]), hd(['a','b','c']), tl([1,2,3]))", "(3, 3, 0, 'a', [2, 3]) : (Int, Int, Int, Char, [Int])\n"],
    [
      "(sum([1,2,3]), product([1,2,3,4]), elem(2, [1,2]), intRange(1, 4), sort([3,1,2]), nth(1, [7, 8, 9]), last([1, 2]), replicate(2, 'x'), unzip([(1, 'a'), (2, 'b')]))",
      "(6, 24, true, [1, 2, 3, 4], [1, 2, 3], 8, 2, ['x', 'x'], ([1, 2], ['a', 'b'])) : (Int, Int, Bool, [Int], [Int], Int, Int, [Char], ([Int], [Char]))\n",
    ],
  ]);

  it.each([
    ["hd([])", /hd/],
    ["tl([])", /tl/],
    ["fromJust(Nothing)", /fromJust/],
    ["{var x :: xs = [] ; ()}", /./],
    ["switch ([]) { case x::xs -> 1 }", /./],
  ])("%s is a runtime error", (program, message) => {
    const r = run(program);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^t\.links:\d+:\d+: runtime error: /);
    expect(r.stderr).toMatch(message);
  });
});

// ---------------------------------------------------------------- processes

describe("processes", () => {
  table([
    ["spawnWait { 1 + 1 }", "2 : Int\n"],
    ["spawnWait { var p = self(); p ! 5; recv() }", "5 : Int\n"],
    ["spawnWait { var me = self(); var p = spawn { var m = recv(); me ! (m * 2) }; p ! 21; recv() }", "42 : Int\n"],
    ["spawnWait { var me = self(); var p = spawn { receive { case Ping(n) -> me ! Pong(n + 1) } }; p ! Ping(41); receive { case Pong(n) -> n } }", "42 : Int\n"],
    ['fun main() { spawnWait { var p = spawn { recv() ! "The end" } ! self(); recv() } } main()', '"The end" : String\n'],
    ["fun go() { var p1 = spawn { receive { case Hi(pid) -> pid ! 100 } }; spawnWait { p1 ! Hi(self()) ; receive { case n -> n } } } go()", "100 : Int\n"],
    ["spawn { recv() + 1 } ! 1", "() : ()\n"],
    // the main program may finish while a process still waits for a message
    ["{ var p = spawn { recv() + 1 }; 42 }", "42 : Int\n"],
    // messages arrive in the order they were sent
    ["spawnWait { var me = self(); me ! 1; me ! 2; me ! 3; var a = recv(); var b = recv(); var c = recv(); [a, b, c] }", "[1, 2, 3] : [Int]\n"],
  ]);

  const pingPong = (n: number, trace: boolean) => `
fun pinger(n, ponger) {
  if (n == 0) { ponger ! Stop; 0 }
  else { ${trace ? 'print("ping "); ' : ""}ponger ! Ping(self()); receive { case Pong -> 1 + pinger(n - 1, ponger) } }
}
fun ponger() { receive { case Ping(p) -> ${trace ? 'print("pong "); ' : ""}p ! Pong; ponger() case Stop -> () } }
spawnWait { var q = spawn { ponger() }; pinger(${n}, q) }`;

  it("two processes ping-pong, in order", () => {
    expect(stdoutOf(pingPong(3, true))).toBe("ping pong ping pong ping pong 3 : Int\n");
  });

  it("two processes ping-pong 10,000 messages", () => {
    expect(stdoutOf(pingPong(10_000, false))).toBe("10000 : Int\n");
  }, 60_000);

  it.each(["spawnWait { recv() }", "recv()", "spawnWait { var p = spawn { recv() + 1 }; receive { case n -> n } }"])(
    "%s deadlocks: a runtime error",
    (program) => {
      const r = run(program);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toBe("error: runtime error: deadlock: every process is waiting for a message\n");
    },
  );
});

// ---------------------------------------------------------------- stack safety

describe("stack safety", () => {
  it("1,000,000 nested non-tail calls", () => {
    expect(stdoutOf("fun deep(n) { if (n == 0) 0 else 1 + deep(n - 1) } deep(1000000)")).toBe("1000000 : Int\n");
  }, 120_000);

  it("a 10,000,000-iteration tail-recursive loop", () => {
    const r = run("fun loop(i, acc) { if (i == 0) acc else loop(i - 1, acc + 1) } loop(10000000, 0)", "t.links", 110_000);
    expect(r).toEqual({ stdout: "10000000 : Int\n", stderr: "", exitCode: 0 });
  }, 120_000);

  it("100,000 operations handled by a deep handler (non-tail resumption)", () => {
    expect(stdoutOf("fun count(n) { if (n == 0) 0 else { do Tick; count(n - 1) } } handle(count(100000)) { case <Tick => k> -> 1 + k(()) case x -> x }")).toBe("100000 : Int\n");
  }, 120_000);

  it("100,000 operations handled by a parameterised handler (tail resumption)", () => {
    expect(stdoutOf("fun count(n) { if (n == 0) 0 else { do Tick; count(n - 1) } } handle({ignore(count(100000)); 0})(s <- 0) { case <Tick => k> -> k((), s + 1) case x -> s }")).toBe("100000 : Int\n");
  }, 120_000);

  it("map and fold_right over 200,000 elements", () => {
    expect(stdoutOf("length(map(fun(x) { x + 1 }, intRange(1, 200000))) + fold_right(fun(x, acc) { acc + 1 }, 0, intRange(1, 200000))")).toBe("400000 : Int\n");
  }, 120_000);
});

// ---------------------------------------------------------------- the Links handler examples

/**
 * What each program in ../shared/links-tests/examples/handlers does on the interpreter today.
 * `known-gap` entries give the exact first line of the error (the file is named by its base
 * name) and say why. When a behaviour changes, this test fails: update the table.
 */
type Expectation = { runs: true } | { unsupported: string } | { knownGap: string; why: string };

const handlerExamples: Record<string, Expectation> = {
  "aop.links": { runs: true },
  "aop2.links": { runs: true },
  "choose.links": { runs: true },
  "coins.links": { runs: true },
  "concurrency.links": { runs: true },
  "coop.links": { runs: true },
  "deep_state.links": { runs: true },
  "exceptions.links": { runs: true },
  "fringe.links": { runs: true },
  "identity.links": { runs: true },
  "lambda.links": { runs: true },
  "light_switch.links": { runs: true },
  "monadic_reflection.links": { runs: true },
  "nim.links": { runs: true },
  "number_games.links": { runs: true },
  "pi.links": { runs: true },
  "pipes.links": { unsupported: "modules (`module`)" },
  "racing-lines.links": { unsupported: "foreign declarations (`alien`)" },
  "sat.links": { runs: true },
  "shallow_state.links": { runs: true },
  "shiftreset.links": { runs: true },
  "sierpinski-triangle.links": { unsupported: "foreign declarations (`alien`)" },
  "sudoku.links": { unsupported: "location annotations (`server`)" },
  "tests.links": { unsupported: "modules (`import`)" },
  "toggle.links": { unsupported: "location annotations (`client`)" },
  "transaction.links": { runs: true },
  "u2_puzzle.links": { runs: true },
  "unhandled.links": { unsupported: "location annotations (`client`)" },
};

describe("Links handler examples (../shared/links-tests/examples/handlers)", () => {
  const dir = join(root, "..", "shared", "links-tests", "examples", "handlers");
  const present = existsSync(dir);
  if (!present) console.log("skipped: no Links test suite");
  const files = present ? readdirSync(dir).filter((f) => f.endsWith(".links")).sort() : [];

  it.skipIf(!present)("every example has an expectation, and every expectation an example", () => {
    expect(files).toEqual(Object.keys(handlerExamples).sort());
  });

  (present ? it : it.skip).each(present ? files : ["(none)"])("%s", (name) => {
    const expected = handlerExamples[name];
    expect(expected, `no expectation for ${name}`).toBeDefined();
    // with the settings Links' suite runs them with (effect sugar: fringe's `_` rows are one shared effect)
    const r = runSource({ file: name, text: readFileSync(join(dir, name), "utf8"), typeSyntax: typeSyntaxOf(HANDLER_EXAMPLE_SETTINGS) }, "interp", { deadline: Date.now() + 30_000 });
    const firstLine = r.stderr.split("\n")[0];
    if ("runs" in expected!) {
      expect({ exitCode: r.exitCode, stderr: r.stderr }).toEqual({ exitCode: 0, stderr: "" });
    } else if ("unsupported" in expected!) {
      expect(r.exitCode).toBe(1);
      expect(firstLine).toContain(`unsupported: ${expected.unsupported}`);
    } else {
      expect(r.exitCode).toBe(1);
      expect(firstLine).toBe(expected!.knownGap);
    }
  }, 60_000);
});

// ---------------------------------------------------------------- lexical addresses

describe("variable addresses (backends/interp/resolve.ts)", () => {
  /** Run on interp, collecting lookups whose precomputed address did not hold the variable. */
  function misses(file: string, text: string, typeSyntax = typeSyntaxOf([])): string[] {
    const out: string[] = [];
    const core = runPipeline({ file, text, ...(typeSyntax ? { typeSyntax } : {}) }, { until: "infer" }) as CoreProgram;
    runInterp(core, { onAddressMiss: (n) => out.push(n), deadline: Date.now() + 30_000 });
    return out;
  }

  it("agree with the machine on every example and Links handler example", () => {
    const files = readdirSync(join(root, "examples")).filter((f) => f.endsWith(".links")).map((f) => join(root, "examples", f));
    const handlers = join(root, "..", "shared", "links-tests", "examples", "handlers");
    const links = existsSync(handlers) ? readdirSync(handlers).filter((f) => handlerExamples[f] && "runs" in handlerExamples[f]!).map((f) => join(handlers, f)) : [];
    for (const f of files) expect(misses(basename(f), readFileSync(f, "utf8")), f).toEqual([]);
    for (const f of links) expect(misses(basename(f), readFileSync(f, "utf8"), typeSyntaxOf(HANDLER_EXAMPLE_SETTINGS)), f).toEqual([]);
  }, 120_000);

  it("agree on shadowing, patterns, letrec groups, handler parameters and clauses", () => {
    const text = `
      fun f(x) { var x = x + 1; var (a, b) = (x, x); switch ([a, b]) { case y :: (z :: zs) -> y + z case _ -> x } }
      fun even(n) { if (n == 0) true else odd(n - 1) } fun odd(n) { if (n == 0) false else even(n - 1) }
      var r = (l = 1, m = 2);
      var s = switch (r) { case (l = p | rest) -> p + rest.m };
      fun g() { handle(do Get + do Get)(st <- 10) { case <Get => k> -> k(st, st + 1) case v -> v + st } }
      fun h(n) { handle(if (n > 0) do Ask(n) else 0) { case <Ask(q) => k> -> k(q * 2) case v -> v } }
      (f(1), even(10), s, g(), h(3), fun (x) { fun (y) { x + y } }(1)(2))`;
    expect(misses("t.links", text)).toEqual([]);
    expect(runSource({ file: "t.links", text }, "interp").stdout).toBe("(4, true, 3, 33, 6, 3) : (Int, Bool, Int, Int, Int, Int)\n");
  });
});

describe("one answer everywhere (issue 15; Links' own behaviour, lib.ml)", () => {
  it("NaN is unordered, strings and chars order by code point, intToChar checks its argument", () => {
    expect(stdoutOf("var n = 0.0 /. 0.0; (n <= n, n >= n, n < n, n == n, n <> n)")).toBe("(false, false, false, false, true) : (Bool, Bool, Bool, Bool, Bool)\n");
    expect(stdoutOf("('😀' < 'ｱ', \"😀\" < \"ｱ\", \"ab\" < \"abc\")")).toBe("(false, false, true) : (Bool, Bool, Bool)\n");
    const r = run("intToChar(-1)");
    expect(r).toMatchObject({ exitCode: 1, stdout: "" });
    expect(r.stderr).toBe("t.links:1:1: runtime error: intToChar: -1 is not a Unicode code point\n  intToChar(-1)\n  ^^^^^^^^^^^^^\n");
  });
});
