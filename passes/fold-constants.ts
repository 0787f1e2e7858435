// fold-constants: Boxed → Boxed — a research pass, off by default (`--with fold-constants`), and
// the worked example of README "Adding a pass".
// Example: `var x = 2 * 3; var y = 99; x + 1`
//   (seq (let-app x:i64 (* 2 3)) (let y:i64 99) (tail + x 1))
//   ⇒ (seq (let x:i64 6) (tail + x 1))
// A call of the Int primitives + - * (not shadowed by a local name) on two literals becomes the
// literal it computes (63-bit wrapping, as Links); a let-value (a literal, variable, constructor,
// record, closure, box …: nothing that can fail or perform) whose variable is never used is
// dropped. Only the forms it changes are written here: the rest is the kit's traversal.
// Needs: Boxed (unique binders per function). Guarantees: Boxed with the same behaviour.
import type { Atom, BoxedProgram, Comp } from "../ir/boxed.js";
import { boxedKit } from "../ir/boxed.js";

const { everyComp, ownAtoms, mapChildComps, boundNames } = boxedKit;

const wrap63 = (n: bigint) => BigInt.asIntN(63, n);
const ops: Record<string, (a: bigint, b: bigint) => bigint> = {
  "+": (a, b) => wrap63(a + b), "-": (a, b) => wrap63(a - b), "*": (a, b) => wrap63(a * b),
};
const intLit = (a: Atom): bigint | undefined => (a.tag === "Lit" && a.lit.kind === "Int" ? a.lit.value : undefined);

export function foldConstants(p: BoxedProgram): BoxedProgram {
  const unit = (body: Comp, params: string[] = []) => {
    const locals = boundNames(body, new Set(params));
    const used = new Set<string>();
    everyComp(body, (c) => ownAtoms(c).forEach((a) => { if (a.tag === "Var") used.add(a.name); }));
    return fold(body, locals, used);
  };
  return {
    ...p,
    functions: p.functions.map((f) => ({ ...f, body: unit(f.body, [...f.params, ...f.captured].map((b) => b.name)) })),
    main: unit(p.main),
  };
}

/** Fold c's let chain iteratively, then the computations inside it. */
function fold(c: Comp, locals: ReadonlySet<string>, used: ReadonlySet<string>): Comp {
  const chain: Comp[] = [];
  for (;;) {
    if (c.tag === "LetApp" && c.known === undefined && c.fn.tag === "Var" && !locals.has(c.fn.name) && Object.hasOwn(ops, c.fn.name) && c.args.length === 2) {
      const [a, b] = c.args.map(intLit);
      if (a !== undefined && b !== undefined) {
        const value: Atom = { tag: "Lit", lit: { kind: "Int", value: ops[c.fn.name]!(a, b) }, type: c.x.type, rep: c.x.rep };
        c = { tag: "Let", x: c.x, value, body: c.body };
        continue;
      }
    }
    if (c.tag === "Let" && !used.has(c.x.name)) { c = c.body; continue; }
    if (c.tag !== "Let" && c.tag !== "LetApp" && c.tag !== "LetRec") break;
    chain.push(c);
    c = c.body;
  }
  let out = mapChildComps(c, (x) => fold(x, locals, used));
  for (let i = chain.length - 1; i >= 0; i--) out = { ...chain[i]!, body: out } as Comp;
  return out;
}
