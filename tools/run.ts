// Compile a Links program and run it: program output, then `VALUE : TYPE`.
//
//   tsx tools/run.ts FILE [--backend interp|wasmfx|cps] [--engine node|deno|chromium] [--timeout SECONDS] [--with PASS]... [--without PASS]...
//                         [--prefer-globals] [--yield-is-switch]
//
// The command is tools/run-command.ts; it runs on a worker thread with a big stack, so that deeply
// nested programs compile (tools/big-stack.ts).
import { runOnBigStack } from "./big-stack.js";

runOnBigStack(new URL("./run-command.ts", import.meta.url));
