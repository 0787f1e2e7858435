// Tests for the interpreter's process scheduler (backends/interp/machine.ts, class Machine) through
// tools/compile-lib.ts's runSource: FIFO round robin with preemption, angels outliving main,
// messages to finished processes, deadlock, the deadline (`--timeout`) with many processes and
// many short slices, and the Queue the ready queue and mailboxes use.
import { describe, expect, it } from "vitest";
import { runSource } from "../tools/compile-lib.js";
import { Queue } from "../backends/interp/machine.js";

/** Run a program on the interpreter. */
function run(text: string, timeoutMs = 30_000) {
  return runSource({ file: "t.links", text }, "interp", { deadline: Date.now() + timeoutMs });
}

/** Run a program that must succeed; returns its stdout. */
function stdoutOf(text: string): string {
  const r = run(text);
  expect(r.stderr).toBe("");
  expect(r.exitCode).toBe(0);
  return r.stdout;
}

describe("scheduling", () => {
  it("a process spinning forever is preempted: main's receive returns and the program ends", () => {
    const program =
      "fun main() { var me = self(); var s = spawn { fun spin() { spin() } spin() }; var p = spawn { me ! 42 }; recv() } main()";
    expect(stdoutOf(program)).toBe("42 : Int\n");
  });

  it("processes first run in the order they were spawned", () => {
    const program =
      'fun main() { var me = self(); var a = spawn { print("a"); me ! 1 }; var b = spawn { print("b"); me ! 2 }; ' +
      'var c = spawn { print("c"); me ! 3 }; recv() + recv() + recv() } main()';
    expect(stdoutOf(program)).toBe("abc6 : Int\n");
  });

  it("an angel still runs after main finished; a plain process does not", () => {
    expect(stdoutOf('fun main() { var a = spawnAngel { print(recv()) }; print("main "); a ! "angel"; 1 } main()')).toBe("main angel1 : Int\n");
    expect(stdoutOf('fun main() { var a = spawn { print(recv()) }; print("main "); a ! "plain"; 1 } main()')).toBe("main 1 : Int\n");
  });

  it("a message to a finished process is dropped", () => {
    expect(stdoutOf("fun main() { var me = self(); var p = spawn { me ! 1 }; var x = recv(); p ! 5; x } main()")).toBe("1 : Int\n");
  });

  it("10,000 processes each send one message to main", () => {
    const program =
      "fun main() { var me = self(); fun go(i) { if (i > 0) { var p = spawn { me ! 1 }; go(i - 1) } else () } go(10000); " +
      "fun get(i, acc) { if (i == 0) acc else get(i - 1, acc + recv()) } get(10000, 0) } main()";
    expect(stdoutOf(program)).toBe("10000 : Int\n");
  }, 60_000);

  it("every process waiting for a message is a deadlock", () => {
    const r = run("fun main() { var a = spawn { recv() + 1 }; var b = spawn { recv() + 2 }; recv() + 0 } main()");
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe("error: runtime error: deadlock: every process is waiting for a message\n");
  });
});

/** The program is stopped by a 300 ms deadline with the timeout error, well within 10 s. */
function expectTimeout(program: string) {
  const start = Date.now();
  const r = run(program, 300);
  expect(r.exitCode).toBe(1);
  expect(r.stderr).toBe("error: runtime error: timeout\n");
  expect(Date.now() - start).toBeLessThan(10_000);
}

describe("deadline", () => {
  it("holds for a token passed forever around a ring of 1,000 processes (many short slices)", () => {
    const program = `
fun relay(next) { var t = recv(); next ! t; relay(next) }
fun ring(n, next) { if (n == 0) next else ring(n - 1, spawn { relay(next) }) }
fun main() { var me = self(); var first = ring(1000, me); first ! 0; relay(first) }
main()`;
    expectTimeout(program);
  }, 20_000);

  it("holds for 1,000,000 processes spawned in time slices", () => {
    const program =
      "fun main() { var me = self(); " +
      "fun go(i) { if (i > 0) { var p = spawn { me ! 1 }; go(i - 1) } else () } go(1000000); " +
      "fun get(i, acc) { if (i == 0) acc else get(i - 1, acc + recv()) } get(1000000, 0) } main()";
    expectTimeout(program);
  }, 20_000);
});

describe("Queue", () => {
  it("is first in, first out across compactions", () => {
    const q = new Queue<number>();
    const out: number[] = [];
    let next = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 3000; i++) q.push(next++);
      for (let i = 0; i < 2000; i++) out.push(q.shift()!);
    }
    while (q.length > 0) out.push(q.shift()!);
    expect(q.shift()).toBeUndefined();
    expect(out).toEqual(Array.from({ length: next }, (_, i) => i));
  });
});
