// preempt: Boxed → Boxed (a preemption check at the entry of every function that calls)
// Example, when several processes may be runnable at once (detect-actors' level several or more):
//   (define (spin n:i64) … (tail (call spin m)))
//   ⇒ (define (spin n:i64) … (let-app tick%1:unit (%tick) (tail (call spin m))))
// `%tick` counts down a per-run budget; at zero the running process yields to the next ready
// one and the budget starts again (every PREEMPT_EVERY checks; Links' Wasm backend counts calls
// too, and yields every 100). Every infinite run makes infinitely many calls, and every call
// enters a function that calls (or returns from a leaf), so a process that never waits still
// yields. Leaf functions and main need no check. Levels below `several` have at most one
// runnable process: the pass changes nothing there.
// Needs: Boxed with `actors` (detect-actors). Guarantees: `actors.preempt` set when checks were
// inserted; the checks bind fresh unit variables.
import { type BoxedProgram, type Comp, type Fn, boxedKit, concurrent } from "../ir/boxed.js";
import { isPrimitiveCall } from "../ir/kit-check.js";
import { rowEmpty, tUnit } from "../ir/types.js";

/** Calls between two yields of a process that never waits (measured in bench: docs/actors.md). */
export const PREEMPT_EVERY = 100;

export function preempt(p: BoxedProgram): BoxedProgram {
  if (!p.actors || !concurrent(p.actors.level)) return p;
  let n = 0;
  const functions = p.functions.map((f): Fn => {
    if (!calls(f)) return f;
    const x = { name: `tick%${++n}`, type: tUnit, rep: "unit" as const };
    const fn = { tag: "Var" as const, name: "%tick", type: { tag: "Fun" as const, params: [], eff: rowEmpty, ret: tUnit }, rep: "closure" as const };
    return { ...f, body: { tag: "LetApp", x, fn, args: [], known: undefined, body: f.body } };
  });
  return { ...p, functions, actors: { ...p.actors, preempt: PREEMPT_EVERY } };
}

/** Does f call anything but primitives? */
function calls(f: Fn): boolean {
  const locals = boxedKit.boundNames(f.body, new Set([...f.params, ...f.captured].map((b) => b.name)));
  let found = false;
  boxedKit.everyComp(f.body, (c: Comp) => {
    if ((c.tag === "LetApp" || c.tag === "App") && (c.known || !isPrimitiveCall(c.fn, locals))) found = true;
  });
  return found;
}
