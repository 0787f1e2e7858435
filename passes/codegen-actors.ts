// codegen-actors: processes on WasmFX, for the wasmfx backend (codegen.ts, codegen-wasmfx.ts).
// The scheduler is runtime-wat/scheduler.wat (docs/actors.md); this part picks its pieces for
// the program's `scheduler` (synthesize-scheduler, prefer-globals, switch-opt) and compiles:
//   (schedule (thunk f))        call $schedule on f's process continuation
//   (spawn kind (thunk f a…))   a process continuation for f(a…), then $spawn_g (prefer-globals:
//                               a call) or $spawn_s (a suspension to the scheduler)
//   self(), send, recv(), yield(), %tick()   as the level and flags say (table in `call`)
// A process function's last parameter takes the continuation switched from (a $PCont, null
// unless switch-opt started it): its declared type says so, and under switch-opt its prologue
// files that continuation ($resumed).
import type { Atom } from "../ir/boxed.js";
import { concurrent } from "../ir/boxed.js";
import type { Scheduler, SComp } from "../ir/scheduled.js";
import { type Instr, I, type WasmFunc } from "../ir/wasm.js";
import { i32, lget, wasmName } from "./codegen-reps.js";
import type { ModuleBuilder } from "./codegen-module.js";
import type { Values } from "./codegen-values.js";
import type { Thunk } from "../ir/handlers.js";

const KIND = { spawn: 0, spawnAngel: 1, spawnWait: 2 } as const;

export class Actors {
  /** the Wasm names of the functions started as processes */
  readonly procFns = new Set<string>();
  private ticks = false;
  constructor(private readonly m: ModuleBuilder, private readonly values: Values, private readonly s: Scheduler | undefined,
    private readonly start: (t: Thunk, proc: boolean) => Instr) {}

  /** The runtime text this program needs after runtime.wat (none without processes). */
  runtime(text: string): string {
    if (!this.s) return "";
    return this.s.switch ? text.replace(";;SWITCH", "(on $switch_to switch)") : text;
  }

  comp(c: Extract<SComp, { tag: "Spawn" | "Schedule" }>): Instr[] {
    const k = this.proc(c.thunk);
    if (c.tag === "Schedule") return [I("call", ["$schedule"], k)];
    return [I("call", [this.s!.globals ? "$spawn_g" : "$spawn_s"], k, i32(KIND[c.kind]))];
  }

  /** A process primitive's call, or undefined for any other function. */
  call(name: string, args: Atom[]): Instr[] | undefined {
    const s = this.s;
    if (!s) return undefined;
    const alone = s.level === "mailbox";
    const direct = alone || s.globals;
    const a = () => args.map((x) => this.values.atom(x));
    switch (name) {
      case "self": return [direct ? I("global.get", ["$current"]) : I("call", ["$self_s"])];
      case "send": return [I("call", [direct ? "$send_to" : "$send_s"], ...a())];
      case "recv": return [I("call", [alone ? "$recv_alone" : s.globals ? "$recv_g" : "$recv_s"])];
      case "yield": return concurrent(s.level) ? [I("call", [this.yielder()])] : [];
      case "%tick": return s.preempt === undefined ? [] : [I("call", [this.tick(s.preempt)])];
      default: return undefined;
    }
  }

  /** Whether the module executes `switch` (Node 26 cannot run it). */
  moduleFlags(): { usesSwitch?: boolean } {
    return this.s?.switch ? { usesSwitch: true } : {};
  }

  /** Main's code: the mailbox for main alone is made first. */
  main(code: Instr[]): Instr[] {
    return this.s?.level === "mailbox" ? [I("call", ["$mailbox_init"]), ...code] : code;
  }

  /** Process functions take a $PCont last; under switch-opt they start by filing it. */
  finish(funcs: WasmFunc[]): void {
    for (const f of funcs) {
      if (!this.procFns.has(f.name)) continue;
      const last = f.params[f.params.length - 1]!;
      f.params[f.params.length - 1] = [last[0], "(ref null $PCont)"];
      if (this.s?.switch) f.body.unshift(I("drop", [], I("call", ["$resumed"], lget(last[0]))));
    }
  }

  private proc(t: Thunk): Instr {
    this.procFns.add(wasmName(t.fn));
    return this.start(t, true);
  }

  private yielder(): string {
    return this.s!.switch ? "$yield_switch" : this.s!.globals ? "$yield_g" : "$yield_s";
  }

  /**
   * `$tick`: count down `$fuel`; at zero, refill it and yield if another process is ready. (The
   * check reads the run queue in every mode, prefer-globals or not: a yield with nobody to yield
   * to would be a round trip to the scheduler for nothing.)
   */
  private tick(every: number): string {
    this.m.global("fuel", "fuel", (g) => `(global $${g} (mut i32) (i32.const ${every}))`);
    if (!this.ticks) {
      this.ticks = true;
      this.m.funcs.push({
        name: "tick", params: [], results: [], locals: [],
        body: [
          I("global.set", ["$fuel"], I("i32.sub", [], I("global.get", ["$fuel"]), i32(1))),
          I("if", [], I("i32.le_s", [], I("global.get", ["$fuel"]), i32(0)),
            I("then", [], I("global.set", ["$fuel"], i32(every)),
              I("if", [], I("i32.eqz", [], I("ref.is_null", [], I("global.get", ["$ready_first"]))), I("then", [], I("call", [this.yielder()]))))),
        ],
      });
    }
    return "$tick";
  }
}
