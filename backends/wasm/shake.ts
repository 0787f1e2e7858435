// Tree-shaking of a WasmIR module before it is printed for binaryen: keep only the functions,
// globals and data segments reachable from what the module exports (and from the fields that are
// always kept: types, imports, tags, exports), in the generated code and in the runtime's text.
//
// Why: every program carries the whole prelude (its functions, their closure globals, and a
// binding of each in `main`) and the whole runtime. binaryen removes what is unused only after
// -O2 has optimised it (main's bindings keep the prelude alive until main itself is simplified),
// so a 15-line program cost ~150 KB of WAT to print, parse, validate and optimise (fib: 224
// functions, 179 still there after binaryen's own remove-unused-module-elements). Removing
// unreachable definitions does not change what the module does; a function that is kept is
// printed unchanged except for one rewrite: a `(local.set $x V)` of a local that is never read,
// with V a constant, `global.get`, `ref.func`, `ref.null` or `local.get` (no effect), is dropped,
// and so is then the declaration of a local no instruction names. That is what makes main's
// prelude bindings (`(local.set $%map (global.get $fn:%map$clos))`) stop keeping the prelude
// alive.
//
// References are found as `$name` tokens (WAT identifiers) anywhere in a definition: local,
// label and type names are found too, which can only keep more than needed, never less.
import type { Instr, WasmFunc, WasmModule } from "../../ir/wasm.js";

/** A WAT identifier (`$` and idchars, or a quoted `$"…"`). */
const ID = /\$(?:"(?:[^"\\]|\\.)*"|[0-9A-Za-z!#$%&'*+\-./:<=>?@\\^_`|~]+)/g;

/** Push the identifiers in `s` (most immediates are exactly one: `$name`). */
function idsIn(s: string, into: string[]): void {
  const d = s.indexOf("$");
  if (d < 0) return;
  if (d === 0 && !/[\s()"]/.test(s)) { into.push(s); return; }
  for (const m of s.matchAll(ID)) into.push(m[0]);
}

/** One top-level field of WAT text: its text, kind (`func`, `global`, …) and `$name` if any. */
interface Field {
  /** the comments and blank space before the field */
  lead: string;
  /** the field, `(` to `)` */
  body: string;
  kind: string;
  /** an inline `(export "…")` follows the name */
  exported: boolean;
  name?: string;
  /** `$name`s the field mentions (its own name excluded) */
  refs: string[];
}

/**
 * Split WAT module fields (text without the enclosing `(module …)`) into top-level fields, with
 * the comments and blank space between them attached to the field that follows. Returns
 * undefined for text it does not understand (the caller then keeps the text whole).
 */
export function splitFields(text: string): { fields: Field[]; tail: string } | undefined {
  const fields: Field[] = [];
  let i = 0, start = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === ";" && text[i + 1] === ";") { const e = text.indexOf("\n", i); i = e < 0 ? n : e + 1; continue; }
    if (c === "(" && text[i + 1] === ";") { const e = text.indexOf(";)", i + 2); if (e < 0) return undefined; i = e + 2; continue; }
    if (c === "(") {
      // one balanced field: skip strings and comments inside it
      const open = i;
      let depth = 0;
      while (i < n) {
        const d = text[i]!;
        if (d === '"') {
          i++;
          while (i < n && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
          i++;
        } else if (d === ";" && text[i + 1] === ";") {
          const e = text.indexOf("\n", i); i = e < 0 ? n : e + 1;
        } else if (d === "(" && text[i + 1] === ";") {
          const e = text.indexOf(";)", i + 2); if (e < 0) return undefined; i = e + 2;
        } else {
          if (d === "(") depth++;
          else if (d === ")" && --depth === 0) { i++; break; }
          i++;
        }
      }
      if (depth !== 0) return undefined;
      const body = text.slice(open, i);
      const head = /^\(\s*([a-z]+)(?:\s+(\$(?:"(?:[^"\\]|\\.)*"|[0-9A-Za-z!#$%&'*+\-./:<=>?@\\^_`|~]+)))?/.exec(body);
      if (!head) return undefined;
      const refs: string[] = [];
      // a comment or string may name a function: harmless (it is kept), so scan the whole text
      idsIn(head[2] ? body.slice(head[0].length) : body, refs);
      const exported = head[2] !== undefined && /^\s*\(\s*export\b/.test(body.slice(head[0].length));
      fields.push({ lead: text.slice(start, open), body, kind: head[1]!, name: head[2], exported, refs });
      start = i;
      continue;
    }
    if (c === ")") return undefined;
    i++;
  }
  return { fields, tail: text.slice(start) };
}

const splitCache = new Map<string, ReturnType<typeof splitFields> | null>();
/** The runtime's fields, split once per runtime text (codegen hands over the same text each time). */
function runtimeFields(text: string) {
  let r = splitCache.get(text);
  if (r === undefined) {
    r = splitFields(text) ?? null;
    if (splitCache.size > 8) splitCache.clear();
    splitCache.set(text, r);
  }
  return r ?? undefined;
}

const PURE = new Set(["global.get", "ref.func", "ref.null", "local.get", "i32.const", "i64.const", "f32.const", "f64.const"]);
const isPure = (i: Instr): boolean => typeof i !== "string" && PURE.has(i.op) && i.args.length === 0;
const isLocalOp = (op: string) => op === "local.get" || op === "local.set" || op === "local.tee";

// (plain functions, not closures, on the hot paths: under tsx every closure created is also named
// with a defineProperty call, which made creating one per function and per node the main cost)

/** Locals read (`local.get`, `local.tee`); false when some local is named by index, not `$name`. */
function scanLocals(i: Instr, read: Set<string>): boolean {
  if (typeof i === "string") return true;
  if (isLocalOp(i.op)) {
    const x = i.imm[0]!;
    if (x[0] !== "$") return false;
    if (i.op !== "local.set") read.add(x);
  }
  for (const a of i.args) if (!scanLocals(a, read)) return false;
  return true;
}
const deadSet = (i: Instr, read: Set<string>) =>
  typeof i !== "string" && i.op === "local.set" && i.args.length === 1 && isPure(i.args[0]!) && !read.has(i.imm[0]!);
/** `xs` with each dead set dropped and each other instruction rewritten by dropSets; `xs` itself when nothing changes. */
function dropAll(xs: Instr[], read: Set<string>): Instr[] {
  let out: Instr[] | undefined;
  for (let k = 0; k < xs.length; k++) {
    const a = xs[k]!;
    const b = deadSet(a, read) ? undefined : dropSets(a, read);
    if (b !== a && !out) out = xs.slice(0, k);
    if (out && b !== undefined) out.push(b);
  }
  return out ?? xs;
}
function dropSets(i: Instr, read: Set<string>): Instr {
  if (typeof i === "string" || i.args.length === 0) return i;
  const args = dropAll(i.args, read);
  return args === i.args ? i : { ...i, args };
}
function localsNamed(i: Instr, into: Set<string>): void {
  if (typeof i === "string") return;
  if (isLocalOp(i.op)) into.add(i.imm[0]!);
  for (const a of i.args) localsNamed(a, into);
}

/**
 * The function without `local.set`s of never-read locals to effect-free values, and without the
 * locals no instruction names any more (the same object when there is nothing to drop).
 */
function dropDeadSets(f: WasmFunc): WasmFunc {
  const read = new Set<string>();
  for (const i of f.body) if (!scanLocals(i, read)) return f;
  const body = dropAll(f.body, read);
  if (body === f.body) return f;
  const named = new Set<string>();
  for (const i of body) localsNamed(i, named);
  return { ...f, body, locals: f.locals.filter(([n]) => named.has("$" + n)) };
}

/** The `$name`s in the immediates of `i` and its arguments. */
function instrRefs(i: Instr, into: string[]): void {
  if (typeof i === "string") return;
  for (const s of i.imm) idsIn(s, into);
  for (const a of i.args) instrRefs(a, into);
}

const isDeclare = (f: Field) => f.kind === "elem" && /^\(\s*elem\s+declare\b/.test(f.body);

/** The count of call sites (a `ref.func` counts two: a referenced function is not one-caller). */
function countCalls(i: Instr, caller: string, sites: Map<string, number>, callerOf: Map<string, string>): void {
  if (typeof i === "string") return;
  const n = i.op === "call" || i.op === "return_call" ? 1 : i.op === "ref.func" ? 2 : 0;
  if (n) {
    const callee = i.imm[0]!;
    sites.set(callee, (sites.get(callee) ?? 0) + n);
    callerOf.set(callee, caller);
  }
  for (const a of i.args) countCalls(a, caller, sites, callerOf);
}

/**
 * The most functions any one function calls that are called from nowhere else (one call site,
 * never referenced by `ref.func`): binaryen's one-caller inlining moves all of them into that
 * caller. `main` calling each of a program's top-level functions once is the usual case.
 */
export function maxSingleCallees(m: WasmModule): number {
  const sites = new Map<string, number>();
  const callerOf = new Map<string, string>();
  for (const f of m.functions) for (const i of f.body) countCalls(i, f.name, sites, callerOf);
  const per = new Map<string, number>();
  let max = 0;
  for (const [callee, n] of sites) {
    if (n !== 1) continue;
    const c = callerOf.get(callee)!;
    const k = (per.get(c) ?? 0) + 1;
    per.set(c, k);
    if (k > max) max = k;
  }
  return max;
}

const fieldName = (s: string) => /^\(\s*(?:global|data)\s+(\$[^\s()]+)/.exec(s)?.[1];

/** The module with only what is reachable (see the header); the input is not changed. */
export function shakeModule(m: WasmModule): WasmModule {
  const rt = runtimeFields(m.runtime);
  if (!rt) return m; // text we cannot split: keep everything

  // what may be dropped, by name: runtime fields, generated functions, globals and data
  const rtDefs = new Map<string, Field>();
  const funcs = new Map<string, WasmFunc>();
  const texts = new Map<string, string>();
  const shakable = (kind: string) => kind === "func" || kind === "global" || kind === "data";
  const work: string[] = [];
  for (const f of rt.fields) {
    if (isDeclare(f)) continue; // `elem declare` lists: filtered below, never roots
    if (shakable(f.kind) && f.name && !f.exported) rtDefs.set(f.name, f);
    else work.push(...f.refs, ...(f.name ? [f.name] : []));
  }
  for (const f of m.functions) {
    funcs.set("$" + f.name, f);
    if (f.export) work.push("$" + f.name);
  }
  for (const list of [m.globals, m.data]) for (const g of list) {
    const name = fieldName(g);
    if (name) texts.set(name, g);
    else idsIn(g, work);
  }
  for (const list of [m.imports, m.types, m.tags]) for (const s of list) idsIn(s, work);

  // reachability; a live function is rewritten (dropDeadSets) before its references are read
  const live = new Set<string>();
  const kept = new Map<string, WasmFunc>();
  while (work.length) {
    const id = work.pop()!;
    if (live.has(id)) continue;
    live.add(id);
    const f = funcs.get(id);
    if (f) {
      const g = dropDeadSets(f);
      kept.set(id, g);
      for (const i of g.body) instrRefs(i, work);
      continue;
    }
    const r = rtDefs.get(id);
    if (r) { for (const x of r.refs) work.push(x); continue; }
    const t = texts.get(id);
    if (t) idsIn(t, work);
  }

  const keep = (name: string | undefined) => name === undefined || live.has(name) || !(rtDefs.has(name) || funcs.has(name) || texts.has(name));
  const runtime = rt.fields.map((f) => {
    if (isDeclare(f)) {
      // `(elem declare func $a $b …)`: keep the live names (drop the field when none is)
      const d = /^\(\s*elem\s+declare\s+func\s+([^()";]*)\)$/.exec(f.body);
      if (!d) return f.lead + f.body;
      const names = d[1]!.trim().split(/\s+/).filter(keep);
      return f.lead + (names.length ? `(elem declare func ${names.join(" ")})` : "");
    }
    return f.lead + (rtDefs.has(f.name!) && !live.has(f.name!) ? "" : f.body);
  }).join("") + rt.tail;
  return {
    ...m,
    runtime,
    globals: m.globals.filter((g) => keep(fieldName(g))),
    data: m.data.filter((d) => keep(fieldName(d))),
    declared: m.declared.filter((f) => keep("$" + f)),
    functions: m.functions.filter((f) => live.has("$" + f.name)).map((f) => kept.get("$" + f.name)!),
  };
}

/**
 * The functions that can report a runtime error and are not the program's own: the runtime's that
 * call `$host_fail` or another such function, and the prelude's (names with `%`) that call one
 * of those. backends/wasmfx/index.ts keeps binaryen from inlining them, so that the failing call
 * stays a call from the program's code, whose source location the error then names (inlined,
 * their code would carry no location or the prelude's: backends/wasm/failure.ts).
 */
export function fallibleFunctions(m: WasmModule): string[] {
  const rt = runtimeFields(m.runtime);
  const callers: [string, string[]][] = [
    ...(rt?.fields ?? []).filter((f) => f.kind === "func" && f.name).map((f): [string, string[]] => [f.name!, f.refs]),
    ...m.functions.filter((f) => f.name.includes("%")).map((f): [string, string[]] => {
      const refs: string[] = [];
      for (const i of f.body) instrRefs(i, refs);
      return ["$" + f.name, refs];
    }),
  ];
  const fallible = new Set<string>(["$host_fail"]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [name, refs] of callers) if (!fallible.has(name) && refs.some((r) => fallible.has(r))) { fallible.add(name); grew = true; }
  }
  fallible.delete("$host_fail");
  return [...fallible].map((n) => n.slice(1));
}
