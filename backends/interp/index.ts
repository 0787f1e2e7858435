// Backend `interp`: runs typed Core on the abstract machine and prints `VALUE : TYPE`.
import type { CoreProgram } from "../../ir/core.js";
import { printType } from "../../ir/types.js";
import { runCore } from "./machine.js";
import { resolveAddresses } from "./resolve.js";
import { showValue } from "./values.js";

export interface BackendRun {
  /** What the program printed, followed by its final `VALUE : TYPE` line. */
  stdout: string;
}

export function runInterp(p: CoreProgram, opts: { out?: (s: string) => void; deadline?: number; onAddressMiss?: (name: string) => void } = {}): BackendRun {
  let stdout = "";
  const out = (s: string) => {
    stdout += s;
    opts.out?.(s);
  };
  resolveAddresses(p.body);
  const v = runCore(p, { out, deadline: opts.deadline, onAddressMiss: opts.onAddressMiss });
  const last = `${showValue(v)} : ${printType(p.resultType!, undefined, p.typeSyntax)}\n`;
  out(last);
  return { stdout };
}
