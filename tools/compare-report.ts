// The text outputs of tools/compare.ts: the table on stdout and the CSV file (--csv), one row per
// program × configuration. (JSON is the CompareReport itself; HTML: tools/compare-html.ts.)
import type { CompareReport, Measurement } from "./compare-types.js";

/** 3 significant digits, no exponent: 0.0183, 1.83, 18.3, 183, 1834. */
export function fmtNum(x: number): string {
  if (x === 0) return "0";
  const a = Math.abs(x);
  return a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : a >= 1 ? x.toFixed(2) : x.toPrecision(2);
}
export const fmtMB = (kb: number) => (kb / 1024).toFixed(1);
const dash = "–";

/** One line on what went wrong or is worth knowing, for the table's last column. */
export function note(m: Measurement, baseline: string): string {
  if (m.status !== "ok") return m.status === "error" || m.status === "timeout" ? `${m.status === "timeout" ? "" : "failed: "}${m.reason ?? m.status}` : m.reason ?? m.status;
  const notes: string[] = [];
  if (m.config === baseline) notes.push("baseline");
  if (m.sameOutput === false) notes.push(`output differs from ${baseline}`);
  if (m.outputVaries) notes.push("output varies between runs");
  return notes.join("; ");
}

export const sameMark = (m: Measurement) => (m.sameOutput === true ? "✓" : m.sameOutput === false ? "✗" : dash);

/** The table printed on stdout. */
export function table(r: CompareReport, maxNote = 100): string {
  const head = ["program", "config", "compile ms", "size B", "run ms median [min–max]", "peak MB", "×baseline", "same", "note"];
  const rows = r.programs.flatMap((p) => p.results.map((m) => {
    const n = note(m, r.baseline);
    return [
      m.program, m.config,
      m.compile ? fmtNum(m.compile.ms) : dash,
      m.size ? String(m.size.total) : dash,
      m.run ? `${fmtNum(m.run.median)} [${fmtNum(m.run.min)}–${fmtNum(m.run.max)}]` : dash,
      m.memory && m.status === "ok" ? fmtMB(m.memory.peakKB) : dash,
      m.ratio.time !== null ? fmtNum(m.ratio.time) : dash,
      sameMark(m),
      n.length > maxNote ? n.slice(0, maxNote - 1) + "…" : n,
    ];
  }));
  const all = [head, ...rows];
  const right = new Set([2, 3, 4, 5, 6]);
  const width = head.map((_, i) => Math.max(...all.map((row) => [...row[i]!].length)));
  const line = (row: string[]) => row.map((c, i) => (i === row.length - 1 ? c : right.has(i) ? c.padStart(width[i]!) : c.padEnd(width[i]!))).join("  ").trimEnd();
  const out = [line(head), line(width.map((w, i) => (i === head.length - 1 ? "────" : "─".repeat(w)))), ...rows.map(line)];
  const failed = r.programs.filter((p) => p.failedEverywhere);
  for (const p of failed) out.push(`${p.file}: no configuration ran it to the end (${p.results[0]?.reason ?? "failed"})`);
  for (const p of r.programs.filter((p) => !p.failedEverywhere)) {
    const base = p.results.find((m) => m.config === r.baseline);
    if (base && base.status !== "ok") out.push(`${p.file}: the baseline ${r.baseline} did not run it (${base.status}): no ratios or output comparison (choose another with --baseline)`);
  }
  for (const n of r.notes) out.push(`note: ${n}`);
  out.push(`${r.runs} timed run${r.runs === 1 ? "" : "s"} after a warm-up, each in a fresh instance; ratios and "same" are against ${r.baseline}; peak MB is the measuring process's peak RSS after the warm-up run${r.configs.some((c) => c.engine === "chromium") ? " (chromium: the page's renderer process)" : ""}`);
  return out.join("\n");
}

const csvCell = (v: unknown): string => {
  const s = v === undefined || v === null ? "" : typeof v === "number" ? String(Number(v.toFixed(4))) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** The CSV file: a header, then one row per program × configuration. */
export function csv(r: CompareReport): string {
  const head = [
    "program", "config", "backend", "engine", "opt", "with", "without", "status", "reason",
    "compile_ms", "front_ms", "binaryen_ms", "size_bytes", "code_bytes", "code_runtime_bytes", "code_program_bytes",
    "run_ms_median", "run_ms_min", "run_ms_max", "run_ms_q1", "run_ms_q3", "runs", "warmup_ms",
    "peak_kb", "base_kb", "ratio_time", "ratio_size", "ratio_peak", "same_output",
  ];
  const byName = new Map(r.configs.map((c) => [c.name, c]));
  const lines = [head.join(",")];
  for (const p of r.programs) for (const m of p.results) {
    const c = byName.get(m.config)!;
    const st = m.compile?.stages ?? {};
    const binaryen = ["parse", "validate", "optimize", "emit"].reduce((a, s) => a + (st[s] ?? 0), 0);
    lines.push([
      m.program, m.config, c.backend, c.engine, c.opt, c.with.join("+"), c.without.join("+"), m.status, m.reason,
      m.compile?.ms, m.compile?.frontMs, m.compile && c.backend !== "interp" ? binaryen : undefined,
      m.size?.total, m.size?.code?.total, m.size?.code?.runtime, m.size?.code?.program,
      m.run?.median, m.run?.min, m.run?.max, m.run?.q1, m.run?.q3, m.run?.times.length, m.run?.warmupMs,
      m.memory?.peakKB, m.memory?.baseKB, m.ratio.time, m.ratio.size, m.ratio.peak,
      m.sameOutput === null ? "" : m.sameOutput,
    ].map(csvCell).join(","));
  }
  return lines.join("\n") + "\n";
}
