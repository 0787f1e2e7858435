// codegen-evidence: the chain of handlers installed around the running code, for the operations
// the wasmfx backend runs in place (tail-resume marks their clauses; runtime-wat/evidence.wat;
// docs/tail-resumptive.md). Only a program with an in-place clause has it: every other program's
// code is as it was.
//
// In such a program every handler, deep or shallow, has a node ($Node: outer, description) while
// it runs, and `$node` is the innermost one. `do Op`, for an operation with an in-place clause
// somewhere, first tests whether the innermost node is one of Op's in-place handlers' and calls
// that clause directly (a copy of its function per `do`, which binaryen inlines); else it asks
// `$ev_perform`: the innermost node handling Op, and when its clause is in place, the clause's
// value — no suspension. Otherwise, and for every other operation, it suspends as before,
// saving `$node` and putting it back once resumed. A handler
// function takes its node as a parameter: on entry the node's `outer` becomes the caller's
// `$node` (the handle site's, or a later resumer's: the chain inside a continuation resumed
// elsewhere then leads to the new context) and `$node` the node; when a suspension or the
// computation's value comes back, `$node` is `outer` again. A handler with in-place clauses has a
// node of its own type holding its free variables and its parameters; the parameters live there
// only (a clause in place sets them), so its handler function reads them from the node.
import { type Atom, type Binder, type Rep, repOf } from "../ir/boxed.js";
import { type SComp, type SHandlerFn, type ScheduledProgram, scheduledKit } from "../ir/scheduled.js";
import { type Instr, I } from "../ir/wasm.js";
import { boxInstr, i32, lget, lset, unboxInstr, valtype } from "./codegen-reps.js";
import type { ModuleBuilder } from "./codegen-module.js";
import type { Values } from "./codegen-values.js";

const NODE = "$Node";
/** handlers of an operation whose nodes a `do` tests for before walking the chain */
const DIRECT_CANDIDATES = 2;
/** the most computation nodes in the clauses a `do` gets its own copy of */
const COPY_LIMIT = 40;

export class Evidence {
  /** operations some handler runs in place */
  readonly ops: Set<string>;
  /** copies of in-place clause functions, one per `do` calling it directly (binaryen inlines a function called once) */
  readonly copies: { h: SHandlerFn; op: string; name: string }[] = [];
  private shallows = 0;
  /**
   * The handled computations' functions (a deep `handle`'s thunk: cont.new starts it, under its
   * handler only) → that handler: all through such a function, its handler's node is the
   * innermost (a suspension puts `$node` back), so its in-place `do`s need no test.
   */
  private readonly thunkHandler = new Map<string, string>();

  private constructor(private readonly m: ModuleBuilder, private readonly values: Values, readonly handlers: Map<string, SHandlerFn>, prog: ScheduledProgram) {
    this.ops = new Set([...handlers.values()].flatMap((h) => h.ops.filter((o) => o.inPlace).map((o) => o.op)));
    // (a thunk started anywhere else too, by a shallow handle or a spawn, is left out)
    const started = new Map<string, number>();
    const visit = (c: SComp) => scheduledKit.everyComp(c, (x) => {
      const t = x.tag === "HandleCall" || x.tag === "ShallowHandle" || x.tag === "Spawn" || x.tag === "Schedule" ? x.thunk.fn : undefined;
      if (t !== undefined) started.set(t, (started.get(t) ?? 0) + 1);
      if (x.tag === "HandleCall") this.thunkHandler.set(x.thunk.fn, x.handler);
    });
    prog.functions.forEach((f) => visit(f.body));
    prog.handlers.forEach((h) => { h.ops.forEach((o) => visit(o.body)); visit(h.ret.body); });
    visit(prog.main);
    for (const [fn] of this.thunkHandler) if (started.get(fn) !== 1) this.thunkHandler.delete(fn);
  }

  /** The chain for program p, or undefined when no clause of p runs in place. */
  static of(m: ModuleBuilder, values: Values, prog: ScheduledProgram): Evidence | undefined {
    if (!prog.handlers.some((h) => h.ops.some((o) => o.inPlace))) return undefined;
    return new Evidence(m, values, new Map(prog.handlers.map((h) => [h.name, h])), prog);
  }

  /** The handler whose node is the innermost all through function `fn`, when known (FnCtx.knownHandler). */
  knownHandler(fn: string): string | undefined {
    return this.thunkHandler.get(fn);
  }

  /** Handler h has clauses in place: its node holds its free variables and parameters. */
  inPlace(h: SHandlerFn): boolean {
    return h.ops.some((o) => o.inPlace);
  }

  /** The Wasm type of h's node: `$N:h`, or $Node. */
  nodeType(h: SHandlerFn): string {
    if (!this.inPlace(h)) return NODE;
    const name = `$N:${h.name}`;
    const free = h.free.flatMap((q) => { const t = valtype(q.rep); return t ? [` (field ${t})`] : []; }).join("");
    const params = h.params.map((q) => ` (field (mut ${valtype(paramRep(q))}))`).join("");
    this.m.types.add(`(type ${name} (sub final ${NODE} (struct (field (mut (ref null ${NODE}))) (field (mut (ref $Desc)))${free}${params})))`);
    return name;
  }

  /** A new node for h (its `outer` is set when the handler function starts): free variables in their own representations, parameters boxed. */
  newNode(h: SHandlerFn, free: Atom[], params: Atom[]): Instr {
    const t = this.nodeType(h);
    if (t === NODE) return I("struct.new", [NODE], I("ref.null", [NODE]), this.desc(h));
    return I("struct.new", [t], I("ref.null", [NODE]), this.desc(h), ...free.flatMap((a) => this.values.push(a)),
      ...params.map((a, j) => unboxInstr(paramRep(h.params[j]!), this.values.boxed(a))!));
  }

  /** The index of h's parameter j in its node. */
  private paramField(h: SHandlerFn, j: number): number {
    return 2 + h.free.filter((q) => valtype(q.rep)).length + j;
  }

  /** Locals for h's free variables, from its node. */
  loadFree(h: SHandlerFn, node: Instr): Instr[] {
    let i = 2;
    return h.free.flatMap((q) => {
      this.m.ctx.local(q.name, q.rep);
      return valtype(q.rep) ? [lset(q.name, I("struct.get", [this.nodeType(h), i++], node))] : [];
    });
  }
  /** Locals for h's parameters, from its node. */
  loadParams(h: SHandlerFn, node: Instr): Instr[] {
    return h.params.flatMap((q, j) => {
      this.m.ctx.local(q.name, q.rep);
      const r = paramRep(q);
      const u = unboxInstr(q.rep, boxInstr(r, I("struct.get", [this.nodeType(h), this.paramField(h, j)], node)));
      return u && q.rep !== "unit" ? [lset(q.name, u)] : [];
    });
  }
  /** Set h's parameters in its node to `vs` (boxed values). */
  storeParams(h: SHandlerFn, node: Instr, vs: Instr[]): Instr[] {
    return vs.map((v, j) => I("struct.set", [this.nodeType(h), this.paramField(h, j)], node, unboxInstr(paramRep(h.params[j]!), v)!));
  }
  /** Set h's parameters in its node to the atoms `as` (boxed), but for those that are the parameter itself (`k(s, s)`). */
  storeParamAtoms(h: SHandlerFn, node: Instr, as: Atom[]): Instr[] {
    return as.flatMap((a, j) => (a.tag === "Var" && a.name === h.params[j]!.name ? [] : [
      I("struct.set", [this.nodeType(h), this.paramField(h, j)], node, unboxInstr(paramRep(h.params[j]!), this.values.atom(a))!)]));
  }

  /** h's description: its operations and, for each, its in-place clause function or null. */
  private desc(h: SHandlerFn): Instr {
    const ops = [...new Set(h.ops.map((o) => o.op))];
    const fns = ops.map((op) => (h.ops.some((o) => o.op === op && o.inPlace) ? this.fnRef(this.inPlaceName(h, op)) : "(ref.null $IPFn)"));
    return this.descGlobal(`desc:${h.name}`, `${h.name}$desc`, ops, fns);
  }
  /** A shallow handler's description: its operations, none in place. */
  shallowDesc(ops: string[]): Instr {
    const ids = [...new Set(ops)].sort();
    return this.descGlobal(`desc:shallow:${ids.join(",")}`, `shallow$desc${this.shallows++}`, ids, ids.map(() => "(ref.null $IPFn)"));
  }
  private descGlobal(key: string, name: string, ops: string[], fns: string[]): Instr {
    return this.m.global(key, name, (g) => `(global $${g} (ref $Desc) (struct.new $Desc (array.new_fixed $EvOps ${ops.length}${ops.map((o) => ` (i32.const ${this.m.opId(o)})`).join("")}) (array.new_fixed $IPFns ${fns.length}${fns.map((f) => ` ${f}`).join("")})))`);
  }
  private fnRef(name: string): string {
    this.m.declared.add(name);
    return `(ref.func $${name})`;
  }
  /** The function running h's clauses of op in place. */
  inPlaceName(h: SHandlerFn, op: string): string {
    return `${h.name}$ip${this.m.opId(op)}`;
  }

  /** The function a `do` calls for h's clauses of op: a copy of its own when they are small, else the shared one. */
  private copy(h: SHandlerFn, op: string): string {
    let size = 0;
    for (const o of h.ops) if (o.op === op) scheduledKit.everyComp(o.body, () => { size++; });
    if (size > COPY_LIMIT) return this.inPlaceName(h, op);
    const name = `${this.inPlaceName(h, op)}$${this.copies.length}`;
    this.copies.push({ h, op, name });
    return name;
  }

  /** A handler starts running its computation: its node's `outer` is the current node, and the node the current one. */
  enter(node: Instr): Instr[] {
    return [I("struct.set", [NODE, 0], node, I("global.get", ["$node"])), I("global.set", ["$node"], node)];
  }
  /** A suspension or the computation's value came back to the handler of `node`: the current node is its `outer` again. */
  leave(node: Instr): Instr {
    return I("global.set", ["$node"], I("struct.get", [NODE, 0], node));
  }

  /** A shallow handler's node once its continuation is resumed (it handles nothing any more), for a resumption from `$node`. */
  gone(node: Instr): Instr[] {
    return [I("struct.set", [NODE, 1], node, I("global.get", ["$desc_none"])), I("struct.set", [NODE, 0], node, I("global.get", ["$node"]))];
  }

  /**
   * The innermost node as h's node type, for a `do`; when it is not one of h's, a branch to `miss`.
   * In a function whose innermost node is stable (FnCtx.stableNode) the test is made once, at the
   * start, into a local (null: not h's), and each `do` tests that for null.
   */
  private innermostIs(h: SHandlerFn, miss: string): Instr {
    const ctx = this.m.ctx, t = this.nodeType(h);
    const test = (onHit: string) => I("br_on_cast", [onHit, `(ref null ${NODE})`, `(ref ${t})`], I("global.get", ["$node"]));
    if (!ctx.stableNode) {
      const hit = ctx.label("is");
      return I("block", [hit, `(result (ref ${t}))`], I("drop", [], test(hit)), I("br", [miss]));
    }
    let local = ctx.nodeAs.get(h.name)?.node;
    if (local === undefined) {
      local = ctx.tempOf(`(ref null ${t})`);
      ctx.nodeAs.set(h.name, { node: local });
      const hit = ctx.label("is");
      ctx.prologue.push(lset(local, I("block", [hit, `(result (ref null ${t}))`], I("drop", [], test(hit)), I("ref.null", ["none"]))));
    }
    return I("br_on_null", [miss], lget(local));
  }

  /** `suspend` code `s`, saving the current node and putting it back once resumed: its value on the stack. */
  suspend(s: Instr): Instr[] {
    const saved = this.m.ctx.tempOf(`(ref null ${NODE})`);
    const r = this.m.ctx.temp("eq");
    return [lset(saved, I("global.get", ["$node"])), lset(r, s), I("global.set", ["$node"], lget(saved)), lget(r)];
  }

  /**
   * `do op(args)`: in place when the innermost handler of op runs it so, else suspension `s`: its
   * value on the stack, unboxed to `rep` when given (on each path: a box the in-place clause
   * makes meets its unboxing after inlining, and binaryen removes the pair).
   */
  perform(op: string, args: Atom[], s: (arg?: Instr) => Instr, rep: Rep = "eq"): Instr[] {
    const un = (v: Instr) => unboxInstr(rep, v)!;
    if (!this.ops.has(op)) return [I("block", ["(result eqref)"], ...this.suspend(s()))];
    const r = this.m.ctx.temp("eq");
    const pack = (vs: Instr[]) => (vs.length === 0 ? I("ref.null", ["none"]) : vs.length === 1 ? vs[0]! : I("array.new_fixed", ["$Env", vs.length], ...vs));
    // on the direct call's path an argument that is a box is made again there: after inlining,
    // its unboxing in the clause meets it and binaryen removes both (and the first box is then
    // only needed on the other paths)
    const boxed = (x: Atom) => { const b = x.tag === "Var" ? this.m.ctx.boxes.get(x.name) : undefined; return b ? boxInstr(b.from, b.from === "unit" ? undefined : this.values.atom(b.atom)) : this.values.atom(x); };
    const fast = pack(args.map(boxed));
    // the innermost handler is known, and runs op in place: its clause, and nothing else
    const known = this.m.ctx.knownHandler === undefined ? undefined : this.handlers.get(this.m.ctx.knownHandler);
    if (known?.ops.some((o) => o.op === op && o.inPlace))
      return [un(I("call", [`$${this.copy(known, op)}`], I("ref.cast", [`(ref ${this.nodeType(known)})`], I("global.get", ["$node"])), fast))];
    const packed = this.m.ctx.temp("eq");
    // first, when the innermost node is a handler of op in place (one of the few that have such
    // a clause), a direct call of its clause (binaryen can inline it); else the walk
    // (a node of the type of an in-place handler's is one of that handler's: a deep handler's
    // description never changes, and a shallow handler's node is a plain $Node)
    const ctx = this.m.ctx;
    const done = ctx.label("performed");
    const direct = [...this.handlers.values()].filter((h) => h.ops.some((o) => o.op === op && o.inPlace)).slice(0, DIRECT_CANDIDATES).map((h) => {
      const miss = ctx.label("other");
      return I("block", [miss], I("br", [done], un(I("call", [`$${this.copy(h, op)}`], this.innermostIs(h, miss), fast))));
    });
    // the other paths: the walk, then the suspension, with the arguments made once
    const one = args.length === 1;
    return [I("block", [done, `(result ${valtype(rep)})`],
      ...direct,
      lset(packed, pack(args.map((x) => this.values.atom(x)))),
      lset(r, I("call", ["$ev_perform"], i32(this.m.opId(op)), lget(packed))),
      I("if", [], I("ref.eq", [], lget(r), I("global.get", ["$general"])), I("then", [], lset(r, I("block", ["(result eqref)"], ...this.suspend(one ? s(lget(packed)) : s()))))),
      un(lget(r)))];
  }
}

/**
 * How a handler parameter is held in its node: unboxed when its type says (an Int parameter is an
 * i64 field: setting it in place allocates nothing), else eq. (A unit parameter is held boxed.)
 */
function paramRep(q: Binder): Rep {
  const r = repOf(q.type);
  return r === "unit" ? "eq" : r;
}
