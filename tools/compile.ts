// Compile a Links program to a Wasm binary or WAT text.
//
//   tsx tools/compile.ts FILE -o OUT [--backend wasmfx|cps] [-O 0|1|2|3] [--emit wasm|wat] [--with PASS]... [--without PASS]...
//                        [--prefer-globals] [--yield-is-switch]
//
// The command is tools/compile-command.ts; it runs on a worker thread with a big stack, so that deeply
// nested programs compile (tools/big-stack.ts).
import { runOnBigStack } from "./big-stack.js";

runOnBigStack(new URL("./compile-command.ts", import.meta.url));
