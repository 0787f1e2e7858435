// switch-opt: Scheduled → Scheduled (research pass, off by default: --yield-is-switch)
// Example: (scheduler several … (yield suspend))  ⇒  (scheduler several … (yield switch))
// A process that yields (preemption, `yield()`) normally suspends to the scheduler, which
// enqueues it and resumes the next ready process: two stack switches. With this pass it
// takes the next process itself and `switch`es to it: one stack switch; the process switched
// to files the switched-from continuation in the run queue (Links' `wasm_yield_is_switch`).
// Node 26's V8 has no `switch` (it aborts the process): the driver refuses such a module on
// --engine node and runs it on --engine deno. Levels with one runnable process never yield to
// another: the pass changes nothing there.
// Needs: Scheduled. Guarantees: `scheduler.switch` on iff several processes may be runnable.
import { concurrent } from "../ir/boxed.js";
import type { ScheduledProgram } from "../ir/scheduled.js";

export function switchOpt(p: ScheduledProgram): ScheduledProgram {
  return p.scheduler && concurrent(p.scheduler.level) ? { ...p, scheduler: { ...p.scheduler, switch: true } } : p;
}
