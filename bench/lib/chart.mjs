// Line chart of a measure against host count, log-log axes (scaling is a slope: 1 = linear), as PNG.
import { Canvas, textWidth } from "./png.mjs";

export const PALETTE = {
  remedy: [214, 39, 40],
  floor: [90, 90, 90],
  "ansible-defaults": [31, 119, 180],
  "ansible-tuned": [44, 160, 44],
  "ansible-raw": [148, 103, 189],
};
const FALLBACK = [[255, 127, 14], [140, 86, 75], [23, 190, 207]];

/** Decades covering [lo, hi] for a log axis: [10^a, ..., 10^b]. */
export function logTicks(lo, hi) {
  const a = Math.floor(Math.log10(lo));
  const b = Math.ceil(Math.log10(hi));
  const out = [];
  for (let e = a; e <= Math.max(b, a + 1); e++) out.push(10 ** e);
  return out;
}

export function tickLabel(v) {
  if (v >= 1) return String(Math.round(v));
  return String(Number(v.toPrecision(1)));
}

/**
 * @param {{ title: string, yLabel: string, series: Array<{ name: string, points: Array<{x:number, y:number, lo?:number, hi?:number}> }> }} c
 * @returns PNG bytes
 */
export function renderChart(c, width = 900, height = 560) {
  const cv = new Canvas(width, height);
  const ink = [30, 30, 30];
  const grid = [225, 225, 225];
  const m = { left: 80, right: 250, top: 50, bottom: 60 };
  const pw = width - m.left - m.right;
  const ph = height - m.top - m.bottom;
  const pts = c.series.flatMap((s) => s.points).filter((p) => p.y > 0 && p.x > 0);
  const xs = pts.map((p) => p.x);
  const ys = pts.flatMap((p) => [p.y, p.lo ?? p.y, p.hi ?? p.y]).filter((v) => v > 0);
  const xt = logTicks(xs.length ? Math.min(...xs) : 1, xs.length ? Math.max(...xs) : 10);
  const yt = logTicks(ys.length ? Math.min(...ys) : 0.1, ys.length ? Math.max(...ys) : 1);
  const [x0, x1] = [Math.log10(xt[0]), Math.log10(xt.at(-1))];
  const [y0, y1] = [Math.log10(yt[0]), Math.log10(yt.at(-1))];
  const px = (x) => m.left + ((Math.log10(x) - x0) / (x1 - x0)) * pw;
  const py = (y) => m.top + ph - ((Math.log10(y) - y0) / (y1 - y0)) * ph;

  cv.text(m.left, 16, c.title, ink, 2);
  for (const t of xt) {
    cv.line(px(t), m.top, px(t), m.top + ph, grid);
    const l = tickLabel(t);
    cv.text(px(t) - textWidth(l, 2) / 2, m.top + ph + 10, l, ink, 2);
  }
  for (const t of yt) {
    cv.line(m.left, py(t), m.left + pw, py(t), grid);
    const l = tickLabel(t);
    cv.text(m.left - 10 - textWidth(l, 2), py(t) - 7, l, ink, 2);
  }
  cv.line(m.left, m.top + ph, m.left + pw, m.top + ph, ink, 2);
  cv.line(m.left, m.top, m.left, m.top + ph, ink, 2);
  cv.text(m.left + pw / 2 - textWidth("hosts", 2) / 2, height - 24, "hosts", ink, 2);
  cv.textUp(14, m.top + ph / 2 + textWidth(c.yLabel, 2) / 2, c.yLabel, ink, 2);

  c.series.forEach((s, i) => {
    const color = PALETTE[s.name] ?? FALLBACK[i % FALLBACK.length];
    const p = s.points.filter((q) => q.y > 0 && q.x > 0).sort((a, b) => a.x - b.x);
    for (let k = 1; k < p.length; k++) cv.line(px(p[k - 1].x), py(p[k - 1].y), px(p[k].x), py(p[k].y), color, 3);
    for (const q of p) {
      if (q.lo > 0 && q.hi > 0) cv.line(px(q.x), py(q.lo), px(q.x), py(q.hi), color, 1);
      cv.dot(px(q.x), py(q.y), 5, color);
    }
    const ly = m.top + 10 + i * 26;
    cv.rect(width - m.right + 16, ly, 24, 4, color);
    cv.text(width - m.right + 46, ly - 5, s.name, ink, 2);
  });
  return cv.png();
}
