// cps-codegen: CPS → WasmIR (the cps backend)
// Example: `(define (f x:i64) (env) (seq (push f$k1 x) (jump (call g x))))` ⇒
//   (func $fn:f (param $x i64) (param $k% (ref null $Frame)) (param $h% (ref null $HFrame)) (result eqref)
//     (local.set $k% (struct.new $Fr0 (ref.func $f$k1) (local.get $k%) (local.get $x)))
//     (return_call $fn:g (local.get $x) (local.get $k%) (local.get $h%)))
// Needs: CPS (ir/cps.ts) and the runtimes (runtime-wat/runtime.wat and its parts, runtime-wat/cps.wat).
// Guarantees: a WasmIR module whose `main` export runs the program and prints its output, then
// `VALUE : TYPE`, as codegen's does. Values, closures, patterns, primitives, printing and
// direct-style code are the shared parts codegen composes too (codegen-*.ts), with this
// backend's Convention; what differs is the control: every CPS function takes the
// continuation (k: pure frames, h: handler frames) after its parameters and ends in a tail call
// (return_call / return_call_ref), so the Wasm stack stays flat however deep the program
// nests. A frame is a struct of a final subtype of $Frame per field layout (variables unboxed);
// a handler frame holds its handler (a global: operation ids, return clause, operation
// clauses), its clauses' variables and its parameters. Closures take the continuation too: a
// direct-style function's generic entry calls it and returns the result to the continuation.
// Direct-style functions take the depth of direct calls as a parameter; a recursive one past
// DEPTH_LIMIT runs its CPS twin instead (on an empty continuation: it performs nothing), so deep
// recursion in pure code does not exhaust the Wasm stack either. Operation clauses marked in
// place (tail-resume) run where their operation is performed, with no continuation captured:
// cps-inplace.ts.
import { internalError } from "../ir/common.js";
import { type Atom, type Binder, type Comp, type Fn, type Rep, boxedKit } from "../ir/boxed.js";
import { type CComp, type CpsFn, type CpsProgram, type FrameFn, type HandlerDef, cpsKit, cpsTwin } from "../ir/cps.js";
import type { PrimitiveReps } from "./box-poly.js";
import { type Instr, I, type WasmFunc, type WasmModule } from "../ir/wasm.js";
import { type FnSig, block, boxInstr, envSlot, i32, lget, lset, unboxInstr, valtype, wasmName } from "./codegen-reps.js";
import { type Convention, ModuleBuilder, nodeLabels, runtimeWat } from "./codegen-module.js";
import { Values } from "./codegen-values.js";
import { Patterns } from "./codegen-patterns.js";
import { Show } from "./codegen-show.js";
import { Direct, noEffects } from "./codegen-direct.js";
import { InPlace } from "./cps-inplace.js";

/** Direct-style calls of recursive functions nested on the Wasm stack before CPS takes over. */
export const DEPTH_LIMIT = 2000;

const K = "k%", H = "h%", D = "d%";
const kh = (): Instr[] => [lget(K), lget(H)];
const KH_PARAMS: [string, string][] = [[K, "(ref null $Frame)"], [H, "(ref null $HFrame)"]];

export function cpsCodegen(p: CpsProgram, prims: PrimitiveReps): WasmModule {
  return new CpsGen(p, prims).module();
}

/** The cps backend's generator: the shared parts, this backend's Convention, and its CPS code. */
class CpsGen implements Convention {
  // ------------------------------------------------------------ closures take the continuation
  readonly genExtra = KH_PARAMS;
  private readonly m: ModuleBuilder;
  private readonly values: Values;
  private readonly patterns: Patterns;
  private readonly direct: Direct;
  private readonly cpsFns = new Set<string>();
  private readonly frameFns = new Map<string, FrameFn>();
  private readonly handlerDefs = new Map<string, HandlerDef>();
  /** direct functions on a cycle of direct calls: they check the call depth */
  private readonly recursive: Set<string>;
  private readonly directNames: Set<string>;
  private readonly shapes = new Map<string, string>();
  /** generating a direct function's body: calls pass on `d%` */
  private inDirect = false;
  /** the program uses processes: main runs as process 0 under the scheduler */
  private usesProcs = false;
  /** clauses run in place (tail-resume): cps-inplace.ts */
  private readonly inPlace: InPlace;

  constructor(private readonly cp: CpsProgram, prims: PrimitiveReps) {
    this.m = new ModuleBuilder(this);
    // calls need every function's signature: a CPS function returns (to k) an eq
    cp.direct.forEach((f) => this.m.fns.set(f.name, f));
    cp.functions.forEach((f) => { this.cpsFns.add(f.name); this.m.fns.set(f.name, { ...f, ret: "eq" }); });
    cp.frames.forEach((f) => this.frameFns.set(f.name, f));
    cp.handlers.forEach((h) => this.handlerDefs.set(h.name, h));
    this.recursive = recursiveFunctions(cp.direct);
    this.directNames = new Set(cp.direct.map((f) => f.name));
    this.values = new Values(this.m, prims);
    this.patterns = new Patterns(this.m, this.values, cp.patReps);
    this.direct = new Direct(this.m, this.values, this.patterns, noEffects);
    this.inPlace = new InPlace({
      m: this.m, values: this.values, patterns: this.patterns, direct: this.direct, handlers: cp.handlers, frameFns: this.frameFns, K, H,
      ccomp: (c) => this.ccomp(c), newFrame: (f, c, n) => this.newFrame(f, c, n), pack: (vs) => this.pack(vs),
      handlerConst: (h) => this.handlerConst(h), envPrologue: (h) => this.envPrologue(h),
    });
  }

  module(): WasmModule {
    const m = this.m, cp = this.cp;
    this.collectLabels();
    for (const f of cp.direct) m.funcs.push(this.fn(f));
    for (const f of cp.functions) m.funcs.push(this.cpsFn(f));
    for (const f of cp.frames) m.funcs.push(this.frameFn(f));
    for (const h of cp.handlers) m.funcs.push(this.retFn(h), this.opFn(h));
    if ("cps" in cp.main) m.funcs.push(this.mainCps(cp.main.cps));
    // (every `do` is compiled by now)
    m.funcs.push(...this.inPlace.functions());
    m.funcs.push(new Show(m).main(cp.resultType, (rep) => this.mainCode(rep), cp.typeSyntax), ...m.tables(true), this.unhandled(), this.m.unhandledAt(), this.deadlock());
    return m.assemble(runtimeWat("runtime") + "\n" + runtimeWat("cps"));
  }

  private collectLabels() {
    this.m.internLabels(this.cp.resultType, (value, pat) => {
      const direct = (c: Comp) => boxedKit.everyComp(c, (x) => nodeLabels(x, value, pat));
      const comp = (c: CComp) => cpsKit.everyComp(c, (x) => {
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

  genResult(v: Instr): Instr[] {
    return [I("return_call", ["$ret"], v, ...kh())];
  }

  /** A CPS function's generic entry: unbox the arguments, jump with the same continuation. */
  genEntryBody(f: FnSig, args: Instr[]): Instr[] | undefined {
    return this.cpsFns.has(f.name) ? [I("return_call", [`$${wasmName(f.name)}`], ...args, ...kh())] : undefined;
  }

  // ------------------------------------------------------------ direct style, bounded depth
  // Every direct function takes the number of direct calls nested under it (`d%`, an i32 after its
  // own parameters): a non-tail call passes d% + 1, a tail call d%, CPS code and generic entries 0.
  // A recursive one past DEPTH_LIMIT runs its CPS twin instead. (A parameter, not a global
  // counter: a global's increment and decrement around every call doubled fib's time.)
  private fn(f: Fn): WasmFunc {
    this.inDirect = true;
    const w = this.direct.fn(f);
    this.inDirect = false;
    if (this.recursive.has(f.name)) {
      const twin = I("call", [`$${wasmName(cpsTwin(f.name))}`], ...w.params.map(([n]) => lget(n)), I("ref.null", ["$Frame"]), I("ref.null", ["$HFrame"]));
      const result = f.ret === "unit" ? [I("drop", [], twin)] : [unboxInstr(f.ret, twin)!];
      w.body.unshift(I("if", [], I("i32.gt_u", [], lget(D), i32(DEPTH_LIMIT)), I("then", [], ...result, "return")));
    }
    w.params.push([D, "i32"]);
    return w;
  }

  extraArgs(known: string, from: "call" | "entry", tail: boolean): Instr[] {
    if (!this.directNames.has(known)) return [];
    if (from === "entry" || !this.inDirect) return [i32(0)];
    return [tail ? lget(D) : I("i32.add", [], lget(D), i32(1))];
  }

  // ------------------------------------------------------------ CPS code
  private cpsFn(f: CpsFn): WasmFunc {
    return this.m.inCtx(() => {
      // its handler frames are its parameter `h%`, the same all through a run until it installs a
      // handler (the code after that is generated after it; its one loop, a self tail call's, goes
      // back past the start's test only with the same `h`: codegen-tail-loop.ts): when two or more of its
      // `do`s may run in place (its own and its inlined rests'), they share one test at its start
      // (with one, the test stays at the `do`: effect-handlers-bench's iterator ran 17% slower
      // with it at the start)
      this.m.ctx.stableNode = this.inPlace.inPlaceDos(f.body) >= 2;
      const { params, prologue } = this.values.entry(f);
      params.push(...KH_PARAMS);
      return this.m.func(wasmName(f.name), params, ["eqref"], [...prologue, ...this.ccomp(f.body)]);
    });
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
      this.m.types.add(frame
        ? `(type $${name} (sub final $Frame (struct (field (ref $FrameFn)) (field (ref null $Frame))${fs})))`
        : `(type $${name} (struct${fs}))`);
    }
    return name;
  }
  /** Locals for `fields` read from struct `s` of type `shape`, starting at field `first`. */
  private unpack(fields: Binder[], shape: string, s: Instr, first: number): Instr[] {
    let i = first;
    return fields.flatMap((b) => {
      this.m.ctx.local(b.name, b.rep);
      return valtype(b.rep) ? [lset(b.name, I("struct.get", [`$${shape}`, i++], s))] : [];
    });
  }

  private frameFn(f: FrameFn): WasmFunc {
    const params: [string, string][] = [["%fr", "(ref $Frame)"], ["%v", "eqref"], [H, "(ref null $HFrame)"]];
    return this.m.inCtx(() => {
      const ctx = this.m.ctx;
      ctx.locals.set(K, "(ref null $Frame)");
      const shape = this.shape(f.captured, true)!;
      const fr = ctx.tempOf(`(ref null $${shape})`);
      ctx.local(f.x.name, f.x.rep);
      const x = unboxInstr(f.x.rep, lget("%v"));
      const body = [
        lset(K, I("struct.get", ["$Frame", 1], lget("%fr"))),
        ...(f.captured.length ? [lset(fr, I("ref.cast", [`(ref $${shape})`], lget("%fr")))] : []),
        ...this.unpack(f.captured, shape, lget(fr), 2),
        ...(x && f.x.rep !== "unit" ? [lset(f.x.name, x)] : []),
        ...this.ccomp(f.body),
      ];
      this.m.declared.add(f.name);
      return this.m.func(f.name, params, ["eqref"], body, "FrameFn");
    });
  }

  /** A handler function's start: its continuation, the clauses' variables and the parameters. */
  private handlerPrologue(h: HandlerDef): Instr[] {
    return [...this.envPrologue(h), ...this.inPlace.params(h)];
  }
  /** A handler function's start: its continuation and the clauses' variables. */
  private envPrologue(h: HandlerDef): Instr[] {
    const ctx = this.m.ctx;
    ctx.locals.set(K, "(ref null $Frame)");
    ctx.locals.set(H, "(ref null $HFrame)");
    const out: Instr[] = [lset(K, I("struct.get", ["$HFrame", 3], lget("%hf"))), lset(H, I("struct.get", ["$HFrame", 4], lget("%hf")))];
    const shape = this.shape(h.env, false);
    if (shape) {
      const env = ctx.tempOf(`(ref null $${shape})`);
      out.push(lset(env, I("ref.cast", [`(ref $${shape})`], I("struct.get", ["$HFrame", 1], lget("%hf")))), ...this.unpack(h.env, shape, lget(env), 0));
    }
    return out;
  }

  private retFn(h: HandlerDef): WasmFunc {
    const params: [string, string][] = [["%v", "eqref"], ["%hf", "(ref $HFrame)"]];
    return this.m.inCtx(() => {
      const fail = this.m.ctx.label("nomatch");
      const body = [...this.handlerPrologue(h), ...this.patterns.only(h.ret.pat, lget("%v"), () => this.clauseBody(h.ret.body), fail)];
      this.m.declared.add(`${h.name}$ret`);
      return this.m.func(`${h.name}$ret`, params, ["eqref"], body, "RetFn");
    });
  }

  private opFn(h: HandlerDef): WasmFunc {
    const params: [string, string][] = [["%op", "i32"], ["%a", "eqref"], ["%r", "(ref $Resumption)"], ["%hf", "(ref $HFrame)"]];
    return this.m.inCtx(() => {
      const ctx = this.m.ctx;
      const body = this.handlerPrologue(h);
      const groups = new Map<string, HandlerDef["ops"]>();
      for (const o of h.ops) groups.set(o.op, [...(groups.get(o.op) ?? []), o]);
      for (const [op, os] of groups) {
        const n = os[0]!.args.length;
        const args = os[0]!.args.map(() => ctx.temp("eq"));
        const take = args.map((t, i) => lset(t, n === 1 ? lget("%a") : I("array.get", ["$Env"], I("ref.cast", ["(ref $Env)"], lget("%a")), i32(i))));
        const clauses = os.map((o) => {
          const fail = ctx.label("nomatch");
          const binds = o.args.flatMap((q, i) => this.patterns.pat(q, lget(args[i]!), "eq", fail));
          if (o.k) binds.push(...this.patterns.pat(o.k, this.resumption(h), "closure", fail));
          return I("block", [fail], ...binds, this.clauseBody(o.body));
        });
        body.push(I("if", [], I("i32.eq", [], lget("%op"), i32(this.m.opId(op))),
          I("then", [], ...take, ...clauses, ...this.m.matchFailure())));
      }
      body.push("unreachable");
      this.m.declared.add(`${h.name}$op`);
      return this.m.func(`${h.name}$op`, params, ["eqref"], body, "OpFn");
    });
  }

  /** Handler h: a constant naming the operations it handles, its return and operation functions and its in-place clauses. */
  private handlerConst(h: HandlerDef): Instr {
    const ops = [...new Set(h.ops.map((o) => o.op))];
    const ids = ops.map((o) => `(i32.const ${this.m.opId(o)})`).join(" ");
    const fns = this.inPlace.table(h, ops);
    return this.m.global(`handler:${h.name}`, `${h.name}$handler`, (g) =>
      `(global $${g} (ref $Handler) (struct.new $Handler (array.new_fixed $Ops ${ops.length} ${ids}) (i32.const ${h.shallow ? 1 : 0}) (ref.func $${h.name}$ret) (ref.func $${h.name}$op) ${fns}))`);
  }
  /** A new frame of frame function `frame` over `captured`, on top of `next`. */
  private newFrame(frame: string, captured: Atom[], next: Instr): Instr {
    const f = this.frameFns.get(frame);
    if (!f) throw internalError(`cps-codegen: no frame ${frame}`);
    return I("struct.new", [`$${this.shape(f.captured, true)!}`], I("ref.func", [`$${frame}`]), next, ...captured.flatMap((a) => this.values.push(a)));
  }

  /** Several eq values as one: none → null, one → itself, more → an $Env (operation arguments, handler parameters). */
  private pack(vs: Instr[]): Instr {
    return vs.length === 0 ? I("ref.null", ["none"]) : vs.length === 1 ? vs[0]! : I("array.new_fixed", ["$Env", vs.length], ...vs);
  }

  /** `k` in an operation clause: a closure over the resumption, taking the value (and new parameters). */
  private resumption(h: HandlerDef): Instr {
    const arity = 1 + (h.shallow ? 0 : h.params.length);
    const name = `resume${arity}`;
    if (!this.m.declared.has(name)) {
      this.m.declared.add(name);
      const r = I("ref.cast", ["(ref $Resumption)"], envSlot(0));
      const ps = Array.from({ length: arity - 1 }, (_, i) => lget(`a${i + 1}`));
      const p = this.pack(ps);
      this.m.funcs.push({ name, type: this.m.genType(arity), params: this.m.genParams(arity), results: ["eqref"], locals: [],
        body: [I("return_call", ["$resume"], r, lget("a0"), p, i32(arity === 1 ? 0 : 1), ...kh())] });
    }
    return I("struct.new", ["$Closure"], I("ref.func", [`$${name}`]), I("array.new_fixed", ["$Env", 1], lget("%r")));
  }

  /** `$unhandled (op)`: no handler frame handles op (cps.wat's $perform): the error, located at the `do` (ModuleBuilder.doSite). */
  private unhandled(): WasmFunc {
    return { name: "unhandled", params: [["%op", "i32"]], results: [], locals: [],
      body: [I("call", ["$unhandled_at"], I("call", ["$str_concat"], this.m.string("unhandled operation: "), I("call", ["$op_name"], lget("%op"))))] };
  }

  /** `$tick k h`: count down `$fuel`; at zero, refill it and yield (cps.wat's $yield), else return to k. */
  private tick(): string {
    const every = this.cp.preempt ?? 1;
    this.m.global("fuel", "fuel", (g) => `(global $${g} (mut i32) (i32.const ${every}))`);
    if (!this.ticks) {
      this.ticks = true;
      this.m.funcs.push({
        name: "tick", params: KH_PARAMS, results: ["eqref"], locals: [],
        body: [
          I("global.set", ["$fuel"], I("i32.sub", [], I("global.get", ["$fuel"]), i32(1))),
          I("if", [], I("i32.le_s", [], I("global.get", ["$fuel"]), i32(0)),
            I("then", [], I("global.set", ["$fuel"], i32(every)), I("return_call", ["$yield"], ...kh()))),
          I("return_call", ["$ret"], I("global.get", ["$unit"]), ...kh()),
        ],
      });
    }
    return "$tick";
  }
  private ticks = false;

  private deadlock(): WasmFunc {
    return { name: "deadlock", params: [], results: [], locals: [], body: [I("call", ["$host_fail"], this.m.string("deadlock: every process is waiting for a message"))] };
  }

  primitive(name: string, args: Atom[]): Instr[] | undefined {
    switch (name) {
      case "self": this.usesProcs = true; return [I("global.get", ["$current"])];
      case "send": this.usesProcs = true; return [I("call", ["$send"], ...args.map((a) => this.values.atom(a)))];
      default: return undefined;
    }
  }

  private mainCps(c: CComp): WasmFunc {
    return this.m.inCtx(() => this.m.func("main%cps", KH_PARAMS, ["eqref"], this.ccomp(c)));
  }
  /** Code leaving the program's value (representation `rep`) on the stack. */
  private mainCode(rep: Rep): Instr[] {
    if ("direct" in this.cp.main) {
      const code = this.direct.comp(this.cp.main.direct, rep, false);
      if (!this.usesProcs) return code;
      const v = rep === "unit" ? I("block", ["(result eqref)"], ...code, boxInstr("unit", undefined)) : boxInstr(rep, block(code, rep));
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
    return I("return", [], block(this.ccomp(c), "eq"));
  }

  /** Code for a CPS computation: it ends in a tail call on every path. */
  private ccomp(c: CComp): Instr[] {
    const out: Instr[] = [];
    for (;;) {
      switch (c.tag) {
        case "Let": case "LetApp": case "LetComp": case "LetRec":
          if (c.tag === "Let" && c.value.tag === "Box" && this.inPlace.deferBox(c)) {
            this.m.ctx.boxes.set(c.x.name, { from: c.value.from, atom: c.value.atom });
            this.m.ctx.deferred.add(c.x.name);
            this.m.ctx.reps.set(c.x.name, c.x.rep);
          } else out.push(...this.direct.binding(c));
          c = c.body;
          continue;
        case "Push":
          if (c.body.tag === "Do" && this.inPlace.ops.has(c.body.op)) return [...out, ...this.inPlace.perform(c.body, c)];
          out.push(lset(K, this.newFrame(c.frame, c.captured, lget(K)))); c = c.body; continue;
        case "Handle": {
          const h = this.handlerDefs.get(c.handler)!;
          const shape = this.shape(h.env, false);
          const env = shape ? I("struct.new", [`$${shape}`], ...c.env.flatMap((a) => this.values.push(a))) : I("ref.null", ["none"]);
          const params = this.pack(c.params.map((a) => this.values.boxed(a)));
          this.m.ctx.stableNode = false;
          out.push(lset(H, I("struct.new", ["$HFrame"], this.handlerConst(h), env, params, lget(K), lget(H))), lset(K, I("ref.null", ["$Frame"])));
          c = c.body;
          continue;
        }
      }
      break;
    }
    switch (c.tag) {
      case "Return": out.push(I("return_call", ["$ret"], this.values.boxed(c.atom), ...kh())); break;
      case "Jump":
        if (c.known) out.push(this.values.callKnown(c.fn, c.args, c.known, "return_call", kh()));
        else out.push(...this.values.callClosure(c.fn, c.args, "return_call_ref", kh()));
        break;
      case "If": out.push(I("if", ["(result eqref)"], this.values.atom(c.cond), I("then", [], ...this.ccomp(c.then)), I("else", [], ...this.ccomp(c.else)))); break;
      case "Case": { const k = c; out.push(...this.m.at(k.span, () => this.patterns.match(k.scrutinee, k.clauses, "eq", () => (cl) => this.ccomp(cl.body)))); break; }
      case "Spawn": {
        this.usesProcs = true;
        const start = this.newFrame(c.frame, c.captured, I("ref.null", ["$Frame"]));
        out.push(I("return_call", ["$spawn"], start, i32({ spawn: 0, spawnAngel: 1, spawnWait: 2 }[c.kind]), ...kh()));
        break;
      }
      case "Sched": this.usesProcs = true; out.push(I("return_call", [c.prim === "%tick" ? this.tick() : `$${c.prim}`], ...kh())); break;
      case "Do": {
        const d = c;
        out.push(...this.m.at(d.span, () => {
          if (this.inPlace.ops.has(d.op)) return this.inPlace.perform(d, undefined);
          const a = this.pack(d.args.map((x) => this.values.atom(x)));
          return [this.m.doSite(d.span), I("return_call", ["$perform"], i32(this.m.opId(d.op)), a, ...kh())];
        }));
        break;
      }
    }
    return out;
  }
}

/** Direct functions on a cycle of known direct calls (they may nest without bound). */
function recursiveFunctions(fns: Fn[]): Set<string> {
  const names = new Set(fns.map((f) => f.name));
  const calls = new Map(fns.map((f) => {
    const out = new Set<string>();
    boxedKit.everyComp(f.body, (x) => { if ((x.tag === "LetApp" || x.tag === "App") && x.known && names.has(x.known)) out.add(x.known); });
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

