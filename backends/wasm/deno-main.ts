// Runs inside Deno (started by backends/wasm/deno.ts): reads compiled modules from stdin, each as
// a 4-byte little-endian length and the bytes, runs them one after the other, and writes one JSON
// array to stdout: per module its output, its run time and, if it failed, the runtime error or trap.
import { instantiateWith, isTrap } from "./host.js";

declare const Deno: {
  stdin: { readable: ReadableStream<Uint8Array> };
  stdout: { writeSync(b: Uint8Array): number };
};

export interface DenoRun {
  stdout: string;
  error?: { kind: "runtime" | "trap"; message: string };
  /** the run's time in Deno (instantiation excluded), ms */
  ms?: number;
}

class Reported extends Error {}

const input = new Uint8Array(await new Response(Deno.stdin.readable).arrayBuffer());
const view = new DataView(input.buffer);
const runs: DenoRun[] = [];
for (let at = 0; at < input.length; ) {
  const n = view.getUint32(at, true);
  const binary = input.subarray(at + 4, at + 4 + n);
  at += 4 + n;
  const run: DenoRun = { stdout: "" };
  try {
    const program = instantiateWith(binary, {
      write: (s) => (run.stdout += s),
      fail: (message) => {
        throw new Reported(message);
      },
    });
    const t0 = performance.now();
    program.run();
    run.ms = performance.now() - t0;
  } catch (e) {
    if (e instanceof Reported) run.error = { kind: "runtime", message: e.message };
    else if (isTrap(e)) run.error = { kind: "trap", message: e.message };
    else throw e;
  }
  runs.push(run);
}
let out = new TextEncoder().encode(JSON.stringify(runs));
while (out.length > 0) out = out.subarray(Deno.stdout.writeSync(out));
