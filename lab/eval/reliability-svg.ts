// The reliability diagram as a small hand-written SVG, in the sweep plot's style: predicted
// probability against observed accuracy, one dot per non-empty bin sized by its count, the
// diagonal a perfectly calibrated score would follow, and each bin's count in a row under the
// plot, so no number ever covers a curve.
import type { Reliability } from "./reliability.ts";
import { axes, dot, escapeXml, f3, n, panel, polyline, svgDocument } from "./svg.ts";

export type ReliabilityPlot = {
  title: string;
  raw: Reliability;
  /** The calibrated confidence's bins, and what it is (the policy's map, or fitted in-sample). */
  calibrated: { label: string; reliability: Reliability } | null;
};

const WIDTH = 560;
const HEIGHT = 500;
const X0 = 110;
const MARGIN = 30;
const SERIES = [
  { key: "raw", colour: "#ff7f0e", dash: "6 3", short: "raw support" },
  { key: "calibrated", colour: "#1f77b4", dash: "", short: "calibrated confidence" },
] as const;

export function renderReliabilitySvg(plot: ReliabilityPlot): string {
  const p = panel(X0);
  const series = [
    { ...SERIES[0], label: "raw support score", reliability: plot.raw },
    ...(plot.calibrated
      ? [
          {
            ...SERIES[1],
            label: `calibrated confidence (${plot.calibrated.label})`,
            reliability: plot.calibrated.reliability,
          },
        ]
      : []),
  ];
  const largest = Math.max(1, ...series.flatMap((s) => s.reliability.bins.map((b) => b.n)));
  // Area proportional to the count, so a bin of a few items is visibly a few.
  const radius = (count: number) => round1(2.5 + 7.5 * Math.sqrt(count / largest));
  const body = [
    `<text class="title" x="${MARGIN}" y="24">${escapeXml(plot.title)}</text>`,
    ...series.map(
      (s, i) =>
        `<text class="caption" x="${MARGIN}" y="${46 + i * 16}" fill="${s.colour}">${escapeXml(
          `● ${s.label}: ECE ${f3(s.reliability.ece)} over ${s.reliability.n}`,
        )}</text>`,
    ),
    ...axes(p, "Reliability", "predicted probability", "observed accuracy"),
    `<line class="diagonal" x1="${n(p.xs(0))}" y1="${n(p.ys(0))}" x2="${n(p.xs(1))}" y2="${n(p.ys(1))}" stroke="#777" stroke-dasharray="2 3"/>`,
  ];
  for (const [i, s] of series.entries()) {
    const filled = s.reliability.bins.filter((b) => b.n > 0);
    const at = filled.map((b): [number, number] => [b.confidence!, b.accuracy!]);
    body.push(
      polyline(p, at, s.colour, `${s.key}-series`, s.dash),
      ...filled.map((b) =>
        dot(p, b.confidence!, b.accuracy!, s.colour, `${s.key}-bin`, radius(b.n)).replace(
          "<circle ",
          `<circle data-n="${b.n}" `,
        ),
      ),
      `<text x="${X0 - 6}" y="${426 + i * 16}" text-anchor="end" fill="${s.colour}">n</text>`,
      ...s.reliability.bins.map(
        (b) =>
          `<text class="${s.key}-count" x="${n(p.xs((b.lo + b.hi) / 2))}" y="${426 + i * 16}" text-anchor="middle" fill="${s.colour}">${b.n}</text>`,
      ),
    );
  }
  body.push(...legend(MARGIN, HEIGHT - 14, series));
  return svgDocument(WIDTH, HEIGHT, body);
}

const round1 = (x: number) => Math.round(x * 10) / 10;

function legend(
  x: number,
  y: number,
  series: { colour: string; dash: string; short: string }[],
): string[] {
  const entries = [
    ...series.map((s) => [s.short, s.colour, s.dash] as const),
    ["perfect calibration", "#777", "2 3"] as const,
  ];
  return entries.flatMap(([label, colour, dash], i) => {
    const xx = x + i * 175;
    const dashAttr = dash ? ` stroke-dasharray="${dash}"` : "";
    return [
      `<line x1="${xx}" y1="${y}" x2="${xx + 24}" y2="${y}" stroke="${colour}" stroke-width="2"${dashAttr}/>`,
      `<text x="${xx + 30}" y="${y + 4}">${escapeXml(label)}</text>`,
    ];
  });
}
