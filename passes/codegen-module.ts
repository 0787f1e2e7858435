// codegen-module: the module being built and the function being generated, shared by every part
// of the two code generators. `ModuleBuilder` interns what a module holds once (labels,
// constructors, operations, string data, globals, types, generated functions) and assembles the
// WasmModule; `FnCtx` is one function's locals and labels; `Convention` is what the shared parts
// ask the backend where wasmfx and cps differ (how generic entries and known calls are made).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Span, compareLabels, fromPrelude, internalError } from "../ir/common.js";
import type { CPat } from "../ir/core.js";
import type { Atom, Binder, Comp, MakeClosure, Rep, Value } from "../ir/boxed.js";
import type { SComp } from "../ir/scheduled.js";
import { type Instr, I, type WasmFunc, type WasmModule } from "../ir/wasm.js";
import { type Type, printType, prune, resolve, rowFields } from "../ir/types.js";
import { type FnSig, fail, i32, lget, lset, valtype } from "./codegen-reps.js";
import { loopSelfTailCalls } from "./codegen-tail-loop.js";

const runtimeTexts = new Map<string, string>();
/** The files of the runtime both backends paste in, in order (runtime.wat first: types and imports). */
export const RUNTIME_PARTS = ["runtime", "strings", "show-float", "conversions", "equality"] as const;
const readWat = (file: string) => readFileSync(fileURLToPath(new URL(`../runtime-wat/${file}.wat`, import.meta.url)), "utf8");
/**
 * The hand-written runtime: "runtime" is RUNTIME_PARTS joined (values, strings, numbers, lists,
 * equality…); the others are `runtime-wat/NAME.wat` (cps: frames, handlers, processes;
 * scheduler: wasmfx's processes; evidence: wasmfx's chain of handlers for in-place clauses).
 */
export function runtimeWat(name: "runtime" | "cps" | "scheduler" | "evidence"): string {
  let text = runtimeTexts.get(name);
  if (text === undefined) runtimeTexts.set(name, (text = name === "runtime" ? RUNTIME_PARTS.map(readWat).join("\n") : readWat(name)));
  return text;
}

/** Direct-style code: ThreadedHandlers (the wasmfx backend's) or Boxed (the cps backend's direct functions). */
export type DComp = SComp | Comp;

/** The let-forms direct-style code and CPS share: a binding, then a body. */
export type Binding =
  | { tag: "Let"; x: Binder; value: Value }
  | { tag: "LetApp"; x: Binder; fn: Atom; args: Atom[]; known: string | undefined; span?: Span }
  | { tag: "LetComp"; x: Binder; comp: DComp }
  | { tag: "LetRec"; binds: { x: Binder; value: MakeClosure }[] };

/** What the shared parts ask the backend: where the wasmfx and cps backends differ. */
export interface Convention {
  /** Parameters every generic entry takes after the boxed arguments (cps: the continuation). */
  readonly genExtra: [string, string][];
  /** How a generic entry delivers its boxed result (cps: to the continuation). */
  genResult(v: Instr): Instr[];
  /**
   * Arguments a direct call of function `known` takes after its own (cps: the call depth), from
   * a function body (`call`, possibly a tail call) or from its generic entry.
   */
  extraArgs(known: string, from: "call" | "entry", tail: boolean): Instr[];
  /** The body of f's generic entry, given f's own arguments, when the backend makes it (cps: a CPS function's). */
  genEntryBody?(f: FnSig, args: Instr[]): Instr[] | undefined;
  /** A primitive call the backend makes itself (cps: the process primitives). */
  primitive?(name: string, args: Atom[]): Instr[] | undefined;
}

/** The wasmfx backend's convention: a generic entry returns its result, calls take no more. */
export const directConvention: Convention = { genExtra: [], genResult: (v) => [v], extraArgs: () => [] };

/** One function's locals (name → valtype), the representations of its variables and a label counter. */
export class FnCtx {
  readonly locals = new Map<string, string>();
  readonly reps = new Map<string, Rep>();
  /** variables bound to a box of another (`x = box R y`): wasmfx's in-place `do` boxes y again on its fast path */
  readonly boxes = new Map<string, { from: Rep; atom: Atom }>();
  /** of those, the ones with no local: each use is the box made there (codegen-direct's `deferBox`) */
  readonly deferred = new Set<string>();
  labels = 0;
  /** code the function runs first (ModuleBuilder.func puts it there) */
  readonly prologue: Instr[] = [];
  /**
   * The innermost handler is the same all through one run of this function, so its in-place `do`s
   * may test it once, at the start (`prologue`): on wasmfx, a program function (its `handle`s run
   * in handler functions of their own, and a suspended `do` puts `$node` back: codegen-evidence.ts);
   * on cps, a CPS function until it installs a handler (cps-inplace.ts).
   */
  stableNode = false;
  /**
   * The handler whose node is the innermost all through this function, when that is known
   * statically (wasmfx: the handled computation of a deep `handle`, started under that handler
   * only): its in-place `do`s call the clause with no test and no other path (codegen-evidence.ts).
   */
  knownHandler: string | undefined = undefined;
  /**
   * by handler: the local holding the innermost node (cps: frame) when it is that handler's, else
   * null, and (cps) the local holding that frame's parameter cell; set in the prologue once a `do` asked
   */
  readonly nodeAs = new Map<string, { node: string; cell?: string }>();

  local(name: string, rep: Rep) {
    this.reps.set(name, rep);
    const t = valtype(rep);
    if (t && !this.locals.has(name)) this.locals.set(name, t);
  }
  /** A fresh local of a Wasm type that no representation has (continuations). */
  tempOf(valtype: string): string {
    const name = this.fresh();
    this.locals.set(name, valtype);
    return name;
  }
  temp(rep: Rep): string {
    const name = this.fresh();
    this.local(name, rep);
    return name;
  }
  private fresh(): string {
    return `tmp${this.locals.size}_${this.labels++}`;
  }
  /** A fresh block label `$PREFIXn`. */
  label(prefix: string): string {
    return `$${prefix}${this.labels++}`;
  }
}

/** Report the record value or the patterns of one node of direct-style code (for label interning). */
export function nodeLabels(x: DComp, value: (v: Value) => void, pat: (q: CPat) => void): void {
  if (x.tag === "Let") value(x.value);
  else if (x.tag === "Case") x.clauses.forEach((k) => pat(k.pat));
  else if (x.tag === "Handle" || x.tag === "ShallowHandle") { x.ops.forEach((o) => o.args.forEach(pat)); pat(x.ret.pat); }
}

export class ModuleBuilder {
  /** every function's signature, by name (a call needs no more) */
  readonly fns = new Map<string, FnSig>();
  private readonly labelIds = new Map<string, number>();
  private readonly ctorIds = new Map<string, number>();
  /** operation name → id (wasmfx: its tag `$opN`) */
  private readonly opIds = new Map<string, number>();
  private readonly strings = new Map<string, { seg: string; len: number }>(); // content → data segment
  private readonly data: string[] = [];
  private readonly globals: string[] = [];
  /** what a global holds (e.g. `closure:f`, `labels:a,b`) → its name: each is made once */
  private readonly globalNames = new Map<string, string>();
  readonly funcs: WasmFunc[] = [];
  /** functions referenced by ref.func */
  readonly declared = new Set<string>();
  readonly types = new Set<string>();
  readonly tags = new Set<string>();
  /** the function being generated */
  ctx = new FnCtx();
  /** where in the source the code being generated comes from (a call's, case's or do's span) */
  private span: Span | undefined;
  /** the `do` sites that record themselves in `$do_site` (doSite), by number */
  private readonly doSites: (Span | undefined)[] = [];
  /** every mark made (`file:line:col`) → its whole span, for the error's caret (WasmModule.spans) */
  private readonly spans = new Map<string, Span>();

  constructor(readonly conv: Convention) {}

  /**
   * The code `gen` makes for a computation from `span` (if it has one), its first instruction
   * marked with the location; inside, `located` and `matchFailure` mark theirs with it too.
   */
  at(span: Span | undefined, gen: () => Instr[]): Instr[] {
    if (!span || fromPrelude({ span })) return gen();
    const saved = this.span;
    this.span = span;
    try {
      return this.located(gen());
    } finally {
      this.span = saved;
    }
  }

  /** `code` with its first instruction marked with the current location (none: unchanged). */
  located(code: Instr[]): Instr[] {
    const first = code[0];
    if (!this.span || first === undefined || typeof first === "string" || first.loc !== undefined) return code;
    const loc = `${this.span.file}:${this.span.line}:${this.span.col}`;
    if (!this.spans.has(loc)) this.spans.set(loc, this.span);
    return [{ ...first, loc }, ...code.slice(1)];
  }

  /** `f` run in a new function context (the current one is back afterwards). */
  inCtx<T>(f: () => T): T {
    const saved = this.ctx;
    this.ctx = new FnCtx();
    const out = f();
    this.ctx = saved;
    return out;
  }

  /**
   * A function of the current context: its prologue, then `body`, its self tail calls made into a
   * loop (codegen-tail-loop.ts); its locals are those its code declared, less the parameters.
   */
  func(name: string, params: [string, string][], results: string[], body: Instr[], type?: string): WasmFunc {
    const names = new Set(params.map(([n]) => n));
    const code = loopSelfTailCalls(name, params, results, this.ctx.prologue, body, (t) => this.ctx.tempOf(t), () => this.ctx.label("self"));
    return { name, type, params, results, locals: [...this.ctx.locals].filter(([n]) => !names.has(n)), body: code };
  }

  // ------------------------------------------------------------ interning
  /**
   * Intern every label `visit` reports (through record values and patterns) and those of the
   * result type. Label ids follow Links' label order, so `$Labels` arrays are sorted by id and by name.
   */
  internLabels(resultType: Type, visit: (value: (v: Value) => void, pat: (q: CPat) => void) => void) {
    const labels = new Set<string>();
    const seen = new Set<string>();
    const fromType = (t: Type) => {
      // recursive typenames expand to fresh objects: remember types by their printed form
      const key = printType(t);
      if (seen.has(key)) return;
      seen.add(key);
      const r = resolve(t);
      if (r.tag === "Record") rowFields(r.row).fields.forEach(([l, pr]) => { labels.add(l); const q = prune(pr); if (q.tag === "Pre") fromType(q.type); });
      else if (r.tag === "Variant") rowFields(r.row).fields.forEach(([, pr]) => { const q = prune(pr); if (q.tag === "Pre") fromType(q.type); });
      else if (r.tag === "Con") r.args.forEach((a) => fromType(a));
    };
    const pat = (q: CPat) => {
      switch (q.tag) {
        case "PRecord": q.fields.forEach(([l, x]) => { labels.add(l); pat(x); }); if (q.rest) pat(q.rest); return;
        case "PCon": if (q.arg) pat(q.arg); return;
        case "PCons": pat(q.head); pat(q.tail); return;
        case "PAs": case "PAnnot": pat(q.pat); return;
        default: return;
      }
    };
    const value = (v: Value) => {
      if (v.tag === "Record" || v.tag === "Update") v.fields.forEach(([l]) => labels.add(l));
      if (v.tag === "Proj") labels.add(v.label);
      if (v.tag === "Record" && v.ext) fromType(v.ext.type);
    };
    visit(value, pat);
    fromType(resultType);
    [...labels].sort(compareLabels).forEach((l, i) => this.labelIds.set(l, i));
  }
  labelId(l: string): number {
    const id = this.labelIds.get(l);
    if (id === undefined) throw internalError(`codegen: label ${l} was not collected`);
    return id;
  }
  ctorId(name: string): number {
    return intern(this.ctorIds, name);
  }
  opId(op: string): number {
    return intern(this.opIds, op);
  }
  /** A string literal: a passive data segment per distinct content, copied into a new $String. */
  string(s: string): Instr {
    let d = this.strings.get(s);
    if (!d) {
      const bytes = Buffer.from(s, "utf8");
      d = { seg: `str${this.strings.size}`, len: bytes.length };
      const esc = [...bytes].map((b) => (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c ? String.fromCharCode(b) : `\\${b.toString(16).padStart(2, "0")}`)).join("");
      this.data.push(`(data $${d.seg} "${esc}")`);
      this.strings.set(s, d);
    }
    return I("array.new_data", ["$String", `$${d.seg}`], i32(0), i32(d.len));
  }
  /** A runtime error `pattern match failure`, then `unreachable`. */
  matchFailure(): Instr[] {
    return this.located(fail(this.string("pattern match failure")));
  }

  /** The global for `key`, defined by `init(name)` the first time it is asked for. */
  global(key: string, name: string, init: (name: string) => string): Instr {
    let g = this.globalNames.get(key);
    if (!g) {
      g = name;
      this.globalNames.set(key, g);
      this.globals.push(init(g));
    }
    return I("global.get", [`$${g}`]);
  }
  /**
   * `global.set $do_site N` before `do` site N (at `span`) performs its operation the general way:
   * if no handler handles it, `$unhandled_at` locates the error there (the performer's frames are
   * in a suspended continuation on wasmfx, and gone through `return_call $perform` on cps).
   */
  doSite(span: Span | undefined): Instr {
    this.global("do_site", "do_site", (g) => `(global $${g} (mut i32) (i32.const -1))`);
    this.doSites.push(span);
    return I("global.set", ["$do_site"], i32(this.doSites.length - 1));
  }
  /**
   * `$unhandled_at (msg)`: the runtime error `msg` from the `do` site in `$do_site`: a call of
   * $host_fail per site, each marked with its site's location (a flat chain of tests, run once).
   * Make it after every `do` is compiled.
   */
  unhandledAt(): WasmFunc {
    // ($do_site exists once a site was made; with none, the body does not read it)
    const site = (n: number, span: Span | undefined) =>
      I("if", [], I("i32.eq", [], I("global.get", ["$do_site"]), i32(n)), I("then", [], ...this.at(span, () => fail(lget("msg")))));
    const body = [...this.doSites.flatMap((span, n) => (span && !fromPrelude({ span }) ? [site(n, span)] : [])), ...fail(lget("msg"))];
    return { name: "unhandled_at", params: [["msg", "(ref $String)"]], results: [], locals: [], body };
  }

  /** The shared, constant label table of sorted labels. */
  labelTable(labels: string[]): Instr {
    return this.global(`labels:${labels.join(",")}`, `lbl${this.globalNames.size}`, (g) =>
      `(global $${g} (ref $Labels) (array.new_fixed $Labels ${labels.length} ${labels.map((l) => `(i32.const ${this.labelId(l)})`).join(" ")})) ;; ${labels.join(",")}`);
  }

  /** `$GenN`: the type of a generic entry of N arguments. */
  genType(n: number): string {
    const name = `Gen${n}`;
    this.types.add(`(type $${name} (func (param (ref $Closure)${" eqref".repeat(n)}${this.conv.genExtra.map(([, t]) => ` ${t}`).join("")}) (result eqref)))`);
    return name;
  }
  genParams(n: number): [string, string][] {
    return [["clos", "(ref $Closure)"], ...Array.from({ length: n }, (_, i): [string, string] => [`a${i}`, "eqref"]), ...this.conv.genExtra];
  }

  // ------------------------------------------------------------ assembly
  /** `$ctor_name` and `$label_index` (the runtime's error messages and record search), and `$op_name` when `ops`. */
  tables(ops: boolean): WasmFunc[] {
    const out = [this.nameTable("ctor_name", this.ctorIds), labelSearch()];
    if (ops) out.push(this.nameTable("op_name", this.opIds));
    return out;
  }
  /** `$NAME`: id → name, a chain of tests. */
  private nameTable(name: string, ids: Map<string, number>): WasmFunc {
    let body: Instr = "unreachable";
    for (const [s, id] of [...ids].reverse())
      body = I("if", ["(result (ref $String))"], I("i32.eq", [], lget("id"), i32(id)), I("then", [], this.string(s)), I("else", [], body));
    return { name, params: [["id", "i32"]], results: ["(ref $String)"], locals: [], body: [body] };
  }

  assemble(runtime: string): WasmModule {
    return {
      imports: [],
      runtime,
      types: [...this.types],
      tags: [...this.tags],
      globals: this.globals,
      functions: this.funcs,
      data: this.data,
      declared: [...this.declared],
      spans: this.spans,
    };
  }
}

/** The id of `name` in `ids`: the next one when it is new. */
function intern(ids: Map<string, number>, name: string): number {
  let id = ids.get(name);
  if (id === undefined) ids.set(name, (id = ids.size));
  return id;
}

/** `$label_index`: linear search of a label id in a record's labels. */
function labelSearch(): WasmFunc {
  return {
    name: "label_index", params: [["labels", "(ref $Labels)"], ["id", "i32"]], results: ["i32"], locals: [["i", "i32"]],
    body: [
      I("block", ["$done"], I("loop", ["$next"],
        I("br_if", ["$done"], I("i32.eq", [], I("array.get", ["$Labels"], lget("labels"), lget("i")), lget("id"))),
        lset("i", I("i32.add", [], lget("i"), i32(1))),
        I("br", ["$next"]))),
      lget("i"),
    ],
  };
}
