// Regression tests for the disagreements the differential fuzzer found (tools/fuzz.ts, once on
// tools/fuzz-known.ts): each reproducer runs on interp, wasmfx and cps (Node) and must print exactly
// the same — what Links prints, where Links' behaviour is the reference (docs/front-end-and-interpreter.md,
// "Where Links' behaviour is the reference"):
//   unit-compare   `() < ()`: the Wasm backends emitted `(call $compare_values (nop) (nop))`
//   parse-empty    `isInt("")` trapped on Wasm; isInt, isFloat, stringToInt, stringToFloat follow Links
//   bad-char       `intToChar(-1)` was a garbage Char on Wasm; now the runtime error interp gives
//   process-print  `spawn { () }` printed `Process(1)` on interp, `?` on Wasm; now Links' `Pid Server (srvPid_0)`
//   int-literal-64 `9223372036854775808` wrapped on Wasm, not on interp; now a syntax error, as in Links
//   nan-poly-compare `sort([2.5, 7.0, 0.0 /. 0.0])` (fuzz --seed 2026, program 3724): `<=` on two boxed
//                  Floats, one a NaN, was true on Wasm ($compare_values' 0), false on interp (IEEE)
// and, for the string conversions, the Wasm runtime's functions against the interpreter's on many
// strings, and both against what OCaml's int_of_string / float_of_string give (Links' core/lib.ml).
import { runtimeWat } from "../passes/codegen-module.js";
import { beforeAll, describe, expect, it } from "vitest";
import { prepareBackend, runSource } from "../tools/compile-lib.js";
import { assemble, loadBinaryen } from "../backends/wasm/binaryen.js";
import { instantiate } from "../backends/wasm/node.js";
import { linksIsFloat, linksIsInt, ocamlFloatOfString, ocamlIntOfString } from "../backends/interp/parse-number.js";

beforeAll(async () => {
  await prepareBackend("wasmfx");
  await loadBinaryen();
});

const BACKENDS = ["interp", "wasmfx", "cps"] as const;
const ok = (stdout: string) => ({ stdout, stderr: "", exitCode: 0 });
/** A runtime error in the call that is the whole one-line program `text`: located there, on every backend. */
const runtimeError = (text: string, message: string) =>
  ({ stdout: "", stderr: `t.links:1:1: runtime error: ${message}\n  ${text}\n  ${"^".repeat(text.length)}\n`, exitCode: 1 });

/** The program prints `expected` (stdout, stderr, exit code) on every backend. */
function agrees(text: string, expected: { stdout: string; stderr: string; exitCode: number }): void {
  for (const b of BACKENDS) expect(runSource({ file: "t.links", text }, b), `${b}: ${text}`).toEqual(expected);
}

describe("nan-poly-compare: a comparison operator on two Floats is IEEE's, also where they are boxed", () => {
  it.each([
    // the reproducer: the prelude's sort compares boxed elements
    ["sort([2.5, 7.0, 0.0 /. 0.0])", "[2.5, nan, 7.0] : [Float]\n"],
    // polymorphic functions: every operator false with a NaN, as on unboxed Floats
    ["{ var n = 0.0 /. 0.0; fun lt(a, b) { a < b } fun le(a, b) { a <= b } fun gt(a, b) { a > b } fun ge(a, b) { a >= b } " +
      "[lt(n, 2.5), lt(2.5, n), le(n, 2.5), le(2.5, n), gt(n, 2.5), gt(2.5, n), ge(n, 2.5), ge(2.5, n), le(n, n), ge(n, n), n < 2.5, n >= n] }",
    "[false, false, false, false, false, false, false, false, false, false, false, false] : [Bool]\n"],
    // ordered values still compare, boxed or not; inside a list a NaN is neither less nor greater
    ["{ fun le(a, b) { a <= b } fun gt(a, b) { a > b } fun ge(a, b) { a >= b } (le(1.5, 2.5), gt(2.5, 1.5), ge(2.5, 2.5), ge(1.5, 2.5), le(\"a\", \"b\"), gt([1], [0, 5]), [0.0 /. 0.0, 1.0] < [0.0 /. 0.0, 2.0]) }",
      "(true, true, true, false, true, true, true) : (Bool, Bool, Bool, Bool, Bool, Bool, Bool)\n"],
  ])("%s", (text, stdout) => agrees(text, ok(stdout)));
});

describe("unit-compare: () compares equal to itself, as Links' empty record", () => {
  it.each([
    ["() < ()", "false : Bool\n"],
    ["(() < (), () <= (), () == (), () <> (), () > (), () >= ())", "(false, true, true, false, false, true) : (Bool, Bool, Bool, Bool, Bool, Bool)\n"],
    ["{ var u = (); fun f(x) { x == () } (f(u), [u] < [u, u], ((), 1) < ((), 2), (a = ()) == (a = ()), (a = (), b = 1) < (a = (), b = 0)) }",
      "(true, true, true, true, false) : (Bool, Bool, Bool, Bool, Bool)\n"],
  ])("%s", (text, stdout) => agrees(text, ok(stdout)));
});

describe("parse-empty: isInt, isFloat, stringToInt, stringToFloat as Links", () => {
  it.each([
    // Links' prelude: `x =~ /-?[0-9]+$/`, `x =~ /-?[0-9]+(\.[0-9]+)?$/` (OCaml Str: `$` also before a newline)
    ['(isInt(""), isInt("-"), isInt("12"), isInt("-12"), isInt("+12"), isInt(" 12"), isInt("12 "), isInt("12\\n"), isInt("0x10"), isInt("99999999999999999999"))',
      "(false, false, true, true, false, false, false, true, false, true) : (Bool, Bool, Bool, Bool, Bool, Bool, Bool, Bool, Bool, Bool)\n"],
    ['(isFloat(""), isFloat("1.5"), isFloat("-2"), isFloat("1."), isFloat(".5"), isFloat("1e5"), isFloat("1.5\\n"))',
      "(false, true, true, false, false, false, true) : (Bool, Bool, Bool, Bool, Bool, Bool, Bool)\n"],
    // OCaml's int_of_string: prefixes, '_', a sign; a prefixed number wraps to 63 bits
    ['(stringToInt("0x1F"), stringToInt("-0X10"), stringToInt("0o17"), stringToInt("0b101"), stringToInt("0u42"), stringToInt("1_000"), stringToInt("+7"), stringToInt("007"), stringToInt("4611686018427387903"), stringToInt("-4611686018427387904"), stringToInt("0x7fffffffffffffff"))',
      "(31, -16, 15, 5, 42, 1000, 7, 7, 4611686018427387903, -4611686018427387904, -1) : (Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int)\n"],
    // OCaml's float_of_string: strtod's forms whole, '_' ignored, hexadecimal floats
    ['(stringToFloat(" 2.5e3"), stringToFloat("1."), stringToFloat(".5"), stringToFloat("1_000.5"), stringToFloat("-inf"), stringToFloat("Infinity"), stringToFloat("nan"), stringToFloat("0x1.8p1"), stringToFloat("-0x10"), stringToFloat("1e400"), stringToFloat("0x1p-1074"), stringToFloat(floatToString(1.0 /. 0.0)))',
      "(2500.0, 1.0, 0.5, 1000.5, -inf, inf, nan, 3.0, -16.0, inf, 4.94065645841e-324, inf) : (Float, Float, Float, Float, Float, Float, Float, Float, Float, Float, Float, Float)\n"],
  ])("%s", (text, stdout) => agrees(text, ok(stdout)));

  it.each([
    ['stringToInt("")', 'stringToInt: not an integer: ""'],
    ['stringToInt(" 1")', 'stringToInt: not an integer: " 1"'],
    ['stringToInt("4611686018427387904")', 'stringToInt: not an integer: "4611686018427387904"'],
    ['stringToFloat("")', 'stringToFloat: not a number: ""'],
    ['stringToFloat(" 1.5 ")', 'stringToFloat: not a number: " 1.5 "'],
    ['stringToFloat("1e")', 'stringToFloat: not a number: "1e"'],
  ])("%s fails", (text, message) => agrees(text, runtimeError(text, message)));
});

describe("bad-char: intToChar of a number that is not a Unicode scalar value is a runtime error naming it", () => {
  it.each([
    ["intToChar(-1)", "-1"],
    ["intToChar(1114112)", "1114112"],
    ["intToChar(55296)", "55296"],
    ["intToChar(57343)", "57343"],
    ["intToChar(-4611686018427387903 - 1)", "-4611686018427387904"],
  ])("%s", (text, n) => agrees(text, runtimeError(text, `intToChar: ${n} is not a Unicode code point`)));

  it("the edges of the valid range", () => {
    agrees("(charToInt(intToChar(1114111)), charToInt(intToChar(57344)), charToInt(intToChar(55295)), chr(65), intToChar(0) == intToChar(0))",
      ok("(1114111, 57344, 55295, 'A', true) : (Int, Int, Int, Char, Bool)\n"));
  });
});

describe("process-print: a process prints as Links prints a server pid", () => {
  it.each([
    ["spawn { () }", "Pid Server (srvPid_0) : Process ({:_|_})\n"],
    ["(self(), spawn { () }, spawnWait { 1 }, spawnAngel { () }, [spawn { 2 }], (p = self()))",
      "(Pid Server (MAIN), Pid Server (srvPid_0), 1, Pid Server (srvPid_2), [Pid Server (srvPid_3)], (p = Pid Server (MAIN))) : (Process ({:a|b}), Process ({:_|_}), Int, Process ({:_|_}), [Process ({:_|_})], (p:Process ({:a|b})))\n"],
  ])("%s", (text, stdout) => agrees(text, ok(stdout)));
});

describe("int-literal-64: an Int literal beyond max_int is a syntax error, as Links' lexer's int_of_string", () => {
  const tooBig = (lit: string, line: string, col: number) => ({
    stdout: "",
    stderr: `t.links:1:${col}: Syntax error: integer literal ${lit} is out of range: Int is 63-bit, at most 4611686018427387903 (write -4611686018427387903 - 1 for the least Int)\n`
      + `  ${line}\n  ${" ".repeat(col - 1)}${"^".repeat(lit.length)}\n`,
    exitCode: 1,
  });
  it.each([
    ["9223372036854775808", "9223372036854775808", 1],
    ["1 + 4611686018427387904", "4611686018427387904", 5],
    ["(-4611686018427387904)", "4611686018427387904", 3],
    ["switch (0) { case 99999999999999999999 -> 1 case _ -> 0 }", "99999999999999999999", 19],
  ] as const)("%s", (text, lit, col) => agrees(text, tooBig(lit, text, col)));

  it("max_int is a literal; min_int, and the arithmetic at the edges, wrap as 63-bit ints", () => {
    agrees("(4611686018427387903, -4611686018427387903 - 1, 4611686018427387903 + 1, -4611686018427387903 - 2, 4611686018427387903 * 2, "
      + "(-4611686018427387903 - 1) / (-1), mod(-4611686018427387903 - 1, -1), 2 ^ 62, -(-4611686018427387903 - 1), abs(-4611686018427387903 - 1))",
      ok("(4611686018427387903, -4611686018427387904, -4611686018427387904, 4611686018427387903, -2, -4611686018427387904, 0, -4611686018427387904, "
        + "-4611686018427387904, -4611686018427387904) : (Int, Int, Int, Int, Int, Int, Int, Int, Int, Int)\n"));
  });
});

describe("the string conversions: the Wasm runtime, the interpreter and OCaml agree", () => {
  // what OCaml (Links) gives: a number, or undefined where int_of_string / float_of_string fail
  const INTS: [string, bigint | undefined][] = [
    ["", undefined], ["-", undefined], ["+", undefined], [" 1", undefined], ["1 ", undefined], ["_1", undefined], ["1_", 1n], ["1__2", 12n],
    ["0x10", 16n], ["0X1f", 31n], ["-0x10", -16n], ["0o17", 15n], ["0b101", 5n], ["0u42", 42n], ["0b", undefined], ["0o8", undefined],
    ["0xg", undefined], ["+7", 7n], ["-0", 0n], ["007", 7n], ["1e3", undefined], ["12\n", undefined], ["1.5", undefined],
    ["4611686018427387903", 4611686018427387903n], ["4611686018427387904", undefined], ["-4611686018427387904", -4611686018427387904n],
    ["-4611686018427387905", undefined], ["99999999999999999999", undefined], ["0x3fffffffffffffff", 4611686018427387903n],
    ["0x4000000000000000", -4611686018427387904n], ["0x7fffffffffffffff", -1n], ["0x8000000000000000", undefined],
    ["0xffffffffffffffff", undefined], ["0x10000000000000000", undefined], ["-0x7fffffffffffffff", 1n], ["0u9223372036854775807", -1n],
  ];
  const FLOATS: [string, number | undefined][] = [
    ["", undefined], ["_", undefined], ["-", undefined], ["1.5", 1.5], ["1.", 1], [".5", 0.5], ["+.5", 0.5], ["-0", -0], ["-0.0", -0],
    [" 2.0e3", 2000], ["\t-1.5e-3", -0.0015], [" 2.0e3 ", undefined], ["1e5", 1e5], ["1E+5", 1e5], ["1e", undefined], ["1e+", undefined],
    ["e5", undefined], ["1.5.2", undefined], ["1_000.5", 1000.5], ["1e400", Infinity], ["1e-400", 0], ["inf", Infinity],
    ["-infinity", -Infinity], ["Infinity", Infinity], ["infinit", undefined], ["nan", NaN], ["NaN", NaN], ["nan(123)", NaN],
    ["nan(", undefined], ["0x10", 16], ["0x1p4", 16], ["0x1.8p-3", 0.1875], ["-0x1.8p1", -3], ["0x.8", 0.5], ["0x1p 3", 8],
    ["0x", undefined], ["0x1p", undefined], ["0x1p-", undefined], ["0x1.8.1", undefined], ["0x1p-1074", 5e-324], ["0x1p-1075", 0],
    ["0x1.8p-1074", 1e-323], ["0x1p1024", Infinity], ["0x1.fffffffffffffp1023", Number.MAX_VALUE], ["0xffffffffffffffffffp0", 2 ** 72],
    ["0x123456789abcdef123p-40", 305419896.60444444],
  ];
  const LINKS_IS_INT: [string, boolean][] = [["", false], ["-", false], ["12", true], ["-12", true], ["+12", false], [" 12", false],
    ["12 ", false], ["12\n", true], ["12\nx", true], ["1a", false], ["0x10", false], ["99999999999999999999", true]];
  const LINKS_IS_FLOAT: [string, boolean][] = [["", false], ["1.5", true], ["-2", true], ["1.", false], [".5", false], ["1e5", false],
    ["1.5\n", true], ["1.5.2", false], ["-1.25", true]];

  it("the interpreter's functions give what OCaml and Links' prelude give", () => {
    for (const [s, x] of INTS) expect(ocamlIntOfString(s), JSON.stringify(s)).toBe(x);
    for (const [s, x] of FLOATS) expect(ocamlFloatOfString(s), JSON.stringify(s)).toBe(x);
    for (const [s, b] of LINKS_IS_INT) expect(linksIsInt(s), JSON.stringify(s)).toBe(b);
    for (const [s, b] of LINKS_IS_FLOAT) expect(linksIsFloat(s), JSON.stringify(s)).toBe(b);
  });

  it("conversions.wat's $str_to_int, $str_to_float, $str_is_int, $str_is_float are the interpreter's, on 3000 strings", () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
    const pieces = ["0", "1", "9", "5", "-", "+", "_", ".", "e", "E", "x", "X", "p", "P", "a", "f", "n", "i", " ", "\n", "o", "b", "u", "(", ")",
      "0x", "inf", "nan", "é", "4611686018427387903", "ffffffff"];
    const inputs = [...INTS.map(([s]) => s), ...FLOATS.map(([s]) => s), ...LINKS_IS_INT.map(([s]) => s), ...LINKS_IS_FLOAT.map(([s]) => s)];
    while (inputs.length < 3000) inputs.push(Array.from({ length: Math.floor(next() * 8) }, () => pieces[Math.floor(next() * pieces.length)]).join(""));
    const bytes = (s: string) => [...new TextEncoder().encode(s)];
    const strLit = (s: string) => `(array.new_fixed $String ${bytes(s).length}${bytes(s).map((b) => ` (i32.const ${b})`).join("")})`;
    const wat = `(module
${runtimeWat("runtime")}
(func $ctor_name (param i32) (result (ref $String)) (unreachable))
(func $input (param $i i32) (result (ref $String))
${inputs.map((s, i) => `  (if (i32.eq (local.get $i) (i32.const ${i})) (then (return ${strLit(s)})))`).join("\n")}
  (unreachable))
(func (export "main"))
(func (export "to_int") (param i32) (result i64) (call $str_to_int (call $input (local.get 0))))
(func (export "to_float") (param i32) (result f64) (call $str_to_float (call $input (local.get 0))))
(func (export "is_int") (param i32) (result i32) (call $str_is_int (call $input (local.get 0))))
(func (export "is_float") (param i32) (result i32) (call $str_is_float (call $input (local.get 0))))
)`;
    const ex = instantiate(assemble(wat, { optimize: 0 }).binary, { write: () => {} }).exports as Record<string, (i: number) => unknown>;
    const failed = (f: () => unknown) => { try { return f(); } catch (e) { expect(String(e)).toMatch(/stringTo(Int|Float): not an? /); return undefined; } };
    const differ: string[] = [];
    inputs.forEach((s, i) => {
      const wasm = [failed(() => ex.to_int!(i)), failed(() => ex.to_float!(i)), ex.is_int!(i) === 1, ex.is_float!(i) === 1];
      const interp = [ocamlIntOfString(s), ocamlFloatOfString(s), linksIsInt(s), linksIsFloat(s)];
      if (!wasm.every((w, k) => Object.is(w, interp[k]))) differ.push(`${JSON.stringify(s)}: wasm ${wasm.join(" ")}, interp ${interp.join(" ")}`);
    });
    expect(differ).toEqual([]);
    expect(inputs.filter((s) => ocamlIntOfString(s) !== undefined).length).toBeGreaterThan(60);
    expect(inputs.filter((s) => ocamlFloatOfString(s) !== undefined).length).toBeGreaterThan(120);
  }, 60_000);
});
