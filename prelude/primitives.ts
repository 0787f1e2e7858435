// The primitives: what cannot be written in the Links subset itself. Everything else in the
// standard library is Links code in prelude/prelude.links. Each backend implements this table
// (backends/interp/primitives.ts for the interpreter); `infer` reads the types from here.
//
// Types are written in Links notation and parsed with the front end's type parser.

export interface Primitive {
  type: string;
  doc: string;
}

export const PRIMITIVES: Readonly<Record<string, Primitive>> = {
  // Int arithmetic: 63-bit (OCaml's int, as Links) two's complement, wrapping; `/` truncates; `mod` has the dividend's sign
  "+": { type: "(Int, Int) -> Int", doc: "integer addition" },
  "-": { type: "(Int, Int) -> Int", doc: "integer subtraction" },
  "*": { type: "(Int, Int) -> Int", doc: "integer multiplication" },
  "/": { type: "(Int, Int) -> Int", doc: "integer division; fails on division by zero" },
  mod: { type: "(Int, Int) -> Int", doc: "integer remainder; fails on division by zero" },
  "^": { type: "(Int, Int) -> Int", doc: "integer power" },
  negate: { type: "(Int) -> Int", doc: "unary minus" },
  // Float arithmetic (IEEE double)
  "+.": { type: "(Float, Float) -> Float", doc: "float addition" },
  "-.": { type: "(Float, Float) -> Float", doc: "float subtraction" },
  "*.": { type: "(Float, Float) -> Float", doc: "float multiplication" },
  "/.": { type: "(Float, Float) -> Float", doc: "float division" },
  "^.": { type: "(Float, Float) -> Float", doc: "float power" },
  negatef: { type: "(Float) -> Float", doc: "float unary minus" },
  sqrt: { type: "(Float) -> Float", doc: "square root" },
  floor: { type: "(Float) -> Float", doc: "round down" },
  ceiling: { type: "(Float) -> Float", doc: "round up" },
  exp: { type: "(Float) -> Float", doc: "e to the power" },
  log: { type: "(Float) -> Float", doc: "natural logarithm" },
  sin: { type: "(Float) -> Float", doc: "sine" },
  cos: { type: "(Float) -> Float", doc: "cosine" },
  // structural equality and ordering on first-order values
  "==": { type: "(a, a) -> Bool", doc: "structural equality" },
  "<>": { type: "(a, a) -> Bool", doc: "structural inequality" },
  "<": { type: "(a, a) -> Bool", doc: "structural ordering" },
  ">": { type: "(a, a) -> Bool", doc: "structural ordering" },
  "<=": { type: "(a, a) -> Bool", doc: "structural ordering" },
  ">=": { type: "(a, a) -> Bool", doc: "structural ordering" },
  // conversions
  intToString: { type: "(Int) -> String", doc: "decimal digits" },
  stringToInt: { type: "(String) -> Int", doc: "OCaml's int_of_string (as Links): [+-], decimal or 0x/0o/0b/0u digits, `_` after the first, no white space, within the 63-bit range; fails otherwise" },
  intToFloat: { type: "(Int) -> Float", doc: "conversion" },
  floatToInt: { type: "(Float) -> Int", doc: "truncation" },
  floatToString: { type: "(Float) -> String", doc: "as Links prints floats" },
  stringToFloat: { type: "(String) -> Float", doc: "OCaml's float_of_string (as Links): `_` ignored, leading white space, decimal, hexadecimal (0x1.8p3), inf, infinity, nan; fails otherwise" },
  charToInt: { type: "(Char) -> Int", doc: "code point" },
  intToChar: { type: "(Int) -> Char", doc: "from code point; fails on a number that is not a Unicode scalar value" },
  // strings
  "^^": { type: "(String, String) -> String", doc: "concatenation" },
  charAt: { type: "(String, Int) ~> Char", doc: "the character at an index; fails out of range" },
  strsub: { type: "(String, Int, Int) ~> String", doc: "substring from a start index with a length" },
  strlen: { type: "(String) -> Int", doc: "length in characters" },
  explode: { type: "(String) -> [Char]", doc: "characters of a string" },
  implode: { type: "([Char]) -> String", doc: "string of characters" },
  // lists (primitive for speed; `++` copies its left argument)
  "++": { type: "([a], [a]) -> [a]", doc: "list append" },
  isInt: { type: "(String) -> Bool", doc: "Links' prelude `s =~ /-?[0-9]+$/`: digits after an optional -, then the end or a newline" },
  isFloat: { type: "(String) -> Bool", doc: "Links' prelude `s =~ /-?[0-9]+(\\.[0-9]+)?$/`" },
  random: { type: "() ~> Float", doc: "a pseudo-random float in [0, 1)" },
  gensym: { type: "() -> Int", doc: "a fresh integer: 0, 1, 2, … in the order of the calls (Links' built-in)" },
  // effect row generalisation (Links' prelude writes them with casts): a function that performs
  // nothing may be used where any effect row is allowed
  gen0: { type: "(Comp(a, { })) -> Comp(a, { |e})", doc: "generalise a computation's empty effect row" },
  gen1: { type: "((a) {}~> b) -> (a) { |e}~> b", doc: "generalise a one-argument function's empty effect row" },
  gen2: { type: "((a, b) {}~> c) -> (a, b) { |e}~> c", doc: "generalise a two-argument function's empty effect row" },
  // I/O and failure
  print: { type: "(String) ~> ()", doc: "write a string to stdout" },
  error: { type: "(String) ~> a", doc: "stop with a runtime error" },
  // processes
  self: { type: "() {:a|e}~> Process ({:a|e})", doc: "the running process" },
  recv: { type: "() {:a|e}~> a", doc: "take the next message from the mailbox, blocking" },
  send: { type: "(Process ({:a|_}), a) ~> ()", doc: "send a message (also `pid ! msg`)" },
  yield: { type: "() ~> ()", doc: "let other processes run" },
  // inserted by the preempt pass (no Links name can start with %): a preemption check
  "%tick": { type: "() ~> ()", doc: "count a call; after a bounded number, let other processes run" },
};
