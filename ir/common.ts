// Shared by every language: source spans, the S-expression printer, and the error type
// that passes throw (the driver turns it into a typed Effect failure and renders it).

export interface Span {
  file: string;
  line: number; // 1-based
  col: number; // 1-based
  endLine: number;
  endCol: number;
}

export const noSpan: Span = { file: "<builtin>", line: 0, col: 0, endLine: 0, endCol: 0 };

/** The prelude's file name: its declarations carry it in their spans, so the IR says what is prelude. */
export const PRELUDE_FILE = "<prelude>";
export const fromPrelude = (node: { span: Span }): boolean => node.span.file === PRELUDE_FILE;

export function spanFrom(a: Span, b: Span): Span {
  return { file: a.file, line: a.line, col: a.col, endLine: b.endLine, endCol: b.endCol };
}

export type ErrorKind = "syntax" | "type" | "unsupported" | "runtime" | "internal";

/** The one error type passes throw. `span` points at the offending source, when there is one. */
export class CompileError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly span: Span | undefined = undefined,
  ) {
    super(message);
  }
}

export const syntaxError = (msg: string, span?: Span) => new CompileError("syntax", msg, span);
export const typeError = (msg: string, span?: Span) => new CompileError("type", msg, span);
export const unsupported = (msg: string, span?: Span) => new CompileError("unsupported", `unsupported: ${msg}`, span);
export const internalError = (msg: string, span?: Span) => new CompileError("internal", msg, span);

/** V8's stack overflow: `RangeError: Maximum call stack size exceeded`. */
export const isStackOverflow = (e: unknown): e is RangeError => e instanceof RangeError && /call stack/i.test(e.message);

/**
 * What the tools report when the compiler's recursion overflows the stack it runs on (a program
 * nested deeper than the tool thread's stack allows, or than Node's default stack where a tool
 * compiles on the main thread): `unsupported: the program nests too deeply for the compiler
 * (Maximum call stack size exceeded in pass desugar)`. One wording for driver.ts, compare-lib.ts
 * and bench/compare/run-interp.ts.
 */
export function tooDeep(e: RangeError, where?: string): CompileError {
  return unsupported(`the program nests too deeply for the compiler (${e.message}${where ? ` in ${where}` : ""})`);
}


/**
 * Render an error as `file:line:col: error: message`, followed by the source line and a caret
 * when the source text is known.
 */
export function renderError(err: CompileError, source?: string): string {
  const label = err.kind === "syntax" ? "Syntax error"
    : err.kind === "type" ? "Type error"
    : err.kind === "runtime" ? "runtime error"
    : err.kind === "internal" ? "internal error" : "error";
  const sp = err.span;
  if (!sp || sp.line === 0) return label === "error" ? `error: ${err.message}` : `error: ${label}: ${err.message}`;
  let out = `${sp.file}:${sp.line}:${sp.col}: ${label}: ${err.message}`;
  if (source !== undefined && sp.file !== PRELUDE_FILE) {
    const lineText = source.split("\n")[sp.line - 1];
    if (lineText !== undefined) {
      const width = sp.endLine === sp.line ? Math.max(1, sp.endCol - sp.col) : Math.max(1, lineText.length - sp.col + 1);
      // the caret's indent keeps the line's tabs, so it lines up whatever the tab width
      const indent = lineText.slice(0, sp.col - 1).replace(/[^\t]/g, " ");
      out += `\n  ${lineText}\n  ${indent}${"^".repeat(Math.min(width, 200))}`;
    }
  }
  return out;
}

/**
 * Links' order of record labels: numeric labels (tuple positions) numerically and first, then
 * names in string order. Records print, compare and are laid out (Wasm) in this order.
 */
export function compareLabels(a: string, b: string): number {
  const na = Number(a), nb = Number(b);
  const ia = a !== "" && Number.isInteger(na), ib = b !== "" && Number.isInteger(nb);
  if (ia && ib) return na - nb;
  if (ia) return -1;
  if (ib) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------- S-expressions
export type SExp = string | SExp[];

/** Print an S-expression, breaking lines when a list is wider than `width`. */
export function sexp(e: SExp, width = 100): string {
  const flat = (x: SExp): string => (typeof x === "string" ? x : `(${x.map(flat).join(" ")})`);
  const go = (x: SExp, indent: number): string => {
    const f = flat(x);
    if (typeof x === "string" || f.length + indent <= width || x.length === 0) return f;
    const [head, ...rest] = x;
    const h = go(head!, indent + 1);
    const pad = " ".repeat(indent + 2);
    return `(${h}${rest.map((r) => `\n${pad}${go(r, indent + 2)}`).join("")})`;
  };
  return go(e, 0);
}

/** Deterministic fresh names: one counter per pass run. */
export class NameSupply {
  private n = 0;
  fresh(base: string): string {
    return `${base}_${++this.n}`;
  }
}
