import { describe, expect, it } from "vitest";
import { reliabilitySvgPathFor, svgPathFor } from "../../lab/eval/evaluate.ts";
import { reliability } from "../../lab/eval/reliability.ts";
import { renderReliabilitySvg } from "../../lab/eval/reliability-svg.ts";
import { escapeXml, renderSweepSvg, type SweepPlot } from "../../lab/eval/svg.ts";

/** Well-formedness without a parser dependency: one root, balanced tags, quoted attributes, no bare `&` or `<`. */
function checkXml(xml: string): void {
  const body = xml.replace(/^<\?xml[^>]*\?>\s*/, "");
  const stack: string[] = [];
  let roots = 0;
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  let last = 0;
  for (const m of body.matchAll(tag)) {
    const text = body.slice(last, m.index);
    expect(text).not.toMatch(/[<>]|&(?!(amp|lt|gt|quot|apos|#\d+);)/);
    last = m.index! + m[0].length;
    const [, closing, name, , selfClosing] = m;
    if (closing) expect(stack.pop()).toBe(name);
    else {
      if (stack.length === 0) roots += 1;
      if (!selfClosing) stack.push(name!);
    }
  }
  expect(body.slice(last).trim()).toBe("");
  expect(stack).toEqual([]);
  expect(roots).toBe(1);
}

const sweep = Array.from({ length: 101 }, (_, i) => {
  const t = i / 100;
  const coverage = Math.max(0, 1 - t * 1.2);
  return {
    threshold: t,
    coverage,
    answered_precision: coverage > 0 ? 0.5 + t / 2 : 0,
    accuracy: 0.45 + 0.2 * Math.sin(t * Math.PI),
  };
});
const plot: SweepPlot = {
  title: "squad2 <public> & friends",
  sweep,
  policy: sweep[76]!,
  best: sweep[50]!,
  alwaysRefuse: 0.479,
};

describe("renderSweepSvg", () => {
  const svg = renderSweepSvg(plot);

  it("is a well-formed SVG document with its title escaped", () => {
    expect(
      svg.startsWith(
        '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"',
      ),
    ).toBe(true);
    checkXml(svg);
    expect(svg).toContain("squad2 &lt;public&gt; &amp; friends");
  });

  it("draws every sweep point on the accuracy curve and the answered ones on the precision curve", () => {
    const points = (cls: string) =>
      new RegExp(`class="${cls}"[^>]* points="([^"]*)"`).exec(svg)![1]!.split(" ");
    expect(points("accuracy-curve")).toHaveLength(101);
    expect(points("precision-curve")).toHaveLength(sweep.filter((s) => s.coverage > 0).length);
    // Threshold 0 at the left edge of the right panel, accuracy 0.45 at 45% of its height.
    const [x, y] = points("accuracy-curve")[0]!.split(",").map(Number);
    expect(x).toBe(530);
    expect(y).toBeCloseTo(96 + 0.55 * 280, 1);
  });

  it("marks the policy threshold with a line and dots, and states their figures", () => {
    expect(svg).toMatch(/class="policy-threshold" x1="(788\.4)" y1="376" x2="\1" y2="96"/);
    expect(svg.match(/<circle class="policy"/g)).toHaveLength(2);
    expect(svg.match(/<circle class="best"/g)).toHaveLength(2);
    expect(svg).toContain("● policy t=0.76: accuracy");
    expect(svg).toContain("● best t=0.50: accuracy");
    expect(svg).toContain("always refuse (0.479)");
  });

  it("draws one dot when the policy's threshold is the best one", () => {
    const same = renderSweepSvg({ ...plot, best: plot.policy });
    checkXml(same);
    expect(same).toContain("● policy = best t=0.76");
    expect(same).not.toContain('<circle class="best"');
  });
});

describe("escapeXml", () => {
  it("escapes the characters that would break markup or an attribute", () => {
    expect(escapeXml(`a<b>&"c"`)).toBe("a&lt;b&gt;&amp;&quot;c&quot;");
  });
});

describe("renderReliabilitySvg", () => {
  // Raw scores overconfident at the top; calibrated ones spread over other bins.
  const raw = reliability([
    ...Array.from({ length: 30 }, (_, i) => ({ p: 0.05 + i / 100, correct: i % 4 === 0 })),
    ...Array.from({ length: 12 }, (_, i) => ({ p: 0.92, correct: i % 2 === 0 })),
  ]);
  const calibrated = reliability([
    ...Array.from({ length: 20 }, (_, i) => ({ p: 0.25, correct: i % 4 === 0 })),
    ...Array.from({ length: 22 }, (_, i) => ({ p: 0.48, correct: i % 2 === 0 })),
  ]);
  const svg = renderReliabilitySvg({
    title: "squad2 <public> & friends",
    raw,
    calibrated: { label: "policy map", reliability: calibrated },
  });
  const attrs = (cls: string, attr: string) =>
    [...svg.matchAll(new RegExp(`class="${cls}"[^>]*?\\b${attr}="([^"]*)"`, "g"))].map(
      (m) => m[1]!,
    );
  const texts = (cls: string) =>
    [...svg.matchAll(new RegExp(`<text class="${cls}"[^>]*>([^<]*)</text>`, "g"))].map(
      (m) => m[1]!,
    );

  it("is a well-formed SVG document with its title escaped", () => {
    checkXml(svg);
    expect(svg).toContain("squad2 &lt;public&gt; &amp; friends");
  });

  it("draws both series through their non-empty bins, on the diagonal's axes", () => {
    expect(raw.bins.map((b) => b.n)).toEqual([5, 10, 10, 5, 0, 0, 0, 0, 0, 12]);
    expect(attrs("raw-series", "points")[0]!.split(" ")).toHaveLength(5);
    expect(attrs("calibrated-series", "points")[0]!.split(" ")).toHaveLength(2);
    expect(svg).toMatch(/<line class="diagonal" x1="110" y1="376" x2="450" y2="96"/);
    expect(svg).toContain(`● raw support score: ECE ${raw.ece.toFixed(3)} over 42`);
    expect(svg).toContain("● calibrated confidence (policy map): ECE");
  });

  it("states every bin's count, as a dot's size and in a row under the plot", () => {
    const counts = (r: typeof raw) => r.bins.map((b) => String(b.n));
    expect(texts("raw-count")).toEqual(counts(raw));
    expect(texts("calibrated-count")).toEqual(counts(calibrated));
    expect(svg.match(/<circle data-n="(\d+)" class="raw-bin"/g)).toHaveLength(5);
    const dots = [
      ...svg.matchAll(/<circle data-n="(\d+)" class="calibrated-bin"[^>]* r="([\d.]+)"/g),
    ];
    expect(dots.map((m) => m[1])).toEqual(["20", "22"]);
    // The larger bin gets the larger dot; the largest of all gets the full radius.
    expect(Number(dots[1]![2])).toBeGreaterThan(Number(dots[0]![2]));
    expect(Number(dots[1]![2])).toBe(10);
  });

  it("draws the raw series alone when there is nothing calibrated", () => {
    const alone = renderReliabilitySvg({ title: "t", raw, calibrated: null });
    checkXml(alone);
    expect(alone).toContain('class="raw-series"');
    expect(alone).not.toContain("calibrated-series");
  });

  it("sits next to the report", () => {
    expect(svgPathFor("out/report.json")).toBe("out/report.svg");
    expect(reliabilitySvgPathFor("out/report.json")).toBe("out/report.reliability.svg");
    expect(reliabilitySvgPathFor("out/report")).toBe("out/report.reliability.svg");
  });
});
