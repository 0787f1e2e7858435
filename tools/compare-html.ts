// The --html output of tools/compare.ts: one self-contained page (inline CSS, inline SVG drawn
// here; no scripts, nothing fetched). Per program: a table of the measurements and three
// horizontal bar charts with a bar per configuration and its ratio to the baseline — run time
// (median, with a min–max whisker; log scale when the times span more than 30×), .wasm size
// (runtime code, program code, the rest of the module) and peak memory (the process before the
// run, and what the warm-up run added).
import type { CompareReport, Measurement, ProgramReport } from "./compare-types.js";
import { fmtMB, fmtNum, note, sameMark } from "./compare-report.js";

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const W = 900, LABEL = 200, BAR = 380, ROW = 24, TOP = 28, BOTTOM = 26;
const COLORS = { time: "#e07b39", runtime: "#7b8fc7", program: "#4fae8b", rest: "#c9c9c9", base: "#c6d7ea", grown: "#3b6ea5" };

interface Segment { value: number; color: string; title: string }
interface Bar {
  config: string;
  /** stacked segments (linear scale) or one value; undefined: no bar, show `missing` */
  segments?: Segment[];
  whisker?: [number, number];
  label: string;
  missing?: string;
}

/** One chart: a title, a bar per configuration, a legend. */
function chart(title: string, bars: Bar[], baseline: string, legend: [string, string][], log: boolean): string {
  const values = bars.flatMap((b) => (b.segments ? [b.segments.reduce((a, s) => a + s.value, 0), ...(b.whisker ?? [])] : [])).filter((v) => v > 0);
  const hi = Math.max(...values, 1e-9), lo = Math.min(...values, hi) / 2;
  const x = (v: number) => (v <= 0 ? 0 : log ? (BAR * (Math.log10(v) - Math.log10(lo))) / (Math.log10(hi) - Math.log10(lo) || 1) : (BAR * v) / hi);
  const h = TOP + bars.length * ROW + BOTTOM;
  const out: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${h}" viewBox="0 0 ${W} ${h}" role="img" aria-label="${esc(title)}">`,
    `<text x="0" y="16" class="t">${esc(title)}${log ? " (log scale)" : ""}</text>`];
  bars.forEach((b, i) => {
    const y = TOP + i * ROW;
    out.push(`<text x="${LABEL - 8}" y="${y + 15}" text-anchor="end" class="${b.config === baseline ? "l b" : "l"}">${esc(b.config)}</text>`);
    if (!b.segments) { out.push(`<text x="${LABEL}" y="${y + 15}" class="m">${esc(b.missing ?? "")}</text>`); return; }
    let at = 0;
    if (log) {
      const total = b.segments.reduce((a, s) => a + s.value, 0);
      out.push(`<rect x="${LABEL}" y="${y + 3}" width="${Math.max(1, x(total)).toFixed(1)}" height="${ROW - 8}" fill="${b.segments[0]!.color}"><title>${esc(b.segments[0]!.title)}</title></rect>`);
      at = x(total);
    } else {
      for (const s of b.segments) {
        const w = x(s.value);
        out.push(`<rect x="${(LABEL + at).toFixed(1)}" y="${y + 3}" width="${Math.max(s.value > 0 ? 1 : 0, w).toFixed(1)}" height="${ROW - 8}" fill="${s.color}"><title>${esc(s.title)}</title></rect>`);
        at += w;
      }
    }
    if (b.whisker) {
      const [a, z] = b.whisker.map((v) => LABEL + x(v));
      out.push(`<path d="M${a!.toFixed(1)} ${y + 11}H${z!.toFixed(1)}M${a!.toFixed(1)} ${y + 6}V${y + 16}M${z!.toFixed(1)} ${y + 6}V${y + 16}" stroke="#333" fill="none"/>`);
      at = Math.max(at, z! - LABEL);
    }
    out.push(`<text x="${(LABEL + at + 6).toFixed(1)}" y="${y + 15}" class="v">${esc(b.label)}</text>`);
  });
  let lx = LABEL;
  for (const [color, text] of legend) {
    out.push(`<rect x="${lx}" y="${h - 16}" width="10" height="10" fill="${color}"/><text x="${lx + 14}" y="${h - 7}" class="g">${esc(text)}</text>`);
    lx += 30 + text.length * 7;
  }
  out.push("</svg>");
  return out.join("\n");
}

const ratioText = (r: number | null, isBase: boolean) => (isBase ? " (baseline)" : r === null ? "" : ` ×${fmtNum(r)}`);
const missing = (m: Measurement) => (m.status === "ok" ? "" : `${m.status}: ${(m.reason ?? "").replace(/^(unsupported|timeout): /, "")}`.slice(0, 90));

function programSection(p: ProgramReport, r: CompareReport): string {
  const isBase = (m: Measurement) => m.config === r.baseline;
  const time: Bar[] = p.results.map((m) => m.run
    ? { config: m.config, segments: [{ value: m.run.median, color: COLORS.time, title: `median of ${m.run.times.length}: ${fmtNum(m.run.median)} ms` }], whisker: [m.run.min, m.run.max], label: `${fmtNum(m.run.median)} ms${ratioText(m.ratio.time, isBase(m))}` }
    : { config: m.config, label: "", missing: missing(m) });
  const times = p.results.flatMap((m) => (m.run ? [m.run.min, m.run.max] : [])).filter((v) => v > 0);
  const log = times.length > 1 && Math.max(...times) / Math.min(...times) > 30;
  const size: Bar[] = p.results.map((m) => {
    if (!m.size) return { config: m.config, label: "", missing: m.config.startsWith("interp") ? "no .wasm (the interpreter)" : missing(m) };
    const c = m.size.code;
    const segments = c
      ? [{ value: c.runtime, color: COLORS.runtime, title: `runtime code ${c.runtime} B` }, { value: c.program, color: COLORS.program, title: `program code ${c.program} B` },
        { value: m.size.total - c.total, color: COLORS.rest, title: `other sections ${m.size.total - c.total} B` }]
      : [{ value: m.size.total, color: COLORS.rest, title: `${m.size.total} B` }];
    return { config: m.config, segments, label: `${m.size.total} B${c ? ` (runtime ${c.runtime}, program ${c.program})` : ""}${ratioText(m.ratio.size, isBase(m))}` };
  });
  const mem: Bar[] = p.results.map((m) => {
    if (!m.memory || m.status !== "ok") return { config: m.config, label: "", missing: missing(m) || "not measured" };
    const base = Math.min(m.memory.baseKB ?? 0, m.memory.peakKB);
    return {
      config: m.config, label: `${fmtMB(m.memory.peakKB)} MB${ratioText(m.ratio.peak, isBase(m))}`,
      segments: [{ value: base, color: COLORS.base, title: `before the run ${fmtMB(base)} MB` }, { value: m.memory.peakKB - base, color: COLORS.grown, title: `added by the run ${fmtMB(m.memory.peakKB - base)} MB` }],
    };
  });
  const rows = p.results.map((m) => {
    const c = m.size?.code;
    return `<tr><td>${esc(m.config)}</td><td>${m.status}</td><td>${m.compile ? fmtNum(m.compile.ms) : ""}</td><td>${m.compile ? fmtNum(m.compile.frontMs) : ""}</td>` +
      `<td>${m.size?.total ?? ""}</td><td>${c?.runtime ?? ""}</td><td>${c?.program ?? ""}</td>` +
      `<td>${m.run ? `${fmtNum(m.run.median)} [${fmtNum(m.run.q1)}–${fmtNum(m.run.q3)}] [${fmtNum(m.run.min)}–${fmtNum(m.run.max)}]` : ""}</td>` +
      `<td>${m.memory && m.status === "ok" ? fmtMB(m.memory.peakKB) : ""}</td><td>${m.ratio.time !== null ? fmtNum(m.ratio.time) : ""}</td><td>${sameMark(m)}</td><td>${esc(note(m, r.baseline))}</td></tr>`;
  });
  return [
    `<section><h2>${esc(p.file)}</h2>`,
    p.failedEverywhere ? `<p class="warn">No configuration ran this program to the end.</p>` : "",
    `<table><tr><th>config</th><th>status</th><th>compile ms</th><th>passes ms</th><th>size B</th><th>runtime code B</th><th>program code B</th><th>run ms median [IQR] [min–max]</th><th>peak MB</th><th>time ×baseline</th><th>same output</th><th>note</th></tr>`,
    ...rows, "</table>",
    chart("Run time (median; whisker: min–max)", time, r.baseline, [[COLORS.time, "median run time"]], log),
    chart(".wasm size", size, r.baseline, [[COLORS.runtime, "runtime code"], [COLORS.program, "program code"], [COLORS.rest, "other sections"]], false),
    chart("Peak memory (RSS of the measuring process)", mem, r.baseline, [[COLORS.base, "before the warm-up run"], [COLORS.grown, "added by the run"]], false),
    "</section>",
  ].join("\n");
}

/** The whole page. */
export function html(r: CompareReport): string {
  const configs = r.configs.map((c) => `<li><code>${esc(c.name)}</code>${c.name === r.baseline ? " (baseline)" : ""}</li>`).join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Backend comparison</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; margin: .5em 0 1em; } td, th { border: 1px solid #ccc; padding: 2px 6px; font-size: 13px; } th { background: #f3f3f3; }
td:nth-child(n+3):nth-child(-n+11) { text-align: right; }
svg { display: block; margin: .3em 0 1em; } svg text { font: 12px system-ui, sans-serif; fill: #222; }
svg .t { font-weight: 600; } svg .b { font-weight: 700; } svg .m { fill: #a33; } svg .g, svg .v { fill: #444; }
.warn { color: #a33; } section { border-top: 1px solid #ddd; margin-top: 1.5em; }
</style></head><body>
<h1>Backend comparison</h1>
<p>${esc(r.date)}, Node ${esc(r.node)}; ${r.runs} timed runs after a warm-up run, each in a fresh instance${r.timeoutSeconds ? `, timeout ${r.timeoutSeconds} s per run` : ""}.
Ratios and “same output” are against <code>${esc(r.baseline)}</code>. Peak memory is the peak RSS of the child process that ran the measurement, read after its warm-up run.</p>
<ul>${configs}</ul>
${r.notes.map((n) => `<p class="warn">${esc(n)}</p>`).join("\n")}
${r.programs.map((p) => programSection(p, r)).join("\n")}
</body></html>
`;
}
