// Runs inside Deno (started by backends/wasm/deno.ts): reads compiled modules from stdin, each as
// a 4-byte little-endian length and the bytes, runs them one after the other, and writes to stdout,
// as it happens, a stream of records, each a 1-byte kind, a 4-byte little-endian length and that
// many bytes: "O" a piece of the current module's output (UTF-8, written as the program prints it,
// so that what was printed before a timeout kill is not lost), "E" the end of a module's run (a
// JSON RunEnd: how it ended and its time).
import { type RunEnd, runModule } from "./host.js";

declare const Deno: {
  stdin: { readable: ReadableStream<Uint8Array> };
  stdout: { writeSync(b: Uint8Array): number };
};

/** One module's run as the parent reassembles it. */
export interface DenoRun extends RunEnd {
  stdout: string;
  /** the batch's deadline passed during this run (the process was killed) */
  timeout?: boolean;
}

const encoder = new TextEncoder();
function record(kind: "O" | "E", text: string): void {
  const body = encoder.encode(text);
  let out = new Uint8Array(5 + body.length);
  out[0] = kind.charCodeAt(0);
  new DataView(out.buffer).setUint32(1, body.length, true);
  out.set(body, 5);
  while (out.length > 0) out = out.subarray(Deno.stdout.writeSync(out));
}

const input = new Uint8Array(await new Response(Deno.stdin.readable).arrayBuffer());
const view = new DataView(input.buffer);
for (let at = 0; at < input.length; ) {
  const n = view.getUint32(at, true);
  const binary = input.subarray(at + 4, at + 4 + n);
  at += 4 + n;
  const end = runModule(binary, (s) => record("O", s), { unbuffered: true });
  record("E", JSON.stringify(end));
}
