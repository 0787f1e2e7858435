// codegen-wasmfx: effect handlers on WasmFX, for the wasmfx backend (codegen.ts); the layout and
// the measured decisions are in docs/effect-handlers-wasmfx.md.
//
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
// continuations are one-shot) and runs the handler function again on it. In a module with
// operations, main's code runs as `$main%top` under a handler of every operation, so one that
// reaches the top level unhandled is a runtime error naming it. In a program with clauses in place
// (tail-resume), handlers also keep the chain of nodes codegen-evidence.ts describes: a handler
// function takes its node after the value, `do` asks the chain first, and each in-place clause
// is a function `$H$ipN` (node, arguments) → value that sets the handler's parameters in its node.
import { internalError } from "../ir/common.js";
import type { CPat } from "../ir/core.js";
import type { Atom, Rep } from "../ir/boxed.js";
import { type Thunk, continuationCalls } from "../ir/handlers.js";
import type { SComp, SHandlerFn, SOpClause, Scheduler } from "../ir/scheduled.js";
import { Actors } from "./codegen-actors.js";
import { type Instr, I, type WasmFunc } from "../ir/wasm.js";
import { type FnSig, block, boxInstr, envSlot, fail, i32, lget, lset, pop, unboxInstr, valtype, vts, wasmName } from "./codegen-reps.js";
import type { FnCtx, ModuleBuilder } from "./codegen-module.js";
import type { Values } from "./codegen-values.js";
import type { Patterns } from "./codegen-patterns.js";
import type { EffectComp, Effects } from "./codegen-direct.js";
import type { Evidence } from "./codegen-evidence.js";

/** The continuation of a `direct` clause: the local holding it, and how a call of `k` resumes it. */
interface DirectK { cont: string; resume: (args: Atom[], tail: boolean) => Instr[] }

export class WasmFX implements Effects {
  /** some `k` is a closure over a $ContBox (the module needs `$op_name` for the one-shot error) */
  usesContBox = false;
  /** Wasm name of the function of a handled computation → its declared type (cont.new needs one) */
  readonly thunkFnTypes = new Map<string, string>();
  private readonly thunkTypeNames = new Map<string, string>();
  /** helper functions made on first use */
  private readonly made = new Set<string>();
  /** each function context's direct continuations, by the name of their `k` */
  private readonly directs = new WeakMap<FnCtx, Map<string, DirectK>>();

  /** `code`: direct-style code for a computation (codegen-direct's). */
  readonly actors: Actors;

  /**
   * `topOps`: the operations that may reach the top level unhandled (infer's), whose `do`s record
   * their site for the error; `ev`: the chain of handlers, in a program with clauses in place (codegen-evidence.ts).
   */
  constructor(private readonly m: ModuleBuilder, private readonly values: Values, private readonly patterns: Patterns,
    private readonly code: (c: SComp, rep: Rep, tail: boolean) => Instr[], scheduler: Scheduler | undefined,
    private readonly topOps: ReadonlySet<string>, private readonly ev?: Evidence) {
    this.actors = new Actors(m, values, scheduler, (t, proc) => this.startThunk(t, proc));
  }

  // ------------------------------------------------------------ Effects
  // (this backend's direct-style code is ThreadedHandlers: a Boxed `handle` does not reach it)
  comp(c: Extract<SComp, EffectComp>, rep: Rep, tail: boolean): Instr[] {
    switch (c.tag) {
      case "Do": {
        return this.ev ? this.ev.perform(c.op, c.args, (a) => this.suspendOp(c, a)) : [this.suspendOp(c)];
      }
      case "HandleCall": {
        let args = c.args;
        const node: Instr[] = [];
        if (this.ev) {
          // the handler's node; a handler with clauses in place keeps its parameters there only
          const h = this.ev.handlers.get(c.handler)!;
          node.push(this.ev.newNode(h, args.slice(0, h.free.length), args.slice(h.free.length)));
          if (this.ev.inPlace(h)) args = args.slice(0, h.free.length);
        }
        const all = [this.startThunk(c.thunk), I("ref.null", ["none"]), ...node, ...args.flatMap((a) => this.values.push(a))];
        return [I(tail && rep === "eq" ? "return_call" : "call", [`$${wasmName(c.handler)}`], ...all)];
      }
      case "ShallowHandle": return this.shallow(c, tail);
      case "Spawn": case "Schedule": return this.actors.comp(c);
      default: throw internalError("codegen: a handle was not extracted");
    }
  }

  inPlace(op: string): boolean {
    return this.ev?.ops.has(op) ?? false;
  }

  knownHandler(fn: string): string | undefined {
    return this.ev?.knownHandler(fn);
  }

  unboxedDo(c: Extract<SComp, { tag: "Do" }>, rep: Rep): Instr[] | undefined {
    if (!this.ev?.ops.has(c.op)) return undefined;
    return this.ev.perform(c.op, c.args, (a) => this.suspendOp(c, a), rep);
  }

  /** `suspend` for `do` c; `one`: its one argument, when already made. An operation that may reach the top level records its site first. */
  private suspendOp(c: Extract<SComp, { tag: "Do" }>, one?: Instr): Instr {
    const s = I("suspend", [`$${this.opTag(c.op, c.args.length)}`], ...(one ? [one] : c.args.map((a) => this.values.atom(a))));
    return this.topOps.has(c.op) ? I("block", ["(result eqref)"], this.m.doSite(c.span), s) : s;
  }

  call(fn: Atom, args: Atom[], tail: boolean): Instr[] | undefined {
    if (fn.tag !== "Var") return undefined;
    const direct = this.direct().get(fn.name);
    if (direct) return direct.resume(args, tail);
    // a process primitive (not a local or function of that name)
    return this.m.ctx.reps.has(fn.name) || this.m.fns.has(fn.name) ? undefined : this.actors.call(fn.name, args);
  }

  /**
   * For each branch of `whole` (an if, a case, a shallow handler's clauses): the discards of the
   * direct continuations that `whole` resumes on some path but this branch never does. (Each is
   * resumed at most once on any path, so where a branch is entered it has not been yet.)
   */
  discards(whole: SComp, branches: SComp[]): Instr[][] {
    const out: Instr[][] = branches.map(() => []);
    for (const [k, { cont }] of this.direct()) {
      if (continuationCalls(whole, k) === 0) continue;
      branches.forEach((b, i) => { if (continuationCalls(b, k) === 0) out[i]!.push(this.discard(cont)); });
    }
    return out;
  }

  private direct(): Map<string, DirectK> {
    let d = this.directs.get(this.m.ctx);
    if (!d) this.directs.set(this.m.ctx, (d = new Map()));
    return d;
  }

  // ------------------------------------------------------------ types, tags, thunks
  private handlerTypes(): void {
    this.m.types.add("(type $KFn (func (param eqref) (result eqref)))");
    this.m.types.add("(type $KCont (cont $KFn))");
  }

  private opTag(op: string, arity: number): string {
    this.handlerTypes();
    const name = `op${this.m.opId(op)}`;
    this.m.tags.add(`(tag $${name} (param${" eqref".repeat(arity)}) (result eqref)) ;; ${op}`);
    this.opTags.set(name, { id: this.m.opId(op), arity });
    return name;
  }
  /** every operation tag made: its operation's id and its arity */
  private readonly opTags = new Map<string, { id: number; arity: number }>();

  /**
   * Main's code `code(rep)` under a handler of every operation of the module, so an operation
   * that reaches the top level unhandled is a runtime error naming it (the top-level effect row is
   * open, as in Links). Only when the types let some operation (`topOps`, from infer) reach the
   * top level: otherwise main's code as it is. Call after every other function is compiled: the
   * handler covers every tag made, main's own included.
   */
  topLevel(rep: Rep, topOps: readonly string[], code: (rep: Rep) => Instr[]): Instr[] {
    if (topOps.length === 0) return code(rep);
    const body = this.m.inCtx(() => {
      const c = code(rep);
      const boxed = rep === "unit" ? I("block", ["(result eqref)"], ...c, boxInstr("unit", undefined)) : boxInstr(rep, block(c, rep));
      return this.m.func("main%top", [["main%start", "eqref"]], ["eqref"], [boxed]);
    });
    this.m.funcs.push(body);
    this.m.declared.add("main%top");
    this.thunkFnTypes.set("main%top", "KFn");
    this.usesContBox = true; // the error names the operation: $op_name
    const ctx = this.m.ctx;
    const done = ctx.label("done");
    const tags = [...this.opTags];
    const labels = tags.map(() => ctx.label("unhandled"));
    let inner: Instr = I("br", [done], I("resume", ["$KCont", ...tags.map(([t], i) => `(on $${t} ${labels[i]})`)],
      I("ref.null", ["none"]), I("cont.new", ["$KCont"], I("ref.func", ["$main%top"]))));
    tags.forEach(([, { id, arity }], i) => {
      const on = I("block", [labels[i]!, `(result${" eqref".repeat(arity)} (ref $KCont))`], inner);
      inner = I("block", [], I("drop", [], I("call", [`$${this.suspPack(arity)}`], on)),
        I("call", ["$unhandled_at"], I("call", ["$str_concat"], this.m.string("unhandled operation: "), I("call", ["$op_name"], i32(id)))), "unreachable");
    });
    const r = I("block", [done, "(result eqref)"], inner);
    if (rep === "unit") return [I("drop", [], r)];
    return [unboxInstr(rep, r) ?? r];
  }

  /** `$suspN`: an operation's N arguments and its continuation, as one struct. */
  private suspPack(n: number): string {
    const name = `susp${n}`;
    if (!this.made.has(name)) {
      this.made.add(name);
      const fields = `${" (field eqref)".repeat(n)} (field (ref $KCont))`;
      this.m.types.add(`(type $Susp${n} (struct${fields}))`);
      const params: [string, string][] = [...Array.from({ length: n }, (_, j): [string, string] => [`a${j}`, "eqref"]), ["k", "(ref $KCont)"]];
      this.m.funcs.push({ name, params, results: [`(ref $Susp${n})`], locals: [], body: [I("struct.new", [`$Susp${n}`], ...params.map(([x]) => lget(x)))] });
    }
    return name;
  }

  /**
   * The function type of a thunk's function f (declared: cont.new needs it). A handled
   * computation's last parameter takes the first resume's value (eqref); a process's takes the
   * continuation switched from (codegen-actors.ts).
   */
  private thunkType(f: FnSig, proc: boolean): string {
    if (!proc) this.handlerTypes();
    const params = f.params.slice(0, -1).flatMap((q) => vts(q.rep));
    if (params.length === 0) return proc ? "PFn" : "KFn";
    const key = `${proc ? "proc " : ""}${params.join(" ")}`;
    let name = this.thunkTypeNames.get(key);
    if (!name) {
      this.thunkTypeNames.set(key, (name = `${proc ? "PThunk" : "Thunk"}${this.thunkTypeNames.size}`));
      this.m.types.add(`(type $${name} (func (param ${params.join(" ")} ${proc ? "(ref null $PCont)" : "eqref"}) (result eqref)))`);
      this.m.types.add(`(type $K${name} (cont $${name}))`);
    }
    return name;
  }

  /** `(thunk f a…)` as a continuation ($KCont, or $PCont for a process): cont.new of f, its arguments bound by cont.bind. */
  startThunk(t: Thunk, proc = false): Instr {
    const f = this.m.fns.get(t.fn)!;
    this.m.declared.add(wasmName(f.name));
    const type = this.thunkType(f, proc);
    const cont = proc ? "$PCont" : "$KCont";
    this.thunkFnTypes.set(wasmName(f.name), type);
    if (type === "KFn" || type === "PFn") return I("cont.new", [cont], I("ref.func", [`$${wasmName(f.name)}`]));
    return I("cont.bind", [`$K${type}`, cont], ...t.args.flatMap((a) => this.values.push(a)),
      I("cont.new", [`$K${type}`], I("ref.func", [`$${wasmName(f.name)}`])));
  }

  // ------------------------------------------------------------ resuming and clauses
  /**
   * Resume continuation `k` with `v`, one `(on …)` per clause; the code for a clause runs with
   * the operation's arguments in `eq` locals and the continuation in a local, and must not fall
   * through. `onReturn` gets the computation's value on the stack.
   */
  private resumeWith(k: Instr, v: Instr, clauses: SOpClause[], clause: (os: SOpClause[], args: string[], cont: string) => Instr[], onReturn: Instr[]): Instr[] {
    const ctx = this.m.ctx;
    // clauses for the same operation (different patterns) share its `on`: tried in order
    const byOp = new Map<string, SOpClause[]>();
    for (const o of clauses) byOp.set(o.op, [...(byOp.get(o.op) ?? []), o]);
    const groups = [...byOp.values()];
    const ops = groups.map((g) => g[0]!);
    const ret = ctx.label("ret");
    const labels = ops.map(() => ctx.label("on"));
    const tags = ops.map((o) => this.opTag(o.op, o.args.length));
    let inner: Instr = I("br", [ret], I("resume", ["$KCont", ...ops.map((_, i) => `(on $${tags[i]} ${labels[i]})`)], v, k));
    ops.forEach((o, i) => {
      const n = o.args.length;
      const args = o.args.map(() => ctx.temp("eq"));
      const cont = ctx.tempOf("(ref null $KCont)");
      const on = I("block", [labels[i]!, `(result${" eqref".repeat(n)} (ref $KCont))`], inner);
      // the operation's arguments and the continuation arrive as several values: binaryen 132
      // mistypes them when popped into locals one by one, so they go through `$suspN` (a call
      // it inlines, whose struct its optimiser removes)
      let take: Instr[];
      if (n === 0) take = [lset(cont, on)];
      else {
        const pk = ctx.tempOf(`(ref null $Susp${n})`);
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
  private opClauses(os: SOpClause[], args: string[], cont: string, k: () => Instr, resume: DirectK["resume"], body: (o: SOpClause) => Instr[]): Instr[] {
    const out: Instr[] = [];
    for (const o of os) {
      const fail = this.m.ctx.label("nomatch");
      const binds = o.args.flatMap((q, i) => this.patterns.pat(q, lget(args[i]!), "eq", fail));
      if (o.direct) {
        if (o.k?.tag === "PVar") this.direct().set(o.k.name, { cont, resume });
        // a clause that never resumes: unwind the continuation now
        if (o.k?.tag !== "PVar" || continuationCalls(o.body, o.k.name) === 0) binds.push(this.discard(cont));
      } else if (o.k) binds.push(...this.patterns.pat(o.k, k(), "closure", fail));
      out.push(I("block", [fail], ...binds, ...body(o)));
    }
    return [...out, ...this.m.matchFailure()];
  }

  /** The return clause of a handler: its value, popped into a local, then `first`, matched by `pat`, then `body`. */
  private returnClause(ret: { pat: CPat }, body: () => Instr, first: Instr[] = []): Instr[] {
    const r = this.m.ctx.temp("eq");
    return [pop(r), ...first, ...this.patterns.only(ret.pat, lget(r), body)];
  }

  /**
   * Discard a continuation that will not be resumed: `resume_throw` of `$discard` unwinds its
   * frames (caught here). V8 does not reclaim the stack of a continuation that is merely dropped:
   * 1,000,000 abandoned ones exhaust its stack memory (measured), so dropping is not enough.
   * Node 26's V8 (14.6) crashes, intermittently, on resume_throw into a continuation that takes
   * a parameter (a 15-line module reproduces it; Deno 2.9's V8 15.0 does not): cont.bind of a
   * null first makes it a continuation of no parameters, which both run.
   */
  private discard(cont: string): Instr {
    this.m.tags.add("(tag $discard)");
    this.m.types.add("(type $KFn0 (func (result eqref)))");
    this.m.types.add("(type $KCont0 (cont $KFn0))");
    const done = this.m.ctx.label("discarded");
    return I("block", [done], I("try_table", [`(catch_all ${done})`],
      I("drop", [], I("resume_throw", ["$KCont0", "$discard"],
        I("cont.bind", ["$KCont", "$KCont0"], I("ref.null", ["none"]), I("ref.as_non_null", [], lget(cont)))))));
  }

  /** A box holding a just-captured continuation, tagged with its operation (for the error message). */
  private contBox(cont: string, op: string): Instr {
    this.usesContBox = true;
    this.m.types.add("(type $ContBox (struct (field (mut (ref null $KCont))) (field i32)))");
    return I("struct.new", ["$ContBox"], lget(cont), i32(this.m.opId(op)));
  }

  // ------------------------------------------------------------ deep handlers
  handlerFn(h: SHandlerFn): WasmFunc {
    return this.m.inCtx(() => {
      const ev = this.ev;
      // with clauses in place, the parameters live in the handler's node only
      const own = ev?.inPlace(h) ? [] : h.params;
      const node = lget("h%node");
      // (names no Links variable can have: a clause may bind `k` and `v`)
      const params: [string, string][] = [["h%k", "(ref $KCont)"], ["h%v", "eqref"], ...(ev ? [["h%node", `(ref ${ev.nodeType(h)})`] as [string, string]] : []),
        ...this.values.entry({ captured: [], params: [...h.free, ...own] }).params];
      // a suspension or the value came back: the handler's own context again, its parameters from the node
      const back = ev ? [ev.leave(node), ...(own === h.params ? [] : ev.loadParams(h, node))] : [];
      const onReturn = this.returnClause(h.ret, () => I("return", [], block(this.code(h.ret.body, "eq", true), "eq")), back);
      const body = this.resumeWith(lget("h%k"), lget("h%v"), h.ops, (os, args, cont) => {
        // k: a closure over the boxed continuation (the node) and the handler's free variables
        const k = () => {
          const env = [this.contBox(cont, os[0]!.op), ...(ev ? [node] : []), ...h.free.map((q) => boxInstr(q.rep, q.rep === "unit" ? undefined : lget(q.name)))];
          return I("struct.new", ["$Closure"], I("ref.func", [`$${this.resumeName(h)}`]), I("array.new_fixed", ["$Env", env.length], ...env));
        };
        // k in a direct clause: this handler function again, on the continuation (and new parameters)
        const resume = (a: Atom[], tail: boolean): Instr[] => {
          const operands: Instr[] = [I("ref.as_non_null", [], lget(cont)), this.values.atom(a[0]!), ...(ev ? [node] : [])];
          h.free.forEach((q) => { if (valtype(q.rep)) operands.push(lget(q.name)); });
          own.forEach((q, i) => { const u = unboxInstr(q.rep, this.values.atom(a[i + 1]!)); if (u) operands.push(u); });
          const store = own === h.params ? [] : ev!.storeParamAtoms(h, node, a.slice(1));
          return [...store, I(tail ? "return_call" : "call", [`$${wasmName(h.name)}`], ...operands)];
        };
        return [...back, ...this.opClauses(os, args, cont, k, resume, (o) => [I("return", [], block(this.code(o.body, "eq", true), "eq"))])];
      }, onReturn);
      return this.m.func(wasmName(h.name), params, ["eqref"], [...(ev ? ev.enter(node) : []), ...body]);
    });
  }

  /**
   * The function `name` running handler h's clauses of `op` in place (tail-resume): (h's node,
   * the arguments) → the value `k` is called with; `k(v, s1…)` sets the parameters in the node.
   * The clauses perform nothing, so they need no handler context of their own.
   */
  inPlaceFn(h: SHandlerFn, op: string, name: string, copy?: number): WasmFunc {
    const ev = this.ev!;
    return this.m.inCtx(() => {
      const ctx = this.m.ctx;
      // (in place implies direct: k is only called; marked so even without direct-resume)
      const os = h.ops.filter((o) => o.op === op).map((o) => ({ ...o, direct: true }));
      const node = ctx.tempOf(`(ref null ${ev.nodeType(h)})`);
      const n = os[0]!.args.length;
      const args = os[0]!.args.map(() => ctx.temp("eq"));
      const take = args.map((t, i) => lset(t, n === 1 ? lget("%a") : I("array.get", ["$Env"], I("ref.cast", ["(ref $Env)"], lget("%a")), i32(i))));
      const resume = (a: Atom[]): Instr[] => [...ev.storeParamAtoms(h, lget(node), a.slice(1)), I("return", [], this.values.atom(a[0]!))];
      const body = [
        // a copy for one `do` differs from the others until optimised: binaryen merges identical
        // functions before it inlines, and inlines a function called once
        ...(copy === undefined ? [] : [I("drop", [], i32(copy))]),
        lset(node, I("ref.cast", [`(ref ${ev.nodeType(h)})`], lget("%node"))), ...ev.loadFree(h, lget(node)), ...ev.loadParams(h, lget(node)), ...take,
        ...this.opClauses(os, args, "", () => { throw internalError("codegen: an in-place k as a value"); }, resume,
          (o) => [I("return", [], block(this.code(o.body, "eq", true), "eq"))]),
      ];
      return this.m.func(name, [["%node", "(ref $Node)"], ["%a", "eqref"]], ["eqref"], body, "IPFn");
    });
  }

  /** The name of handler H's `$H$resume` (referenced by ref.func, so declared). */
  private resumeName(h: SHandlerFn): string {
    const name = `${wasmName(h.name)}$resume`;
    this.m.declared.add(name);
    return name;
  }

  /**
   * `$H$resume`: the generic entry of a deep handler's `k` — (v, new parameter values…): take
   * the continuation out of its box (a second resumption is an error naming the operation) and
   * run handler H on it again.
   */
  resumeEntry(h: SHandlerFn): WasmFunc {
    const ev = this.ev;
    return this.contEntry(this.resumeName(h), 1 + h.params.length, () => {
      const args: Instr[] = [I("ref.as_non_null", [], lget("kc")), lget("a0")];
      // with a node: it comes after the box, and a handler with clauses in place keeps its parameters there
      const node = ev ? I("ref.cast", [`(ref ${ev.nodeType(h)})`], envSlot(1)) : undefined;
      if (node) args.push(node);
      h.free.forEach((q, i) => { const u = unboxInstr(q.rep, envSlot(i + (ev ? 2 : 1))); if (u) args.push(u); });
      if (ev?.inPlace(h)) {
        return I("block", [], ...ev.storeParams(h, node!, h.params.map((_, i) => lget(`a${i + 1}`))), I("return_call", [`$${wasmName(h.name)}`], ...args));
      }
      h.params.forEach((q, i) => { const u = unboxInstr(q.rep, lget(`a${i + 1}`)); if (u) args.push(u); });
      return I("return_call", [`$${wasmName(h.name)}`], ...args);
    });
  }

  /**
   * `$shallow_resume`: the generic entry of a shallow handler's `k`: resume with no handler. With
   * handler nodes, the node (the closure's second slot) handles nothing from then on.
   */
  private shallowResume(): string {
    const name = "shallow_resume";
    if (this.m.declared.has(name)) return name;
    this.m.declared.add(name);
    this.m.funcs.push(this.contEntry(name, 1, () => {
      const r = I("resume", ["$KCont"], lget("a0"), I("ref.as_non_null", [], lget("kc")));
      if (!this.ev) return r;
      const node = I("ref.cast", ["(ref $Node)"], envSlot(1));
      return I("block", ["(result eqref)"], ...this.ev.gone(node), this.shallowBack(node, r));
    }));
    return name;
  }

  /** Resumption `r` of a shallow handler's continuation, the current node put back afterwards. */
  private shallowBack(node: Instr, r: Instr): Instr {
    const v = this.m.ctx.temp("eq");
    return I("block", ["(result eqref)"], lset(v, r), this.ev!.leave(node), lget(v));
  }

  /**
   * A generic entry of `arity` arguments for a `k` whose closure holds a $ContBox in its first
   * slot: $box := that box; $kc := its continuation, emptied (a second time: error); then `then`.
   */
  private contEntry(name: string, arity: number, then: () => Instr): WasmFunc {
    return this.m.inCtx(() => {
      const type = this.m.genType(arity);
      this.m.ctx.locals.set("box", "(ref null $ContBox)");
      this.m.ctx.locals.set("kc", "(ref null $KCont)");
      const body: Instr[] = [
        lset("box", I("ref.cast", ["(ref $ContBox)"], envSlot(0))),
        lset("kc", I("struct.get", ["$ContBox", 0], lget("box"))),
        I("if", [], I("ref.is_null", [], lget("kc")), I("then", [],
          ...fail(I("call", ["$str_concat"],
            this.m.string("continuation resumed twice: the wasmfx backend supports one-shot continuations; run with --backend cps (operation "),
            I("call", ["$str_concat"], I("call", ["$op_name"], I("struct.get", ["$ContBox", 1], lget("box"))), this.m.string(")")))))),
        I("struct.set", ["$ContBox", 0], lget("box"), I("ref.null", ["$KCont"])),
        then(),
      ];
      return { name, type, params: this.m.genParams(arity), results: ["eqref"], locals: [...this.m.ctx.locals], body };
    });
  }

  // ------------------------------------------------------------ shallow handlers
  /** A shallow handler, inline: resume the computation once and run the clause it stops at. */
  private shallow(c: Extract<SComp, { tag: "ShallowHandle" }>, tail: boolean): Instr[] {
    const done = this.m.ctx.label("shallow");
    // (worked out before the clauses add their own continuations)
    const bodies = [...c.ops.map((o) => o.body), c.ret.body];
    const ds = this.discards(c, bodies);
    const discards = new Map(bodies.map((b, i) => [b, ds[i]!]));
    const clauseBody = (b: SComp) => I("br", [done], block([...discards.get(b)!, ...this.code(b, "eq", tail)], "eq"));
    const thunk = this.startThunk(c.thunk);
    // with handler nodes: the shallow handler's own, the current node while its computation runs
    const ev = this.ev;
    const nodeLocal = ev ? this.m.ctx.tempOf("(ref null $Node)") : "";
    const node = lget(nodeLocal);
    const enter = ev ? [lset(nodeLocal, I("struct.new", ["$Node"], I("ref.null", ["$Node"]), ev.shallowDesc(c.ops.map((o) => o.op)))), ...ev.enter(node)] : [];
    const back = ev ? [ev.leave(node)] : [];
    const onReturn = this.returnClause(c.ret, () => clauseBody(c.ret.body), back);
    const code = this.resumeWith(thunk, I("ref.null", ["none"]), c.ops, (os, args, cont) => {
      const k = () => I("struct.new", ["$Closure"], I("ref.func", [`$${this.shallowResume()}`]), I("array.new_fixed", ["$Env", ev ? 2 : 1], this.contBox(cont, os[0]!.op), ...(ev ? [node] : [])));
      // k in a direct clause: resume with no handler
      const resume = (a: Atom[]): Instr[] => {
        const r = I("resume", ["$KCont"], this.values.atom(a[0]!), I("ref.as_non_null", [], lget(cont)));
        return ev ? [...ev.gone(node), this.shallowBack(node, r)] : [r];
      };
      return [...back, ...this.opClauses(os, args, cont, k, resume, (o) => [clauseBody(o.body)])];
    }, onReturn);
    return [I("block", [done, "(result eqref)"], ...enter, ...code)];
  }
}
