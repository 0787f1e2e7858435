// How a failed run of a compiled module is reported, the same for every engine: the RunFailure a
// run ended with (backends/wasm/host.ts) as a CompileError of kind "runtime" (a runtime error the
// program reported, a trap, a stack overflow) or "internal" (anything else), located in the source.
//
// Locating: the code generators mark the code of each call, case and `do` with its source span
// (`;;@ file:line:col`, ir/wasm.ts), binaryen keeps the marks through optimisation and emits a
// source map from code offsets to them, and V8's stack trace of the error names, per Wasm frame,
// the offset it was at (`wasm-function[7]:0x1a3`). The error's location is the first frame,
// innermost first, whose function has a mark at or before that offset: frames in the runtime
// (which has no marks) and in the prelude are passed over, so `hd([])` names the user's call.
import { CompileError, PRELUDE_FILE, type Span } from "../../ir/common.js";
import type { RunFailure } from "./host.js";
import { leb, sections } from "./sections.js";

/**
 * A finished run as `runWasm` reports it, on any engine: the output to `out`, then a timeout or a
 * failure thrown as a CompileError (located by `where`), else the output.
 */
export function finishRun(r: { stdout: string; timeout?: boolean; error?: RunFailure }, engine: string, opts: { out?: (s: string) => void; where?: Locator }): { stdout: string } {
  if (r.stdout !== "") opts.out?.(r.stdout);
  if (r.timeout) throw new CompileError("runtime", "timeout");
  if (r.error) throw failureError(r.error, engine, opts.where);
  return { stdout: r.stdout };
}

export function failureError(f: RunFailure, engine: string, where?: Locator): CompileError {
  if (f.kind === "internal") return new CompileError("internal", `${engine}: ${f.name ? `${f.name}: ` : ""}${f.message}`);
  return new CompileError("runtime", f.message, where && f.stack ? where.locate(f.stack) : undefined);
}

/** One source-map segment: from code offset `at`, the location (none: code without a mark). binaryen writes lines from 0 and columns as the mark gives them (from 1). */
interface Segment { at: number; file?: string; line?: number; col?: number }

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** The segments of a source map (version 3) for a Wasm module: one generated line, columns are code offsets. */
function segments(map: { sources: string[]; mappings: string }): Segment[] {
  const out: Segment[] = [];
  const state = [0, 0, 0, 0];
  for (const seg of map.mappings.split(",")) {
    if (seg === "") continue;
    const fields: number[] = [];
    let v = 0, shift = 0;
    for (const ch of seg) {
      const d = B64.indexOf(ch);
      v += (d & 31) << shift;
      if (d & 32) shift += 5;
      else {
        fields.push(v & 1 ? -(v >>> 1) : v >>> 1);
        v = shift = 0;
      }
    }
    for (let i = 0; i < fields.length; i++) state[i]! += fields[i]!;
    out.push(fields.length >= 4 ? { at: state[0]!, file: map.sources[state[1]!], line: state[2]! + 1, col: state[3]! } : { at: state[0]! });
  }
  return out;
}

/** The [start, end) code offsets of every function body in the binary's code section. */
function bodies(binary: Uint8Array): [number, number][] {
  const code = sections(binary).find((s) => s.id === 10);
  if (!code) return [];
  const out: [number, number][] = [];
  let { value: n, len: p } = leb(binary, code.start);
  for (p += code.start; n > 0; n--) {
    const { value: size, len } = leb(binary, p);
    out.push([p + len, p + len + size]);
    p += len + size;
  }
  return out;
}

/** Finds where in the source a runtime error happened, from its stack trace. */
export class Locator {
  private segs: Segment[] | undefined;
  private fns: [number, number][] | undefined;
  constructor(private readonly binary: Uint8Array, private readonly sourceMap: string, private readonly spans?: ReadonlyMap<string, Span>) {}

  /** The location of the innermost Wasm frame of `stack` that has one (undefined if none does). */
  locate(stack: string): Span | undefined {
    this.segs ??= segments(JSON.parse(this.sourceMap) as { sources: string[]; mappings: string });
    this.fns ??= bodies(this.binary);
    for (const m of stack.matchAll(/wasm-function\[\d+\]:0x([0-9a-f]+)/g)) {
      const off = parseInt(m[1]!, 16);
      const fn = this.fns.find(([s, e]) => off >= s && off < e);
      if (!fn) continue;
      const seg = this.lastMarkBefore(off, fn[0]);
      if (seg && seg.file !== PRELUDE_FILE)
        return this.spans?.get(`${seg.file}:${seg.line}:${seg.col}`) ?? { file: seg.file!, line: seg.line!, col: seg.col!, endLine: seg.line!, endCol: seg.col! };
    }
    return undefined;
  }

  /** The last marked segment at or before `off` and not before `start` (binary search, then back over unmarked ones). */
  private lastMarkBefore(off: number, start: number): Segment | undefined {
    const segs = this.segs!;
    let lo = 0, hi = segs.length; // first index with at > off
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (segs[mid]!.at <= off) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo - 1; i >= 0 && segs[i]!.at >= start; i--) if (segs[i]!.file !== undefined) return segs[i];
    return undefined;
  }
}
