// synthesize-scheduler: ThreadedHandlers → Scheduled
// Example (level several): main `var s = spawn { serve() }; …`
//   ⇒ (define (proc_3 proc_3%start:eq) (returns eq) … (call serve) …)
//      (define (main%proc main%proc%start:eq) (returns eq)
//        … (let-comp b:eq (spawn spawn (thunk proc_3))) …)
//      (main (let-comp main%result:eq (schedule (thunk main%proc))) …)
// A process body becomes a function of its free variables (and of one more parameter, which
// codegen types as the continuation switched from: codegen-actors.ts), as a handled computation
// does in extract-handlers: the code generator starts it with cont.new and the scheduler runs it
// as a continuation (`receive` is already `recv()` and a case: anf). From level `single` on,
// main's body becomes the main process and
// main runs the scheduler on it (runtime-wat/scheduler.wat, the pieces of this level only); at
// level `mailbox` main keeps running directly with a mailbox of its own, and at level `none`
// nothing changes and no scheduler code is emitted. prefer-globals and switch-opt (research
// passes) then change how process code talks to the scheduler.
// Needs: ThreadedHandlers with `actors` (detect-actors). Guarantees: Scheduled: no inline process
// body; one `schedule` in main iff the level has processes; `scheduler` set unless
// the level is none.
import { type Atom, type Binder, type FnOf, concurrent, repOf } from "../ir/boxed.js";
import { patVars } from "../ir/core.js";
import { type TComp, type ThreadedProgram, threadedKit, thunkFn } from "../ir/handlers.js";
import type { SComp, SHandlerFn, ScheduledProgram, Scheduler } from "../ir/scheduled.js";

export function synthesizeScheduler(p: ThreadedProgram): ScheduledProgram {
  return new Synthesizer(p).run();
}

const { freeAtoms, boundNames, translate, translateChain } = threadedKit;
const varOf = (b: Binder): Atom => ({ tag: "Var", name: b.name, type: b.type, rep: b.rep });

class Synthesizer {
  private functions: FnOf<SComp>[] = [];
  private n = 0;
  constructor(private readonly p: ThreadedProgram) {}

  run(): ScheduledProgram {
    const level = this.p.actors?.level ?? "none";
    const scheduler: Scheduler | undefined = level === "none" ? undefined
      : { level, preempt: concurrent(level) ? this.p.actors?.preempt : undefined, globals: false, switch: false };
    const unit = (body: TComp, params: string[]) => this.comp(body, boundNames(body, new Set(params)));
    for (const f of this.p.functions) this.functions.push({ ...f, body: unit(f.body, [...f.params, ...f.captured].map((b) => b.name)) });
    const handlers: SHandlerFn[] = this.p.handlers.map((h) => {
      const outer = [...h.free, ...h.params].map((b) => b.name);
      return {
        ...h,
        ops: h.ops.map((o) => ({ ...o, body: unit(o.body, [...outer, ...[...o.args, ...(o.k ? [o.k] : [])].flatMap((q) => patVars(q))]) })),
        ret: { ...h.ret, body: unit(h.ret.body, [...outer, ...patVars(h.ret.pat)]) },
      };
    });
    let main = unit(this.p.main, []);
    if (scheduler && scheduler.level !== "mailbox") main = this.mainProcess(main);
    return { ...this.p, functions: this.functions, handlers, main, scheduler };
  }

  private fresh(base: string): string {
    return `${base}_${++this.n}`;
  }

  /** Rewrite the process forms in c; `scope`: the names bound in its unit. */
  private comp(c: TComp, scope: ReadonlySet<string>): SComp {
    const go = (x: TComp) => this.comp(x, scope);
    return translateChain(c, go, (t): SComp => {
      if (t.tag !== "Spawn") return translate(t, go) as SComp;
      const free = [...freeAtoms(t.body).values()].flatMap((a) => (a.tag === "Var" && scope.has(a.name) ? [{ name: a.name, type: a.type, rep: a.rep }] : []));
      const fn = this.process(this.fresh("proc"), free, this.comp(t.body, scope));
      return { tag: "Spawn", kind: t.kind, thunk: { fn, args: free.map(varOf) }, rep: t.rep };
    });
  }

  /** A process's function (a thunk's: ir/handlers.ts' thunkFn); returns its name. */
  private process(name: string, free: Binder[], body: SComp): string {
    this.functions.push(thunkFn(name, free, body));
    return name;
  }

  /** Main's body as the main process (its value boxed), and main: the scheduler's value, unboxed. */
  private mainProcess(body: SComp): SComp {
    const rep = repOf(this.p.resultType);
    const r: Binder = { name: "main%value", rep, type: this.p.resultType };
    const boxed: Binder = { name: "main%boxed", rep: "eq", type: this.p.resultType };
    const procBody: SComp = rep === "eq" ? body
      : { tag: "LetComp", x: r, comp: body, body: { tag: "Let", x: boxed, value: { tag: "Box", from: rep, atom: varOf(r) }, body: { tag: "Return", atom: varOf(boxed) } } };
    const fn = this.process("main%proc", [], procBody);
    const v: Binder = { name: "main%result", rep: "eq", type: this.p.resultType };
    const u: Binder = { name: "main%unboxed", rep, type: this.p.resultType };
    const schedule: SComp = { tag: "Schedule", thunk: { fn, args: [] }, rep: "eq" };
    if (rep === "eq") return schedule;
    return { tag: "LetComp", x: v, comp: schedule, body: { tag: "Let", x: u, value: { tag: "Unbox", to: rep, atom: varOf(v) }, body: { tag: "Return", atom: varOf(u) } } };
  }
}

