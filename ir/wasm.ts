// WasmIR: a small model of a Wasm GC module — folded instructions, functions, globals, data —
// produced by the code generator and printed as WAT (for --dump and for binaryen, which
// validates, optimises and emits the binary in backends/wasm/binaryen.ts).
//
// Types, imports and the runtime (runtime-wat/*.wat) are kept as WAT text: they are
// written by hand, not generated.

import type { Span } from "./common.js";

/**
 * A folded instruction `(op imm… args…)`, or a bare keyword such as `unreachable`. `loc`
 * (`file:line:col`) is where in the source its code comes from: printed for binaryen as a
 * `;;@ file:line:col` annotation, which holds for the instructions after it until the next one,
 * and ends up in the module's source map (backends/wasm/failure.ts reads it to locate runtime errors).
 */
export type Instr = string | { op: string; imm: string[]; args: Instr[]; loc?: string };

/** `I("i64.add", [], a, b)`, `I("local.get", ["$x"])`, `I("struct.new", ["$Int"], v)`. */
export const I = (op: string, imm: (string | number)[] = [], ...args: Instr[]): Instr => ({ op, imm: imm.map(String), args });

export interface WasmFunc {
  name: string;
  /** `(type $T)` to declare, for functions referenced by typed function references */
  type?: string;
  params: [string, string][]; // [name, valtype]
  results: string[];
  locals: [string, string][];
  body: Instr[];
  export?: string;
  /**
   * A per-`do` copy of an in-place clause (codegen-evidence.ts, cps-inplace.ts): binaryen inlines
   * it into its one caller, and backends/wasm/int-boxes.ts keeps the Int boxes crossing it transient
   */
  inPlaceCopy?: true;
}

export interface WasmModule {
  /** WAT fields placed before the runtime: imports of the generated code */
  imports: string[];
  /** the runtime's WAT fields (pasted verbatim) */
  runtime: string;
  types: string[];
  /** `(tag $op… (param eqref…) (result eqref))`: one per effect operation */
  tags: string[];
  globals: string[];
  functions: WasmFunc[];
  /** `(data $name "…")` segments */
  data: string[];
  /** `(elem declare func …)` for functions used by ref.func */
  declared: string[];
  /** the module executes `switch` (switch-opt): Node 26's V8 aborts on it, Deno runs it */
  usesSwitch?: boolean;
  /** the source spans of the instructions' `loc` marks, by mark (for a runtime error's whole span) */
  spans?: ReadonlyMap<string, Span>;
}

// ---------------------------------------------------------------- printer
// An instruction goes on one line when it fits in WIDTH columns at its indentation, else its
// head on one line and each argument on its own line, two columns further in. Linear time: the
// one-line form of an instruction is built only up to the columns left (so each node costs at
// most WIDTH characters of trial), and the lines are collected in one array, not re-joined at
// every level (a 1,000-deep `if … else if …` chain printed quadratically: 9 s for 400 levels).
const WIDTH = 100;

/** Options for the compiler's own WAT (what binaryen parses), not for people. */
export interface PrintOptions {
  /**
   * Indent at most this many columns: without a cap, a chain of N nested `if`s is O(N²)
   * characters of indentation. Default: no cap (the layout `--dump` and `--emit wat` show).
   */
  maxIndent?: number;
  /** Print source locations (`loc`) as `;;@` annotations. Default: no (dumps leave them out). */
  locations?: boolean;
}

/** The one-line form of `i` when it has at most `budget` characters and no newline. */
function flatWithin(i: Instr, budget: number, locations: boolean): string | undefined {
  if (typeof i === "string") {
    const s = `(${i})`;
    return s.length <= budget && !s.includes("\n") ? s : undefined;
  }
  if (locations && i.loc !== undefined) return undefined; // the annotation is a line comment
  let s = `(${[i.op, ...i.imm].join(" ")}`;
  for (const a of i.args) {
    if (s.length + 2 > budget) return undefined;
    const p = flatWithin(a, budget - s.length - 2, locations);
    if (p === undefined) return undefined;
    s += " " + p;
  }
  s += ")";
  return s.length <= budget && !s.includes("\n") ? s : undefined;
}

function writeInstr(i: Instr, indent: number, out: string[], maxIndent: number, locations = false): void {
  if (locations && typeof i !== "string" && i.loc !== undefined) out.push(`;;@ ${i.loc}\n${" ".repeat(indent)}`);
  const flat = flatWithin(i, WIDTH - indent, locations);
  if (flat !== undefined) { out.push(flat); return; }
  if (typeof i === "string") { out.push(`(${i})`); return; }
  const head = [i.op, ...i.imm].join(" ");
  if (i.args.length === 0) { out.push(`(${head})`); return; }
  out.push(`(${head}`);
  const inner = Math.min(indent + 2, maxIndent);
  const pad = "\n" + " ".repeat(inner);
  for (const a of i.args) {
    out.push(pad);
    writeInstr(a, inner, out, maxIndent, locations);
  }
  out.push(")");
}

export function printInstr(i: Instr, indent = 0, opts: PrintOptions = {}): string {
  const out: string[] = [];
  writeInstr(i, indent, out, opts.maxIndent ?? Infinity, opts.locations ?? false);
  return out.join("");
}

export function printFunc(f: WasmFunc, opts: PrintOptions = {}): string {
  const sig = [
    `(func $${f.name}`,
    ...(f.export ? [`(export "${f.export}")`] : []),
    ...(f.type ? [`(type $${f.type})`] : []),
    ...f.params.map(([n, t]) => `(param $${n} ${t})`),
    ...(f.results.length ? [`(result ${f.results.join(" ")})`] : []),
  ].join(" ");
  const out: string[] = [`  ${sig}`];
  for (const [n, t] of f.locals) out.push(`\n    (local $${n} ${t})`);
  const maxIndent = opts.maxIndent ?? Infinity;
  for (const i of f.body) {
    out.push("\n    ");
    writeInstr(i, 4, out, maxIndent, opts.locations ?? false);
  }
  out.push(")");
  return out.join("");
}

export function printModule(m: WasmModule, includeRuntime = true, opts: PrintOptions = {}): string {
  return [
    "(module",
    ...m.imports.map((x) => "  " + x),
    ...(includeRuntime ? [m.runtime] : ["  ;; (runtime-wat/runtime.wat)"]),
    // one rec group: binaryen's text parser (which runs before features are set) rejects
    // separate singleton groups that would be identical without GC
    ...(m.types.length ? ["  (rec", ...m.types.map((x) => "    " + x), "  )"] : []),
    ...m.tags.map((x) => "  " + x),
    ...m.globals.map((x) => "  " + x),
    ...m.data.map((x) => "  " + x),
    ...(m.declared.length ? [`  (elem declare func ${m.declared.map((f) => "$" + f).join(" ")})`] : []),
    ...m.functions.map((f) => printFunc(f, opts)),
    ")",
  ].join("\n");
}

// ---------------------------------------------------------------- validator

/** Every local.get/set/tee names a parameter or local of its function; names are unique. */
export function validateWasm(m: WasmModule): string[] {
  const errs: string[] = [];
  const names = new Set<string>();
  for (const f of m.functions) {
    if (names.has(f.name)) errs.push(`function $${f.name} is defined twice`);
    names.add(f.name);
    const locals = new Set([...f.params, ...f.locals].map(([n]) => "$" + n));
    if (locals.size !== f.params.length + f.locals.length) errs.push(`$${f.name}: a parameter or local is declared twice`);
    const visit = (i: Instr) => {
      if (typeof i === "string") return;
      if ((i.op === "local.get" || i.op === "local.set" || i.op === "local.tee") && !locals.has(i.imm[0]!))
        errs.push(`$${f.name}: ${i.op} of undeclared ${i.imm[0]}`);
      i.args.forEach(visit);
    };
    f.body.forEach(visit);
  }
  return errs;
}
