// The page side of the Chromium engine: bundled with backends/wasm/host.ts by esbuild (an IIFE,
// never imported by Node code) and evaluated once in each page that backends/wasm/chromium-browser.ts
// opens. It defines `globalThis.linksChromium.run(base64)`: instantiate the module with the same host
// as on Node and Deno and run `main`. Output leaves the page as the host flushes it (8 KiB chunks and
// at the end), through the CDP binding `linksWrite`, so that what was flushed before a timeout
// still arrives while the page spins; the result says how the run ended and how long `main` took.
import { instantiateWith, isTrap } from "./host.js";

declare const linksWrite: (chunk: string) => void;

/** How a run in the page ended (its output went through `linksWrite`). */
export interface PageResult {
  /** runtime: the program reported an error; trap: a Wasm trap; internal: anything else (`name`: the JS error's) */
  error?: { kind: "runtime" | "trap" | "internal"; message: string; name?: string };
  /** `main`'s time in the page (instantiation excluded), ms */
  ms?: number;
}

class Reported extends Error {}

function run(base64: string): PageResult {
  const text = atob(base64);
  const binary = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) binary[i] = text.charCodeAt(i);
  try {
    const program = instantiateWith(binary, {
      write: (s) => linksWrite(s),
      fail: (message) => {
        throw new Reported(message);
      },
    });
    const t0 = performance.now();
    program.run();
    return { ms: performance.now() - t0 };
  } catch (e) {
    if (e instanceof Reported) return { error: { kind: "runtime", message: e.message } };
    if (isTrap(e)) return { error: { kind: "trap", message: e.message } };
    const err = e instanceof Error ? e : new Error(String(e));
    return { error: { kind: "internal", message: err.message, name: err.name } };
  }
}

(globalThis as unknown as { linksChromium: { run: typeof run } }).linksChromium = { run };
