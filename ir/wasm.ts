// WasmIR: a small model of a Wasm GC module — folded instructions, functions, globals, data —
// produced by the code generator and printed as WAT (for --dump and for binaryen, which
// validates, optimises and emits the binary in backends/wasm/binaryen.ts).
//
// Types, imports and the runtime (runtime-wat/runtime.wat) are kept as WAT text: they are
// written by hand, not generated.

/** A folded instruction `(op imm… args…)`, or a bare keyword such as `unreachable`. */
export type Instr = string | { op: string; imm: string[]; args: Instr[] };

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
}

// ---------------------------------------------------------------- printer
export function printInstr(i: Instr, indent = 0): string {
  if (typeof i === "string") return `(${i})`;
  const head = [i.op, ...i.imm].join(" ");
  if (i.args.length === 0) return `(${head})`;
  const parts = i.args.map((a) => printInstr(a, indent + 2));
  const flat = `(${head} ${parts.join(" ")})`;
  if (flat.length + indent <= 100 && !flat.includes("\n")) return flat;
  const pad = " ".repeat(indent + 2);
  return `(${head}\n${parts.map((p) => pad + p).join("\n")})`;
}

export function printFunc(f: WasmFunc): string {
  const sig = [
    `(func $${f.name}`,
    ...(f.export ? [`(export "${f.export}")`] : []),
    ...(f.type ? [`(type $${f.type})`] : []),
    ...f.params.map(([n, t]) => `(param $${n} ${t})`),
    ...(f.results.length ? [`(result ${f.results.join(" ")})`] : []),
  ].join(" ");
  const locals = f.locals.map(([n, t]) => `    (local $${n} ${t})`);
  const body = f.body.map((i) => "    " + printInstr(i, 4));
  return [`  ${sig}`, ...locals, ...body].join("\n") + ")";
}

export function printModule(m: WasmModule, includeRuntime = true): string {
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
    ...m.functions.map(printFunc),
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
