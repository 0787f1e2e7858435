// The page side of the Chromium engine: bundled with backends/wasm/host.ts by esbuild (an IIFE,
// never imported by Node code) and evaluated once in each page that backends/wasm/chromium-browser.ts
// opens. It defines `globalThis.linksChromium.run(base64)`: instantiate the module with the same host
// as on Node and Deno and run `main`. Output leaves the page as it is printed, through the CDP
// binding `linksWrite`, so that what was printed before a timeout still arrives while the page
// spins; the result says how the run ended and how long `main` took.
import { type RunEnd, runModule } from "./host.js";

declare const linksWrite: (chunk: string) => void;

/** How a run in the page ended (its output went through `linksWrite`). */
export type PageResult = RunEnd;

function run(base64: string): PageResult {
  const text = atob(base64);
  const binary = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) binary[i] = text.charCodeAt(i);
  return runModule(binary, (s) => linksWrite(s), { unbuffered: true });
}

(globalThis as unknown as { linksChromium: { run: typeof run } }).linksChromium = { run };
