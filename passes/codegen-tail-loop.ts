// codegen-tail-loop: a function that tail-calls itself loops instead (a part of both code
// generators, used by ModuleBuilder.func). Each `return_call $self` becomes assignments of its
// arguments to the parameters and a branch back to a `loop` around the body:
//
//   (func $fn:loop (param $s i64) (result i64)          (func $fn:loop (param $s i64) (result i64)
//     PROLOGUE                                             PROLOGUE
//     (if … (else (return_call $fn:loop X))))     →       (loop $self0 (result i64)
//                                                            (if … (else (block (result i64)
//                                                              (local.set $s X) (br $self0))))))
//
// The loop starts after the function's prologue (FnCtx.prologue: the once-per-run test of the
// innermost handler) when running it again could not give anything new: every local it reads or
// sets is set nowhere in the body, and each self call passes the parameters it reads unchanged.
// The globals it reads hold the innermost handler, which FnCtx.stableNode keeps the same through
// a run, and the self call is part of the run. Otherwise the loop starts before the prologue.
//
// Why: V8 does not turn a Wasm self tail call into a jump; each one leaves and enters a frame and
// runs the prologue again (on cps, countdown's loop: two loads and a compare for the frame, four
// more for its cell). Needs: `return_call $self` takes exactly the function's parameters.
// Guarantees: the same results; no `return_call $self` is left. A function loops with no import
// call at its entry (backends/wasm/interruptible.ts): V8 checks for interrupts at loop back edges.
import { type Instr, I } from "../ir/wasm.js";

type Node = Exclude<Instr, string>;

function walk(code: Instr[], visit: (i: Node) => void): void {
  for (const i of code) if (typeof i !== "string") { visit(i); walk(i.args, visit); }
}
const localsOf = (code: Instr[], ops: string[]) => {
  const out = new Set<string>();
  walk(code, (i) => { if (ops.includes(i.op)) out.add(i.imm[0]!); });
  return out;
};
const isGet = (a: Instr | undefined, p: string) => typeof a !== "string" && a?.op === "local.get" && a.imm[0] === `$${p}` && a.args.length === 0;

/**
 * The code of function `name` (prologue, then body) with its self tail calls made into a loop;
 * `temp` makes a fresh local of a value type, `label` a fresh label.
 */
export function loopSelfTailCalls(name: string, params: [string, string][], results: string[], prologue: Instr[], body: Instr[],
  temp: (valtype: string) => string, label: () => string): Instr[] {
  const self = `$${name}`;
  const calls: Node[] = [];
  walk(body, (i) => { if (i.op === "return_call" && i.imm[0] === self) calls.push(i); });
  if (calls.length === 0 || calls.some((c) => c.args.length !== params.length)) return [...prologue, ...body];
  const setInBody = localsOf(body, ["local.set", "local.tee"]);
  const prologueLocals = localsOf(prologue, ["local.get", "local.set", "local.tee"]);
  const pastPrologue = [...prologueLocals].every((l) => !setInBody.has(l)) &&
    calls.every((c) => params.every(([p], k) => !prologueLocals.has(`$${p}`) || isGet(c.args[k], p)));
  const top = label();
  const result = results.length ? [`(result ${results.join(" ")})`] : [];
  const again = (c: Node): Instr => {
    const moves = params.map(([p, t], k) => ({ p, t, a: c.args[k]! })).filter((m) => !isGet(m.a, m.p));
    // all arguments are evaluated before any parameter changes, through temporaries when one
    // reads a parameter that changes
    const changed = new Set(moves.map((m) => `$${m.p}`));
    const direct = moves.length === 1 || moves.every((m) => ![...localsOf([m.a], ["local.get", "local.tee"])].some((l) => changed.has(l)));
    const tmps = direct ? [] : moves.map((m) => `$${temp(m.t)}`);
    const sets = direct ? moves.map((m) => I("local.set", [`$${m.p}`], m.a))
      : [...moves.map((m, k) => I("local.set", [tmps[k]!], m.a)), ...moves.map((m, k) => I("local.set", [`$${m.p}`], I("local.get", [tmps[k]!])))];
    return { op: "block", imm: result, args: [...sets, I("br", [top])], loc: c.loc };
  };
  const rewrite = (code: Instr[]): Instr[] =>
    code.map((i) => (typeof i === "string" ? i : i.op === "return_call" && i.imm[0] === self ? again(i) : { ...i, args: rewrite(i.args) }));
  const loop = (inside: Instr[]) => I("loop", [top, ...result], ...inside);
  return pastPrologue ? [...prologue, loop(rewrite(body))] : [loop([...prologue, ...rewrite(body)])];
}
