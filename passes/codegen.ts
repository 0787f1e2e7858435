// codegen: ThreadedHandlers → WasmIR
// Example: `fun loop(i, acc) { if (i == 0) acc else loop(i - 1, acc + 1) }` ⇒
//   (func $loop (param $i i64) (param $acc i64) (result i64)
//     (if (result i64) (i64.eq (local.get $i) (i64.const 0)) (then (local.get $acc))
//       (else (return_call $loop (call $int_wrap63 (i64.sub …)) (call $int_wrap63 (i64.add …))))))
// Needs: ThreadedHandlers (Boxed with handlers extracted and their parameters threaded: every
// binder and atom has a representation, coercions explicit) and the runtime
// (runtime-wat/runtime.wat, layout in docs/wasm-data-layout.md). Guarantees: a WasmIR module
// whose `main` export runs the program and prints its output, then `VALUE : TYPE`; every
// function has a specialised entry (unboxed where the types allow) and, when used as a value, a
// generic entry `$f$gen` taking the closure and boxed arguments; calls in tail position are
// `return_call` / `return_call_ref`. Effect handlers use WasmFX (cont.new / cont.bind / resume /
// suspend / resume_throw; see "effect handlers" below and docs/effect-handlers-wasmfx.md); actors
// are reported unsupported (not yet on the wasmfx backend).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { compareLabels, internalError, unsupported } from "../ir/common.js";
import { KEYWORDS } from "./lexer.js";
import type { CPat } from "../ir/core.js";
import { type Atom, type Binder, type Comp, type Fn, type MakeClosure, type OpClause, type Rep, type Thunk, type Value, everyComp, isRef, repOf } from "../ir/boxed.js";
import { type HandlerFn, type HandlersProgram, continuationCalls } from "../ir/handlers.js";
import type { PrimitiveReps } from "./box-poly.js";
import { type Instr, I, type WasmFunc, type WasmModule } from "../ir/wasm.js";
import { type Type, printType, prune, resolve, rowFields, tUnit } from "../ir/types.js";

const runtimePath = fileURLToPath(new URL("../runtime-wat/runtime.wat", import.meta.url));
let runtimeText: string | undefined;
export const runtime = () => (runtimeText ??= readFileSync(runtimePath, "utf8"));

const notYet = (what: string) => unsupported(`${what} (not yet on the wasmfx backend)`);

/** A program function's Wasm name: `fn:` keeps it apart from the runtime's and generated helpers. */
export const wasmName = (f: string) => `fn:${f}`;


// ---------------------------------------------------------------- representations
export function valtype(r: Rep): string | undefined {
  switch (r) {
    case "i64": return "i64";
    case "f64": return "f64";
    case "i32": return "i32";
    case "unit": return undefined;
    case "string": return "(ref $String)";
    case "list": return "(ref null $Cons)";
    case "record": return "(ref $Record)";
    case "variant": return "(ref $Variant)";
    case "closure": return "(ref $Closure)";
    case "process": case "eq": return "eqref";
  }
}
export const vts = (r: Rep): string[] => { const t = valtype(r); return t ? [t] : []; };

export const lget = (n: string): Instr => I("local.get", [`$${n}`]);
/** `local.set` of the value on top of the stack (what a resume's return leaves there). */
const pop = (n: string): Instr => I("local.set", [`$${n}`]);
export const lset = (n: string, v: Instr): Instr => I("local.set", [`$${n}`], v);
export const i32 = (n: number): Instr => I("i32.const", [n]);

/** A value of representation `from` on the stack (as `v`) → the boxed (eq) form. */
export function boxInstr(from: Rep, v: Instr | undefined): Instr {
  switch (from) {
    case "i64": return I("struct.new", ["$Int"], v!);
    case "f64": return I("struct.new", ["$Float"], v!);
    case "i32": return I("ref.i31", [], v!);
    case "unit": return I("global.get", ["$unit"]); // the empty record
    default: return v!;
  }
}
/** An eq value → representation `to` (undefined for unit: nothing is left). */
export function unboxInstr(to: Rep, v: Instr): Instr | undefined {
  switch (to) {
    case "i64": return I("struct.get", ["$Int", 0], I("ref.cast", ["(ref $Int)"], v));
    case "f64": return I("struct.get", ["$Float", 0], I("ref.cast", ["(ref $Float)"], v));
    case "i32": return I("i31.get_u", [], I("ref.cast", ["(ref i31)"], v));
    case "unit": return undefined;
    case "string": return I("ref.cast", ["(ref $String)"], v);
    case "list": return I("ref.cast", ["(ref null $Cons)"], v);
    case "record": return I("ref.cast", ["(ref $Record)"], v);
    case "variant": return I("ref.cast", ["(ref $Variant)"], v);
    case "closure": return I("ref.cast", ["(ref $Closure)"], v);
    case "process": case "eq": return v;
  }
}


/** The labels of a record type when its row is closed (else undefined). */
function closedLabels(t: Type): string[] | undefined {
  const r = resolve(t);
  if (r.tag !== "Record") return undefined;
  const { fields, tail } = rowFields(r.row);
  if (tail.tag !== "RowEmpty") return undefined;
  return fields.filter(([, p]) => prune(p).tag === "Pre").map(([l]) => l).sort(compareLabels);
}

// ---------------------------------------------------------------- the generator
/** `prims`: the primitives' representations (box-poly's, from their Links types). */
export function codegen(p: HandlersProgram, prims: PrimitiveReps): WasmModule {
  return new Gen(p, prims).module();
}

interface FnCtx {
  locals: Map<string, string>; // name → valtype
  reps: Map<string, Rep>;
  labels: number; // block label counter
  /** continuations of `direct` clauses: the local holding each, and how a call of it resumes it */
  direct: Map<string, { cont: string; resume: (args: Atom[], tail: boolean) => Instr[] }>;
}

export class Gen {
  /** every function's signature, by name (a call needs no more) */
  protected fns = new Map<string, FnSig>();
  protected labelIds = new Map<string, number>();
  protected ctorIds = new Map<string, number>();
  protected strings = new Map<string, { seg: string; len: number }>(); // content → data segment
  protected data: string[] = [];
  protected globals: string[] = [];
  /** what a global holds (e.g. `closure:f`, `labels:a,b`) → its name: each is made once */
  protected globalNames = new Map<string, string>();
  protected funcs: WasmFunc[] = [];
  protected declared = new Set<string>();
  protected genEntries = new Set<string>();
  protected shows = new Map<string, string>(); // type key → printer function name
  protected types = new Set<string>();
  protected tags = new Set<string>();
  protected ctx!: FnCtx;

  /** operation name → tag id (each operation is one tag: eqref arguments, an eqref result) */
  protected opIds = new Map<string, number>();
  /** Wasm name of the function of a handled computation → its declared type (cont.new needs one) */
  protected thunkFnTypes = new Map<string, string>();

  constructor(protected p: HandlersProgram, protected prims: PrimitiveReps) {
    for (const f of p.functions) this.fns.set(f.name, f);
  }

  module(): WasmModule {
    this.collectLabels();
    for (const f of this.p.functions) this.funcs.push(this.fn(f));
    for (const h of this.p.handlers) {
      this.funcs.push(this.handlerFn(h));
      if (h.ops.some((o) => !o.direct)) this.funcs.push(this.resumeEntry(h));
    }
    this.funcs.push(this.main());
    this.funcs.push(this.ctorNames());
    this.funcs.push(this.labelSearch());
    if (this.usesContBox) this.funcs.push(this.opNames());
    // the functions cont.new starts are known once every handle site is compiled
    for (const w of this.funcs) w.type ??= this.thunkFnTypes.get(w.name);
    return {
      imports: [],
      runtime: runtime(),
      types: [...this.types],
      tags: [...this.tags],
      globals: this.globals,
      functions: this.funcs,
      data: this.data,
      declared: [...this.declared],
    };
  }

  // ------------------------------------------------------------ interning
  /** Label ids follow Links' label order, so `$Labels` arrays are sorted by id and by name. */
  protected collectLabels() {
    const clauses = (ops: OpClause[], ret: { pat: CPat }, pat: (q: CPat) => void) => { ops.forEach((o) => o.args.forEach(pat)); pat(ret.pat); };
    this.internLabels((value, pat) => {
      const comp = (c: Comp) => everyComp(c, (x) => {
        if (x.tag === "Let") value(x.value);
        else if (x.tag === "Case" || x.tag === "Receive") x.clauses.forEach((k) => pat(k.pat));
        else if (x.tag === "Handle" || x.tag === "ShallowHandle") clauses(x.ops, x.ret, pat);
      });
      this.p.functions.forEach((f) => comp(f.body));
      this.p.handlers.forEach((h) => { clauses(h.ops, h.ret, pat); h.ops.forEach((o) => comp(o.body)); comp(h.ret.body); });
      comp(this.p.main);
    });
  }
  /** Intern every label `visit` reports (through record values and patterns) and the result type's. */
  protected internLabels(visit: (value: (v: Value) => void, pat: (q: CPat) => void) => void) {
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
    fromType(this.p.resultType);
    [...labels].sort(compareLabels).forEach((l, i) => this.labelIds.set(l, i));
  }
  protected labelId(l: string): number {
    const id = this.labelIds.get(l);
    if (id === undefined) throw internalError(`codegen: label ${l} was not collected`);
    return id;
  }
  protected ctorId(name: string): number {
    let id = this.ctorIds.get(name);
    if (id === undefined) this.ctorIds.set(name, (id = this.ctorIds.size));
    return id;
  }
  /** A string literal: a passive data segment per distinct content, copied into a new $String. */
  protected string(s: string): Instr {
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

  /** The global for `key`, defined by `init(name)` the first time it is asked for. */
  protected global(key: string, name: string, init: (name: string) => string): Instr {
    let g = this.globalNames.get(key);
    if (!g) {
      g = name;
      this.globalNames.set(key, g);
      this.globals.push(init(g));
    }
    return I("global.get", [`$${g}`]);
  }
  /**
   * Arguments a direct call of function `known` takes after its own (the cps backend: the call
   * depth), from a function body (`call`, possibly a tail call) or from its generic entry.
   */
  protected extraArgs(_known: string, _from: "call" | "entry", _tail: boolean): Instr[] {
    return [];
  }
  /** Parameters every generic entry takes after the boxed arguments (the cps backend: the continuation). */
  protected genExtra: [string, string][] = [];
  /** How a generic entry delivers its boxed result (the cps backend: to the continuation). */
  protected genResult(v: Instr): Instr[] {
    return [v];
  }
  protected genType(n: number): string {
    const name = `Gen${n}`;
    this.types.add(`(type $${name} (func (param (ref $Closure)${" eqref".repeat(n)}${this.genExtra.map(([, t]) => ` ${t}`).join("")}) (result eqref)))`);
    return name;
  }
  protected genParams(n: number): [string, string][] {
    return [["clos", "(ref $Closure)"], ...Array.from({ length: n }, (_, i): [string, string] => [`a${i}`, "eqref"]), ...this.genExtra];
  }

  // ------------------------------------------------------------ functions
  protected newCtx(): FnCtx {
    return { locals: new Map(), reps: new Map(), labels: 0, direct: new Map() };
  }
  protected local(name: string, rep: Rep) {
    this.ctx.reps.set(name, rep);
    const t = valtype(rep);
    if (t && !this.ctx.locals.has(name)) this.ctx.locals.set(name, t);
  }
  /** A fresh local of a Wasm type that no representation has (continuations). */
  protected tempOf(valtype: string): string {
    const name = `tmp${this.ctx.locals.size}_${this.ctx.labels++}`;
    this.ctx.locals.set(name, valtype);
    return name;
  }
  protected temp(rep: Rep): string {
    const name = `tmp${this.ctx.locals.size}_${this.ctx.labels++}`;
    this.local(name, rep);
    return name;
  }

  protected fn(f: Fn): WasmFunc {
    this.ctx = this.newCtx();
    const params: [string, string][] = [];
    if (f.captured.length > 0) params.push(["clos", "(ref $Closure)"]);
    for (const q of f.params) {
      this.ctx.reps.set(q.name, q.rep);
      const t = valtype(q.rep);
      if (t) params.push([q.name, t]);
    }
    const prologue: Instr[] = f.captured.map((q, i) => {
      this.local(q.name, "eq");
      return lset(q.name, I("array.get", ["$Env"], I("struct.get", ["$Closure", 1], lget("clos")), i32(i)));
    });
    const body = [...prologue, ...this.comp(f.body, f.ret, true)];
    const paramNames = new Set(params.map(([n]) => n));
    const locals = [...this.ctx.locals].filter(([n]) => !paramNames.has(n));
    return { name: wasmName(f.name), params, results: vts(f.ret), locals, body };
  }

  /** `$f$gen`: the generic entry of f — closure and boxed arguments in, boxed result out. */
  protected genEntry(f: FnSig): string {
    const name = `${wasmName(f.name)}$gen`;
    if (this.genEntries.has(name)) return name;
    this.genEntries.add(name);
    const type = this.genType(f.params.length);
    const args: Instr[] = [];
    if (f.captured.length > 0) args.push(lget("clos"));
    f.params.forEach((q, i) => { const u = unboxInstr(q.rep, lget(`a${i}`)); if (u) args.push(u); });
    args.push(...this.extraArgs(f.name, "entry", false));
    const call = I("call", [`$${wasmName(f.name)}`], ...args);
    const body = f.ret === "unit" ? [call, ...this.genResult(boxInstr("unit", undefined))] : this.genResult(boxInstr(f.ret, call));
    this.funcs.push({ name, type, params: this.genParams(f.params.length), results: ["eqref"], locals: [], body });
    this.declared.add(name);
    return name;
  }

  /** The closure of a function that captures nothing: a global constant. */
  protected constClosure(fname: string): Instr {
    return this.global(`closure:${fname}`, `${wasmName(fname)}$clos`, (g) =>
      `(global $${g} (ref $Closure) (struct.new $Closure (ref.func $${this.genEntry(this.fns.get(fname)!)}) (ref.null none)))`);
  }

  protected closure(v: MakeClosure): Instr {
    const f = this.fns.get(v.fn)!;
    if (f.captured.length === 0) return this.constClosure(v.fn);
    const gen = this.genEntry(f);
    return I("struct.new", ["$Closure"], I("ref.func", [`$${gen}`]), I("array.new_fixed", ["$Env", v.captured.length], ...v.captured.map((a) => this.atom(a))));
  }

  // ------------------------------------------------------------ atoms and values
  protected atom(a: Atom): Instr {
    if (a.tag === "Lit") {
      const l = a.lit;
      switch (l.kind) {
        case "Int": return I("i64.const", [BigInt.asIntN(64, l.value).toString()]);
        case "Float": return I("f64.const", [Number.isInteger(l.value) ? l.value.toFixed(1) : String(l.value)]);
        case "Bool": return i32(l.value ? 1 : 0);
        case "Char": return i32(l.value.codePointAt(0)!);
        case "String": return this.string(l.value);
      }
    }
    if (a.rep === "unit") return "nop";
    if (this.ctx.reps.has(a.name)) return lget(a.name);
    if (this.fns.has(a.name)) {
      const f = this.fns.get(a.name)!;
      if (f.captured.length === 0) return this.constClosure(a.name);
    }
    return this.primClosure(a.name);
  }

  /** Push an atom's value; unit atoms push nothing. */
  protected push(a: Atom): Instr[] {
    return a.rep === "unit" ? [] : [this.atom(a)];
  }

  protected value(v: Value): Instr[] {
    switch (v.tag) {
      case "Var": case "Lit": return this.push(v);
      case "Closure": return [this.closure(v)];
      case "Box": return [boxInstr(v.from, v.from === "unit" ? undefined : this.atom(v.atom))];
      case "Unbox": { const u = unboxInstr(v.to, this.atom(v.atom)); return u ? [u] : []; }
      case "Con": return [I("struct.new", ["$Variant"], i32(this.ctorId(v.name)), v.arg ? this.atom(v.arg) : I("ref.null", ["none"]))];
      case "Nil": return [I("ref.null", ["$Cons"])];
      case "Cons": return [I("struct.new", ["$Cons"], this.atom(v.head), this.atom(v.tail))];
      case "Record": {
        if (v.ext) {
          const base = closedLabels(v.ext.type);
          if (!base) {
            // labels known only at run time: merge in the runtime
            const sorted = [...v.fields].sort(([a], [b]) => compareLabels(a, b));
            return [I("call", ["$record_extend"], this.atom(v.ext), this.labelTable(sorted.map(([l]) => l)),
              I("array.new_fixed", ["$Values", sorted.length], ...sorted.map(([, a]) => this.atom(a))))];
          }
          const all = [...base, ...v.fields.map(([l]) => l)].sort(compareLabels);
          const extLocal = this.temp("record");
          const vals = all.map((l) => {
            const f = v.fields.find(([m]) => m === l);
            return f ? this.atom(f[1]) : this.fieldOf(lget(extLocal), v.ext!.type, l);
          });
          return [lset(extLocal, this.atom(v.ext)), this.record(all, vals)];
        }
        const sorted = [...v.fields].sort(([a], [b]) => compareLabels(a, b));
        return [this.record(sorted.map(([l]) => l), sorted.map(([, a]) => this.atom(a)))];
      }
      case "Update": {
        // copy the values array, then overwrite the updated fields
        const rec = this.temp("record");
        const vals = this.temp("eq");
        const out: Instr[] = [
          lset(rec, this.atom(v.record)),
          lset(vals, I("array.new", ["$Values"], I("ref.null", ["none"]), I("array.len", [], I("struct.get", ["$Record", 1], lget(rec))))),
          I("array.copy", ["$Values", "$Values"], I("ref.cast", ["(ref $Values)"], lget(vals)), i32(0), I("struct.get", ["$Record", 1], lget(rec)), i32(0), I("array.len", [], I("struct.get", ["$Record", 1], lget(rec)))),
        ];
        for (const [l, a] of v.fields)
          out.push(I("array.set", ["$Values"], I("ref.cast", ["(ref $Values)"], lget(vals)), this.fieldIndex(lget(rec), v.record.type, l), this.atom(a)));
        out.push(I("struct.new", ["$Record"], I("struct.get", ["$Record", 0], lget(rec)), I("ref.cast", ["(ref $Values)"], lget(vals))));
        return out;
      }
      case "Proj": return [this.fieldOf(this.atom(v.record), v.record.type, v.label)];
    }
  }

  /** A record: its (shared, constant) label table and a new values array. */
  protected record(labels: string[], values: Instr[]): Instr {
    return I("struct.new", ["$Record"], this.labelTable(labels), I("array.new_fixed", ["$Values", values.length], ...values));
  }

  /** The shared, constant label table of sorted labels. */
  protected labelTable(labels: string[]): Instr {
    return this.global(`labels:${labels.join(",")}`, `lbl${this.globalNames.size}`, (g) =>
      `(global $${g} (ref $Labels) (array.new_fixed $Labels ${labels.length} ${labels.map((l) => `(i32.const ${this.labelId(l)})`).join(" ")})) ;; ${labels.join(",")}`);
  }

  /** The index of label l in a record of type t: static when the row is closed, else searched. */
  protected fieldIndex(rec: Instr, t: Type, l: string): Instr {
    const labels = closedLabels(t);
    if (labels) return i32(labels.indexOf(l));
    return I("call", ["$label_index"], I("struct.get", ["$Record", 0], rec), i32(this.labelId(l)));
  }
  protected fieldOf(rec: Instr, t: Type, l: string): Instr {
    const labels = closedLabels(t);
    if (labels) return I("array.get", ["$Values"], I("struct.get", ["$Record", 1], rec), i32(labels.indexOf(l)));
    const r = this.temp("record");
    return I("block", ["(result eqref)"], lset(r, rec),
      I("array.get", ["$Values"], I("struct.get", ["$Record", 1], lget(r)), I("call", ["$label_index"], I("struct.get", ["$Record", 0], lget(r)), i32(this.labelId(l)))));
  }

  protected labelSearch(): WasmFunc {
    // linear search of a label id in a record's labels
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

  protected ctorNames(): WasmFunc {
    let body: Instr = "unreachable";
    for (const [name, id] of [...this.ctorIds].reverse())
      body = I("if", ["(result (ref $String))"], I("i32.eq", [], lget("id"), i32(id)), I("then", [], this.string(name)), I("else", [], body));
    return { name: "ctor_name", params: [["id", "i32"]], results: ["(ref $String)"], locals: [], body: [body] };
  }

  // ------------------------------------------------------------ calls
  protected call(fn: Atom, args: Atom[], known: string | undefined, tail: boolean): Instr[] {
    if (known) {
      const f = this.fns.get(known)!;
      const ops: Instr[] = [];
      if (f.captured.length > 0) ops.push(this.atom(fn));
      args.forEach((a) => ops.push(...this.push(a)));
      ops.push(...this.extraArgs(known, "call", tail));
      return [I(tail ? "return_call" : "call", [`$${wasmName(known)}`], ...ops)];
    }
    const direct = fn.tag === "Var" ? this.ctx.direct.get(fn.name) : undefined;
    if (direct) return direct.resume(args, tail);
    if (fn.tag === "Var" && !this.ctx.reps.has(fn.name) && !this.fns.has(fn.name)) return this.primitive(fn.name, args);
    // through the closure's generic entry
    const type = this.genType(args.length);
    const clos = this.temp("closure");
    return [
      lset(clos, this.atom(fn)),
      I(tail ? "return_call_ref" : "call_ref", [`$${type}`], lget(clos), ...args.map((a) => this.atom(a)),
        I("ref.cast", [`(ref $${type})`], I("struct.get", ["$Closure", 0], lget(clos)))),
    ];
  }

  protected primitive(name: string, args: Atom[]): Instr[] {
    const a = args.map((x) => this.atom(x));
    const wrap = (x: Instr) => I("call", ["$int_wrap63"], x);
    const rep = args[0]?.rep;
    const cmp = (op: "eq" | "ne" | "lt" | "gt" | "le" | "ge"): Instr => {
      if (rep === "i64") return I(`i64.${op.length === 2 && op !== "eq" && op !== "ne" ? op + "_s" : op}`, [], a[0]!, a[1]!);
      if (rep === "f64") return I(`f64.${op}`, [], a[0]!, a[1]!);
      if (rep === "i32") return I(`i32.${op === "eq" || op === "ne" ? op : op + "_u"}`, [], a[0]!, a[1]!);
      if (op === "eq") return I("call", ["$eq_values"], a[0]!, a[1]!);
      if (op === "ne") return I("i32.eqz", [], I("call", ["$eq_values"], a[0]!, a[1]!));
      return I(`i32.${op}_s`, [], I("call", ["$compare_values"], a[0]!, a[1]!), i32(0));
    };
    switch (name) {
      case "+": return [wrap(I("i64.add", [], a[0]!, a[1]!))];
      case "-": return [wrap(I("i64.sub", [], a[0]!, a[1]!))];
      case "*": return [wrap(I("i64.mul", [], a[0]!, a[1]!))];
      case "/": return [I("call", ["$int_div"], a[0]!, a[1]!)];
      case "mod": return [I("call", ["$int_mod"], a[0]!, a[1]!)];
      case "^": return [I("call", ["$int_pow"], a[0]!, a[1]!)];
      case "negate": return [wrap(I("i64.sub", [], I("i64.const", [0]), a[0]!))];
      case "+.": return [I("f64.add", [], a[0]!, a[1]!)];
      case "-.": return [I("f64.sub", [], a[0]!, a[1]!)];
      case "*.": return [I("f64.mul", [], a[0]!, a[1]!)];
      case "/.": return [I("f64.div", [], a[0]!, a[1]!)];
      case "negatef": return [I("f64.neg", [], a[0]!)];
      case "sqrt": return [I("f64.sqrt", [], a[0]!)];
      case "floor": return [I("f64.floor", [], a[0]!)];
      case "ceiling": return [I("f64.ceil", [], a[0]!)];
      case "==": return [cmp("eq")];
      case "<>": return [cmp("ne")];
      case "<": return [cmp("lt")];
      case ">": return [cmp("gt")];
      case "<=": return [cmp("le")];
      case ">=": return [cmp("ge")];
      case "intToString": return [I("call", ["$str_from_int"], a[0]!)];
      case "floatToString": return [I("call", ["$str_from_float"], a[0]!)];
      case "intToFloat": return [I("f64.convert_i64_s", [], a[0]!)];
      case "floatToInt": return [I("call", ["$float_to_int"], a[0]!)];
      case "exp": return [I("call", ["$math_exp"], a[0]!)];
      case "log": return [I("call", ["$math_log"], a[0]!)];
      case "sin": return [I("call", ["$math_sin"], a[0]!)];
      case "cos": return [I("call", ["$math_cos"], a[0]!)];
      case "^.": return [I("call", ["$math_pow"], a[0]!, a[1]!)];
      case "random": return [I("call", ["$host_random"])];
      case "stringToInt": return [I("call", ["$str_to_int"], a[0]!)];
      case "stringToFloat": return [I("call", ["$str_to_float"], a[0]!)];
      case "isInt": return [I("call", ["$str_is_int"], a[0]!)];
      case "charAt": return [I("call", ["$str_char_at"], a[0]!, a[1]!)];
      case "strsub": return [I("call", ["$str_substring"], a[0]!, a[1]!, a[2]!)];
      case "explode": return [I("call", ["$str_explode"], a[0]!)];
      case "implode": return [I("call", ["$str_implode"], a[0]!)];
      case "charToInt": return [I("i64.extend_i32_u", [], a[0]!)];
      case "intToChar": return [I("i32.wrap_i64", [], a[0]!)];
      case "^^": return [I("call", ["$str_concat"], a[0]!, a[1]!)];
      case "strlen": return [I("call", ["$str_char_count"], a[0]!)];
      case "++": return [I("call", ["$list_append"], a[0]!, a[1]!)];
      case "print": return [I("call", ["$print_string"], a[0]!)];
      case "error": return [I("call", ["$host_fail"], a[0]!), "unreachable"];
      default: throw notYet(`the primitive ${name}`);
    }
  }

  /** A primitive used as a value: a constant closure over a generated generic entry. */
  protected primClosure(name: string): Instr {
    const prim = this.prims.get(name);
    if (!prim) throw notYet(`the primitive ${name} as a value`);
    const fname = `prim$${name}`;
    return this.global(`closure:prim:${name}`, `${fname}$clos`, (g) => {
      const saved = this.ctx;
      this.ctx = this.newCtx();
      const params = prim.params.map((r, i): Atom => ({ tag: "Var", name: `u${i}`, type: tUnit, rep: r }));
      const locals: Instr[] = prim.params.map((r, i) => {
        this.local(`u${i}`, r);
        const u = unboxInstr(r, lget(`a${i}`));
        return u ? lset(`u${i}`, u) : "nop";
      });
      const result = this.primitive(name, params);
      const body = [...locals, ...(prim.ret === "unit" ? [...result, ...this.genResult(boxInstr("unit", undefined))] : this.genResult(boxInstr(prim.ret, this.block(result, prim.ret))))];
      const type = this.genType(prim.params.length);
      this.funcs.push({ name: fname, type, params: this.genParams(prim.params.length), results: ["eqref"], locals: [...this.ctx.locals], body });
      this.ctx = saved;
      this.declared.add(fname);
      return `(global $${g} (ref $Closure) (struct.new $Closure (ref.func $${fname}) (ref.null none)))`;
    });
  }

  // ------------------------------------------------------------ computations
  /** Code leaving the value of `c` (representation `rep`) on the stack; `tail`: may return_call. */
  protected comp(c: Comp, rep: Rep, tail: boolean): Instr[] {
    const out: Instr[] = [];
    for (; c.tag === "Let" || c.tag === "LetApp" || c.tag === "LetComp" || c.tag === "LetRec"; c = c.body) out.push(...this.binding(c));
    switch (c.tag) {
      case "Return": out.push(...this.push(c.atom)); break;
      case "App": out.push(...this.call(c.fn, c.args, c.known, tail && (c.rep === rep || (rep === "eq" && isRef(c.rep))))); break;
      case "If": {
        const [dt, de] = this.discards(c, [c.then, c.else]);
        const t = [...dt!, ...this.comp(c.then, rep, tail)], e = [...de!, ...this.comp(c.else, rep, tail)];
        out.push(I("if", vts(rep).length ? [`(result ${valtype(rep)})`] : [], this.atom(c.cond), I("then", [], ...t), I("else", [], ...e)));
        break;
      }
      case "Case": out.push(...this.caseOf(c, rep, tail)); break;
      case "Do": out.push(I("suspend", [`$${this.opTag(c.op, c.args.length)}`], ...c.args.map((a) => this.atom(a)))); break;
      case "HandleCall": {
        const args = [this.startThunk(c.thunk), I("ref.null", ["none"]), ...c.args.flatMap((a) => this.push(a))];
        out.push(I(tail && rep === "eq" ? "return_call" : "call", [`$${wasmName(c.handler)}`], ...args));
        break;
      }
      case "ShallowHandle": out.push(...this.shallow(c, tail)); break;
      case "Handle": throw internalError("codegen: a handle was not extracted");
      case "Spawn": throw notYet("processes (spawn)");
      case "Receive": throw notYet("processes (receive)");
    }
    return out;
  }

  /** Code binding a let-form's variable (the body is the caller's). */
  protected binding(c: Binding): Instr[] {
    switch (c.tag) {
      case "Let": {
        // values are pure: a unit-valued one needs no code
        if (c.x.rep === "unit") return [];
        this.local(c.x.name, c.x.rep);
        const v = this.value(c.value);
        return [...v.slice(0, -1), lset(c.x.name, v[v.length - 1]!)];
      }
      case "LetApp": {
        this.local(c.x.name, c.x.rep);
        const code = this.call(c.fn, c.args, c.known, false);
        return c.x.rep === "unit" ? code : [...code.slice(0, -1), lset(c.x.name, code[code.length - 1]!)];
      }
      case "LetComp": {
        this.local(c.x.name, c.x.rep);
        const code = this.comp(c.comp, c.x.rep, false);
        return c.x.rep === "unit" ? code : [lset(c.x.name, this.block(code, c.x.rep))];
      }
      case "LetRec": return this.letrec(c.binds);
    }
  }

  /** Allocate the closures, then fill their environments (they may refer to each other). */
  protected letrec(binds: { x: { name: string }; closure: MakeClosure }[]): Instr[] {
    const out: Instr[] = [];
    for (const b of binds) {
      this.local(b.x.name, "closure");
      const f = this.fns.get(b.closure.fn)!;
      if (f.captured.length === 0) out.push(lset(b.x.name, this.constClosure(f.name)));
      else out.push(lset(b.x.name, I("struct.new", ["$Closure"], I("ref.func", [`$${this.genEntry(f)}`]),
        I("array.new", ["$Env"], I("ref.null", ["none"]), i32(f.captured.length)))));
    }
    for (const b of binds) {
      b.closure.captured.forEach((a, i) => out.push(I("array.set", ["$Env"],
        I("ref.as_non_null", [], I("struct.get", ["$Closure", 1], lget(b.x.name))), i32(i), this.atom(a))));
    }
    return out;
  }

  /** Wrap code producing one value into a single instruction. */
  protected block(code: Instr[], rep: Rep): Instr {
    if (code.length === 1) return code[0]!;
    return I("block", vts(rep).length ? [`(result ${valtype(rep)})`] : [], ...code);
  }

  // ------------------------------------------------------------ effect handlers (WasmFX)
  // A handled computation `(thunk f a…)` starts as a continuation of type $KCont (eqref → eqref):
  // cont.new of f, then cont.bind of its arguments a… (f's last parameter, an eqref, receives
  // the null the first resume passes). Each operation is a tag (eqref arguments, eqref
  // result); `do Op(a)` is `suspend`. A deep handler is a function (continuation, value, free
  // variables…, handler parameters…) that resumes the continuation with one `(on $tag $label)`
  // per operation it handles: an operation it does not handle goes on to the next enclosing
  // resume (forwarding is WasmFX's own handler search). In a `direct` clause (direct-resume), a
  // call of `k` resumes in place: the handler function called on the continuation (deep), or a
  // bare `resume` (shallow). Otherwise `k` is a closure over a $ContBox holding the continuation:
  // calling it takes the continuation out (a second call is a runtime error: WasmFX
  // continuations are one-shot) and runs the handler function again on it.

  protected usesContBox = false;
  /** helper functions made on first use */
  protected made = new Set<string>();
  protected handlerTypes(): void {
    this.types.add("(type $KFn (func (param eqref) (result eqref)))");
    this.types.add("(type $KCont (cont $KFn))");
  }

  protected opTag(op: string, arity: number): string {
    this.handlerTypes();
    let id = this.opIds.get(op);
    if (id === undefined) this.opIds.set(op, (id = this.opIds.size));
    const name = `op${id}`;
    this.tags.add(`(tag $${name} (param${" eqref".repeat(arity)}) (result eqref)) ;; ${op}`);
    return name;
  }

  /** `$suspN`: an operation's N arguments and its continuation, as one struct. */
  protected suspPack(n: number): string {
    const name = `susp${n}`;
    if (!this.made.has(name)) {
      this.made.add(name);
      const fields = `${" (field eqref)".repeat(n)} (field (ref $KCont))`;
      this.types.add(`(type $Susp${n} (struct${fields}))`);
      const params: [string, string][] = [...Array.from({ length: n }, (_, j): [string, string] => [`a${j}`, "eqref"]), ["k", "(ref $KCont)"]];
      this.funcs.push({ name, params, results: [`(ref $Susp${n})`], locals: [], body: [I("struct.new", [`$Susp${n}`], ...params.map(([x]) => lget(x)))] });
    }
    return name;
  }

  /** The function type of a thunk's function f (declared: cont.new needs it). */
  protected thunkType(f: FnSig): string {
    this.handlerTypes();
    const params = f.params.slice(0, -1).flatMap((q) => vts(q.rep));
    if (params.length === 0) return "KFn";
    const key = params.join(" ");
    let name = this.thunkTypeNames.get(key);
    if (!name) {
      this.thunkTypeNames.set(key, (name = `Thunk${this.thunkTypeNames.size}`));
      this.types.add(`(type $${name} (func (param ${key} eqref) (result eqref)))`);
      this.types.add(`(type $K${name} (cont $${name}))`);
    }
    return name;
  }
  protected thunkTypeNames = new Map<string, string>();

  /** `(thunk f a…)` as a $KCont: cont.new of f, its arguments bound by cont.bind. */
  protected startThunk(t: Thunk): Instr {
    const f = this.fns.get(t.fn)!;
    this.declared.add(wasmName(f.name));
    const type = this.thunkType(f);
    this.thunkFnTypes.set(wasmName(f.name), type);
    if (type === "KFn") return I("cont.new", ["$KCont"], I("ref.func", [`$${wasmName(f.name)}`]));
    return I("cont.bind", [`$K${type}`, "$KCont"], ...t.args.flatMap((a) => this.push(a)),
      I("cont.new", [`$K${type}`], I("ref.func", [`$${wasmName(f.name)}`])));
  }

  /** `$op_name`: operation id → name, for the one-shot error message. */
  protected opNames(): WasmFunc {
    let body: Instr = "unreachable";
    for (const [name, id] of [...this.opIds].reverse())
      body = I("if", ["(result (ref $String))"], I("i32.eq", [], lget("id"), i32(id)), I("then", [], this.string(name)), I("else", [], body));
    return { name: "op_name", params: [["id", "i32"]], results: ["(ref $String)"], locals: [], body: [body] };
  }

  /**
   * Resume continuation `k` with `v`, one `(on …)` per clause; the code for a clause runs with
   * the operation's arguments in `eq` locals and the continuation in a local, and must not fall
   * through. `onReturn` gets the computation's value on the stack.
   */
  protected resumeWith(k: Instr, v: Instr, clauses: OpClause[], clause: (os: OpClause[], args: string[], cont: string) => Instr[], onReturn: Instr[]): Instr[] {
    // clauses for the same operation (different patterns) share its `on`: tried in order
    const byOp = new Map<string, OpClause[]>();
    for (const o of clauses) byOp.set(o.op, [...(byOp.get(o.op) ?? []), o]);
    const groups = [...byOp.values()];
    const ops = groups.map((g) => g[0]!);
    const ret = `$ret${this.ctx.labels++}`;
    const labels = ops.map(() => `$on${this.ctx.labels++}`);
    const tags = ops.map((o) => this.opTag(o.op, o.args.length));
    let inner: Instr = I("br", [ret], I("resume", ["$KCont", ...ops.map((_, i) => `(on $${tags[i]} ${labels[i]})`)], v, k));
    ops.forEach((o, i) => {
      const n = o.args.length;
      const args = o.args.map(() => this.temp("eq"));
      const cont = this.tempOf("(ref null $KCont)");
      const on = I("block", [labels[i]!, `(result${" eqref".repeat(n)} (ref $KCont))`], inner);
      // the operation's arguments and the continuation arrive as several values: binaryen 132
      // mistypes them when popped into locals one by one, so they go through `$suspN` (a call
      // it inlines, whose struct its optimiser removes)
      let take: Instr[];
      if (n === 0) take = [lset(cont, on)];
      else {
        const pk = this.tempOf(`(ref null $Susp${n})`);
        const field = (j: number) => I("struct.get", [`$Susp${n}`, j], lget(pk));
        take = [lset(pk, I("call", [`$${this.suspPack(n)}`], on)), lset(cont, field(n)), ...args.map((a, j) => lset(a, field(j)))];
      }
      inner = I("block", [], ...take, ...clause(groups[i]!, args, cont));
    });
    return [I("block", [ret, "(result eqref)"], inner), ...onReturn];
  }

  /**
   * The clauses of one operation, in order: the first whose patterns match binds them and runs
   * its body (`body` must not fall through); none matching is a runtime error.
   */
  protected opClauses(os: OpClause[], args: string[], cont: string, k: () => Instr, resume: (args: Atom[], tail: boolean) => Instr[], body: (o: OpClause) => Instr[]): Instr[] {
    const out: Instr[] = [];
    for (const o of os) {
      const fail = `$nomatch${this.ctx.labels++}`;
      const binds = o.args.flatMap((q, i) => this.pat(q, lget(args[i]!), "eq", fail));
      if (o.direct) {
        if (o.k?.tag === "PVar") this.ctx.direct.set(o.k.name, { cont, resume });
        // a clause that never resumes: unwind the continuation now
        if (o.k?.tag !== "PVar" || continuationCalls(o.body, o.k.name) === 0) binds.push(this.discard(cont));
      } else if (o.k) binds.push(...this.pat(o.k, k(), "closure", fail));
      out.push(I("block", [fail], ...binds, ...body(o)));
    }
    return [...out, I("call", ["$host_fail"], this.string("pattern match failure")), "unreachable"];
  }

  /**
   * For each branch of `whole` (an if, a case, a shallow handler's clauses): the discards of the
   * direct continuations that `whole` resumes on some path but this branch never does. (Each is
   * resumed at most once on any path, so where a branch is entered it has not been yet.)
   */
  protected discards(whole: Comp, branches: Comp[]): Instr[][] {
    const out: Instr[][] = branches.map(() => []);
    for (const [k, { cont }] of this.ctx.direct) {
      if (continuationCalls(whole, k) === 0) continue;
      branches.forEach((b, i) => { if (continuationCalls(b, k) === 0) out[i]!.push(this.discard(cont)); });
    }
    return out;
  }

  /**
   * Discard a continuation that will not be resumed: `resume_throw` of `$discard` unwinds its
   * frames (caught here). V8 does not reclaim the stack of a continuation that is merely dropped:
   * 1,000,000 abandoned ones exhaust its stack memory (measured), so dropping is not enough.
   * Node 26's V8 (14.6) crashes, intermittently, on resume_throw into a continuation that takes
   * a parameter (a 15-line module reproduces it; Deno 2.9's V8 15.0 does not): cont.bind of a
   * null first makes it a continuation of no parameters, which both run.
   */
  protected discard(cont: string): Instr {
    this.tags.add("(tag $discard)");
    this.types.add("(type $KFn0 (func (result eqref)))");
    this.types.add("(type $KCont0 (cont $KFn0))");
    const done = `$discarded${this.ctx.labels++}`;
    return I("block", [done], I("try_table", [`(catch_all ${done})`],
      I("drop", [], I("resume_throw", ["$KCont0", "$discard"],
        I("cont.bind", ["$KCont", "$KCont0"], I("ref.null", ["none"]), I("ref.as_non_null", [], lget(cont)))))));
  }

  /** A box holding a just-captured continuation, tagged with its operation (for the error message). */
  protected contBox(cont: string, op: string): Instr {
    this.usesContBox = true;
    this.types.add("(type $ContBox (struct (field (mut (ref null $KCont))) (field i32)))");
    return I("struct.new", ["$ContBox"], lget(cont), i32(this.opIds.get(op)!));
  }

  protected handlerFn(h: HandlerFn): WasmFunc {
    this.ctx = this.newCtx();
    // (names no Links variable can have: a clause may bind `k` and `v`)
    const params: [string, string][] = [["h%k", "(ref $KCont)"], ["h%v", "eqref"]];
    for (const q of [...h.free, ...h.params]) {
      this.ctx.reps.set(q.name, q.rep);
      const t = valtype(q.rep);
      if (t) params.push([q.name, t]);
    }
    const body = this.resumeWith(lget("h%k"), lget("h%v"), h.ops, (os, args, cont) => {
      // k: a closure over the boxed continuation and the handler's free variables
      const k = () => {
        const env = [this.contBox(cont, os[0]!.op), ...h.free.map((q) => boxInstr(q.rep, q.rep === "unit" ? undefined : lget(q.name)))];
        return I("struct.new", ["$Closure"], I("ref.func", [`$${this.resumeName(h)}`]), I("array.new_fixed", ["$Env", env.length], ...env));
      };
      // k in a direct clause: this handler function again, on the continuation (and new parameters)
      const resume = (a: Atom[], tail: boolean): Instr[] => {
        const operands: Instr[] = [I("ref.as_non_null", [], lget(cont)), this.atom(a[0]!)];
        h.free.forEach((q) => { if (valtype(q.rep)) operands.push(lget(q.name)); });
        h.params.forEach((q, i) => { const u = unboxInstr(q.rep, this.atom(a[i + 1]!)); if (u) operands.push(u); });
        return [I(tail ? "return_call" : "call", [`$${wasmName(h.name)}`], ...operands)];
      };
      return this.opClauses(os, args, cont, k, resume, (o) => [I("return", [], this.block(this.comp(o.body, "eq", true), "eq"))]);
    }, (() => {
      const r = this.temp("eq");
      const fail = `$nomatch${this.ctx.labels++}`;
      return [pop(r), I("block", [fail], ...this.pat(h.ret.pat, lget(r), "eq", fail),
        I("return", [], this.block(this.comp(h.ret.body, "eq", true), "eq"))),
        I("call", ["$host_fail"], this.string("pattern match failure")), "unreachable"];
    })());
    const paramNames = new Set(params.map(([n]) => n));
    return { name: wasmName(h.name), params, results: ["eqref"], locals: [...this.ctx.locals].filter(([n]) => !paramNames.has(n)), body };
  }

  /** The name of handler H's `$H$resume` (referenced by ref.func, so declared). */
  protected resumeName(h: HandlerFn): string {
    const name = `${wasmName(h.name)}$resume`;
    this.declared.add(name);
    return name;
  }

  /**
   * `$H$resume`: the generic entry of a deep handler's `k` — (v, new parameter values…): take
   * the continuation out of its box (a second resumption is an error naming the operation) and
   * run handler H on it again.
   */
  protected resumeEntry(h: HandlerFn): WasmFunc {
    const name = this.resumeName(h);
    const saved = this.ctx;
    this.ctx = this.newCtx();
    const arity = 1 + h.params.length;
    const type = this.genType(arity);
    this.ctx.locals.set("box", "(ref null $ContBox)");
    this.ctx.locals.set("kc", "(ref null $KCont)");
    const env = (i: number) => I("array.get", ["$Env"], I("struct.get", ["$Closure", 1], lget("clos")), i32(i));
    const args: Instr[] = [I("ref.as_non_null", [], lget("kc")), lget("a0")];
    h.free.forEach((q, i) => { const u = unboxInstr(q.rep, env(i + 1)); if (u) args.push(u); });
    h.params.forEach((q, i) => { const u = unboxInstr(q.rep, lget(`a${i + 1}`)); if (u) args.push(u); });
    const body: Instr[] = [
      ...this.takeContinuation(env(0)),
      I("return_call", [`$${wasmName(h.name)}`], ...args),
    ];
    const f: WasmFunc = { name, type, params: [["clos", "(ref $Closure)"], ...Array.from({ length: arity }, (_, i): [string, string] => [`a${i}`, "eqref"])], results: ["eqref"], locals: [...this.ctx.locals], body };
    this.ctx = saved;
    return f;
  }

  /** $box := the ContBox in `boxed`; $kc := its continuation, emptied (a second time: error). */
  protected takeContinuation(boxed: Instr): Instr[] {
    return [
      lset("box", I("ref.cast", ["(ref $ContBox)"], boxed)),
      lset("kc", I("struct.get", ["$ContBox", 0], lget("box"))),
      I("if", [], I("ref.is_null", [], lget("kc")), I("then", [],
        I("call", ["$host_fail"], I("call", ["$str_concat"],
          this.string("continuation resumed twice: the wasmfx backend supports one-shot continuations; run with --backend cps (operation "),
          I("call", ["$str_concat"], I("call", ["$op_name"], I("struct.get", ["$ContBox", 1], lget("box"))), this.string(")")))),
        "unreachable")),
      I("struct.set", ["$ContBox", 0], lget("box"), I("ref.null", ["$KCont"])),
    ];
  }

  /** `$shallow_resume`: the generic entry of a shallow handler's `k`: resume with no handler. */
  protected shallowResume(): string {
    const name = "shallow_resume";
    if (this.declared.has(name)) return name;
    this.declared.add(name);
    const saved = this.ctx;
    this.ctx = this.newCtx();
    this.ctx.locals.set("box", "(ref null $ContBox)");
    this.ctx.locals.set("kc", "(ref null $KCont)");
    const env0 = I("array.get", ["$Env"], I("struct.get", ["$Closure", 1], lget("clos")), i32(0));
    const body = [...this.takeContinuation(env0), I("resume", ["$KCont"], lget("a0"), I("ref.as_non_null", [], lget("kc")))];
    this.funcs.push({ name, type: this.genType(1), params: [["clos", "(ref $Closure)"], ["a0", "eqref"]], results: ["eqref"], locals: [...this.ctx.locals], body });
    this.ctx = saved;
    return name;
  }

  /** A shallow handler, inline: resume the computation once and run the clause it stops at. */
  protected shallow(c: Extract<Comp, { tag: "ShallowHandle" }>, tail: boolean): Instr[] {
    const done = `$shallow${this.ctx.labels++}`;
    // (worked out before the clauses add their own continuations)
    const bodies = [...c.ops.map((o) => o.body), c.ret.body];
    const ds = this.discards(c, bodies);
    const discards = new Map(bodies.map((b, i) => [b, ds[i]!]));
    const code = this.resumeWith(this.startThunk(c.thunk), I("ref.null", ["none"]), c.ops, (os, args, cont) => {
      const k = () => I("struct.new", ["$Closure"], I("ref.func", [`$${this.shallowResume()}`]), I("array.new_fixed", ["$Env", 1], this.contBox(cont, os[0]!.op)));
      // k in a direct clause: resume with no handler
      const resume = (a: Atom[]): Instr[] => [I("resume", ["$KCont"], this.atom(a[0]!), I("ref.as_non_null", [], lget(cont)))];
      return this.opClauses(os, args, cont, k, resume, (o) => [I("br", [done], this.block([...discards.get(o.body)!, ...this.comp(o.body, "eq", tail)], "eq"))]);
    }, (() => {
      const r = this.temp("eq");
      const fail = `$nomatch${this.ctx.labels++}`;
      return [pop(r), I("block", [fail], ...this.pat(c.ret.pat, lget(r), "eq", fail),
        I("br", [done], this.block([...discards.get(c.ret.body)!, ...this.comp(c.ret.body, "eq", tail)], "eq"))),
        I("call", ["$host_fail"], this.string("pattern match failure")), "unreachable"];
    })());
    return [I("block", [done, "(result eqref)"], ...code)];
  }

  // ------------------------------------------------------------ pattern matching
  protected caseOf(c: Extract<Comp, { tag: "Case" }>, rep: Rep, tail: boolean): Instr[] {
    return this.match(c.scrutinee, c.clauses, rep, () => {
      const discards = this.discards(c, c.clauses.map((k) => k.body));
      return (k, i) => [...discards[i]!, ...this.comp(k.body, rep, tail)];
    });
  }

  /**
   * The first clause whose pattern matches `scrutinee` runs its body (code for a value of `rep`);
   * none matching is a runtime error. `bodies` is asked for the clause code generator once the
   * scrutinee is in a local.
   */
  protected match<K extends { pat: CPat }>(scrutinee: Atom, cs: K[], rep: Rep, bodies: () => (k: K, i: number) => Instr[]): Instr[] {
    const scrut = this.temp(scrutinee.rep === "unit" ? "eq" : scrutinee.rep);
    const done = `$case${this.ctx.labels++}`;
    const result = vts(rep).length ? [`(result ${valtype(rep)})`] : [];
    const clauses: Instr[] = [];
    const bodyOf = bodies();
    for (const [i, k] of cs.entries()) {
      const fail = `$next${this.ctx.labels++}`;
      const tests = this.pat(k.pat, lget(scrut), scrutinee.rep, fail);
      const body = bodyOf(k, i);
      clauses.push(I("block", [fail], ...tests, I("br", [done], ...body)));
    }
    return [
      ...(scrutinee.rep === "unit" ? [] : [lset(scrut, this.atom(scrutinee))]),
      I("block", [done, ...result], ...clauses, I("call", ["$host_fail"], this.string("pattern match failure")), "unreachable"),
    ];
  }

  /** Tests (branching to `fail` on mismatch) and bindings for pattern p against v (representation r). */
  protected pat(p: CPat, v: Instr, r: Rep, fail: string): Instr[] {
    const failIf = (cond: Instr) => I("br_if", [fail], cond);
    const failUnless = (cond: Instr) => failIf(I("i32.eqz", [], cond));
    switch (p.tag) {
      case "PAny": return [];
      case "PVar": case "PAs": {
        const target = this.p.patReps.get(p.name) ?? r;
        this.local(p.name, target);
        const val = r === target ? v : r === "eq" ? unboxInstr(target, v) : target === "eq" ? boxInstr(r, v) : unboxInstr(target, v);
        const bind = val && target !== "unit" ? [lset(p.name, val)] : [];
        return p.tag === "PAs" ? [...bind, ...this.pat(p.pat, v, r, fail)] : bind;
      }
      case "PAnnot": return this.pat(p.pat, v, r, fail);
      case "PLit": {
        const l = p.lit;
        switch (l.kind) {
          case "Int": return [failUnless(I("i64.eq", [], r === "i64" ? v : unboxInstr("i64", v)!, I("i64.const", [l.value.toString()])))];
          case "Float": return [failUnless(I("f64.eq", [], r === "f64" ? v : unboxInstr("f64", v)!, I("f64.const", [String(l.value)])))];
          case "Bool": case "Char": return [failUnless(I("i32.eq", [], r === "i32" ? v : unboxInstr("i32", v)!, i32(l.kind === "Bool" ? (l.value ? 1 : 0) : l.value.codePointAt(0)!)))];
          case "String": return [failUnless(I("call", ["$str_eq"], r === "string" ? v : unboxInstr("string", v)!, this.string(l.value)))];
        }
      }
      // falls through (unreachable)
      case "PCon": case "PNeg": {
        const t = this.temp("variant");
        const tag = I("struct.get", ["$Variant", 0], lget(t));
        const out: Instr[] = [lset(t, r === "variant" ? v : unboxInstr("variant", v)!)];
        if (p.tag === "PNeg") {
          for (const n of p.names) out.push(failIf(I("i32.eq", [], tag, i32(this.ctorId(n)))));
          return out;
        }
        out.push(failUnless(I("i32.eq", [], tag, i32(this.ctorId(p.name)))));
        if (p.arg) out.push(...this.pat(p.arg, I("struct.get", ["$Variant", 1], lget(t)), "eq", fail));
        return out;
      }
      case "PNil": return [failUnless(I("ref.is_null", [], r === "list" ? v : unboxInstr("list", v)!))];
      case "PCons": {
        const t = this.temp("list");
        const cell = I("ref.as_non_null", [], lget(t));
        return [
          lset(t, r === "list" ? v : unboxInstr("list", v)!),
          failIf(I("ref.is_null", [], lget(t))),
          ...this.pat(p.head, I("struct.get", ["$Cons", 0], cell), "eq", fail),
          ...this.pat(p.tail, I("struct.get", ["$Cons", 1], cell), "list", fail),
        ];
      }
      case "PRecord": {
        if (p.fields.length === 0 && !p.rest) return [];
        const t = this.temp("record");
        const out: Instr[] = [lset(t, r === "record" ? v : unboxInstr("record", v)!)];
        for (const [l, q] of p.fields) {
          const idx = I("call", ["$label_index"], I("struct.get", ["$Record", 0], lget(t)), i32(this.labelId(l)));
          out.push(...this.pat(q, I("array.get", ["$Values"], I("struct.get", ["$Record", 1], lget(t)), idx), "eq", fail));
        }
        if (p.rest) {
          // the rest: the same record without the matched labels
          const labels = p.fields.map(([l]) => l).sort(compareLabels);
          out.push(...this.pat(p.rest, I("call", ["$record_remove"], lget(t), this.labelTable(labels)), "record", fail));
        }
        return out;
      }
    }
  }

  // ------------------------------------------------------------ main and printing
  protected main(): WasmFunc {
    this.ctx = this.newCtx();
    const rep = repOf(this.p.resultType);
    const code = this.mainCode(rep);
    const body: Instr[] = [];
    if (rep === "unit") body.push(...code, ...this.show(this.p.resultType, undefined));
    else {
      const r = this.temp(rep);
      body.push(lset(r, this.block(code, rep)), ...this.show(this.p.resultType, lget(r)));
    }
    body.push(I("call", ["$print_string"], this.string(` : ${printType(this.p.resultType)}\n`)));
    return { name: "main", export: "main", params: [], results: [], locals: [...this.ctx.locals], body };
  }

  /** Code leaving the program's value (representation `rep`) on the stack. */
  protected mainCode(rep: Rep): Instr[] {
    return this.comp(this.p.main, rep, false);
  }

  /** Print a value of type t (in its representation) as Links prints it. */
  protected show(t: Type, v: Instr | undefined): Instr[] {
    const r = resolve(t);
    const rep = repOf(t);
    switch (r.tag) {
      case "Con":
        switch (r.name) {
          case "Int": return [I("call", ["$print_int"], v!)];
          case "Float": return [I("call", ["$print_float"], v!)];
          case "Bool": return [I("call", ["$print_bool"], v!)];
          case "Char": return [I("call", ["$print_char_quoted"], v!)];
          case "String": return [I("call", ["$print_string_quoted"], v!)];
        }
        break;
      case "Fun": return [I("drop", [], v!), I("call", ["$print_string"], this.string("fun"))];
      case "Record": if (rep === "unit") return [I("call", ["$print_string"], this.string("()"))]; break;
    }
    // structured values: a generated printer per type
    const fname = this.showFn(t);
    return [I("call", [`$${fname}`], rep === "eq" || isRef(rep) ? v! : boxInstr(rep, v))];
  }

  /** `$show_N (param eqref)`: prints a boxed value of type t. */
  protected showFn(t: Type): string {
    const key = printType(t);
    let name = this.shows.get(key);
    if (name) return name;
    name = `show${this.shows.size}`;
    this.shows.set(key, name);
    const saved = this.ctx;
    this.ctx = this.newCtx();
    const v = lget("v");
    const str = (s: string) => I("call", ["$print_string"], this.string(s));
    const elem = (et: Type, x: Instr): Instr[] => { const er = repOf(et); return this.show(et, er === "eq" ? x : er === "unit" ? undefined : unboxInstr(er, x)); };
    const r = resolve(t);
    const body: Instr[] = [];
    if (r.tag === "Con" && r.name === "List") {
      const l = this.temp("list");
      body.push(str("["), lset(l, I("ref.cast", ["(ref null $Cons)"], v)),
        I("block", ["$done"], I("loop", ["$next"],
          I("br_if", ["$done"], I("ref.is_null", [], lget(l))),
          ...elem(r.args[0]!, I("struct.get", ["$Cons", 0], lget(l))),
          lset(l, I("struct.get", ["$Cons", 1], lget(l))),
          I("if", [], I("i32.eqz", [], I("ref.is_null", [], lget(l))), I("then", [], str(", "))),
          I("br", ["$next"]))),
        str("]"));
    } else if (r.tag === "Record") {
      const labels = closedLabels(t) ?? [];
      const fields = rowFields(r.row).fields;
      const isTuple = labels.length > 1 && labels.every((l, i) => l === String(i + 1));
      const vals = I("struct.get", ["$Record", 1], I("ref.cast", ["(ref $Record)"], v));
      body.push(str("("));
      labels.forEach((l, i) => {
        if (i > 0) body.push(str(", "));
        if (!isTuple) body.push(str(`${KEYWORDS.has(l) ? `"${l}"` : l} = `));
        const ft = prune(fields.find(([m]) => m === l)![1]);
        body.push(...elem(ft.tag === "Pre" ? ft.type : t, I("array.get", ["$Values"], vals, i32(i))));
      });
      body.push(str(")"));
    } else if (r.tag === "Variant") {
      const vv = this.temp("variant");
      body.push(lset(vv, I("ref.cast", ["(ref $Variant)"], v)));
      const tag = I("struct.get", ["$Variant", 0], lget(vv));
      const payload = I("struct.get", ["$Variant", 1], lget(vv));
      for (const [l, pr] of rowFields(r.row).fields) {
        const q = prune(pr);
        if (q.tag !== "Pre") continue;
        const pt = q.type;
        const prep = repOf(pt);
        const printPayload: Instr[] = prep === "unit" ? [] : prep === "record"
          ? [str(l), ...elem(pt, payload)]
          : [str(`${l}(`), ...elem(pt, payload), str(")")];
        body.push(I("if", [], I("i32.eq", [], tag, i32(this.ctorId(l))), I("then", [], ...(prep === "unit" ? [str(l)] : printPayload), "return")));
      }
      // a constructor the static type does not list (open row): its name only
      body.push(I("call", ["$print_string"], I("call", ["$ctor_name"], tag)));
    } else {
      body.push(I("drop", [], v), str("?"));
    }
    this.funcs.push({ name, params: [["v", "eqref"]], results: [], locals: [...this.ctx.locals], body });
    this.ctx = saved;
    return name;
  }
}

/** What calling a function needs to know of it. */
export type FnSig = Pick<Fn, "name" | "params" | "captured" | "ret">;

/** The let-forms Boxed and CPS share: a binding, then a body. */
export type Binding =
  | { tag: "Let"; x: Binder; value: Value }
  | { tag: "LetApp"; x: Binder; fn: Atom; args: Atom[]; known: string | undefined }
  | { tag: "LetComp"; x: Binder; comp: Comp }
  | { tag: "LetRec"; binds: { x: Binder; closure: MakeClosure }[] };

/** Representations of primitives that can be used as values (closures). */
