// The Chromium engine's browser side, asynchronous: a headless Chromium (the `@sparticuz/chromium`
// build, HeadlessChrome 147, V8 14.7, unpacked to the temp directory on first use) driven by
// `puppeteer-core` over a pipe, with the same V8 flags as Node and Deno. One browser and one page
// at a time; each module runs in a fresh instance in that page (backends/wasm/chromium-page.ts,
// bundled with the engine-neutral host by esbuild). A page that crashes or outlives its deadline is
// closed and the next run opens another. The browser ends when this process does: it reads its
// commands from a pipe and exits when that pipe closes.
//
// Used by bench/compare/run-chromium.ts directly, and as the worker thread behind the synchronous
// API of backends/wasm/chromium.ts (the bottom of this file). Node loads the worker from this file
// by its own type stripping, without tsx: hence no relative imports here but type-only ones.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { isMainThread, type MessagePort, parentPort, workerData } from "node:worker_threads";
import type { Browser, CDPSession, Page, Protocol, PuppeteerNode } from "puppeteer-core";
import type { PageResult } from "./chromium-page.js";

const PAGE_ENTRY = fileURLToPath(new URL("./chromium-page.ts", import.meta.url));
/** Starting the browser, at most (ms); the first start also unpacks it (~4 s). */
const LAUNCH_TIMEOUT_MS = 60_000;

/** One module's run: its output, and how it ended (as in the page: chromium-page.ts). */
export interface ChromiumRun extends PageResult {
  stdout: string;
  /** the run's deadline passed: the page was closed (stdout: the output flushed before) */
  timeout?: boolean;
}

/** The profile directory of bench/compare/run-chromium.ts in process `pid` (removed by its parent, which may kill it). */
export const measuringProfileDir = (pid: number): string => join(tmpdir(), `links-chromium-${pid}-measure`);

/**
 * Remove the profile directories (`links-chromium-PID-…` in the temp directory) of processes that
 * are gone: one killed before its exit hook ran (a test worker, a measuring child) leaves its own.
 */
function sweepProfiles(): void {
  let names: string[];
  try {
    names = readdirSync(tmpdir());
  } catch {
    return; // no temp directory: nothing to sweep (and the start will say so)
  }
  for (const name of names) {
    const pid = Number(/^links-chromium-(\d+)-/.exec(name)?.[1]);
    if (!pid || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ESRCH") rmSync(join(tmpdir(), name), { recursive: true, force: true });
    }
  }
}

/** Chromium cannot be used here (not installed, or it cannot start): an "unsupported:" message. */
export class ChromiumUnavailable extends Error {}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split("\n")[0]!;

let pageScript: Promise<string> | undefined;
/** The page-side script: chromium-page.ts and host.ts as one IIFE. */
async function bundlePageScript(): Promise<string> {
  const esbuild = await import("esbuild");
  const r = await esbuild.build({
    entryPoints: [PAGE_ENTRY], bundle: true, write: false, format: "iife", platform: "browser", target: "es2022", logLevel: "silent",
  });
  return r.outputFiles[0]!.text;
}

function tryMkdtemp(prefix: string): string {
  try {
    return mkdtempSync(prefix);
  } catch (e) {
    throw new ChromiumUnavailable(`--engine chromium: no profile directory for the browser: ${messageOf(e)}`);
  }
}

async function launch(v8Flags: readonly string[], userDataDir: string): Promise<Browser> {
  let executablePath: string, launchBrowser: PuppeteerNode["launch"];
  try {
    launchBrowser = (await import("puppeteer-core")).launch;
    const chromium = (await import("@sparticuz/chromium")).default;
    executablePath = await chromium.executablePath();
  } catch (e) {
    throw new ChromiumUnavailable(`--engine chromium needs the @sparticuz/chromium and puppeteer-core devDependencies (npm install): ${messageOf(e)}`);
  }
  try {
    return await launchBrowser({
      executablePath, headless: "shell", pipe: true, timeout: LAUNCH_TIMEOUT_MS, userDataDir,
      // signals reach the browser's own process group; it also exits when our end of the pipe closes
      handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
      // not @sparticuz/chromium's serverless args: no --single-process, so that a renderer can
      // crash or be closed without taking the browser along
      args: ["--no-sandbox", "--no-zygote", "--disable-gpu", `--js-flags=${v8Flags.join(" ")}`],
    });
  } catch (e) {
    throw new ChromiumUnavailable(`--engine chromium: Chromium cannot start on this machine: ${messageOf(e)}`);
  }
}

interface OpenPage {
  page: Page;
  /** the page's CDP session: the binding's calls and the runs' results arrive on it, in order */
  cdp: CDPSession;
  /** where `linksWrite` chunks go (the current run's output) */
  sink: (chunk: string) => void;
  /** settles with a message when the renderer crashes */
  crashed: Promise<string>;
}

/** A browser (started by `ready` or the first run) and its current page. */
export class ChromiumRunner {
  readonly #v8Flags: readonly string[];
  #browser: Browser | undefined;
  #page: OpenPage | undefined;
  #usedFirstTab = false;
  /** the browser's profile directory (ours: puppeteer leaves its own behind when the browser is killed) */
  #profileDir: string | undefined;
  readonly #fixedProfileDir: string | undefined;

  /** `profileDir`: the browser's profile directory (default: a new one in the temp directory per start). */
  constructor(v8Flags: readonly string[], opts: { profileDir?: string } = {}) {
    this.#v8Flags = v8Flags;
    this.#fixedProfileDir = opts.profileDir;
  }

  /** Start the browser and open a page if there is none; returns the ms this took (0: all there). */
  async ready(): Promise<number> {
    const t0 = Date.now();
    if (!this.#browser?.connected) {
      this.#page = undefined;
      if (!pageScript) {
        pageScript = bundlePageScript();
        pageScript.catch(() => {}); // awaited (and reported) once the page opens
      }
      this.#removeProfile();
      sweepProfiles();
      const profileDir = (this.#profileDir = this.#fixedProfileDir ?? tryMkdtemp(join(tmpdir(), `links-chromium-${process.pid}-`)));
      const browser = await launch(this.#v8Flags, profileDir);
      browser.on("disconnected", () => {
        if (this.#browser === browser) this.#browser = this.#page = undefined;
      });
      this.#browser = browser;
      this.#usedFirstTab = false;
    }
    this.#page ??= await this.#openPage(this.#browser!);
    return Date.now() - t0;
  }

  async #openPage(browser: Browser): Promise<OpenPage> {
    // the tab the browser starts with, the first time (one renderer process, not two)
    const first = this.#usedFirstTab ? undefined : (await browser.pages())[0];
    this.#usedFirstTab = true;
    const page = first ?? (await browser.newPage());
    const cdp = await page.createCDPSession();
    let crash: (message: string) => void = () => {};
    const open: OpenPage = { page, cdp, sink: () => {}, crashed: new Promise((resolve) => (crash = resolve)) };
    page.on("error", (e) => crash(messageOf(e)));
    cdp.on("Runtime.bindingCalled", (e) => {
      if (e.name === "linksWrite") open.sink(e.payload);
    });
    await cdp.send("Runtime.addBinding", { name: "linksWrite" });
    const r = await cdp.send("Runtime.evaluate", { expression: await pageScript!, returnByValue: true });
    if (r.exceptionDetails) throw new Error(`the page script failed: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    return open;
  }

  /** Close the current page without waiting (a spinning page takes ~0.5 s to close). */
  #dropPage(): void {
    const p = this.#page;
    this.#page = undefined;
    void p?.page.close({ runBeforeUnload: false }).catch(() => {});
  }

  /**
   * Run a module in a fresh instance in the page. `deadline` (ms since epoch): past it the page is
   * closed and the result has `timeout` and the output flushed so far. A crash of the page is an
   * internal error (the next run gets a new page).
   */
  async run(binary: Uint8Array, deadline?: number): Promise<ChromiumRun> {
    await this.ready();
    const open = this.#page!;
    let stdout = "";
    open.sink = (chunk) => (stdout += chunk);
    const expression = `linksChromium.run("${Buffer.from(binary.buffer, binary.byteOffset, binary.byteLength).toString("base64")}")`;
    const evaluation = open.cdp.send("Runtime.evaluate", { expression, returnByValue: true });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      if (deadline !== undefined) timer = setTimeout(() => resolve("timeout"), Math.max(0, deadline - Date.now()));
    });
    type Ended = Protocol.Runtime.EvaluateResponse | "timeout" | { crash: string } | { lost: string };
    const ended: Ended = await Promise.race([
      evaluation.catch((e: unknown) => ({ lost: messageOf(e) })),
      open.crashed.then((crash) => ({ crash })),
      timeout,
    ]);
    clearTimeout(timer);
    open.sink = () => {};
    if (ended === "timeout") {
      this.#dropPage();
      return { stdout, timeout: true };
    }
    if ("crash" in ended || "lost" in ended) {
      this.#dropPage();
      const why = "crash" in ended ? `the page crashed while running the module (${ended.crash})` : `the page was lost (${ended.lost})`;
      return { stdout, error: { kind: "internal", message: `chromium: ${why}` } };
    }
    if (ended.exceptionDetails) {
      return { stdout, error: { kind: "internal", message: `chromium: ${ended.exceptionDetails.exception?.description ?? ended.exceptionDetails.text}` } };
    }
    return { stdout, ...(ended.result.value as PageResult) };
  }

  /** The browser's process id. */
  browserPid(): number | undefined {
    return this.#browser?.process()?.pid;
  }

  /** The browser's profile directory (to remove after killing the browser). */
  profileDir(): string | undefined {
    return this.#profileDir;
  }

  #removeProfile(): void {
    if (this.#profileDir) rmSync(this.#profileDir, { recursive: true, force: true });
    this.#profileDir = undefined;
  }

  /** The process id of the current page's renderer (Chromium's own process list). */
  async rendererPid(): Promise<number | undefined> {
    if (!this.#browser) return undefined;
    const session = await this.#browser.target().createCDPSession();
    try {
      const info = await session.send("SystemInfo.getProcessInfo");
      const renderers = info.processInfo.filter((p) => p.type === "renderer");
      return renderers.length === 1 ? renderers[0]!.id : undefined;
    } finally {
      await session.detach().catch(() => {});
    }
  }

  async close(): Promise<void> {
    const b = this.#browser;
    this.#browser = this.#page = undefined;
    await b?.close().catch(() => b.process()?.kill("SIGKILL"));
    this.#removeProfile();
  }
}

// ---------------------------------------------------------------- the worker thread
/** What backends/wasm/chromium.ts asks its worker. */
export type WorkerRequest =
  | { kind: "run"; binaries: Uint8Array[]; deadline?: number }
  | { kind: "ready" }
  | { kind: "close" };
/** The answer: the runs done (all, or up to a timeout), or why there were none. */
export interface WorkerReply {
  runs: ChromiumRun[];
  /** the browser's process id and profile directory (killed and removed by the main thread when its process exits) */
  pid?: number;
  profileDir?: string;
  unsupported?: string;
  fatal?: string;
}
export interface WorkerInit {
  /** [0]: set to 1 and notified when a reply has been posted on `port`; [1]: set to 1 once loaded */
  flag: Int32Array;
  port: MessagePort;
  v8Flags: string[];
}

function serve(init: WorkerInit): void {
  const runner = new ChromiumRunner(init.v8Flags);
  let pending = false;
  const reply = (r: WorkerReply) => {
    if (!pending) return;
    pending = false;
    init.port.postMessage(r);
    Atomics.store(init.flag, 0, 1);
    Atomics.notify(init.flag, 0);
  };
  // the main thread is blocked waiting: whatever ends a request must answer it
  const fatal = (e: unknown) => reply({ runs: [], fatal: `chromium: ${messageOf(e)}` });
  process.on("uncaughtException", fatal);
  process.on("unhandledRejection", fatal);
  process.on("exit", () => fatal("the worker thread ended"));
  Atomics.store(init.flag, 1, 1);
  Atomics.notify(init.flag, 1);
  parentPort!.on("message", async (req: WorkerRequest) => {
    pending = true;
    try {
      if (req.kind === "close") {
        await runner.close();
        return reply({ runs: [] });
      }
      // the deadline bounds the runs, not the browser's start
      const startMs = await runner.ready();
      const deadline = "deadline" in req && req.deadline !== undefined ? req.deadline + startMs : undefined;
      const runs: ChromiumRun[] = [];
      for (const binary of req.kind === "run" ? req.binaries : []) {
        const r = await runner.run(binary, deadline);
        runs.push(r);
        if (r.timeout) break;
      }
      reply({ runs, pid: runner.browserPid(), profileDir: runner.profileDir() });
    } catch (e) {
      reply(e instanceof ChromiumUnavailable ? { runs: [], unsupported: e.message } : { runs: [], fatal: `chromium: ${messageOf(e)}` });
    }
  });
}

const init = isMainThread ? undefined : (workerData as { linksChromium?: WorkerInit } | undefined)?.linksChromium;
if (init) serve(init);
