// cps-codegen: CPS → WasmIR (the cps backend)
// Example: `(define (f x:i64) (env) (seq (push f$k1 x) (jump (call g x))))` ⇒
//   (func $fn:f (param $x i64) (param $k% (ref null $Frame)) (param $h% (ref null $HFrame)) (result eqref)
//     (local.set $k% (struct.new $Fr0 (ref.func $f$k1) (local.get $k%) (local.get $x)))
//     (return_call $fn:g (local.get $x) (local.get $k%) (local.get $h%)))
// Needs: CPS (ir/cps.ts) and the runtimes (runtime-wat/runtime.wat, runtime-wat/cps.wat).
// Guarantees: a WasmIR module whose `main` export runs the program and prints its output, then
// `VALUE : TYPE`, as codegen's does. Values, patterns, primitives and printing are codegen's
// (this generator extends it); what differs is the control: every CPS function takes the
// continuation (k: pure frames, h: handler frames) after its parameters and ends in a tail call
// (return_call / return_call_ref), so the Wasm stack stays flat however deep the program
// nests. A frame is a struct of a final subtype of $Frame per field layout (variables unboxed);
// a handler frame holds its handler (a global: operation ids, return clause, operation
// clauses), its clauses' variables and its parameters. Closures take the continuation too: a
// direct-style function's generic entry calls it and returns the result to the continuation.
// Direct-style functions take the depth of direct calls as a parameter; a recursive one past
// DEPTH_LIMIT runs its CPS twin instead (on an empty continuation: it performs nothing), so deep
// recursion in pure code does not exhaust the Wasm stack either.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { internalError } from "../ir/common.js";
import type { CPat } from "../ir/core.js";
import { type Atom, type Binder, type Comp, type Fn, type Rep, everyComp, repOf } from "../ir/boxed.js";
import { type CComp, type CpsFn, type CpsProgram, type FrameFn, type HandlerDef, cpsTwin, everyCComp } from "../ir/cps.js";
import type { PrimitiveReps } from "./box-poly.js";
import { type FnSig, Gen, boxInstr, i32, lget, lset, runtime, unboxInstr, valtype, wasmName } from "./codegen.js";
import { type Instr, I, type WasmFunc, type WasmModule } from "../ir/wasm.js";

const cpsRuntimePath = fileURLToPath(new URL("../runtime-wat/cps.wat", import.meta.url));
let cpsRuntimeText: string | undefined;
const cpsRuntime = () => (cpsRuntimeText ??= readFileSync(cpsRuntimePath, "utf8"));

/** Direct-style calls of recursive functions nested on the Wasm stack before CPS takes over. */
export const DEPTH_LIMIT = 2000;

const K = "k%", H = "h%", D = "d%";
const kh = (): Instr[] => [lget(K), lget(H)];
const KH_PARAMS: [string, string][] = [[K, "(ref null $Frame)"], [H, "(ref null $HFrame)"]];

export function cpsCodegen(p: CpsProgram, prims: PrimitiveReps): WasmModule {
  return new CpsGen(p, prims).module();
}

class CpsGen extends Gen {
  private cpsFns = new Map<string, CpsFn>();
  private frameFns = new Map<string, FrameFn>();
  private handlerDefs = new Map<string, HandlerDef>();
  /** direct functions on a cycle of direct calls: they check the call depth */
  private recursive = new Set<string>();
  private directNames: Set<string>;
  private shapes = new Map<string, string>();

  constructor(private cp: CpsProgram, prims: PrimitiveReps) {
    // the base generator gets the direct functions (and main, when direct); it only reads a CPS
    // main through mainCode, overridden below
    const main: Comp = "direct" in cp.main ? cp.main.direct : { tag: "Return", atom: { tag: "Lit", lit: { kind: "Int", value: 0n }, type: cp.resultType, rep: "i64" } };
    super({ functions: cp.direct, handlers: [], main, preludeBindings: cp.preludeBindings, resultType: cp.resultType, patReps: cp.patReps }, prims);
    this.genExtra = KH_PARAMS;
    // calls need every function's signature: a CPS function returns (to k) an eq
    cp.functions.forEach((f) => { this.cpsFns.set(f.name, f); this.fns.set(f.name, { ...f, ret: "eq" }); });
    cp.frames.forEach((f) => this.frameFns.set(f.name, f));
    cp.handlers.forEach((h) => this.handlerDefs.set(h.name, h));
    this.recursive = recursiveFunctions(cp.direct);
    this.directNames = new Set(cp.direct.map((f) => f.name));
  }

  override module(): WasmModule {
    this.collectLabels();
    for (const f of this.cp.direct) this.funcs.push(this.fn(f));
    for (const f of this.cp.functions) this.funcs.push(this.cpsFn(f));
    for (const f of this.cp.frames) this.funcs.push(this.frameFn(f));
    for (const h of this.cp.handlers) this.funcs.push(this.retFn(h), this.opFn(h));
    if ("cps" in this.cp.main) this.funcs.push(this.mainCps(this.cp.main.cps));
    this.funcs.push(this.main(), this.ctorNames(), this.labelSearch(), this.opNames(), this.unhandled(), this.deadlock());
    return {
      imports: [],
      runtime: runtime() + "\n" + cpsRuntime(),
      types: [...this.types],
      tags: [],
      globals: this.globals,
      functions: this.funcs,
      data: this.data,
      declared: [...this.declared],
    };
  }

  protected override collectLabels() {
    this.internLabels((value, pat) => {
      const direct = (c: Comp) => everyComp(c, (x) => {
        if (x.tag === "Let") value(x.value);
        else if (x.tag === "Case") x.clauses.forEach((k) => pat(k.pat));
      });
      const comp = (c: CComp) => everyCComp(c, (x) => {
        if (x.tag === "Let") value(x.value);
        else if (x.tag === "Case") x.clauses.forEach((k) => pat(k.pat));
        else if (x.tag === "LetComp") direct(x.comp);
      });
      this.cp.direct.forEach((f) => direct(f.body));
      this.cp.functions.forEach((f) => comp(f.body));
      this.cp.frames.forEach((f) => comp(f.body));
      this.cp.handlers.forEach((h) => {
        h.ops.forEach((o) => { o.args.forEach(pat); comp(o.body); });
        pat(h.ret.pat);
        comp(h.ret.body);
      });
      if ("cps" in this.cp.main) comp(this.cp.main.cps); else direct(this.cp.main.direct);
    });
  }

  // ------------------------------------------------------------ closures take the continuation
  protected override genResult(v: Instr): Instr[] {
    return [I("return_call", ["$ret"], v, ...kh())];
  }

  /** A CPS function's generic entry: unbox the arguments, jump with the same continuation. */
  protected override genEntry(f: FnSig): string {
    if (!this.cpsFns.has(f.name)) return super.genEntry(f);
    const name = `${wasmName(f.name)}$gen`;
    if (this.genEntries.has(name)) return name;
    this.genEntries.add(name);
    const args: Instr[] = [];
    if (f.captured.length > 0) args.push(lget("clos"));
    f.params.forEach((q, i) => { const u = unboxInstr(q.rep, lget(`a${i}`)); if (u) args.push(u); });
    this.funcs.push({ name, type: this.genType(f.params.length), params: this.genParams(f.params.length), results: ["eqref"], locals: [],
      body: [I("return_call", [`$${wasmName(f.name)}`], ...args, ...kh())] });
    this.declared.add(name);
    return name;
  }

  // ------------------------------------------------------------ direct style, bounded depth
  // Every direct function takes the number of direct calls nested under it (`d%`, an i32 after its
  // own parameters): a non-tail call passes d% + 1, a tail call d%, CPS code and generic entries 0.
  // A recursive one past DEPTH_LIMIT runs its CPS twin instead. (A parameter, not a global
  // counter: a global's increment and decrement around every call doubled fib's time.)
  /** generating a direct function's body: calls pass on `d%` */
  private inDirect = false;
  protected override fn(f: Fn): WasmFunc {
    this.inDirect = true;
    const w = super.fn(f);
    this.inDirect = false;
    if (this.recursive.has(f.name)) {
      const twin = I("call", [`$${wasmName(cpsTwin(f.name))}`], ...w.params.map(([n]) => lget(n)), I("ref.null", ["$Frame"]), I("ref.null", ["$HFrame"]));
      const result = f.ret === "unit" ? [I("drop", [], twin)] : [unboxInstr(f.ret, twin)!];
      w.body.unshift(I("if", [], I("i32.gt_u", [], lget(D), i32(DEPTH_LIMIT)), I("then", [], ...result, "return")));
    }
    w.params.push([D, "i32"]);
    return w;
  }

  protected override extraArgs(known: string, from: "call" | "entry", tail: boolean): Instr[] {
    if (!this.directNames.has(known)) return [];
    if (from === "entry" || !this.inDirect) return [i32(0)];
    return [tail ? lget(D) : I("i32.add", [], lget(D), i32(1))];
  }

  // ------------------------------------------------------------ CPS code
  /** A CPS-side function's code as a WasmFunc: its locals are those its code declared, less parameters. */
  private finish(name: string, params: [string, string][], body: Instr[], type?: string): WasmFunc {
    const names = new Set(params.map(([n]) => n));
    return { name, type, params, results: ["eqref"], locals: [...this.ctx.locals].filter(([n]) => !names.has(n)), body };
  }

  private cpsFn(f: CpsFn): WasmFunc {
    const params: [string, string][] = [];
    if (f.captured.length > 0) params.push(["clos", "(ref $Closure)"]);
    for (const q of f.params) { const t = valtype(q.rep); if (t) params.push([q.name, t]); }
    params.push(...KH_PARAMS);
    this.ctx = this.newCtx();
    f.params.forEach((q) => this.ctx.reps.set(q.name, q.rep));
    const prologue = f.captured.map((q, i) => {
      this.local(q.name, "eq");
      return lset(q.name, I("array.get", ["$Env"], I("struct.get", ["$Closure", 1], lget("clos")), i32(i)));
    });
    return this.finish(wasmName(f.name), params, [...prologue, ...this.ccomp(f.body)]);
  }

  /** The struct type holding fields of these representations: a $Frame subtype, or a plain env. */
  private shape(fields: Binder[], frame: boolean): string | undefined {
    const ts = fields.flatMap((b) => { const t = valtype(b.rep); return t ? [t] : []; });
    if (!frame && ts.length === 0) return undefined;
    const key = `${frame ? "Fr" : "Env"}:${ts.join(" ")}`;
    let name = this.shapes.get(key);
    if (!name) {
      name = `${frame ? "Fr" : "HEnv"}${this.shapes.size}`;
      this.shapes.set(key, name);
      const fs = ts.map((t) => ` (field ${t})`).join("");
      this.types.add(frame
        ? `(type $${name} (sub final $Frame (struct (field (ref $FrameFn)) (field (ref null $Frame))${fs})))`
        : `(type $${name} (struct${fs}))`);
    }
    return name;
  }
  /** Locals for `fields` read from struct `s` of type `shape`, starting at field `first`. */
  private unpack(fields: Binder[], shape: string, s: Instr, first: number): Instr[] {
    let i = first;
    return fields.flatMap((b) => {
      this.local(b.name, b.rep);
      return valtype(b.rep) ? [lset(b.name, I("struct.get", [`$${shape}`, i++], s))] : [];
    });
  }

  private frameFn(f: FrameFn): WasmFunc {
    const params: [string, string][] = [["%fr", "(ref $Frame)"], ["%v", "eqref"], [H, "(ref null $HFrame)"]];
    this.ctx = this.newCtx();
    this.ctx.locals.set(K, "(ref null $Frame)");
    const shape = this.shape(f.captured, true)!;
    const fr = this.tempOf(`(ref null $${shape})`);
    this.local(f.x.name, f.x.rep);
    const x = unboxInstr(f.x.rep, lget("%v"));
    const body = [
      lset(K, I("struct.get", ["$Frame", 1], lget("%fr"))),
      ...(f.captured.length ? [lset(fr, I("ref.cast", [`(ref $${shape})`], lget("%fr")))] : []),
      ...this.unpack(f.captured, shape, lget(fr), 2),
      ...(x && f.x.rep !== "unit" ? [lset(f.x.name, x)] : []),
      ...this.ccomp(f.body),
    ];
    this.declared.add(f.name);
    return this.finish(f.name, params, body, "FrameFn");
  }

  /** A handler function's start: its continuation, the clauses' variables and the parameters. */
  private handlerPrologue(h: HandlerDef): Instr[] {
    this.ctx.locals.set(K, "(ref null $Frame)");
    this.ctx.locals.set(H, "(ref null $HFrame)");
    const out: Instr[] = [lset(K, I("struct.get", ["$HFrame", 3], lget("%hf"))), lset(H, I("struct.get", ["$HFrame", 4], lget("%hf")))];
    const shape = this.shape(h.env, false);
    if (shape) {
      const env = this.tempOf(`(ref null $${shape})`);
      out.push(lset(env, I("ref.cast", [`(ref $${shape})`], I("struct.get", ["$HFrame", 1], lget("%hf")))), ...this.unpack(h.env, shape, lget(env), 0));
    }
    const ps = I("struct.get", ["$HFrame", 2], lget("%hf"));
    h.params.forEach((q, i) => {
      this.local(q.name, q.rep);
      const boxed = h.params.length === 1 ? ps : I("array.get", ["$Env"], I("ref.cast", ["(ref $Env)"], ps), i32(i));
      const u = unboxInstr(q.rep, boxed);
      if (u && q.rep !== "unit") out.push(lset(q.name, u));
    });
    return out;
  }

  private retFn(h: HandlerDef): WasmFunc {
    const params: [string, string][] = [["%v", "eqref"], ["%hf", "(ref $HFrame)"]];
    this.ctx = this.newCtx();
    const fail = `$nomatch${this.ctx.labels++}`;
    const body = [...this.handlerPrologue(h),
      I("block", [fail], ...this.pat(h.ret.pat, lget("%v"), "eq", fail), this.clauseBody(h.ret.body)),
      I("call", ["$host_fail"], this.string("pattern match failure")), "unreachable"];
    this.declared.add(`${h.name}$ret`);
    return this.finish(`${h.name}$ret`, params, body, "RetFn");
  }

  private opFn(h: HandlerDef): WasmFunc {
    const params: [string, string][] = [["%op", "i32"], ["%a", "eqref"], ["%r", "(ref $Resumption)"], ["%hf", "(ref $HFrame)"]];
    this.ctx = this.newCtx();
    const body = this.handlerPrologue(h);
    const groups = new Map<string, HandlerDef["ops"]>();
    for (const o of h.ops) groups.set(o.op, [...(groups.get(o.op) ?? []), o]);
    for (const [op, os] of groups) {
      const n = os[0]!.args.length;
      const args = os[0]!.args.map(() => this.temp("eq"));
      const take = args.map((t, i) => lset(t, n === 1 ? lget("%a") : I("array.get", ["$Env"], I("ref.cast", ["(ref $Env)"], lget("%a")), i32(i))));
      const clauses = os.map((o) => {
        const fail = `$nomatch${this.ctx.labels++}`;
        const binds = o.args.flatMap((q, i) => this.pat(q, lget(args[i]!), "eq", fail));
        if (o.k) binds.push(...this.pat(o.k, this.resumption(h), "closure", fail));
        return I("block", [fail], ...binds, this.clauseBody(o.body));
      });
      body.push(I("if", [], I("i32.eq", [], lget("%op"), i32(this.opId(op))),
        I("then", [], ...take, ...clauses, I("call", ["$host_fail"], this.string("pattern match failure")), "unreachable")));
    }
    body.push("unreachable");
    this.declared.add(`${h.name}$op`);
    return this.finish(`${h.name}$op`, params, body, "OpFn");
  }

  /** Handler h: a constant naming the operations it handles and its return and operation functions. */
  private handlerConst(h: HandlerDef): Instr {
    const ops = [...new Set(h.ops.map((o) => o.op))];
    const ids = ops.map((o) => `(i32.const ${this.opId(o)})`).join(" ");
    return this.global(`handler:${h.name}`, `${h.name}$handler`, (g) =>
      `(global $${g} (ref $Handler) (struct.new $Handler (array.new_fixed $Ops ${ops.length} ${ids}) (i32.const ${h.shallow ? 1 : 0}) (ref.func $${h.name}$ret) (ref.func $${h.name}$op)))`);
  }

  /** A new frame of frame function `frame` over `captured`, on top of `next`. */
  private newFrame(frame: string, captured: Atom[], next: Instr): Instr {
    const f = this.frameFns.get(frame);
    if (!f) throw internalError(`cps-codegen: no frame ${frame}`);
    return I("struct.new", [`$${this.shape(f.captured, true)!}`], I("ref.func", [`$${frame}`]), next, ...captured.flatMap((a) => this.push(a)));
  }

  /** Several eq values as one: none → null, one → itself, more → an $Env (operation arguments, handler parameters). */
  private pack(vs: Instr[]): Instr {
    return vs.length === 0 ? I("ref.null", ["none"]) : vs.length === 1 ? vs[0]! : I("array.new_fixed", ["$Env", vs.length], ...vs);
  }
  private boxed(a: Atom): Instr {
    return boxInstr(a.rep, a.rep === "unit" ? undefined : this.atom(a));
  }

  /** `k` in an operation clause: a closure over the resumption, taking the value (and new parameters). */
  private resumption(h: HandlerDef): Instr {
    const arity = 1 + (h.shallow ? 0 : h.params.length);
    const name = `resume${arity}`;
    if (!this.declared.has(name)) {
      this.declared.add(name);
      const r = I("ref.cast", ["(ref $Resumption)"], I("array.get", ["$Env"], I("struct.get", ["$Closure", 1], lget("clos")), i32(0)));
      const ps = Array.from({ length: arity - 1 }, (_, i) => lget(`a${i + 1}`));
      const p = this.pack(ps);
      this.funcs.push({ name, type: this.genType(arity), params: this.genParams(arity), results: ["eqref"], locals: [],
        body: [I("return_call", ["$resume"], r, lget("a0"), p, i32(arity === 1 ? 0 : 1), ...kh())] });
    }
    return I("struct.new", ["$Closure"], I("ref.func", [`$${name}`]), I("array.new_fixed", ["$Env", 1], lget("%r")));
  }

  private opId(op: string): number {
    let id = this.opIds.get(op);
    if (id === undefined) this.opIds.set(op, (id = this.opIds.size));
    return id;
  }

  private unhandled(): WasmFunc {
    return { name: "unhandled", params: [["%op", "i32"]], results: [], locals: [],
      body: [I("call", ["$host_fail"], I("call", ["$str_concat"], this.string("unhandled operation: "), I("call", ["$op_name"], lget("%op"))))] };
  }

  private deadlock(): WasmFunc {
    return { name: "deadlock", params: [], results: [], locals: [], body: [I("call", ["$host_fail"], this.string("deadlock: every process is waiting for a message"))] };
  }

  /** the program uses processes: main runs as process 0 under the scheduler */
  private usesProcs = false;
  protected override primitive(name: string, args: Atom[]): Instr[] {
    switch (name) {
      case "self": this.usesProcs = true; return [I("global.get", ["$current"])];
      case "send": this.usesProcs = true; return [I("call", ["$send"], ...args.map((a) => this.atom(a)))];
      case "yield": return ["nop"];
      default: return super.primitive(name, args);
    }
  }

  private mainCps(c: CComp): WasmFunc {
    this.ctx = this.newCtx();
    return this.finish("main%cps", KH_PARAMS, this.ccomp(c));
  }
  protected override mainCode(rep: Rep): Instr[] {
    if ("direct" in this.cp.main) {
      const code = super.mainCode(rep);
      if (!this.usesProcs) return code;
      const v = rep === "unit" ? I("block", ["(result eqref)"], ...code, boxInstr("unit", undefined)) : boxInstr(rep, this.block(code, rep));
      return this.scheduled(v, rep);
    }
    const v = I("call", ["$main%cps"], I("ref.null", ["$Frame"]), I("ref.null", ["$HFrame"]));
    if (this.usesProcs) return this.scheduled(v, rep);
    return rep === "unit" ? [I("drop", [], v)] : [unboxInstr(rep, v)!];
  }
  /** Main's value `v` as process 0's, after the scheduler has run the other processes. */
  private scheduled(v: Instr, rep: Rep): Instr[] {
    const r = I("call", ["$schedule"], v);
    return [I("call", ["$procs_init"]), ...(rep === "unit" ? [I("drop", [], r)] : [unboxInstr(rep, r)!])];
  }

  /** A clause body inside a block that falls through to the next clause when its patterns fail. */
  private clauseBody(c: CComp): Instr {
    return I("return", [], this.block(this.ccomp(c), "eq"));
  }

  /** Code for a CPS computation: it ends in a tail call on every path. */
  private ccomp(c: CComp): Instr[] {
    const out: Instr[] = [];
    for (;;) {
      switch (c.tag) {
        case "Let": case "LetApp": case "LetComp": case "LetRec": out.push(...this.binding(c)); c = c.body; continue;
        case "Push": out.push(lset(K, this.newFrame(c.frame, c.captured, lget(K)))); c = c.body; continue;
        case "Handle": {
          const h = this.handlerDefs.get(c.handler)!;
          const shape = this.shape(h.env, false);
          const env = shape ? I("struct.new", [`$${shape}`], ...c.env.flatMap((a) => this.push(a))) : I("ref.null", ["none"]);
          const params = this.pack(c.params.map((a) => this.boxed(a)));
          out.push(lset(H, I("struct.new", ["$HFrame"], this.handlerConst(h), env, params, lget(K), lget(H))), lset(K, I("ref.null", ["$Frame"])));
          c = c.body;
          continue;
        }
      }
      break;
    }
    switch (c.tag) {
      case "Return": out.push(I("return_call", ["$ret"], this.boxed(c.atom), ...kh())); break;
      case "Jump": out.push(...this.jump(c.fn, c.args, c.known)); break;
      case "If": out.push(I("if", ["(result eqref)"], this.atom(c.cond), I("then", [], ...this.ccomp(c.then)), I("else", [], ...this.ccomp(c.else)))); break;
      case "Case": out.push(...this.match(c.scrutinee, c.clauses, "eq", () => (k) => this.ccomp(k.body))); break;
      case "Spawn": {
        this.usesProcs = true;
        const start = this.newFrame(c.frame, c.captured, I("ref.null", ["$Frame"]));
        out.push(I("return_call", ["$spawn"], start, i32({ spawn: 0, spawnAngel: 1, spawnWait: 2 }[c.kind]), ...kh()));
        break;
      }
      case "Recv": this.usesProcs = true; out.push(I("return_call", ["$recv"], ...kh())); break;
      case "Do": {
        const a = this.pack(c.args.map((x) => this.atom(x)));
        out.push(I("return_call", ["$perform"], i32(this.opId(c.op)), a, ...kh()));
        break;
      }
    }
    return out;
  }

  private jump(fn: Atom, args: Atom[], known: string | undefined): Instr[] {
    if (known) {
      const f = this.fns.get(known)!;
      const ops: Instr[] = [];
      if (f.captured.length > 0) ops.push(this.atom(fn));
      args.forEach((a) => ops.push(...this.push(a)));
      return [I("return_call", [`$${wasmName(known)}`], ...ops, ...kh())];
    }
    const type = this.genType(args.length);
    const clos = this.temp("closure");
    return [
      lset(clos, this.atom(fn)),
      I("return_call_ref", [`$${type}`], lget(clos), ...args.map((a) => this.atom(a)), ...kh(),
        I("ref.cast", [`(ref $${type})`], I("struct.get", ["$Closure", 0], lget(clos)))),
    ];
  }
}

/** Direct functions on a cycle of known direct calls (they may nest without bound). */
function recursiveFunctions(fns: Fn[]): Set<string> {
  const names = new Set(fns.map((f) => f.name));
  const calls = new Map(fns.map((f) => {
    const out = new Set<string>();
    everyComp(f.body, (x) => { if ((x.tag === "LetApp" || x.tag === "App") && x.known && names.has(x.known)) out.add(x.known); });
    return [f.name, out];
  }));
  const reaches = (from: string, to: string): boolean => {
    const seen = new Set<string>(), todo = [...calls.get(from)!];
    while (todo.length) {
      const x = todo.pop()!;
      if (x === to) return true;
      if (!seen.has(x)) { seen.add(x); todo.push(...calls.get(x)!); }
    }
    return false;
  };
  return new Set(fns.filter((f) => reaches(f.name, f.name)).map((f) => f.name));
}

