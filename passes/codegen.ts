// codegen: Scheduled → WasmIR
// Example: `fun loop(i, acc) { if (i == 0) acc else loop(i - 1, acc + 1) }` ⇒
//   (func $loop (param $i i64) (param $acc i64) (result i64)
//     (loop $self0 (result i64)
//       (if (result i64) (i64.eq (local.get $i) (i64.const 0)) (then (local.get $acc))
//         (else (local.set $t_1 (call $int_wrap63 (i64.sub …))) (local.set $t_2 (call $int_wrap63 (i64.add …)))
//           (block (result i64) (local.set $i (local.get $t_1)) (local.set $acc (local.get $t_2)) (br $self0))))))
// Needs: Scheduled (Boxed with handlers extracted, their parameters threaded, processes as thunks: every
// binder and atom has a representation, coercions explicit) and the runtime
// (runtime-wat/runtime.wat and its parts, layout in docs/wasm-data-layout.md). Guarantees: a WasmIR module
// whose `main` export runs the program and prints its output, then `VALUE : TYPE`; every
// function has a specialised entry (unboxed where the types allow) and, when used as a value, a
// generic entry `$f$gen` taking the closure and boxed arguments; calls in tail position are
// `return_call` / `return_call_ref`, but a function's calls to itself, which branch back to a
// loop around its body (codegen-tail-loop.ts). Effect handlers use WasmFX (cont.new / cont.bind / resume /
// suspend / resume_throw; see codegen-wasmfx.ts and docs/effect-handlers-wasmfx.md); actors
// run under runtime-wat/scheduler.wat, the pieces of the program's scheduler level
// (codegen-actors.ts, docs/actors.md).
import { type SComp, type ScheduledProgram, scheduledKit } from "../ir/scheduled.js";
import type { PrimitiveReps } from "./box-poly.js";
import type { WasmModule } from "../ir/wasm.js";
import { ModuleBuilder, directConvention, nodeLabels, runtimeWat } from "./codegen-module.js";
import { Values } from "./codegen-values.js";
import { Patterns } from "./codegen-patterns.js";
import { Show } from "./codegen-show.js";
import { Direct } from "./codegen-direct.js";
import { WasmFX } from "./codegen-wasmfx.js";
import { Evidence } from "./codegen-evidence.js";

// The parts, one file each: codegen-reps (representations, instruction helpers),
// codegen-module (the module's interned state and assembly, a function's locals),
// codegen-tail-loop (self tail calls as loops, when a function is assembled),
// codegen-values (atoms, values, records, closures), codegen-prims (primitives),
// codegen-patterns (matching), codegen-show (main and result printing), codegen-direct
// (functions, computations, let-forms, calls), codegen-wasmfx (effect handlers),
// codegen-actors (processes and the scheduler).

/** `prims`: the primitives' representations (box-poly's, from their Links types). */
export function codegen(p: ScheduledProgram, prims: PrimitiveReps): WasmModule {
  const m = new ModuleBuilder(directConvention);
  for (const f of p.functions) m.fns.set(f.name, f);
  const values = new Values(m, prims);
  const patterns = new Patterns(m, values, p.patReps);
  // the chain of handlers, when some clause runs in place (tail-resume)
  const ev = Evidence.of(m, values, p);
  const fx: WasmFX = new WasmFX(m, values, patterns, (c, rep, tail) => direct.comp(c, rep, tail), p.scheduler, new Set(p.topOps), ev);
  const direct: Direct = new Direct(m, values, patterns, fx);

  m.internLabels(p.resultType, (value, pat) => {
    const comp = (c: SComp) => scheduledKit.everyComp(c, (x) => nodeLabels(x, value, pat));
    p.functions.forEach((f) => comp(f.body));
    p.handlers.forEach((h) => {
      h.ops.forEach((o) => { o.args.forEach(pat); comp(o.body); });
      pat(h.ret.pat);
      comp(h.ret.body);
    });
    comp(p.main);
  });
  for (const f of p.functions) m.funcs.push(direct.fn(f));
  for (const h of p.handlers) {
    m.funcs.push(fx.handlerFn(h));
    if (h.ops.some((o) => !o.direct)) m.funcs.push(fx.resumeEntry(h));
    if (ev?.inPlace(h)) for (const op of new Set(h.ops.filter((o) => o.inPlace).map((o) => o.op))) m.funcs.push(fx.inPlaceFn(h, op, ev.inPlaceName(h, op)));
  }
  m.funcs.push(new Show(m).main(p.resultType, (rep) => fx.topLevel(rep, p.topOps ?? [], (r) => fx.actors.main(direct.comp(p.main, r, false))), p.typeSyntax));
  // the copies of in-place clauses that `do`s call directly (every `do` is compiled by now)
  ev?.copies.forEach((c, i) => m.funcs.push({ ...fx.inPlaceFn(c.h, c.op, c.name, i), inPlaceCopy: true }));
  if (p.topOps?.length) m.funcs.push(m.unhandledAt());
  m.funcs.push(...m.tables(fx.usesContBox));
  // the functions cont.new starts are known once every handle site is compiled
  for (const w of m.funcs) w.type ??= fx.thunkFnTypes.get(w.name);
  fx.actors.finish(m.funcs);
  const module = m.assemble(runtimeWat("runtime") + fx.actors.runtime("\n" + runtimeWat("scheduler")) + (ev ? "\n" + runtimeWat("evidence") : ""));
  return p.scheduler ? { ...module, ...fx.actors.moduleFlags() } : module;
}
