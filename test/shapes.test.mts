// The map's drawing (src/view/shapes.ts): rectangles in proportion to the live sizes, the batch
// axis K marked on every side that has it, each product's summed axis dashed on both factors,
// text at least 12 px, nothing outside the drawing and no text over another, at K = 1, 5, 40 and
// beyond, in both layouts; and the Vega-Lite spec renders to an SVG of that size.
import { describe, expect, it } from "vitest";
import { compile, type TopLevelSpec } from "vega-lite";
import * as vega from "vega";
import { Rng } from "../src/core/rng.js";
import { backpropMap, LAYOUTS, randomMapInputs } from "../src/nn/map.js";
import { SHAPE_COLORS, shapesChart, shapesScene, textWidth, type Scene, type SceneText } from "../src/view/shapes.js";

const CASES = [
  { K: 1, n: 4, h: 6, m: 3 },
  { K: 5, n: 4, h: 6, m: 3 },
  { K: 15, n: 4, h: 6, m: 3 },
  { K: 40, n: 4, h: 6, m: 3 },
  { K: 64, n: 12, h: 18, m: 9 },
  { K: 3, n: 1, h: 1, m: 2 },
  { K: 300, n: 100, h: 80, m: 50 },
];
const mapOf = (c: (typeof CASES)[number]) => backpropMap(randomMapInputs(c, new Rng(1)));
const DRAWN = ["Z1", "Z2", "dW2", "db2", "dA1", "dZ1", "dW1", "db1", "dX"];

// A text's box as the layout estimates it (the browser test measures the rendered one).
const box = (t: SceneText) => {
  const w = textWidth(t.text, t.size);
  const x = t.align === "left" ? t.x : t.x - w / 2;
  return { x1: x, x2: x + w, y1: t.y - t.size / 2 - 1, y2: t.y + t.size / 2 + 1 };
};
const overlap = (a: { x1: number; x2: number; y1: number; y2: number }, b: typeof a) =>
  a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;

const scenes: [string, Scene, ReturnType<typeof mapOf>, "rows" | "cols"][] = CASES.flatMap((c) =>
  LAYOUTS.map((L) => [`K = ${c.K}, n = ${c.n}, h = ${c.h}, m = ${c.m}, samples as ${L}`, shapesScene(mapOf(c), L), mapOf(c), L] as [string, Scene, ReturnType<typeof mapOf>, "rows" | "cols"]));

describe("shapesScene", () => {
  it.each(scenes)("%s: fits 680 px, text at least 12 px, all inside, nothing over a text", (_label, s) => {
    expect(s.width).toBeLessThanOrEqual(680);
    for (const t of s.texts) {
      expect(t.size).toBeGreaterThanOrEqual(12);
      const b = box(t);
      expect(b.x1, t.text).toBeGreaterThanOrEqual(0);
      expect(b.x2, t.text).toBeLessThanOrEqual(s.width + 0.5);
      expect(b.y1, t.text).toBeGreaterThanOrEqual(0);
      expect(b.y2, t.text).toBeLessThanOrEqual(s.height + 0.5);
    }
    for (const [i, a] of s.texts.entries()) {
      for (const b of s.texts.slice(i + 1)) expect(overlap(box(a), box(b)), `"${a.text}" and "${b.text}"`).toBe(false);
      for (const r of s.rects) {
        const rect = { x1: r.x, x2: r.x + r.w, y1: r.y, y2: r.y + r.h };
        expect(overlap(box(a), rect), `"${a.text}" over a rectangle`).toBe(false);
      }
    }
    for (const r of s.rects) expect(r.x >= 0 && r.y >= 0 && r.x + r.w <= s.width && r.y + r.h <= s.height).toBe(true);
  });

  it.each(scenes)("%s: every array in proportion to its sizes, a side beyond the cap shortened and marked", (_label, s) => {
    expect(s.boxes.length).toBeGreaterThan(0);
    for (const b of s.boxes) {
      const [rows, cols] = [b.factor.axes[0].size, b.factor.axes[1].size];
      expect(b.rect.w).toBeCloseTo(Math.min(cols, s.cap) * s.unit, 9);
      expect(b.rect.h).toBeCloseTo(Math.min(rows, s.cap) * s.unit, 9);
      expect(b.elided).toEqual({ rows: rows > s.cap, cols: cols > s.cap });
    }
    const breaks = s.lines.filter((l) => l.role === "break").length;
    expect(breaks).toBe(2 * s.boxes.reduce((n, b) => n + Number(b.elided.rows) + Number(b.elided.cols), 0));
    expect(s.unit).toBeGreaterThanOrEqual(2);
  });

  it.each(scenes)("%s: a bar on every side of length K, and each product's inner sides dashed", (_label, s, map, L) => {
    const bars = s.lines.filter((l) => l.role === "batch" || l.role === "summed");
    const kSides = s.boxes.reduce((n, b) => n + b.factor.axes.filter((a) => a.name === "K").length, 0);
    expect(bars.filter((l) => l.color === SHAPE_COLORS.batch).length).toBe(kSides);
    // the summed sides: per product, the first factor's columns and the second factor's rows
    const products = DRAWN.flatMap((name) => (map.get(name)[L].terms ?? []).filter((t) => t.op === "·"));
    expect(bars.filter((l) => l.dash).length).toBe(2 * products.length);
    expect(bars.every((l) => l.dash === (l.role === "summed"))).toBe(true);
  });

  it("draws the map's products in order, a chosen few on request, and refuses a step that is no product", () => {
    const map = mapOf(CASES[1]);
    const steps = (s: Scene) => [...new Set(s.boxes.map((b) => b.step))];
    expect(steps(shapesScene(map, "rows"))).toEqual(DRAWN);
    expect(steps(shapesScene(map, "cols", { steps: ["dW1", "db1"] }))).toEqual(["dW1", "db1"]);
    expect(() => shapesScene(map, "rows", { steps: ["P"] })).toThrow(/P is not a product of named arrays/);
    // a subset is drawn at the scale of the whole map, so two drawings of one layout compare
    expect(shapesScene(map, "rows", { steps: ["Z1"] }).unit).toBe(shapesScene(map, "rows").unit);
  });

  it("says where K goes: it leaves in the products over the batch, and 1·b copies", () => {
    const s = shapesScene(mapOf(CASES[1]), "rows");
    const captions = s.texts.filter((t) => t.align === "left" && t.size === 13).map((t) => t.text).join("\n");
    expect(captions).toContain("∂W₁ = Xᵀ·∂Z₁  —  sums over the K = 5 samples: no K is left");
    expect(captions).toContain("∂b₂ = 1ᵀ·G  —  sums over the K = 5 samples: no K is left");
    expect(captions).toContain("1·b₁ copies b₁ into each of the K = 5 rows");
    expect(captions).toContain("∂A₁ = G·W₂ᵀ  —  sums over the m = 3 classes");
    expect(captions).not.toMatch(/∂A₁.*no K is left/);
  });

  it.each([1, 5, 40])("renders as SVG (Vega) at the scene's size, every text at least 12 px (K = %i)", async (K) => {
    const map = mapOf({ K, n: 4, h: 6, m: 3 });
    for (const L of LAYOUTS) {
      const spec = shapesChart(map, L, { title: "The map" });
      const svg = await new vega.View(vega.parse(compile(spec as unknown as TopLevelSpec).spec), { renderer: "none" }).toSVG();
      const width = Number(/<svg[^>]* width="(\d+)"/.exec(svg)?.[1]);
      expect(width).toBe((spec.width as number) + 10); // Vega's padding, 5 px a side
      const sizes = [...svg.matchAll(/font-size="(\d+(?:\.\d+)?)px"/g)].map((m) => Number(m[1]));
      expect(sizes.length).toBeGreaterThan(20);
      expect(Math.min(...sizes)).toBeGreaterThanOrEqual(12);
    }
  });
});
