// The differential fuzzer's shrinker (tools/fuzz.ts): greedy delta debugging on the generated AST
// (tools/fuzz-ast.ts). Candidates, tried on each node from the root down: drop the node if it is a
// statement; replace an expression by the simplest value of its type (`0`, `""`, `[]`, …); replace
// it by one of its own sub-expressions of the same type (e.g. an `if` by a branch, a handler by its
// return clause's body). A candidate is kept when its text is shorter and `keeps` says the program
// still shows the disagreement (which also rejects candidates that no longer compile). Rounds repeat
// until one changes nothing or the budget (tests or time) runs out.
import { type Node, allNodes, defaultText, ex, print, replaceNode, tyEq } from "./fuzz-ast.js";

export interface ShrinkBudget {
  /** at most this many calls of `keeps` */
  maxTests: number;
  /** stop at this time (ms since epoch) */
  deadline: number;
}

export interface Shrunk {
  root: Node;
  text: string;
  tests: number;
}

/** Sub-expressions of `n` with n's type, largest first (at most `limit`). */
function sameTyped(n: Node, limit: number): Node[] {
  if (!n.ty) return [];
  const found = allNodes(n).filter((d) => d !== n && d.ty !== undefined && tyEq(d.ty, n.ty!));
  found.sort((a, b) => print(b).length - print(a).length);
  return found.slice(0, limit);
}

/** The nearest sub-expressions of `n` (typed nodes not inside another typed node below n). */
function typedChildren(n: Node): Node[] {
  const out: Node[] = [];
  const go = (x: Node) => {
    for (const p of x.parts) {
      if (typeof p === "string") continue;
      if (p.ty) out.push(p);
      else go(p);
    }
  };
  go(n);
  return out;
}

function candidates(n: Node): (Node | undefined)[] {
  const out: (Node | undefined)[] = [];
  if (n.drop) out.push(undefined);
  if (n.any) out.push(...typedChildren(n).flatMap((c) => [c, ...typedChildren(c)]).slice(0, 8));
  if (n.ty) {
    const d = defaultText(n.ty);
    if (print(n) !== d) out.push(ex(n.ty, d));
    out.push(...sameTyped(n, 6));
    // a sub-expression of another type, kept for its effect or its value: `{ ignore(e); 0 }` (`ignore(e)` for a unit)
    for (const e of typedChildren(n).slice(0, 6)) {
      out.push(n.ty.t === "Unit" ? ex(n.ty, "ignore(", { parts: [e], any: true }, ")") : ex(n.ty, "{ ignore(", { parts: [e], any: true }, "); ", d, " }"));
    }
  }
  return out;
}

/** The text without blank lines (statements the shrinker dropped leave their separators). */
export const tidy = (text: string): string => text.split("\n").filter((l) => l.trim() !== "").join("\n") + "\n";

export function shrink(root: Node, keeps: (text: string) => boolean, budget: ShrinkBudget): Shrunk {
  let cur = root;
  let curText = print(root);
  let tests = 0;
  const exhausted = () => tests >= budget.maxTests || Date.now() > budget.deadline;
  for (let changed = true; changed && !exhausted(); ) {
    changed = false;
    // visit positions in pre-order; after a success the tree changes, so recompute and go on from the same index
    for (let i = 0; !exhausted(); i++) {
      const nodes = allNodes(cur);
      if (i >= nodes.length) break;
      const n = nodes[i]!;
      for (const cand of candidates(n)) {
        if (exhausted()) break;
        const next = replaceNode(cur, n, cand === undefined ? undefined : cand === n ? n : cand);
        const text = print(next);
        if (text.length >= curText.length) continue;
        tests++;
        if (keeps(text)) {
          cur = next;
          curText = text;
          changed = true;
          i--; // look at what is now at this position
          break;
        }
      }
    }
  }
  return { root: cur, text: curText, tests };
}
