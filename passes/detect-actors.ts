// detect-actors: Boxed → Boxed (the program gains `actors`: its scheduler level and why)
// Example: `var p = spawn { recv() }; p ! 1` in main
//   ⇒ (program (actors several (uses spawn@main send@main recv@main)) …)   code unchanged
// The process primitives a program uses decide how much scheduler it needs, as in the Links
// Wasm backend: none (no scheduler code at all), a mailbox for main only (self/send/recv,
// receive), one runnable process at a time (spawnWait only), several (spawn), several with
// waiting (spawn and spawnWait), angels (spawnAngel), all (spawnAngel and spawnWait). The backends
// emit the scheduler pieces of that level only (synthesize-scheduler on wasmfx, cps-codegen).
// Needs: Boxed. Guarantees: `actors` set; `uses` names each primitive with the first function
// (or `main`) that uses it; prelude code counts like user code.
import { type Actors, type BoxedProgram, type Comp, type Level, boxedKit } from "../ir/boxed.js";
import { isPrimitiveCall } from "../ir/kit-check.js";

const PROCESS_PRIMITIVES = new Set(["self", "recv", "send", "yield"]);

export function detectActors(p: BoxedProgram): BoxedProgram {
  const uses = new Map<string, string>();
  const see = (what: string, where: string) => { if (!uses.has(what)) uses.set(what, where); };
  const scan = (body: Comp, where: string, outer: string[]) => {
    // a process primitive is a free variable of its name (a local of that name shadows it)
    const locals = new Set(outer);
    for (const [name, a] of boxedKit.freeAtoms(body)) if (PROCESS_PRIMITIVES.has(name) && isPrimitiveCall(a, locals)) see(name, where);
    boxedKit.everyComp(body, (c) => { if (c.tag === "Spawn") see(c.kind, where); });
  };
  scan(p.main, "main", []);
  for (const f of p.functions) scan(f.body, f.name, [...f.params, ...f.captured].map((b) => b.name));
  const actors: Actors = { level: levelOf(new Set(uses.keys())), uses: [...uses] };
  return { ...p, actors };
}

/** The least level that supports every primitive used. */
export function levelOf(used: ReadonlySet<string>): Level {
  const angels = used.has("spawnAngel"), wait = used.has("spawnWait"), spawn = used.has("spawn");
  if (angels) return wait ? "all" : "angels";
  if (spawn) return wait ? "several-wait" : "several";
  if (wait) return "single";
  return used.size > 0 ? "mailbox" : "none";
}
