// Run the pipeline pass by pass and look at what each pass produced.
//
//   tsx tools/run-pass.ts FILE [--dump[=PASS,PASS]] [--until PASS] [--check] [--time] [--json] [--backend interp|wasmfx|cps]
//                         [--engine node|deno|chromium] [--with PASS]... [--without PASS]... [--prefer-globals] [--yield-is-switch]
//   tsx tools/run-pass.ts --list [--backend cps]
//
// The command is tools/run-pass-command.ts; it runs on a worker thread with a big stack, so that deeply
// nested programs compile (tools/big-stack.ts).
import { runOnBigStack } from "./big-stack.js";

runOnBigStack(new URL("./run-pass-command.ts", import.meta.url));
