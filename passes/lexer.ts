// lexer: text → Token[]
// Example: `x :: xs ++ [1]`  ⇒  ident(x) sym(::) ident(xs) op(++) sym([) int(1) sym(]) eof
// Needs: nothing. Guarantees: every token has a 1-based span (endCol exclusive); the array ends
// with one `eof` token; lexical errors raise a `syntax` CompileError pointing at the bad text.
//
// Operators follow Links' lexer (core/lexer.mll): a maximal run of operator characters
// (`!$&*+/<=>@\^-|` then also `.`) is one token, so `-<-`, `>>=`, `<|>`, `++++` are single
// operators. Runs that Links reserves (`=`, `->`, `=>`, `<-`, `|`, …) become `sym` tokens;
// everything else, plus `` `name` `` infix names, becomes an `op` token.
import { type Span, syntaxError } from "../ir/common.js";

export type TokenKind = "int" | "float" | "string" | "char" | "ident" | "pvar" | "con" | "kw" | "op" | "sym" | "eof";

export interface Token {
  kind: TokenKind;
  /** Source text for idents/keywords/symbols/operators; the decoded value for strings/chars. */
  text: string;
  span: Span;
  /** Whitespace or a comment precedes this token (used to tell `a<b` XML from `a < b`). */
  spaceBefore: boolean;
  /** int literals: the value. */
  int?: bigint;
  /** float literals: the value. */
  float?: number;
  /** `op` tokens written as `` `name` ``. */
  backtick?: boolean;
}

export const KEYWORDS = new Set([
  "alien", "as", "between", "by", "case", "client", "database", "default", "delete", "delete_left",
  "determined", "do", "lindo", "effectname", "else", "escape", "false", "for", "forall", "from", "fun",
  "formlet", "handle", "if", "in", "lens", "lensdrop", "lensget", "lensput", "lensselect", "lensjoin",
  "lenscheck", "lensserial", "yields", "import", "insert", "linfun", "module", "mu", "mutual", "nu",
  "offer", "on", "orderby", "op", "open", "otherwise", "page", "query", "raise", "readonly", "receive",
  "returning", "select", "server", "set", "shallowhandle", "sig", "spawn", "spawnClient", "spawnAt",
  "spawnAngel", "spawnAngelAt", "spawnWait", "switch", "table", "TemporalTable", "to", "true", "try",
  "tt_insert", "tt_join", "typename", "unsafe", "update", "using", "valid", "values", "vt_join", "var",
  "vt_insert", "where", "with", "tablekeys", "xlin", "infix", "infixl", "infixr", "prefix", "postfix",
]);

/** Operator-character runs that Links lexes as reserved punctuation rather than operators. */
const RESERVED_RUNS = new Set(["=", "->", "-@", "=>", "=@", "<-", "<--", "<->", "<|", "|>", "|", "@", "/\\"]);

const isInitOp = (c: number) =>
  c === 33 || c === 36 || c === 38 || c === 42 || c === 43 || c === 47 || c === 60 || c === 61 ||
  c === 62 || c === 64 || c === 92 || c === 94 || c === 45 || c === 124; // ! $ & * + / < = > @ \ ^ - |
const isOpChar = (c: number) => isInitOp(c) || c === 46; // also .
const PUNCT = new Set([..."()[]{},;:.~?"].map((ch) => ch.charCodeAt(0)));
const isDigit = (c: number) => c >= 48 && c <= 57;
const isLower = (c: number) => (c >= 97 && c <= 122) || c === 95;
const isUpper = (c: number) => c >= 65 && c <= 90;
const isIdChar = (c: number) => isLower(c) || isUpper(c) || isDigit(c) || c === 39; // letters digits _ '
/** Links' max_int (OCaml's on 64-bit machines): the largest Int literal */
const MAX_INT = (1n << 62n) - 1n;
const isHex = (c: number) => isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);

export function lex(src: string, file: string): Token[] {
  const toks: Token[] = [];
  const n = src.length;
  let i = 0, line = 1, lineStart = 0, space = true;
  const span = (l: number, c: number): Span => ({ file, line: l, col: c, endLine: line, endCol: i - lineStart + 1 });
  const here = (): Span => ({ file, line, col: i - lineStart + 1, endLine: line, endCol: i - lineStart + 2 });
  const push = (kind: TokenKind, text: string, l: number, c: number, int?: bigint, float?: number, backtick?: boolean) => {
    toks.push({ kind, text, span: span(l, c), spaceBefore: space, int, float, backtick });
    space = false;
  };

  /** Read one (possibly escaped) character of a string/char literal starting at `i`. */
  const readChar = (what: string): string => {
    const c = src.charCodeAt(i);
    if (c !== 92) { // not a backslash
      if (c === 10) { line++; lineStart = i + 1; }
      const cp = src.codePointAt(i)!;
      i += cp > 0xffff ? 2 : 1;
      return String.fromCodePoint(cp);
    }
    const esc = src[i + 1];
    const simple: Record<string, string> = { n: "\n", r: "\r", t: "\t", b: "\b", '"': '"', "\\": "\\", "'": "'" };
    if (esc !== undefined && simple[esc] !== undefined) { i += 2; return simple[esc]; }
    if ((esc === "x" || esc === "X") && isHex(src.charCodeAt(i + 2)) && isHex(src.charCodeAt(i + 3))) {
      const v = parseInt(src.slice(i + 2, i + 4), 16); i += 4; return String.fromCharCode(v);
    }
    if (esc !== undefined && /[0-3]/.test(esc) && /[0-7]/.test(src[i + 2] ?? "") && /[0-7]/.test(src[i + 3] ?? "")) {
      const v = parseInt(src.slice(i + 1, i + 4), 8); i += 4; return String.fromCharCode(v);
    }
    const bad = here();
    throw syntaxError(`unknown escape sequence \`\\${esc ?? ""}\` in ${what} (supported: \\n \\r \\t \\b \\" \\' \\\\ \\ooo \\xHH)`, bad);
  };

  while (i < n) {
    const c = src.charCodeAt(i);
    const l = line, col = i - lineStart + 1;
    if (c === 10) { i++; line++; lineStart = i; space = true; continue; }
    if (c === 32 || c === 9 || c === 13) { i++; space = true; continue; }
    if (c === 35) { // # comment
      while (i < n && src.charCodeAt(i) !== 10) i++;
      space = true; continue;
    }
    if (isLower(c) || isUpper(c)) {
      const s = i;
      while (i < n && isIdChar(src.charCodeAt(i))) i++;
      const w = src.slice(s, i);
      if (w === "_") { push("sym", "_", l, col); continue; }
      push(KEYWORDS.has(w) ? "kw" : isUpper(c) ? "con" : "ident", w, l, col);
      continue;
    }
    if (isDigit(c)) {
      const s = i;
      while (i < n && isDigit(src.charCodeAt(i))) i++;
      if (src.charCodeAt(i) === 46 && isDigit(src.charCodeAt(i + 1))) {
        i++;
        while (i < n && isDigit(src.charCodeAt(i))) i++;
        if (src.charCodeAt(i) === 101) { // exponent: e, e-
          let j = i + 1;
          if (src.charCodeAt(j) === 45) j++;
          if (isDigit(src.charCodeAt(j))) { i = j; while (i < n && isDigit(src.charCodeAt(i))) i++; }
        }
        const t = src.slice(s, i);
        push("float", t, l, col, undefined, Number(t));
      } else {
        const t = src.slice(s, i);
        // Links' lexer reads a literal with OCaml's int_of_string: beyond max_int it is an error
        // (so min_int has no literal either: `-4611686018427387904` is `-` of an out-of-range one)
        if (BigInt(t) > MAX_INT) throw syntaxError(`integer literal ${t} is out of range: Int is 63-bit, at most ${MAX_INT} (write -4611686018427387903 - 1 for the least Int)`, span(l, col));
        push("int", t, l, col, BigInt(t));
      }
      continue;
    }
    if (c === 34) { // "string"
      i++;
      const parts: string[] = [];
      let segStart = i;
      for (;;) {
        if (i >= n) throw syntaxError("unterminated string literal (missing closing `\"`)", { file, line: l, col, endLine: l, endCol: col + 1 });
        const d = src.charCodeAt(i);
        if (d === 34) break;
        if (d === 92) { parts.push(src.slice(segStart, i)); parts.push(readChar("string literal")); segStart = i; continue; }
        if (d === 10) { line++; lineStart = i + 1; }
        i++;
      }
      parts.push(src.slice(segStart, i));
      i++;
      push("string", parts.join(""), l, col);
      continue;
    }
    if (c === 39) { // 'c'
      const bad = () => syntaxError("invalid character literal: expected one character between single quotes, e.g. 'a' or '\\n'", { file, line: l, col, endLine: l, endCol: col + 1 });
      i++;
      if (i >= n || src.charCodeAt(i) === 10) throw bad();
      const ch = readChar("character literal");
      if (src.charCodeAt(i) !== 39) throw bad();
      i++;
      push("char", ch, l, col);
      continue;
    }
    if (c === 96) { // `name`
      let j = i + 1;
      while (j < n && isIdChar(src.charCodeAt(j))) j++;
      const w = src.slice(i + 1, j);
      if (src.charCodeAt(j) !== 96 || w === "" || !isLower(w.charCodeAt(0)) || KEYWORDS.has(w))
        throw syntaxError("invalid infix name: expected `name` with a lower-case, non-keyword name between backquotes", here());
      i = j + 1;
      push("op", w, l, col, undefined, undefined, true);
      continue;
    }
    if (c === 37) { // %a or %
      i++;
      if (isLower(src.charCodeAt(i)) || isUpper(src.charCodeAt(i))) {
        const s = i;
        while (i < n && isIdChar(src.charCodeAt(i))) i++;
        push("pvar", "%" + src.slice(s, i), l, col);
      } else push("sym", "%", l, col);
      continue;
    }
    if (isInitOp(c)) {
      const s = i;
      i++;
      while (i < n && isOpChar(src.charCodeAt(i))) i++;
      const run = src.slice(s, i);
      const next = src.charCodeAt(i);
      if (run === "|" && next === 93) { i++; push("sym", "|]", l, col); continue; }
      if (run === "=" && next === 126) { i++; push("op", "=~", l, col); continue; }
      push(RESERVED_RUNS.has(run) ? "sym" : "op", run, l, col);
      continue;
    }
    // Remaining punctuation.
    const d = src.charCodeAt(i + 1);
    const two = (c === 58 && d === 58) || (c === 46 && d === 46) || (c === 126 && (d === 62 || d === 64)) || (c === 91 && d === 124);
    if (two) { i += 2; push("sym", src.slice(i - 2, i), l, col); continue; } // :: .. ~> ~@ [|
    if (PUNCT.has(c)) { i++; push("sym", src[i - 1]!, l, col); continue; }
    throw syntaxError(`unexpected character \`${String.fromCodePoint(src.codePointAt(i)!)}\``, here());
  }
  toks.push({ kind: "eof", text: "", span: { file, line, col: i - lineStart + 1, endLine: line, endCol: i - lineStart + 1 }, spaceBefore: space });
  return toks;
}

/** How a token is shown in error messages. */
export function describe(t: Token): string {
  switch (t.kind) {
    case "eof": return "end of input";
    case "string": return `string ${JSON.stringify(t.text)}`;
    case "char": return `character '${t.text}'`;
    case "op": return t.backtick ? `\`\`${t.text}\`\`` : `\`${t.text}\``;
    default: return `\`${t.text}\``;
  }
}
