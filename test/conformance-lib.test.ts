import { describe, expect, it } from "vitest";
import { matches, parseTestsFile } from "../tools/conformance-lib.js";

describe("the .tests format", () => {
  it("splits cases on blank lines, skips comments and reads options", () => {
    const text = "# comment\nFirst\n1 + 2\nstdout : 3 : Int\n\n\n\nSecond\n{ do Foo }\nstderr : @.\nexit : 1\nargs : --enable-handlers\n";
    const cs = parseTestsFile(text, "x.tests", "/nowhere");
    expect(cs.map((c) => [c.name, c.program, c.exit, c.category])).toEqual([
      ["First", "1 + 2", 0, "value"],
      ["Second", "{ do Foo }", 1, "error"],
    ]);
  });
  it("compares exactly after right-stripping, or by a regex anchored at the start with @", () => {
    expect(matches("3 : Int", "3 : Int\n")).toBe(true);
    expect(matches("3 : Int", "4 : Int")).toBe(false);
    expect(matches("@fun : .*", "fun : (Int) -> Int")).toBe(true);
    expect(matches("@Int", "x Int")).toBe(false);
    expect(matches(undefined, "")).toBe(true);
    expect(matches(undefined, "output")).toBe(false);
  });
});
