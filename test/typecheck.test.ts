// The whole project type-checks (`tsc --noEmit`). This is what makes the pipeline typed: a pass
// put after one whose output language it does not take is a tsc error — test/check.test.ts
// holds such a composition under `@ts-expect-error`, which tsc rejects if it ever type-checks.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));

describe("types", () => {
  it("tsc --noEmit reports no errors", () => {
    const r = spawnSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, "--noEmit", "-p", root], { encoding: "utf8" });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  }, 240_000);
});
