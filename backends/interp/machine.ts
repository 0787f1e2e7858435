// The reference interpreter: a CEK-style abstract machine over typed Core.
//
// Control is either an expression to evaluate (in an environment) or a value to return to the
// top frame of the continuation. The continuation is an immutable linked list of frames, so
// object-language calls never use the JS stack, and a captured continuation (the frames between
// a `do` and its handler) can be resumed any number of times: resumption copies the frames onto
// the current continuation. Processes (actors) each own a continuation and a mailbox; a
// round-robin scheduler runs them in slices of machine steps from a FIFO ready queue. Scheduling
// is O(1) per slice and per message (ready queue and mailboxes are `Queue`s, live angels are
// counted, finished processes are dropped from the id table), and the deadline is checked every
// 65536 steps counted across all slices, so `--timeout` holds however many processes there are.
import { CompileError, PRELUDE_FILE, type Span } from "../../ir/common.js";
import type { CExpr, CPat, Clause, CoreProgram, OpClause } from "../../ir/core.js";
import {
  CharV, Closure, ConsV, ContV, Env, NIL, PrimV, ProcessV, RecordV, RuntimeError, UNIT, type Value, VariantV,
} from "./values.js";
import { primitiveImpl } from "./primitives.js";

type Handle = Extract<CExpr, { tag: "Handle" }>;
/** A variable occurrence, with the interpreter's cache of its lexical address (see `lookup`). */
type VarNode = Extract<CExpr, { tag: "Var" }> & { depth?: number; prim?: PrimV };

type Frame =
  /** evaluating exprs[i]; vals holds the values of exprs[0..i) */
  | { t: "Seq"; node: CExpr; exprs: CExpr[]; i: number; vals: Value[]; env: Env | undefined }
  | { t: "Let"; name: string; body: CExpr; env: Env | undefined }
  | { t: "If"; then: CExpr; else: CExpr; env: Env | undefined }
  | { t: "Case"; clauses: Clause[]; env: Env | undefined; span: CExpr["span"] }
  | { t: "Handler"; node: Handle; env: Env | undefined; params: Value[] }
  | { t: "Proc" }; // bottom of a process

/** `d`: how many frames deep (the bottom one is 1), for the stack-overflow limit. */
interface Kont { f: Frame; next: Kont | undefined; d: number }

/**
 * The most frames a continuation may have: past it a push is a "stack overflow" runtime error at
 * the expression that pushed, rather than the JS heap running out (each frame is ~150 bytes;
 * 1,000,000-deep `1 + f(n - 1)` needs ~1,000,000).
 */
export const MAX_FRAMES = 4_000_000;

/**
 * A runtime error without a location (a primitive's: `hd([])`, `1 / 0`) located at the call, or,
 * when the call is the prelude's, at the innermost frame of the program's own code that says where,
 * or else at the program's last call.
 */
function located(e: unknown, span: Span, k: Kont | undefined, lastCall: Span | undefined): unknown {
  if (!(e instanceof CompileError) || e.kind !== "runtime" || e.span) return e;
  let at: Span | undefined = span.file === PRELUDE_FILE ? undefined : span;
  for (let x = k; !at && x; x = x.next) {
    const f = x.f;
    const s = f.t === "Seq" ? f.exprs[f.i]!.span : f.t === "Case" ? f.span : f.t === "Handler" ? f.node.span : undefined;
    if (s && s.file !== PRELUDE_FILE) at = s;
  }
  // a tail call into the prelude leaves no frame of the program's: its last call made
  at ??= lastCall;
  return at ? new CompileError("runtime", e.message, at) : e;
}

/** `f` pushed on `next`; `span`: where, for the error when the continuation is too deep. */
function push(f: Frame, next: Kont | undefined, span: Span | undefined): Kont {
  const d = (next?.d ?? 0) + 1;
  if (d > MAX_FRAMES) throw new CompileError("runtime", "stack overflow", span);
  return { f, next, d };
}

interface Proc {
  id: number;
  // suspended machine state
  c: CExpr | undefined;
  env: Env | undefined;
  v: Value;
  k: Kont | undefined;
  mailbox: Queue<Value>;
  /** why the process cannot run: waiting for a message, or for a spawnWait child */
  blocked: false | "message" | "child";
  done: boolean;
  result: Value;
  angel: boolean;
  waiter: Proc | undefined; // a spawnWait parent
}

export interface RunOptions {
  out: (s: string) => void;
  /** Abort with a runtime error after this wall-clock time (ms since epoch). */
  deadline?: number;
  /** Machine steps a process runs before the scheduler switches (when there are several). */
  slice?: number;
  /** called when a variable's precomputed address (resolve.ts) does not hold it (tests: never) */
  onAddressMiss?: (name: string) => void;
}

/**
 * A FIFO queue with O(1) push and (amortised) shift: an array and the index of its head. The
 * consumed prefix is cut off when it is at least half of the array (and the array is reset when
 * it empties), so the cost of the copy is paid for by the shifts before it.
 */
export class Queue<T> {
  private items: (T | undefined)[] = [];
  private head = 0;
  get length(): number { return this.items.length - this.head; }
  push(x: T): void { this.items.push(x); }
  shift(): T | undefined {
    if (this.head === this.items.length) return undefined;
    const x = this.items[this.head];
    this.items[this.head++] = undefined; // let the element be collected
    if (this.head === this.items.length) { this.items.length = 0; this.head = 0; }
    else if (this.head >= 1024 && 2 * this.head >= this.items.length) { this.items = this.items.slice(this.head); this.head = 0; }
    return x;
  }
}

export function runCore(p: CoreProgram, opts: RunOptions): Value {
  return new Machine(opts).run(p.body);
}

const litValue = (e: Extract<CExpr, { tag: "Lit" }>): Value =>
  e.lit.kind === "Char" ? new CharV(e.lit.value) : e.lit.value;

export class Machine {
  /** the unfinished processes by id (a finished one's entry is cleared: messages to it are dropped) */
  private procs: (Proc | undefined)[] = [];
  private ready = new Queue<Proc>();
  private nextId = 0;
  /** the next `gensym()` */
  private gensyms = 0;
  /** angels spawned and not yet finished: the program ends when main is done and this is 0 */
  private liveAngels = 0;
  /** machine steps taken by all processes, modulo 2^16 (the deadline is checked when it wraps) */
  private clock = 0;
  constructor(readonly opts: RunOptions) {}

  private newProc(c: CExpr, env: Env | undefined): Proc {
    const p: Proc = {
      id: this.nextId++, c, env, v: UNIT, k: { f: { t: "Proc" }, next: undefined, d: 1 },
      mailbox: new Queue(), blocked: false, done: false, result: UNIT, angel: false, waiter: undefined,
    };
    this.procs.push(p);
    this.ready.push(p);
    return p;
  }

  run(body: CExpr): Value {
    const main = this.newProc(body, undefined);
    const slice = this.opts.slice ?? 20000;
    for (let p = this.ready.shift(); p !== undefined; p = this.ready.shift()) {
      if (p.done || p.blocked) continue;
      // no time slicing while main is the only process ever spawned
      const budget = this.ready.length === 0 && this.nextId === 1 ? Infinity : slice;
      this.clock = (this.clock + this.step(p, budget)) & 0xffff;
      if (!p.done && !p.blocked) this.ready.push(p);
      if (main.done && this.liveAngels === 0) return main.result;
    }
    if (main.done) return main.result;
    throw new RuntimeError("deadlock: every process is waiting for a message");
  }

  /**
   * Variable lookup. Every binder pushes exactly one Env node in a fixed order, so a variable
   * occurrence always sits at the same depth: resolve.ts computes it before the run (and a lookup
   * that finds no address searches by name once and caches the depth, or the primitive); the
   * binding that far up is found through the Env's jump pointers.
   */
  private lookup(node: VarNode, env: Env | undefined): Value {
    const depth = node.depth;
    if (depth === -1) return (node.prim ??= new PrimV(node.name, primitiveImpl(node.name)));
    if (depth !== undefined) {
      if (env && env.depth >= depth) {
        const e = depth === 0 ? env : depth === 1 ? env.next! : env.up(depth);
        if (e.name === node.name) return e.value;
      }
      // an address that does not hold the name (resolve.ts disagreed with the machine): search
      node.depth = undefined;
      this.opts.onAddressMiss?.(node.name);
    }
    if (node.prim) return node.prim;
    let d = 0;
    for (let e = env; e; e = e.next, d++) {
      if (e.name === node.name) {
        node.depth = d;
        return e.value;
      }
    }
    return (node.prim = new PrimV(node.name, primitiveImpl(node.name)));
  }

  /** The value of an expression that needs no machine step (a literal, variable or lambda). */
  private atom(e: CExpr, env: Env | undefined): Value | undefined {
    switch (e.tag) {
      case "Lit": return litValue(e);
      case "Var": return this.lookup(e, env);
      case "Lam": return new Closure(e, env);
      case "Nil": return NIL;
      default: return undefined;
    }
  }

  /**
   * Run process `p` for up to `budget` steps; returns the steps taken. The deadline is checked
   * whenever the machine-wide step count (`clock` + n) reaches a multiple of 2^16, so short
   * slices of many processes are counted together.
   */
  private step(p: Proc, budget: number): number {
    const slice = this.opts.slice ?? 20000;
    let c = p.c, env = p.env, v = p.v, k = p.k;
    const deadline = this.opts.deadline;
    const clock = this.clock;
    let n = 0;
    const save = () => { p.c = c; p.env = env; p.v = v; p.k = k; };
    for (;;) {
      if (n >= budget) { save(); return n; }
      if (((clock + ++n) & 0xffff) === 0 && deadline !== undefined && Date.now() > deadline) throw new RuntimeError("timeout");
      if (c !== undefined) {
        // ---------------------------------------------------------- evaluate c
        const e: CExpr = c;
        switch (e.tag) {
          case "Lit": v = litValue(e); c = undefined; break;
          case "Var": v = this.lookup(e, env); c = undefined; break;
          case "Lam": v = new Closure(e, env); c = undefined; break;
          case "Nil": v = NIL; c = undefined; break;
          case "Let": k = push({ t: "Let", name: e.name, body: e.body, env }, k, e.span); c = e.rhs; break;
          case "LetRec": {
            let env2 = env;
            for (const b of e.binds) env2 = new Env(b.name, UNIT, env2);
            for (let x = env2, i = e.binds.length - 1; i >= 0; i--, x = x!.next) x!.value = new Closure(e.binds[i]!.fn, env2);
            env = env2;
            c = e.body;
            break;
          }
          case "If": k = push({ t: "If", then: e.then, else: e.else, env }, k, e.span); c = e.cond; break;
          case "Case": k = push({ t: "Case", clauses: e.clauses, env, span: e.span }, k, e.span); c = e.scrutinee; break;
          case "Annot": c = e.expr; break;
          case "App": c = this.seq(e, [e.fn, ...e.args]); break;
          case "Con": if (e.arg) c = this.seq(e, [e.arg]); else { v = new VariantV(e.name, undefined); c = undefined; } break;
          case "Record": c = this.seq(e, e.ext ? [...e.fields.map(([, x]) => x), e.ext] : e.fields.map(([, x]) => x)); break;
          case "Update": c = this.seq(e, [e.record, ...e.fields.map(([, x]) => x)]); break;
          case "Proj": c = this.seq(e, [e.expr]); break;
          case "Cons": c = this.seq(e, [e.head, e.tail]); break;
          case "Do": c = this.seq(e, e.args); break;
          case "Handle": c = this.seq(e, e.params.map((q) => q.init)); break;
          case "Spawn": {
            const child = this.newProc(e.body, env);
            // main alone ran without slicing: from its first spawn on, it shares the machine
            if (budget === Infinity) budget = n + slice;
            if (e.kind === "spawnAngel") { child.angel = true; this.liveAngels++; }
            if (e.kind === "spawnWait") {
              child.waiter = p;
              p.blocked = "child";
              c = undefined; // the child's result is delivered as v when it finishes
              save();
              return n;
            }
            v = new ProcessV(child.id);
            c = undefined;
            break;
          }
          case "Receive": {
            if (p.mailbox.length === 0) { p.blocked = "message"; save(); return n; }
            const msg = p.mailbox.shift()!;
            const r = this.matchClauses(e.clauses, msg, env, e.span);
            c = r.body; env = r.env;
            break;
          }
        }
        if (this.pendingSeq) {
          // a Seq frame was requested: push it and evaluate its first expression
          const s = this.pendingSeq;
          this.pendingSeq = undefined;
          const vals: Value[] = [];
          let i = 0;
          for (; i < s.exprs.length; i++) {
            const a = this.atom(s.exprs[i]!, env);
            if (a === undefined) break;
            vals.push(a);
          }
          if (i === s.exprs.length) { c = undefined; ({ c, env, v, k } = this.finish(s.node, vals, env, k, p)); if (p.blocked) { save(); return n; } }
          else { k = push({ t: "Seq", node: s.node, exprs: s.exprs, i, vals, env }, k, s.exprs[i]!.span); c = s.exprs[i]; }
        }
        continue;
      }
      // ------------------------------------------------------------ return v to the top frame
      if (!k) throw new RuntimeError("internal: empty continuation");
      const f = k.f;
      k = k.next;
      switch (f.t) {
        case "Seq": {
          const vals = f.vals.concat([v]);
          let i = f.i + 1;
          for (; i < f.exprs.length; i++) {
            const a = this.atom(f.exprs[i]!, f.env);
            if (a === undefined) break;
            vals.push(a);
          }
          if (i < f.exprs.length) {
            k = push({ t: "Seq", node: f.node, exprs: f.exprs, i, vals, env: f.env }, k, f.exprs[i]!.span);
            c = f.exprs[i];
            env = f.env;
          } else {
            env = f.env;
            ({ c, env, v, k } = this.finish(f.node, vals, env, k, p));
            if (p.blocked) { save(); return n; }
          }
          break;
        }
        case "Let": env = new Env(f.name, v, f.env); c = f.body; break;
        case "If": env = f.env; c = v ? f.then : f.else; break;
        case "Case": { const r = this.matchClauses(f.clauses, v, f.env, f.span); c = r.body; env = r.env; break; }
        case "Handler": {
          let env2 = this.bindParams(f);
          const m = matchPat(f.node.ret.pat, v, env2);
          if (m === null) throw new RuntimeError("pattern match failure in a handler's return clause");
          env2 = m;
          env = env2;
          c = f.node.ret.body;
          break;
        }
        case "Proc": {
          p.done = true;
          p.result = v;
          this.procs[p.id] = undefined;
          if (p.angel) this.liveAngels--;
          if (p.waiter) { const w = p.waiter; w.blocked = false; w.v = v; w.c = undefined; this.ready.push(w); }
          return n;
        }
      }
    }
  }

  private pendingSeq: { node: CExpr; exprs: CExpr[] } | undefined;
  /** the last call the program's own code made (not the prelude's): where a prelude function's error is, when no frame says */
  private lastCall: Span | undefined;
  /** Ask the machine loop to evaluate `exprs` in order, then `finish(node, values)`. */
  private seq(node: CExpr, exprs: CExpr[]): undefined {
    this.pendingSeq = { node, exprs };
    return undefined;
  }

  private bindParams(f: Extract<Frame, { t: "Handler" }>): Env | undefined {
    let env = f.env;
    f.node.params.forEach((q, i) => (env = new Env(q.name, f.params[i]!, env)));
    return env;
  }

  private matchClauses(clauses: Clause[], v: Value, env: Env | undefined, span: CExpr["span"]): { body: CExpr; env: Env | undefined } {
    for (const cl of clauses) {
      const m = matchPat(cl.pat, v, env);
      if (m !== null) return { body: cl.body, env: m };
    }
    throw new CompileError("runtime", "pattern match failure", span);
  }

  /** All sub-expressions of `node` have been evaluated to `vals`: compute its result. */
  private finish(node: CExpr, vals: Value[], env: Env | undefined, k: Kont | undefined, p: Proc):
    { c: CExpr | undefined; env: Env | undefined; v: Value; k: Kont | undefined } {
    switch (node.tag) {
      case "App":
        if (node.span.file !== PRELUDE_FILE) this.lastCall = node.span;
        try {
          return this.apply(vals[0]!, vals.slice(1), env, k, p);
        } catch (e) {
          throw located(e, node.span, k, this.lastCall);
        }
      // `Foo(())` is the same value as `Foo`
      case "Con": return { c: undefined, env, v: new VariantV(node.name, vals[0] === UNIT || (vals[0] instanceof RecordV && vals[0].fields.size === 0) ? undefined : vals[0]), k };
      case "Record": {
        const m = new Map<string, Value>();
        if (node.ext) for (const [l, x] of (vals[vals.length - 1] as RecordV).fields) m.set(l, x);
        node.fields.forEach(([l], i) => m.set(l, vals[i]!));
        return { c: undefined, env, v: new RecordV(m), k };
      }
      case "Update": {
        const m = new Map((vals[0] as RecordV).fields);
        node.fields.forEach(([l], i) => m.set(l, vals[i + 1]!));
        return { c: undefined, env, v: new RecordV(m), k };
      }
      case "Proj": {
        const r = vals[0] as RecordV;
        const x = r.fields.get(node.label);
        if (x === undefined) throw new RuntimeError(`record has no field ${node.label}`);
        return { c: undefined, env, v: x, k };
      }
      case "Cons": return { c: undefined, env, v: new ConsV(vals[0]!, vals[1] as ConsV), k };
      case "Do": return this.perform(node.op, vals, k, node.span);
      case "Handle":
        return { c: node.body, env, v: UNIT, k: push({ t: "Handler", node, env, params: vals }, k, node.span) };
      default: throw new RuntimeError(`internal: unexpected ${node.tag} in finish`);
    }
  }

  private apply(fn: Value, args: Value[], env: Env | undefined, k: Kont | undefined, p: Proc):
    { c: CExpr | undefined; env: Env | undefined; v: Value; k: Kont | undefined } {
    if (fn instanceof Closure) {
      let env2 = fn.env;
      const ps = fn.lam.params;
      if (ps.length !== args.length) {
        // Links: a one-parameter function applied to n arguments receives them as a tuple
        if (ps.length === 1 && args.length !== 1) args = [args.length === 0 ? UNIT : new RecordV(new Map(args.map((a, i) => [String(i + 1), a])))];
        else throw new RuntimeError(`function of ${ps.length} parameters applied to ${args.length} arguments`);
      }
      for (let i = 0; i < ps.length; i++) env2 = new Env(ps[i]!, args[i]!, env2);
      return { c: fn.lam.body, env: env2, v: UNIT, k };
    }
    if (fn instanceof ContV) return this.resume(fn, args, env, k);
    if (fn instanceof PrimV) {
      if (fn.impl) return { c: undefined, env, v: fn.impl(args, this.opts.out), k };
      return this.primitive(fn.name, args, env, k, p);
    }
    throw new RuntimeError("application of a non-function");
  }

  private primitive(name: string, args: Value[], env: Env | undefined, k: Kont | undefined, p: Proc):
    { c: CExpr | undefined; env: Env | undefined; v: Value; k: Kont | undefined } {
    switch (name) {
      case "self": return { c: undefined, env, v: new ProcessV(p.id), k };
      case "recv": {
        if (p.mailbox.length === 0) {
          // block; re-apply recv when woken
          p.blocked = "message";
          const again: CExpr = { tag: "App", fn: { tag: "Var", name: "recv", span: noSpanOf() }, args: [], span: noSpanOf() };
          return { c: again, env, v: UNIT, k };
        }
        return { c: undefined, env, v: p.mailbox.shift()!, k };
      }
      case "send": {
        const target = this.procs[(args[0] as ProcessV).id];
        if (target !== undefined && !target.done) {
          target.mailbox.push(args[1]!);
          if (target.blocked === "message") { target.blocked = false; this.ready.push(target); }
        }
        return { c: undefined, env, v: UNIT, k };
      }
      case "yield": case "%tick": return { c: undefined, env, v: UNIT, k };
      case "gensym": return { c: undefined, env, v: BigInt(this.gensyms++), k };
      default: throw new RuntimeError(`unknown primitive ${name}`);
    }
  }

  /** `do op(args)`: capture the frames up to the nearest handler of `op` and run its clause. */
  private perform(op: string, args: Value[], k: Kont | undefined, span: CExpr["span"]):
    { c: CExpr | undefined; env: Env | undefined; v: Value; k: Kont | undefined } {
    const captured: Frame[] = [];
    for (let x = k; x; x = x.next) {
      const f = x.f;
      if (f.t === "Handler" && f.node.ops.some((o) => o.op === op)) {
        if (!f.node.shallow) captured.push(f);
        const cont = new ContV(captured, f.node.shallow, op);
        for (const clause of f.node.ops) {
          if (clause.op !== op) continue;
          const env = this.matchOp(clause, args, cont, f);
          if (env !== null) return { c: clause.body, env, v: UNIT, k: x.next };
        }
        throw new RuntimeError(`pattern match failure in the handler of ${op}`);
      }
      captured.push(f);
    }
    throw new CompileError("runtime", `unhandled operation: ${op}`, span);
  }

  private matchOp(clause: OpClause, args: Value[], cont: ContV, f: Extract<Frame, { t: "Handler" }>): Env | undefined | null {
    let env: Env | undefined | null = this.bindParams(f);
    if (clause.args.length !== args.length) {
      // `<Op(p)>` against `do Op(a, b)`, or `<Op(a, b)>` against `do Op((a, b))`
      if (clause.args.length === 1) args = [new RecordV(new Map(args.map((a, i) => [String(i + 1), a])))];
      else if (args.length === 1 && args[0] instanceof RecordV) args = clause.args.map((_, i) => (args[0] as RecordV).fields.get(String(i + 1))!);
      else return null;
    }
    for (let i = 0; i < args.length; i++) {
      env = matchPat(clause.args[i]!, args[i]!, env);
      if (env === null) return null;
    }
    if (clause.k) env = matchPat(clause.k, cont, env);
    return env;
  }

  /** Resume a continuation: copy its frames onto the current continuation and return the value. */
  private resume(cont: ContV, args: Value[], env: Env | undefined, k: Kont | undefined):
    { c: CExpr | undefined; env: Env | undefined; v: Value; k: Kont | undefined } {
    const frames = cont.frames as Frame[];
    for (let i = frames.length - 1; i >= 0; i--) {
      let f = frames[i]!;
      if (i === frames.length - 1 && f.t === "Handler" && !cont.shallow && args.length > 1) {
        f = { ...f, params: args.slice(1) };
      }
      k = push(f, k, undefined);
    }
    return { c: undefined, env, v: args.length === 0 ? UNIT : args[0]!, k };
  }
}

function noSpanOf(): CExpr["span"] {
  return { file: "<runtime>", line: 0, col: 0, endLine: 0, endCol: 0 };
}

/** Match `v` against `p`, extending `env`; null when it does not match. */
export function matchPat(p: CPat, v: Value, env: Env | undefined | null): Env | undefined | null {
  if (env === null) return null;
  switch (p.tag) {
    case "PAny": return env;
    case "PVar": return new Env(p.name, v, env);
    case "PLit": {
      const l = p.lit;
      if (l.kind === "Char") return v instanceof CharV && v.c === l.value ? env : null;
      return v === l.value ? env : null;
    }
    case "PCon":
      if (!(v instanceof VariantV) || v.name !== p.name) return null;
      if (!p.arg) return env;
      return matchPat(p.arg, v.arg ?? UNIT, env);
    case "PRecord": {
      if (!(v instanceof RecordV)) return null;
      let e: Env | undefined | null = env;
      for (const [l, q] of p.fields) {
        const x = v.fields.get(l);
        if (x === undefined) return null;
        e = matchPat(q, x, e);
        if (e === null) return null;
      }
      if (p.rest) {
        const m = new Map(v.fields);
        for (const [l] of p.fields) m.delete(l);
        e = matchPat(p.rest, new RecordV(m), e);
      }
      return e;
    }
    case "PNil": return v === NIL ? env : null;
    case "PCons":
      if (!(v instanceof ConsV)) return null;
      return matchPat(p.tail, v.tail, matchPat(p.head, v.head, env));
    case "PAs": { const e = matchPat(p.pat, v, env); return e === null ? null : new Env(p.name, v, e); }
    case "PAnnot": return matchPat(p.pat, v, env);
    case "PNeg": return v instanceof VariantV && !p.names.includes(v.name) ? env : null;
  }
}

