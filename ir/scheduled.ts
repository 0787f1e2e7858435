// Scheduled: ThreadedHandlers after `synthesize-scheduler` (the wasmfx backend's last language).
//
// A language diff against ThreadedHandlers (ir/handlers.ts):
//   - (spawn kind body)            is gone;
//   + (spawn kind (thunk f a…))   a new process running f(a…, null) as a continuation of its own
//                                 (f is a function made for it, like a handled computation's);
//   + (schedule (thunk f))        run the scheduler with f as the main process: its value is main's
// The program carries its `scheduler`: the level (detect-actors), the preemption budget (preempt),
// whether the active process and the run queue live in globals that process code reads
// (prefer-globals: self, spawn and send are calls, not suspensions) and whether a yield
// switches straight to the next process (switch-opt: `switch`, not suspend + resume).
import type { SExp } from "./common.js";
import * as K from "./kit.js";
import { type Atom, type FnOf, type Level, type ProgramOf, type Rep, printProgram, repStyle } from "./boxed.js";
import {
  type HandleCall, type HandlerFnOf, type ShallowHandle, type Thunk, type ThreadedL, checkHandlers, handlerToSExp, thunkS, threadedDef,
} from "./handlers.js";
import { PRIMITIVE_NAMES } from "./kit-check.js";

export interface SpawnThunk { tag: "Spawn"; kind: K.SpawnKind; thunk: Thunk; rep: Rep }
export interface Schedule { tag: "Schedule"; thunk: Thunk; rep: Rep }

type FromThreaded = Omit<ThreadedL, "add" | "drop">;
/** Scheduled as a diff of ThreadedHandlers: inline process bodies out, thunks and the scheduler in. */
export interface ScheduledL extends FromThreaded {
  add: HandleCall | ShallowHandle<ScheduledL> | SpawnThunk | Schedule;
  drop: "Handle" | "Spawn";
}
export type SComp = K.Comp<ScheduledL>;
export type SOpClause = K.OpClause<ScheduledL>;
export type SHandlerFn = HandlerFnOf<SOpClause, SComp>;

export interface Scheduler {
  level: Level;
  /** calls between preemption checks' yields; undefined: no preemption */
  preempt: number | undefined;
  /** prefer-globals: process code reads the active process and run queue from globals */
  globals: boolean;
  /** switch-opt: a yield is a `switch` to the next process */
  switch: boolean;
}
export type ScheduledProgram = ProgramOf<SComp> & { handlers: SHandlerFn[]; scheduler: Scheduler | undefined };

export const scheduledDef: K.LangDef = K.extend(threadedDef, "Scheduled", {
  drop: ["Spawn"],
  add: {
    Spawn: { children: () => [], map: (c) => c, atoms: (c) => c.thunk.args, print: (c, pr) => ["spawn", c.kind, thunkS(c.thunk, pr)] },
    Schedule: { children: () => [], map: (c) => c, atoms: (c) => c.thunk.args, print: (c, pr) => ["schedule", thunkS(c.thunk, pr)] },
  },
});
export const scheduledKit = K.kit<SComp, K.Value<ScheduledL>, Atom>(scheduledDef);

export const schedulerToSExp = (s: Scheduler): SExp => [
  "scheduler", s.level, ["preempt-every", s.preempt === undefined ? "never" : String(s.preempt)],
  ["globals", s.globals ? "on" : "off"], ["yield", s.switch ? "switch" : "suspend"],
];

export function printScheduled(p: ScheduledProgram): string {
  const pr = K.kit(scheduledDef).printer(repStyle(p.patReps));
  const extra = [...(p.scheduler ? [schedulerToSExp(p.scheduler)] : []), ...p.handlers.map((h) => handlerToSExp(h as never, pr))];
  return printProgram(scheduledDef, p as ProgramOf<K.Node, FnOf<K.Node>>, extra);
}

/**
 * ThreadedHandlers' checks, and: no inline process body is left; spawn and schedule
 * name existing functions; schedule only as main's scheduler, there iff the level needs one;
 * a switch only where the scheduler has several processes.
 */
export function validateScheduled(p: ScheduledProgram, primitives: ReadonlySet<string> = PRIMITIVE_NAMES): string[] {
  const fns = new Set(p.functions.map((f) => f.name));
  let schedules = 0;
  const errs = checkHandlers(scheduledDef, p as never, primitives, true, (c, err) => {
    if ((c.tag === "Spawn" || c.tag === "Schedule") && !fns.has(c.thunk.fn)) err(`${c.tag.toLowerCase()} of unknown function ${c.thunk.fn}`);
    if (c.tag === "Schedule") schedules++;
    if (c.tag === "Spawn" && (!p.scheduler || p.scheduler.level === "none" || p.scheduler.level === "mailbox")) err("a spawn, but the scheduler level has no processes");
  });
  const needs = p.scheduler !== undefined && p.scheduler.level !== "none" && p.scheduler.level !== "mailbox";
  if (needs && schedules !== 1) errs.push(`main: the scheduler level ${p.scheduler!.level} needs exactly one schedule, found ${schedules}`);
  if (!needs && schedules > 0) errs.push("main: a schedule, but the scheduler level needs none");
  if (p.scheduler?.switch && !needs) errs.push("yield by switch without a scheduler");
  return errs;
}
