// Ints' small runtime helpers, written out in place: the code generators box and unbox an Int with
// `call $box_int` and `call $unbox_int`, and keep it in 63 bits with `call $int_wrap63`
// (runtime.wat); this step writes each call out where it stands (with one scratch local per
// function for the first two) before the module goes to binaryen. Dumps keep the calls; only the
// binary has them inline.
//
//   (call $int_wrap63 X) →  (i64.shr_s (i64.shl X (i64.const 1)) (i64.const 1))
//   (call $box_int X)    →  (block (result eqref) (local.set $%bx X)
//                              (if (result eqref) (i64.eq (local.get $%bx) (i64.shr_s (i64.shl (local.get $%bx) 33) 33))
//                                (then (ref.i31 (i32.wrap_i64 (local.get $%bx))))
//                                (else (struct.new $Int (local.get $%bx)))))
//   (call $unbox_int V)  →  (block (result i64) (local.set $%ub V)
//                              (if (result i64) (ref.test (ref i31) (local.get $%ub))
//                                (then (i64.extend_i32_s (i31.get_s (ref.cast (ref i31) (local.get $%ub)))))
//                                (else (struct.get $Int 0 (ref.cast (ref $Int) (local.get $%ub))))))
//   (call $unbox_int (call $box_int X))  →  X
//
// Except where a box is *transient*: an argument of a call of an in-place clause's per-`do` copy,
// or made in such a copy (the value the clause resumes with, typically) and not stored in the
// heap, directly or through a local whose value the copy stores. binaryen inlines the copy, the
// box meets its unboxing, and its heap2local removes a `struct.new $Int` (not the i31 form, whose
// two arms it cannot see through: countdown's two operations then cost a box and an unboxing
// each, ~1 ns). A box the copy stores (in a list it builds, say) escapes, so it is an i31 when it
// fits (a `$Int` there is an allocation heap2local cannot remove: with the handler's parameter
// kept boxed in its frame, tried on cps, countdown ran 2.8× slower until this rule). So a $Int
// may hold a small Int, and every reader accepts both kinds: `$unbox_int`, and `$eq_values` /
// `$compare_values` compare Ints by value.
//
// Why not leave it to binaryen: at -O2 it inlines a function with several callers only when the
// function is at most 2 nodes (these are 5–13), and each call would cost more than its work. The
// representation (an Int is an i31 when it fits in 31 bits, else a $Int struct) is in docs/wasm-data-layout.md.
// One local of each kind per function is enough: X (V) is evaluated before the local is set, and
// nothing between the set and its last use boxes (unboxes) again.
//
// A function with more than INLINE_LIMIT boxes and unboxes keeps them as calls (the other rules
// still apply): each written out is an `if`, and binaryen's -O2 is superlinear in a function's
// nesting. The 1,000-branch else-if chain's CPS twin on cps (one box per branch) took 3.3–4.9 s
// of binaryen with them written out and 1.8–2.3 s with calls, for the same 35.8 KB binary; such a
// function is too big to be anyone's hot loop.
import { I, type Instr, type WasmFunc, type WasmModule } from "../../ir/wasm.js";

const BX = "$%bx", UB = "$%ub";
/** The most boxes and unboxes a function may have and still get them written out in place. */
const INLINE_LIMIT = 64;
const get = (l: string) => I("local.get", [l]);
const isCall = (i: Instr, f: string): i is Exclude<Instr, string> => typeof i !== "string" && i.op === "call" && i.imm[0] === f;

function boxInline(x: Instr): Instr {
  const fits = I("i64.eq", [], get(BX), I("i64.shr_s", [], I("i64.shl", [], get(BX), I("i64.const", [33])), I("i64.const", [33])));
  return I("block", ["(result eqref)"], I("local.set", [BX], x),
    I("if", ["(result eqref)"], fits,
      I("then", [], I("ref.i31", [], I("i32.wrap_i64", [], get(BX)))),
      I("else", [], I("struct.new", ["$Int"], get(BX)))));
}
function unboxInline(v: Instr): Instr {
  return I("block", ["(result i64)"], I("local.set", [UB], v),
    I("if", ["(result i64)"], I("ref.test", ["(ref i31)"], get(UB)),
      I("then", [], I("i64.extend_i32_s", [], I("i31.get_s", [], I("ref.cast", ["(ref i31)"], get(UB))))),
      I("else", [], I("struct.get", ["$Int", 0], I("ref.cast", ["(ref $Int)"], get(UB))))));
}

/** Instructions that store their operands in the heap: a box stored there is not transient. */
const STORES = new Set(["struct.new", "struct.set", "array.new_fixed", "array.set"]);

/** The locals whose value some instruction of `body` stores in the heap (`(struct.set … (local.get $x))`). */
function storedLocals(body: Instr[]): Set<string> {
  const out = new Set<string>();
  const visit = (i: Instr) => {
    if (typeof i === "string") return;
    if (STORES.has(i.op)) for (const a of i.args) if (typeof a !== "string" && a.op === "local.get") out.add(a.imm[0]!);
    i.args.forEach(visit);
  };
  body.forEach(visit);
  return out;
}

/** `copies`: the names of the module's per-`do` copies of in-place clauses (`WasmFunc.inPlaceCopy`). */
function inlineFunction(f: WasmFunc, copies: ReadonlySet<string>): WasmFunc {
  let box = false, unbox = false, sites = 0;
  const count = (i: Instr) => { if (typeof i === "string") return; if (isCall(i, "$box_int") || isCall(i, "$unbox_int")) sites++; i.args.forEach(count); };
  f.body.forEach(count);
  const inline = sites <= INLINE_LIMIT;
  const stored = f.inPlaceCopy ? storedLocals(f.body) : new Set<string>();
  // `transient`: in an argument of a call of an in-place copy, or in such a copy and not stored in the heap
  const rw = (i: Instr, transient: boolean): Instr => {
    if (typeof i === "string") return i;
    if (isCall(i, "$unbox_int") && isCall(i.args[0]!, "$box_int")) return rw(i.args[0].args[0]!, transient);
    const inner = (transient && !STORES.has(i.op) && !(i.op === "local.set" && stored.has(i.imm[0]!)))
      || (i.op === "call" && copies.has(i.imm[0]!.slice(1)));
    const args = i.args.map((a) => rw(a, inner));
    let out: Instr = args.every((a, k) => a === i.args[k]) ? i : { ...i, args };
    if (isCall(i, "$box_int")) {
      if (transient) out = I("struct.new", ["$Int"], args[0]!);
      else if (inline) { box = true; out = boxInline(args[0]!); }
    } else if (isCall(i, "$unbox_int") && inline) { unbox = true; out = unboxInline(args[0]!); }
    else if (isCall(i, "$int_wrap63")) out = I("i64.shr_s", [], I("i64.shl", [], args[0]!, I("i64.const", [1])), I("i64.const", [1]));
    if (out !== i && i.loc !== undefined && typeof out !== "string") out.loc = i.loc;
    return out;
  };
  const body = f.body.map((i) => rw(i, f.inPlaceCopy === true));
  if (body.every((b, k) => b === f.body[k])) return f;
  const locals: [string, string][] = [...f.locals];
  if (box) locals.push([BX.slice(1), "i64"]);
  if (unbox) locals.push([UB.slice(1), "eqref"]);
  return { ...f, body, locals };
}

export function inlineIntBoxes(m: WasmModule): WasmModule {
  const copies = new Set(m.functions.filter((f) => f.inPlaceCopy).map((f) => f.name));
  return { ...m, functions: m.functions.map((f) => inlineFunction(f, copies)) };
}
