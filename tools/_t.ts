import { readFileSync } from "node:fs";
import { runSource } from "./compile-lib.js";
for (const f of process.argv.slice(2)) { const r = runSource({ file: f, text: readFileSync(f, "utf8") }, "interp"); console.log(f, JSON.stringify(r)); }
