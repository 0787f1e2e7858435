// prefer-globals: Scheduled → Scheduled (research pass, off by default: --prefer-globals)
// Example: (scheduler several … (globals off) …)  ⇒  (scheduler several … (globals on) …)
// Without it, process code never reads the scheduler's state: `self()`, `spawn` and `send` each
// suspend to the scheduler, which does the work and resumes the process. With it, the active
// process and the run queue are globals that process code reads and writes: `self()` is a
// global read, `spawn` a cont.new and an enqueue, `send` a call — no suspension (Links' Wasm
// backend's `wasm_prefer_globals`). Only a process that must wait (recv on an empty mailbox,
// spawnWait) or yield still suspends. docs/actors.md has the measurements both ways.
// Needs: Scheduled. Guarantees: the same program with `scheduler.globals` on (no change at level none).
import type { ScheduledProgram } from "../ir/scheduled.js";

export function preferGlobals(p: ScheduledProgram): ScheduledProgram {
  return p.scheduler ? { ...p, scheduler: { ...p.scheduler, globals: true } } : p;
}
