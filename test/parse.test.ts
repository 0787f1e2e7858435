// Tests for passes/lexer.ts and passes/parse.ts: printed Surface for every construct,
// precedence, error messages/spans, and acceptance of the Links test suite and examples
// (read at test time from ../shared/links-tests; never copied into the project).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CompileError, sexp } from "../ir/common.js";
import { printSurface, typeExprToSExp } from "../ir/surface.js";
import { parseProgram, parseType } from "../passes/parse.js";

/** The printed program on one line. */
const show = (src: string): string => printSurface(parseProgram(src, "t.links")).replace(/\s*\n\s*/g, " ");
const showType = (src: string): string => sexp(typeExprToSExp(parseType(src, "t.links")), 10_000);

/** The CompileError that parsing `src` throws (fails the test if it throws anything else). */
function errorOf(src: string): CompileError {
  try {
    parseProgram(src, "t.links");
  } catch (e) {
    if (e instanceof CompileError) return e;
    throw e;
  }
  throw new Error(`expected a parse error for: ${src}`);
}

describe("parse: printed Surface", () => {
  const cases: [string, string][] = [
    // declarations and programs
    ["fun f(x) { x + 1 } f(2)", "(program (fun f ((x)) (+ x 1)) (app f 2))"],
    ["fun f() {1} fun g() {2} f()", "(program (fun f (()) 1) (fun g (()) 2) (app f))"],
    ["var x = 1; x + 1", "(program (var x 1) (+ x 1))"],
    ["{ var x = 1; x }", "(program (block (var x 1) x))"],
    ["sig f : (Int) -> Int fun f(x) {x} f(2)", "(program (fun f ((x)) (sig (-> (Int) (row | _) Int)) x) (app f 2))"],
    ["sig x : Int var x = 3; x", "(program (var x (sig Int) 3) x)"],
    ["typename Pair(a, b) = (a, b); 1", "(program (typename Pair (a b) (tuple a b)) 1)"],
    ["{ var (a, b) = (1, 2); var x : Int = a; fun g(y) { y } g(b); }",
      "(program (block (var (tuple a b) (tuple 1 2)) (var (: x Int) a) (fun g ((y)) y) (app g b)))"],
    ["{}", "(program (block))"],
    ["fun f() { g() }; f()", "(program (fun f (()) (app g)) (app f))"],
    ["mutual { fun even(n) { n == 0 || odd(n - 1) } fun odd(n) { not(even(n)) } } even(4)",
      "(program (fun even ((n)) (|| (== n 0) (app odd (- n 1)))) (fun odd ((n)) (app not (app even n))) (app even 4))"],
    // functions
    ["fun (x) { x }", "(program (fun ((x)) x))"],
    ["fun ((a, b), _)(c) { a }", "(program (fun (((tuple a b) _) (c)) a))"],
    ["fun f(x : Int) { x : Int } f", "(program (fun f (((: x Int))) (: x Int)) f)"],
    ["fun (x) { var y = x; y }(1)", "(program (app (fun ((x)) (block (var y x) y)) 1))"],
    ["fun (x) { x } : (String) -> String", "(program (: (fun ((x)) x) (-> (String) (row | _) String)))"],
    // operators and precedence (Links' default fixity table)
    ["1 + 2 * 3 - 4 / 5", "(program (- (+ 1 (* 2 3)) (/ 4 5)))"],
    ["3 - 2 - 1", "(program (- (- 3 2) 1))"],
    ["2 ^ 3 ^ 2", "(program (^ 2 (^ 3 2)))"],
    ["-2^4", "(program (^ -2 4))"],
    ["1 :: 2 :: []", "(program (:: 1 (:: 2 (list))))"],
    ["1 :: [] ++ [] ++ 2 :: 3 :: []", "(program (++ (:: 1 (list)) (++ (list) (:: 2 (:: 3 (list))))))"],
    ["(2 ^ 0) :: (2 ^ 1) :: []", "(program (:: (^ 2 0) (:: (^ 2 1) (list))))"],
    ["a == b && c <> d || e < f", "(program (|| (&& (== a b) (<> c d)) (< e f)))"],
    ["88 > 32 && 42 <= 100 || 100 < 88 + 32 && 30 * 3 + 1 > 90",
      "(program (|| (&& (> 88 32) (<= 42 100)) (&& (< 100 (+ 88 32)) (> (+ (* 30 3) 1) 90))))"],
    ["x +. 1.0 *. y -. z /. w", "(program (-. (+. x (*. 1.0 y)) (/. z w)))"],
    ['"a" ^^ "b" ^^ "c"', '(program (^^ "a" (^^ "b" "c")))'],
    ["[1] ++ [2] ++ [3]", "(program (++ (list 1) (++ (list 2) (list 3))))"],
    ["-x * y", "(program (* (neg x) y))"],
    ["- -x", "(program (neg (neg x)))"],
    ["{var x = 21342; x == - -x}", "(program (block (var x 21342) (== x (neg (neg x)))))"],
    ["-.10.0 < -.9.5 && 10.0 > -.9.5", "(program (&& (< -10.0 -9.5) (> 10.0 -9.5)))"],
    ["-.x", "(program (negf x))"],
    ["if (x) 1 else -20", "(program (if x 1 -20))"],
    ["7 `mod` 3 + 1", "(program (+ (mod 7 3) 1))"],
    ["7 mod 3 + 1", "(program (+ (mod 7 3) 1))"],
    ["var mod = 2; mod(7, mod)", "(program (var mod 2) (app mod 7 mod))"],
    ["5 `elem` [1,2] || 3 `elem` [3] && true", "(program (|| (elem 5 (list 1 2)) (&& (elem 3 (list 3)) true)))"],
    ["pid ! Msg(1)", "(program (! pid (con Msg 1)))"],
    ["spawn { recv() + 1 } ! 1", "(program (! (spawn (block (+ (app recv) 1))) 1))"],
    ["f $ g $ x", "(program ($ f ($ g x)))"],
    ["x + 1 : Int", "(program (: (+ x 1) Int))"],
    // sections
    ["(+)", "(program (section +))"],
    ["(-)", "(program (section -))"],
    ["(*)", "(program (section *))"],
    ["(::)", "(program (section ::))"],
    ["(++)", "(program (section ++))"],
    ["(==)", "(program (section ==))"],
    ["(^^)", "(program (section ^^))"],
    ["(.l)", "(program (section .l))"],
    ["map(curry((+))(1), [1,2,3])", "(program (app map (app (app curry (section +)) 1) (list 1 2 3)))"],
    // application, projection, constructors
    ["f(a, b)(c)", "(program (app (app f a b) c))"],
    ["f()", "(program (app f))"],
    ["r.l.m", "(program (. (. r l) m))"],
    ["(1,\"two\",3).2", "(program (. (tuple 1 \"two\" 3) 2))"],
    ["x.1.2", "(program (. (. x 1) 2))"],
    ["s.ord(x, s.m)", "(program (app (. s ord) x (. s m)))"],
    ["Foo", "(program (con Foo))"],
    ["Foo(1)", "(program (con Foo 1))"],
    ["Foo(1, 2)", "(program (con Foo (tuple 1 2)))"],
    ["Foo (Bar)", "(program (con Foo (con Bar)))"],
    ["Foo'", "(program (con Foo'))"],
    ["Foo'''''bar", "(program (con Foo'''''bar))"],
    ["var x'''y = 128; x'''y", "(program (var x'''y 128) x'''y)"],
    // literals
    ["2003004005006007002", "(program 2003004005006007002)"],
    ["3.14", "(program 3.14)"],
    ["1.5e3", "(program 1500.0)"],
    ['"L\\151nks" ^^ "L\\x69nks" ^^ "\\"q\\"\\t"', '(program (^^ "Links" (^^ "Links" "\\"q\\"\\t")))'],
    ["'a'", "(program 'a')"],
    ["var a' = 42; 'a'", "(program (var a' 42) 'a')"],
    ["(true, false, ())", "(program (tuple true false (tuple)))"],
    // lists, tuples, records
    ["[1, 2, 3]", "(program (list 1 2 3))"],
    ["[]", "(program (list))"],
    ["[a..b]", "(program (range a b))"],
    ["[1..10]", "(program (range 1 10))"],
    ["(a, b)", "(program (tuple a b))"],
    ["(1)", "(program 1)"],
    ['(x = 1, y = "a")', '(program (record (x 1) (y "a")))'],
    ["(x = 1 | r)", "(program (record (x 1) | r))"],
    ["(r with x = 2, y = 3)", "(program (with r (x 2) (y 3)))"],
    ['("client"=5, 2="two")', '(program (record (client 5) (2 "two")))'],
    ["var y = 2; (x=1, =y)", "(program (var y 2) (record (x 1) (y y)))"],
    // control flow
    ["if (c) x else y", "(program (if c x y))"],
    ["if (c) { x }", "(program (if c (block x)))"],
    ["if (a) if (b) x else y", "(program (if a (if b x y)))"],
    ["switch (l) { case [] -> 0 case x :: xs -> var n = 1; n + x case _ -> -1 }",
      "(program (switch l (case [] 0) (case (:: x xs) (block (var n 1) (+ n x))) (case _ -1)))"],
    ["for (x <- xs, y <- ys) where (x < y) orderby (x) [(x, y)]",
      "(program (for ((<- x xs) (<- y ys)) (where (< x y)) (orderby x) (list (tuple x y))))"],
    ["for (i <- [2,1,3]) orderby (-i, i) [i]", "(program (for ((<- i (list 2 1 3))) (orderby (tuple (neg i) i)) (list i)))"],
    ["for () [1]", "(program (for () (list 1)))"],
    ["Nothing : Maybe(Int)", "(program (: (con Nothing) (Maybe Int)))"],
    // patterns
    ["switch (p) { case (a, b) -> a case (l = x, m = y | r) -> x case Foo(x) as z -> 0 case (x : Int) -> x case [a, b] -> a case \"s\" -> 1 case 'c' -> 2 case -3 -> 3 case 1.5 -> 4 case true -> 5 case () -> 6 }",
      "(program (switch p (case (tuple a b) a) (case (record (l x) (m y) | r) x) (case (as (Foo x) z) 0) (case (: x Int) x) (case (list a b) a) (case \"s\" 1) (case 'c' 2) (case -3 3) (case 1.5 4) (case true 5) (case () 6)))"],
    ["switch (x) { case Foo(a, B) -> 1 case Foo -> 2 case x::y::[] -> 3 case (=h, w=y) -> 4 }",
      "(program (switch x (case (Foo (tuple a (B))) 1) (case (Foo) 2) (case (:: x (:: y [])) 3) (case (record (h h) (w y)) 4)))"],
    ["{var x::xs as y = [1,2,3]; y}", "(program (block (var (as (:: x xs) y) (list 1 2 3)) y))"],
    // effects and handlers
    ["do Op", "(program (do Op))"],
    ["do Op()", "(program (do Op))"],
    ["do Op(1)", "(program (do Op 1))"],
    ["do Op(1, 2)", "(program (do Op 1 2))"],
    ["do A + do B", "(program (+ (do A) (do B)))"],
    ["{ var _ = do Fail : Zero; 42 }", "(program (block (var _ (: (do Fail) Zero)) 42))"],
    ["handle(m()) { case <Get => k> -> k(1) case <Put(p) => k> -> k(()) case <Fail> -> 0 case <Op => _> -> 1 case x -> x }",
      "(program (handle (app m) (params) (op Get () k (app k 1)) (op Put (p) k (app k (tuple))) (op Fail () _ 0) (op Op () _ 1) (return x x)))"],
    ["shallowhandle(m()) { case <Op(p) -> k> -> k(p) case x -> x }",
      "(program (shallowhandle (app m) (params) (op Op (p) k (app k p)) (return x x)))"],
    ["handle(m())(s <- 0, t <- 1) { case <Get => k> -> k(s, s, t) case x -> x }",
      "(program (handle (app m) (params (s 0) (t 1)) (op Get () k (app k s s t)) (return x x)))"],
    ["handle(42) { }", "(program (handle 42 (params)))"],
    ["handle(x) { case <Op1(p as q, 1) => (k as f)> -> f(q) }", "(program (handle x (params) (op Op1 ((as p q) 1) (as k f) (app f q))))"],
    ["handle(x) { case <Fail => k> : (forall a. () => a) -> Nothing }",
      "(program (handle x (params) (op Fail () k (: (forall (a) (=> () a))) (con Nothing))))"],
    ["handle(x) { case <A => k> -> Nothing : Maybe(Int) case x -> Just(x) : Maybe(Int) }",
      "(program (handle x (params) (op A () k (: (con Nothing) (Maybe Int))) (return x (: (con Just x) (Maybe Int)))))"],
    // actors
    ["spawn { recv() }", "(program (spawn (block (app recv))))"],
    ["spawnWait { 1 }", "(program (spawnWait (block 1)))"],
    ["spawnAngel { 2 }", "(program (spawnAngel (block 2)))"],
    ["receive { case Hi(p) -> p ! 1 case _ -> () }", "(program (receive (case (Hi p) (! p 1)) (case _ (tuple))))"],
    ["self()", "(program (app self))"],
    // user-defined operators and fixity declarations
    ["infixl 6 <+>; op a <+> b { a + b } 1 <+> 2 * 3", "(program (fun <+> ((a b)) (+ a b)) (<+> 1 (* 2 3)))"],
    ["infixl 9 +; 2 + 3 * 3", "(program (* (+ 2 3) 3))"],
    ["prefix 9 @@; op @@ x { [x] } @@ 1 ++ [2]", "(program (fun @@ ((x)) (list x)) (++ (app @@ 1) (list 2)))"],
    ["postfix 1 !!!; op x !!! { x } 1 + 2 !!!", "(program (fun !!! ((x)) x) (app !!! (+ 1 2)))"],
    ["sig >>= : (a, b) -> c op m >>= k { k(m) } x >>= f", "(program (fun >>= ((m k)) (sig (-> (a b) (row | _) c)) (app k m)) (>>= x f))"],
  ];
  for (const [src, expected] of cases) it(src, () => expect(show(src)).toBe(expected));

  it("gives every node a span", () => {
    const p = parseProgram("fun f(x) {\n  x + 1\n}\nf(2)", "t.links");
    const f = p.stmts[0]!;
    expect(f.span).toMatchObject({ line: 1, col: 1, endLine: 3, endCol: 2 });
    expect(f.tag === "SFun" && f.body.span).toMatchObject({ line: 2, col: 3, endLine: 2, endCol: 8 });
    expect(p.result!.span).toMatchObject({ file: "t.links", line: 4, col: 1, endLine: 4, endCol: 5 });
    expect(p.stmts.every((s) => s.span.file === "t.links")).toBe(true);
  });
});

describe("parseType", () => {
  const cases: [string, string][] = [
    ["Int", "Int"],
    ["(A, B) -> C", "(-> (A B) (row | _) C)"],
    ["() -> C", "(-> () (row | _) C)"],
    ["(A) ~> B", "(-> (A) (row | _ wild) B)"],
    ["(A) -e-> B", "(-> (A) (row | e) B)"],
    ["(A) ~e~> B", "(-> (A) (row | e wild) B)"],
    ["(A) -_-> B", "(-> (A) (row | _) B)"],
    ["(A) {}-> B", "(-> (A) (row) B)"],
    ["(A) {}~> B", "(-> (A) (row wild) B)"],
    ["(A) {E:(Int) => Bool, F:() => a|e}-> B", "(-> (A) (row (E (=> (Int) Bool)) (F (=> () a)) | e) B)"],
    ["(A) {Choose{_}|e}~> B", "(-> (A) (row Choose{_} | e wild) B)"],
    ["(A) {Choose- |e}-> B", "(-> (A) (row Choose- | e) B)"],
    ["() {Ask:a| .}-> a", "(-> () (row (Ask a)) a)"],
    ["() {:Int|_}~> a", "(-> () (row ( Int) | _ wild) a)"],
    ["Comp(a, {Choose:Bool|e})", "(Comp a (row (Choose Bool) | e))"],
    ["[T]", "(list T)"],
    ["(l:T, m:U)", "(record (row (l T) (m U)))"],
    ["(l:T|r)", "(record (row (l T) | r))"],
    ["(| _)", "(record (row | _))"],
    ["(A, B)", "(tuple A B)"],
    ["()", "(tuple)"],
    ["[|A:T | B | r|]", "(variant (row (A T) B | r))"],
    ["[|A|_|]", "(variant (row A | _))"],
    ["[|Foo:_::Any|_::Any|]", "(variant (row (Foo _) | _))"],
    ["Maybe(Int)", "(Maybe Int)"],
    ["mu a . [|Nil | Cons:(Int, a)|]", "(mu a (variant (row Nil (Cons (tuple Int a)))))"],
    ["forall a, b::Row. (a) -b-> a", "(forall (a b) (-> (a) (row | b) a))"],
    ["(a::Any, b::(Any,Any)) -> a", "(-> (a b) (row | _) a)"],
    ["(() {A:a,B:(a) => b|_}~> b)", "(-> () (row (A a) (B (=> (a) b)) | _ wild) b)"],
    ["(Comp(a, {Fail:forall a.a |e})) {Fail{_} |e}~> Maybe(b)", "(-> ((Comp a (row (Fail (forall (a) a)) | e))) (row Fail{_} | e wild) (Maybe b))"],
    ["(a{%b}|%c)", "(record (row a{%b} | %c))"],
    ["((a) ~%~> b) -> b", "(-> ((-> (a) (row | % wild) b)) (row | _) b)"],
  ];
  for (const [src, expected] of cases) it(src, () => expect(showType(src)).toBe(expected));

  it("rejects trailing input", () => {
    expect(() => parseType("Int Int", "t.links")).toThrow(/unexpected token `Int`; expected end of input/);
  });
});

describe("parse: errors", () => {
  const syntax: [string, RegExp, number, number][] = [
    ["1 +", /^unexpected end of input; expected an expression$/, 1, 4],
    ["f(1, 2", /^unexpected end of input; expected `\)` to close the argument list$/, 1, 7],
    ["{ var x = 1 x }", /^unexpected token `x`; expected `;` after `var` declaration$/, 1, 13],
    ['"abc', /^unterminated string literal \(missing closing `"`\)$/, 1, 1],
    ["x +\n  'ab'", /^invalid character literal/, 2, 3],
    ["'Foo", /^invalid character literal/, 1, 1],
    ["var 'x = 42;", /^invalid character literal/, 1, 5],
    ["if 1", /^unexpected token `1`; expected `\(` after `if`$/, 1, 4],
    ["fun f(x) { x", /^unexpected end of input; expected `}` to close the block$/, 1, 13],
    ["switch (x) { case 1 => 2 }", /^unexpected token `=>`; expected `->` after the case pattern$/, 1, 21],
    ["var x = 1", /^unexpected end of input; expected `;` after `var` declaration$/, 1, 10],
    ["x = 3", /^unexpected token `=`; expected `;` or end of input$/, 1, 3],
    ["1 2", /^unexpected token `2`; expected `;` or end of input$/, 1, 3],
    ["(1, 2", /^unexpected end of input; expected `\)` to close the tuple$/, 1, 6],
    ["[1, 2", /^unexpected end of input; expected `]` or `,` in list$/, 1, 6],
    ["f())", /^unexpected token `\)`; expected `;` or end of input$/, 1, 4],
    ["x.", /^unexpected end of input; expected a record label after `.`$/, 1, 3],
    ['"\\q"', /^unknown escape sequence `\\q` in string literal/, 1, 2],
    ["x ? y", /^unexpected token `\?`; expected `;` or end of input$/, 1, 3],
    ["1 # comment\n  €", /^unexpected character `€`$/, 2, 3],
    ["typename t = Int;", /^unexpected token `t`; expected a type name \(capitalised\) after `typename`$/, 1, 10],
    ["sig f : Int fun g() {1}", /^signature for `f` should precede the definition of `f`, not `g`$/, 1, 13],
    ["handle(x) { case <foo> -> 1 }", /^unexpected token `foo`; expected an operation name \(capitalised\) after `<`$/, 1, 19],
    ["handle(x) { case <Foo => k -> 1 }", /^unexpected token `->`; expected `>` to close the operation pattern/, 1, 28],
    ["mutual { var x = 1; }", /^Only `fun` and `typename` bindings are allowed in a `mutual` block$/, 1, 10],
    ["fun (x) { fun g }", /^unexpected token `}`; expected `\(` to start the parameter list$/, 1, 17],
    ["{ 1 ; fun f(x) }", /^unexpected token `}`; expected `{` to start the function body$/, 1, 16],
    ["x + fun f(y) { y }", /^named function `f` is only allowed as a declaration/, 1, 9],
    ["do foo", /^unexpected token `foo`; expected an operation name \(capitalised\) after `do`$/, 1, 4],
  ];
  for (const [src, msg, line, col] of syntax) {
    it(`syntax error: ${src}`, () => {
      const e = errorOf(src);
      expect(e.kind).toBe("syntax");
      expect(e.message).toMatch(msg);
      expect(e.span).toMatchObject({ file: "t.links", line, col });
    });
  }

  it("the brief's example", () => {
    expect(() => parseProgram("1 +", "t.links")).toThrow(/unexpected end of input; expected an expression/);
  });

  const unsupportedCases: [string, RegExp, number, number][] = [
    ["<a>hi</a>", /XML literals/, 1, 1],
    ["var doc = <html><body/></html>; doc", /XML literals/, 1, 11],
    ["query { 1 }", /database queries/, 1, 1],
    ["database \"db\"", /databases/, 1, 1],
    ["table \"t\" with (x:Int) from db", /tables/, 1, 1],
    ["insert t values (x) [(x=1)]", /database `insert`/, 1, 1],
    ["update (x <-- t) set (y = 1)", /database `update`/, 1, 1],
    ["delete (x <-- t)", /database `delete`/, 1, 1],
    ["for (x <-- t) [x]", /table generators/, 1, 8],
    ["linfun (x) { x }", /linear functions/, 1, 1],
    ["sig f : (Int) -@ Int fun f(x) { x }", /linear function types/, 1, 15],
    ["escape k in k(1)", /`escape`/, 1, 1],
    ["try f() as x in x otherwise 0", /`try … as … in … otherwise`/, 1, 1],
    ["formlet <#/> yields 1", /formlets/, 1, 1],
    ["page <html/>", /pages/, 1, 1],
    ["offer (c) { case A -> 1 }", /session types/, 1, 1],
    ["select A c", /session types/, 1, 1],
    ["receive(c)", /session-typed `receive\(c\)`/, 1, 1],
    ["typename S = !Int.End; 1", /session types/, 1, 14],
    ["typename S = ?Int.End; 1", /session types/, 1, 14],
    ["typename S = ~T; 1", /session types/, 1, 14],
    ["fun f() server { 1 }", /location annotations/, 1, 9],
    ["fun f() client { 1 }", /location annotations/, 1, 9],
    ["alien javascript \"x.js\" f : (Int) -> Int;", /foreign declarations/, 1, 1],
    ["module M { fun f() { 1 } }", /modules/, 1, 1],
    ["open M;", /modules/, 1, 1],
    ["import M;", /modules/, 1, 1],
    ["M.f(1)", /qualified names/, 1, 1],
    ["(~id)(2)", /frozen variables/, 1, 2],
    ["/\\ [a]. { 123 }", /type abstractions/, 1, 1],
    ["f(x)[Int]", /explicit type application/, 1, 5],
    ["x =~ /a/", /regular expressions/, 1, 3],
    ["(x : Int <- Int)", /upcasts/, 1, 10],
    ["fun f(x) switch { case 1 -> 2 }", /`switch` function bodies/, 1, 10],
    ["sig f : (| (mu a . a)) -> Int fun f(x) { 1 }", /recursive row variables/, 1, 12],
  ];
  for (const [src, msg, line, col] of unsupportedCases) {
    it(`unsupported: ${src}`, () => {
      const e = errorOf(src);
      expect(e.kind).toBe("unsupported");
      expect(e.message).toMatch(/^unsupported: /);
      expect(e.message).toMatch(msg);
      expect(e.span).toMatchObject({ line, col });
    });
  }
});

describe("parse: robustness and speed", () => {
  const programs = [
    "fun f(x) { x + 1 } f(2)",
    "sig allChoices : (Comp(a, {Choose:Bool|e})) {Choose{_}|e}~> [a] fun allChoices(m) {handle(m()) {case x -> [x] case <Choose => k> -> k(true) ++ k(false) }}",
    "{ handle({ var s = do Get; do Put(s + 1); do Get })(s <- 2) { case <Get => k> -> k(s,s) case <Put(p) => k> -> k((),p) case x -> x } }",
    "switch (l) { case (x::xs, (a=y|r)) -> for (i <- [1..x]) where (i > 0) [(i, -.1.5, 'c', \"s\")] case _ -> [] }",
    "typename T(a) = [|A:(a, [b]) | B|_|]; infixl 3 <|>; op a <|> b { a } fun g(x) { spawn { recv() ! (x.1 with l = -1) } }",
  ];

  it("throws only CompileErrors on every truncation and single-character deletion", () => {
    let thrown = 0;
    for (const src of programs) {
      const variants: string[] = [];
      for (let i = 0; i < src.length; i++) variants.push(src.slice(0, i), src.slice(0, i) + src.slice(i + 1));
      for (const v of variants) {
        try {
          parseProgram(v, "fuzz.links");
        } catch (e) {
          if (!(e instanceof CompileError)) throw new Error(`non-CompileError on ${JSON.stringify(v)}: ${String(e)}`);
          expect(["syntax", "unsupported"]).toContain(e.kind);
          expect(e.span).toBeDefined();
          thrown++;
        }
      }
    }
    expect(thrown).toBeGreaterThan(100);
  });

  it("parses a generated 10,000-line program well under a second", () => {
    const lines: string[] = [];
    for (let i = 0; i < 2000; i++) {
      lines.push(`sig f${i} : (Int, [Int]) {Get:() => Int|e}~> (Int, String)`);
      lines.push(`fun f${i}(x, xs) {`);
      lines.push(`  var y = x * ${i} + (if (x > 2) 1 else -3) :: xs ++ [1, 2, 3];`);
      lines.push(`  switch (y) { case [] -> (0, "none") case z :: zs -> (z + do Get, "s\\n" ^^ intToString(z)) }`);
      lines.push("}");
    }
    lines.push("f1(1, [])");
    const src = lines.join("\n");
    parseProgram(src, "big.links"); // warm up the JIT
    const t0 = performance.now();
    const p = parseProgram(src, "big.links");
    const ms = performance.now() - t0;
    expect(p.stmts.length).toBe(2000);
    expect(ms).toBeLessThan(1000);
  });

  it("handles long operator chains without growing the stack", () => {
    const src = Array.from({ length: 20_000 }, (_, i) => String(i)).join(" :: ") + " :: []";
    const p = parseProgram(src, "t.links");
    expect(p.result?.tag).toBe("BinOp");
  });

  it("reports absurd nesting as a CompileError", () => {
    const e = errorOf("(".repeat(50_000) + "1" + ")".repeat(50_000));
    expect(e.kind).toBe("unsupported");
  });
});

// ---------------------------------------------------------------- the Links test suite
const LINKS_TESTS = fileURLToPath(new URL("../../shared/links-tests/", import.meta.url));
const haveLinksTests = existsSync(join(LINKS_TESTS, "tests"));

interface LinksCase { file: string; name: string; program: string; source: string; expectError: boolean }

/** Reads `tests/*.tests` in the Links harness format (see ../shared/links-tests/README.md). */
function linksCases(): LinksCase[] {
  const out: LinksCase[] = [];
  for (const file of readdirSync(join(LINKS_TESTS, "tests")).filter((f) => f.endsWith(".tests")).sort()) {
    const lines = readFileSync(join(LINKS_TESTS, "tests", file), "utf8").split("\n").filter((l) => !l.startsWith("#"));
    const blocks: string[][] = [[]];
    for (const l of lines) {
      if (l.trim() === "") { if (blocks[blocks.length - 1]!.length > 0) blocks.push([]); }
      else blocks[blocks.length - 1]!.push(l);
    }
    for (const b of blocks) {
      if (b.length < 2 || b[0] === "---") continue; // empty, or a file-level options header
      const [name, program, ...optLines] = b as [string, string, ...string[]];
      const opts = new Map<string, string>();
      for (const l of optLines) {
        const i = l.indexOf(" : ");
        if (i > 0) opts.set(l.slice(0, i), l.slice(i + 3));
      }
      const source = opts.get("filemode") === "true" ? readFileSync(join(LINKS_TESTS, program), "utf8") : program;
      out.push({ file, name, program, source, expectError: opts.get("exit") === "1" });
    }
  }
  return out;
}

type Outcome = "parsed" | "unsupported" | "syntax" | "crash";
function outcome(source: string, file: string): { kind: Outcome; detail: string } {
  try {
    parseProgram(source, file);
    return { kind: "parsed", detail: "" };
  } catch (e) {
    if (e instanceof CompileError) {
      const where = e.span ? `${e.span.line}:${e.span.col}` : "?";
      return { kind: e.kind === "unsupported" ? "unsupported" : e.kind === "syntax" ? "syntax" : "crash", detail: `${where} ${e.message}` };
    }
    return { kind: "crash", detail: String(e) };
  }
}

describe.skipIf(!haveLinksTests)("parse: Links test suite (../shared/links-tests)", () => {
  it("parses every case that is expected to succeed (or reports it unsupported)", () => {
    const cases = linksCases();
    expect(cases.length).toBeGreaterThan(400);
    const counts: Record<Outcome, number> = { parsed: 0, unsupported: 0, syntax: 0, crash: 0 };
    const bad: string[] = [];
    let errorCases = 0;
    for (const c of cases) {
      const { kind, detail } = outcome(c.source, `${c.file}:${c.name}`);
      if (c.expectError) {
        errorCases++;
        if (kind === "crash") bad.push(`${c.file} / ${c.name}: crash ${detail}`);
        continue;
      }
      counts[kind]++;
      if (kind === "syntax" || kind === "crash") bad.push(`${c.file} / ${c.name}: ${kind} ${detail}\n    ${c.program}`);
    }
    console.log(`links-tests: ${counts.parsed} parsed, ${counts.unsupported} unsupported, ${counts.syntax} syntax errors, ` +
      `${counts.crash} crashes (of ${cases.length - errorCases} expected to succeed; ${errorCases} expected-error cases skipped)`);
    expect(bad).toEqual([]);
    expect(counts.parsed).toBeGreaterThan(350);
  });

  it("parses every handler example (or reports it unsupported)", () => {
    const dir = join(LINKS_TESTS, "examples", "handlers");
    const files = readdirSync(dir).filter((f) => f.endsWith(".links")).sort();
    expect(files.length).toBeGreaterThan(20);
    const bad: string[] = [];
    let parsed = 0, unsup = 0;
    for (const f of files) {
      const { kind, detail } = outcome(readFileSync(join(dir, f), "utf8"), f);
      if (kind === "parsed") parsed++;
      else if (kind === "unsupported") unsup++;
      else bad.push(`${f}: ${kind} ${detail}`);
    }
    console.log(`examples/handlers: ${parsed} parsed, ${unsup} unsupported, ${bad.length} failed (of ${files.length})`);
    expect(bad).toEqual([]);
    expect(parsed).toBeGreaterThan(15);
  });

  it("parses the fixity test with Links' results", () => {
    const p = parseProgram(readFileSync(join(LINKS_TESTS, "tests", "fixity.links"), "utf8"), "fixity.links");
    const body = (name: string) => {
      const f = p.stmts.find((s) => s.tag === "SFun" && s.name === name);
      if (!f || f.tag !== "SFun") throw new Error(name);
      return printSurface({ stmts: [], result: f.body }).replace(/\s*\n\s*/g, " ");
    };
    expect(body("test5")).toBe("(program (app <<>> (++++ (app @@@@ (++ (list 1 2) (list 3 4))) (app @@@@ (++ (list 5 6) (++ (app @@ 7) (app @@ 8)))))))");
    expect(body("test6")).toBe("(program (app -* (app *+ -3)))");
    expect(body("test7")).toBe("(program (app *+ (app -* -3)))");
    expect(body("test10")).toBe("(program (- (* (+ 2 3) 3) (/ 2 3)))");
    expect(body("test11")).toBe("(program (/ (- (+ 2 (* 3 3)) 2) 3))");
    expect(body("test12")).toBe("(program (/ (* (+ 2 3) (- 3 2)) 3))");
    expect(body("test13")).toBe("(program (+ 2 (* 3 (/ (-- 3 2) 3))))");
  });
});
