// The threshold sweep as a small hand-written SVG: no plotting dependency, readable in a browser
// or a pull request. Left: answered precision against coverage; right: accuracy, coverage and
// answered precision against the threshold. The policy's and the best threshold are dots on the
// curves and a line of figures under the title, so no label ever covers a curve.
import { round } from "../shared/stats.ts";
import type { OperatingPoint } from "../shared/sweep.ts";

export type SweepPlot = {
  title: string;
  sweep: OperatingPoint[];
  policy: OperatingPoint;
  best: OperatingPoint;
  alwaysRefuse: number;
};

const WIDTH = 920;
const HEIGHT = 462;
const PLOT = { w: 340, h: 280, top: 96 };
const LEFT_X = 70;
const RIGHT_X = 530;
const TICKS = [0, 0.2, 0.4, 0.6, 0.8, 1];
const COLOURS = {
  accuracy: "#1f77b4",
  coverage: "#ff7f0e",
  precision: "#2ca02c",
  policy: "#d62728",
  best: "#1f77b4",
  refuse: "#777",
};

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

export const n = (x: number) => String(round(x, 1));
export const f3 = (x: number) => x.toFixed(3);

export type Panel = { x0: number; xs: (v: number) => number; ys: (v: number) => number };

export function panel(x0: number): Panel {
  const clamp = (v: number) => Math.min(1, Math.max(0, v));
  return {
    x0,
    xs: (v) => x0 + clamp(v) * PLOT.w,
    ys: (v) => PLOT.top + (1 - clamp(v)) * PLOT.h,
  };
}

export function axes(p: Panel, title: string, xLabel: string, yLabel: string): string[] {
  const out: string[] = [];
  for (const t of TICKS) {
    out.push(
      `<line class="grid" x1="${n(p.xs(t))}" y1="${n(p.ys(0))}" x2="${n(p.xs(t))}" y2="${n(p.ys(1))}"/>`,
      `<line class="grid" x1="${n(p.xs(0))}" y1="${n(p.ys(t))}" x2="${n(p.xs(1))}" y2="${n(p.ys(t))}"/>`,
      `<text x="${n(p.xs(t))}" y="${n(p.ys(0) + 16)}" text-anchor="middle">${t.toFixed(1)}</text>`,
      `<text x="${n(p.xs(0) - 6)}" y="${n(p.ys(t) + 4)}" text-anchor="end">${t.toFixed(1)}</text>`,
    );
  }
  const midX = p.xs(0.5);
  const midY = p.ys(0.5);
  out.push(
    `<rect class="frame" x="${n(p.xs(0))}" y="${n(p.ys(1))}" width="${PLOT.w}" height="${PLOT.h}"/>`,
    `<text class="title" x="${n(midX)}" y="${n(PLOT.top - 10)}" text-anchor="middle">${escapeXml(title)}</text>`,
    `<text x="${n(midX)}" y="${n(p.ys(0) + 34)}" text-anchor="middle">${escapeXml(xLabel)}</text>`,
    `<text x="${n(p.x0 - 40)}" y="${n(midY)}" text-anchor="middle" transform="rotate(-90 ${n(p.x0 - 40)} ${n(midY)})">${escapeXml(yLabel)}</text>`,
  );
  return out;
}

export function polyline(
  p: Panel,
  pts: [number, number][],
  colour: string,
  cls: string,
  dash = "",
): string {
  const points = pts.map(([x, y]) => `${n(p.xs(x))},${n(p.ys(y))}`).join(" ");
  const dashAttr = dash ? ` stroke-dasharray="${dash}"` : "";
  return `<polyline class="${cls}" fill="none" stroke="${colour}" stroke-width="2"${dashAttr} points="${points}"/>`;
}

export function dot(p: Panel, x: number, y: number, colour: string, cls: string, r = 5): string {
  return `<circle class="${cls}" cx="${n(p.xs(x))}" cy="${n(p.ys(y))}" r="${r}" fill="${colour}" stroke="#fff" stroke-width="1.5"/>`;
}

function legend(x: number, y: number, alwaysRefuse: number): string[] {
  const entries: [string, string, string][] = [
    ["accuracy", COLOURS.accuracy, ""],
    ["coverage", COLOURS.coverage, "6 3"],
    ["answered precision", COLOURS.precision, "2 2"],
    ["policy threshold", COLOURS.policy, "4 3"],
    [`always refuse (${f3(alwaysRefuse)})`, COLOURS.refuse, "2 3"],
  ];
  return entries.flatMap(([label, colour, dash], i) => {
    const xx = x + i * 160;
    const dashAttr = dash ? ` stroke-dasharray="${dash}"` : "";
    return [
      `<line x1="${xx}" y1="${y}" x2="${xx + 24}" y2="${y}" stroke="${colour}" stroke-width="2"${dashAttr}/>`,
      `<text x="${xx + 30}" y="${y + 4}">${escapeXml(label)}</text>`,
    ];
  });
}

/** The figures the dots stand for, one line each, in the dots' colours. */
function caption(x: number, y: number, plot: SweepPlot, same: boolean): string[] {
  const figures = (p: OperatingPoint) =>
    `t=${p.threshold.toFixed(2)}: accuracy ${f3(p.accuracy)}, answered precision ` +
    `${f3(p.answered_precision)}, coverage ${f3(p.coverage)}`;
  const lines: [string, string][] = [
    [COLOURS.policy, `● ${same ? "policy = best" : "policy"} ${figures(plot.policy)}`],
    ...(same ? [] : [[COLOURS.best, `● best ${figures(plot.best)}`] as [string, string]]),
  ];
  return lines.map(
    ([colour, text], i) =>
      `<text class="caption" x="${x}" y="${y + i * 16}" fill="${colour}">${escapeXml(text)}</text>`,
  );
}

export function renderSweepSvg(plot: SweepPlot): string {
  const { sweep, policy, best } = plot;
  const left = panel(LEFT_X);
  const right = panel(RIGHT_X);
  const answered = sweep.filter((s) => s.coverage > 0);
  // When the policy's threshold is the best one, one dot says both.
  const same = best.threshold === policy.threshold;
  const refuseY = n(right.ys(plot.alwaysRefuse));
  const policyX = n(right.xs(policy.threshold));
  const body = [
    ...axes(
      left,
      "Answered precision vs coverage",
      "coverage (share answered)",
      "answered precision",
    ),
    polyline(
      left,
      answered.map((s) => [s.coverage, s.answered_precision]),
      COLOURS.precision,
      "precision-curve",
    ),
    ...(same ? [] : [dot(left, best.coverage, best.answered_precision, COLOURS.best, "best")]),
    dot(left, policy.coverage, policy.answered_precision, COLOURS.policy, "policy"),

    ...axes(right, "Accuracy vs threshold", "refusal threshold", "share of questions"),
    `<line class="always-refuse" x1="${n(right.xs(0))}" y1="${refuseY}" x2="${n(right.xs(1))}" y2="${refuseY}" stroke="${COLOURS.refuse}" stroke-dasharray="2 3"/>`,
    `<line class="policy-threshold" x1="${policyX}" y1="${n(right.ys(0))}" x2="${policyX}" y2="${n(right.ys(1))}" stroke="${COLOURS.policy}" stroke-dasharray="4 3"/>`,
    polyline(
      right,
      sweep.map((s) => [s.threshold, s.coverage]),
      COLOURS.coverage,
      "coverage-curve",
      "6 3",
    ),
    polyline(
      right,
      answered.map((s) => [s.threshold, s.answered_precision]),
      COLOURS.precision,
      "precision-threshold-curve",
      "2 2",
    ),
    polyline(
      right,
      sweep.map((s) => [s.threshold, s.accuracy]),
      COLOURS.accuracy,
      "accuracy-curve",
    ),
    ...(same ? [] : [dot(right, best.threshold, best.accuracy, COLOURS.best, "best")]),
    dot(right, policy.threshold, policy.accuracy, COLOURS.policy, "policy"),
    ...legend(LEFT_X - 40, HEIGHT - 14, plot.alwaysRefuse),
  ];
  return svgDocument(WIDTH, HEIGHT, [
    `<text class="title" x="${LEFT_X - 40}" y="24">${escapeXml(plot.title)}</text>`,
    ...caption(LEFT_X - 40, 46, plot, same),
    ...body,
  ]);
}

/** A standalone SVG document of `width` x `height` holding `body`, in the lab plots' style. */
export function svgDocument(width: number, height: number, body: string[]): string {
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<style>.grid{stroke:#e5e5e5;stroke-width:1}.frame{fill:none;stroke:#999}.title{font-size:14px;font-weight:bold}</style>`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    ...body,
    `</svg>`,
    ``,
  ].join("\n");
}
