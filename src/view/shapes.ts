import { axisWords, type Axis, type BackpropMap, type Factor, type Layout, type MapStep, type Rendering } from "../nn/map.js";
import type { Json, VegaLiteSpec } from "./plot.js";

// The map's shapes, drawn (notebook 00b): each product of a step as a row of rectangles,
// result = factor · factor (+ …), every array a rectangle whose sides are in proportion to its
// sizes, from the live sizes of the map. The batch axis K is drawn in one colour everywhere (a bar
// along each side of length K), and each product's inner axis, the one it sums over, is dashed on
// both factors, so that "the K disappears in XᵀG" and "1·b copies, 1ᵀG sums" can be seen.
//
// shapesScene lays the drawing out in pixels (tested: sizes, proportions, text at least 12 px,
// nothing outside the drawing, no text over another); shapesChart turns it into a Vega-Lite spec
// of rectangles, lines and text at those pixels, which display.ts's plot() shows (JupyterLab
// draws it, the export and the live pages render it as SVG). A side longer than `cap` entries is
// drawn `cap` long and marked with a break, as the formulas elide rows beyond six.

export interface ShapesOptions {
  steps?: readonly string[]; // the steps to draw, by name; default every step that is a product
  maxWidth?: number; // pixels, default 680
  maxHeight?: number; // pixels that all the map's drawable steps may take together, default 1600
  cap?: number; // the longest side drawn, in entries; default the longest of ∞, 48, 32, 24, 16 that fits
  title?: string;
}

export interface SceneRect { x: number; y: number; w: number; h: number; fill: string }
export interface SceneLine {
  x1: number; y1: number; x2: number; y2: number;
  color: string; width: number; dash: boolean;
  role: "batch" | "summed" | "break" | "legend";
}
export interface SceneText {
  x: number; y: number; text: string; size: number; color: string;
  align: "left" | "center"; bold: boolean;
}
// One drawn array: which step's row, the factor it draws, its rectangle, which sides are shortened.
export interface SceneBox {
  step: string;
  factor: Factor;
  rect: SceneRect;
  elided: { rows: boolean; cols: boolean };
}
export interface Scene {
  width: number;
  height: number;
  unit: number; // pixels per entry
  cap: number; // the longest side drawn, in entries (Infinity: none shortened)
  rects: SceneRect[];
  lines: SceneLine[];
  texts: SceneText[];
  boxes: SceneBox[];
}

export const SHAPE_COLORS = {
  batch: "#d9730d", // the batch axis K
  other: "#57606a", // a summed axis that is not K, outlines
  batchFill: "#fbe3c8", // an array with one row (or column) per sample
  paramFill: "#dbe6f6", // a parameter or its gradient
  onesFill: "#ffffff", // a vector of ones
  ink: "#1f2328",
  muted: "#57606a",
};

const FONT = 13; // labels, captions
const SMALL = 12; // the legend
const TITLE = 15;
const OP_FONT = 18;
const CHAR_EM = 0.62; // estimated advance of a character, in em (sans-serif; generous)
const BAR = 4; // width of a side's bar
const GAP = 3; // between a rectangle and its bar
const MARGIN = GAP + BAR + 2; // room beside a rectangle for its bars
const OP_W = 26; // an operator's slot
const LINE_H = 20; // a line of text
const ROW_GAP = 18;
const U_MAX = 12;
const U_MIN = 2;
const U_READABLE = 4; // sides are shortened (see cap) rather than drawn at fewer pixels per entry
const CAPS = [Infinity, 48, 32, 24, 16];

// Width of a text as estimated for layout (no font metrics here).
export const textWidth = (s: string, size: number): number => [...s].length * CHAR_EM * size;

const hasK = (axes: readonly [Axis, Axis]): boolean => axes[0].name === "K" || axes[1].name === "K";
const fillOf = (f: Factor): string => (f.ones ? SHAPE_COLORS.onesFill : hasK(f.axes) ? SHAPE_COLORS.batchFill : SHAPE_COLORS.paramFill);
const shape = (f: Factor): string => `${f.axes[0].size}×${f.axes[1].size}`;
// a vector of ones is labelled in words: "1  5×1" would read as a size
const boxLabel = (f: Factor): string => `${f.ones ? f.label.replace(/^1/, "ones") : f.label}  ${shape(f)}`;

type Item =
  | { kind: "box"; factor: Factor; top: { summed: boolean }; left: { summed: boolean } }
  | { kind: "op"; text: string };

const drawable = (st: MapStep, layout: Layout): boolean => st[layout].terms !== undefined;

// The row of a step: result = term + term, a term's factors joined by its operator.
function items(st: MapStep, r: Rendering): Item[] {
  const result: Factor = { label: st.text, axes: r.axes, ones: false };
  const out: Item[] = [{ kind: "box", factor: result, top: { summed: false }, left: { summed: false } }, { kind: "op", text: "=" }];
  (r.terms ?? []).forEach((t, i) => {
    if (i > 0) out.push({ kind: "op", text: "+" });
    t.factors.forEach((f, j) => {
      if (j > 0) out.push({ kind: "op", text: t.op });
      // a product sums over the first factor's columns and the second factor's rows
      const summed = t.op === "·";
      out.push({ kind: "box", factor: f, top: { summed: summed && j === 0 }, left: { summed: summed && j === 1 } });
    });
  });
  return out;
}

// What a row says above its drawing: the formula, and what each product sums over.
function captions(st: MapStep, r: Rendering, layout: Layout, K: number): string[] {
  const notes = (r.terms ?? []).map((t) => {
    if (t.op === "⊙") return "entry by entry: nothing is summed, the shape stays";
    const a = t.contracts as Axis;
    // with one product, the formula names it already
    const term = (r.terms ?? []).length > 1 ? `${t.factors.map((f) => f.label).join("·")} ` : "";
    if (a.name === "1") {
      const b = t.factors.find((f) => !f.ones)?.label ?? "";
      const lines = layout === "rows" ? ["row", "rows"] : ["column", "columns"];
      return `${term}copies ${b} into ${K === 1 ? `the K = 1 ${lines[0]}` : `each of the K = ${K} ${lines[1]}`}`;
    }
    return `${term}sums over ${axisWords(a)}`;
  });
  const lost = r.terms?.some((t) => t.factors.some((f) => hasK(f.axes) && !f.ones)) === true && !hasK(r.axes);
  return [`${st.text} = ${r.label}`, `${notes.join("; ")}${lost ? ": no K is left" : ""}`];
}

interface Sized { item: Item; w: number; h: number; slot: number; elided: { rows: boolean; cols: boolean } }

function sizeRow(row: Item[], u: number, cap: number): Sized[] {
  return row.map((item) => {
    if (item.kind === "op") return { item, w: 0, h: 0, slot: OP_W, elided: { rows: false, cols: false } };
    const [rows, cols] = [item.factor.axes[0].size, item.factor.axes[1].size];
    const w = Math.min(cols, cap) * u;
    const h = Math.min(rows, cap) * u;
    const slot = Math.max(w + 2 * MARGIN, textWidth(boxLabel(item.factor), FONT) + 6);
    return { item, w, h, slot, elided: { rows: rows > cap, cols: cols > cap } };
  });
}

const rowWidth = (sized: Sized[]): number => sized.reduce((s, x) => s + x.slot, 0);
const rowRectHeight = (sized: Sized[]): number => Math.max(...sized.map((x) => x.h));
// A caption of two parts goes on one line when it fits, else on two.
const captionLines = (c: string[], maxWidth: number): string[] =>
  textWidth(`${c[0]}  —  ${c[1]}`, FONT) <= maxWidth ? [`${c[0]}  —  ${c[1]}`] : c.flatMap((part) => wrapText(part, maxWidth));

// Words of s in lines at most maxWidth wide (at the caption's size).
function wrapText(s: string, maxWidth: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of s.split(" ")) {
    const next = line ? `${line} ${word}` : word;
    if (line && textWidth(next, FONT) > maxWidth) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  return line ? [...lines, line] : lines;
}

// The drawing of `layout`'s products, laid out in pixels. The scale (pixels per entry) is the
// largest, up to 12, at which every drawable step of the map fits maxWidth and all of them
// together maxHeight, so drawings of the same map and layout share it; at least 2. Sides are
// shortened (to the cap) only when drawing them in full would take fewer than 4 pixels per entry.
export function shapesScene(map: BackpropMap, layout: Layout, opts: ShapesOptions = {}): Scene {
  const { maxWidth = 680, maxHeight = 1600, title } = opts;
  if (opts.cap !== undefined && !(opts.cap >= 1)) throw new Error(`shapesScene: cap must be at least 1, got ${String(opts.cap)}`);
  const all = map.steps.filter((st) => drawable(st, layout));
  const names = opts.steps ?? all.map((st) => st.name);
  const chosen = names.map((name) => {
    const st = map.get(name);
    if (!drawable(st, layout)) throw new Error(`shapesScene: ${name} is not a product of named arrays, so it has no drawing`);
    return st;
  });
  const K = map.sizes.K.size;
  const rowsOf = (sts: readonly MapStep[]) => sts.map((st) => ({ st, row: items(st, st[layout]), caption: captions(st, st[layout], layout, K) }));
  const fits = (u: number, cap: number): boolean => {
    const rows = rowsOf(all).map((r) => ({ sized: sizeRow(r.row, u, cap), lines: captionLines(r.caption, maxWidth).length }));
    const height = rows.reduce((s, r) => s + r.lines * LINE_H + rowRectHeight(r.sized) + 2 * MARGIN + LINE_H + ROW_GAP, 0);
    return rows.every((r) => rowWidth(r.sized) <= maxWidth) && height <= maxHeight;
  };
  // the longest side drawn: the largest cap at which the drawing fits at a readable scale
  const cap = opts.cap ?? CAPS.find((c) => fits(U_READABLE, c)) ?? CAPS[CAPS.length - 1];
  let unit = U_MAX;
  while (unit > U_MIN && !fits(unit, cap)) unit -= 0.25;

  const scene: Scene = { width: 0, height: 0, unit, cap, rects: [], lines: [], texts: [], boxes: [] };
  let y = 0;
  if (title) {
    scene.texts.push({ x: 0, y: y + TITLE / 2 + 2, text: title, size: TITLE, color: SHAPE_COLORS.ink, align: "left", bold: true });
    y += TITLE + 10;
  }
  const rows = rowsOf(chosen).map((r) => ({ ...r, sized: sizeRow(r.row, unit, cap) }));
  y = legend(scene, y, layout, K, cap, rows.some((r) => r.sized.some((x) => x.elided.rows || x.elided.cols)));
  for (const { st, sized, caption } of rows) {
    for (const line of captionLines(caption, maxWidth)) {
      scene.texts.push({ x: 0, y: y + LINE_H / 2, text: line, size: FONT, color: SHAPE_COLORS.ink, align: "left", bold: false });
      y += LINE_H;
    }
    const mid = y + MARGIN + rowRectHeight(sized) / 2;
    let x = 0;
    for (const s of sized) {
      const cx = x + s.slot / 2;
      if (s.item.kind === "op") {
        scene.texts.push({ x: cx, y: mid, text: s.item.text, size: OP_FONT, color: SHAPE_COLORS.ink, align: "center", bold: false });
      } else drawBox(scene, st.name, s, s.item, cx, mid);
      x += s.slot;
    }
    scene.width = Math.max(scene.width, x);
    y = mid + rowRectHeight(sized) / 2 + MARGIN + LINE_H + ROW_GAP;
  }
  scene.width = Math.ceil(Math.max(scene.width, ...scene.texts.map((t) => (t.align === "left" ? t.x + textWidth(t.text, t.size) : t.x))));
  scene.height = Math.ceil(y - ROW_GAP);
  scene.cap = cap;
  return scene;
}

function drawBox(scene: Scene, step: string, s: Sized, item: Extract<Item, { kind: "box" }>, cx: number, mid: number): void {
  const f = item.factor;
  const rect: SceneRect = { x: cx - s.w / 2, y: mid - s.h / 2, w: s.w, h: s.h, fill: fillOf(f) };
  scene.rects.push(rect);
  scene.boxes.push({ step, factor: f, rect, elided: s.elided });
  // the bars: the left side has the rows' length, the top side the columns'
  const side = (axis: Axis, summed: boolean, where: "left" | "top") => {
    if (axis.name !== "K" && !summed) return;
    const color = axis.name === "K" ? SHAPE_COLORS.batch : SHAPE_COLORS.other;
    const role = summed ? "summed" : "batch";
    const off = GAP + BAR / 2;
    scene.lines.push(where === "left"
      ? { x1: rect.x - off, y1: rect.y, x2: rect.x - off, y2: rect.y + rect.h, color, width: BAR, dash: summed, role }
      : { x1: rect.x, y1: rect.y - off, x2: rect.x + rect.w, y2: rect.y - off, color, width: BAR, dash: summed, role });
  };
  side(f.axes[0], item.left.summed, "left");
  side(f.axes[1], item.top.summed, "top");
  // a shortened side: two white strokes across the middle of the rectangle and its bar
  const white = { color: "#ffffff", width: 2.5, dash: false, role: "break" as const };
  if (s.elided.rows) {
    const my = rect.y + rect.h / 2;
    for (const d of [-3, 3]) scene.lines.push({ x1: rect.x - MARGIN, y1: my + d - 2, x2: rect.x + rect.w + 2, y2: my + d + 2, ...white });
  }
  if (s.elided.cols) {
    const mx = rect.x + rect.w / 2;
    for (const d of [-3, 3]) scene.lines.push({ x1: mx + d + 2, y1: rect.y - MARGIN, x2: mx + d - 2, y2: rect.y + rect.h + 2, ...white });
  }
  scene.texts.push({ x: cx, y: rect.y + rect.h + MARGIN + LINE_H / 2 - 2, text: boxLabel(f), size: FONT, color: SHAPE_COLORS.ink, align: "center", bold: false });
}

// The legend, two lines from y; returns the y below it.
function legend(scene: Scene, y: number, layout: Layout, K: number, cap: number, elided: boolean): number {
  const swatch = 24;
  let x = 0;
  const mid = (line: number) => y + line * LINE_H + LINE_H / 2;
  const say = (text: string, line: number) => {
    scene.texts.push({ x, y: mid(line), text, size: SMALL, color: SHAPE_COLORS.muted, align: "left", bold: false });
    x += textWidth(text, SMALL) + 18;
  };
  const bar = (color: string, dash: boolean, line: number) => {
    scene.lines.push({ x1: x, y1: mid(line), x2: x + swatch, y2: mid(line), color, width: BAR, dash, role: "legend" });
    x += swatch + 6;
  };
  const box = (fill: string, line: number) => {
    scene.rects.push({ x, y: mid(line) - 6, w: swatch, h: 12, fill });
    x += swatch + 6;
  };
  bar(SHAPE_COLORS.batch, false, 0);
  say(`the batch axis, K = ${K}`, 0);
  bar(SHAPE_COLORS.batch, true, 0);
  bar(SHAPE_COLORS.other, true, 0);
  say("the axis a product sums over (K or another)", 0);
  x = 0;
  box(SHAPE_COLORS.batchFill, 1);
  say(`one ${layout === "rows" ? "row" : "column"} per sample`, 1);
  box(SHAPE_COLORS.paramFill, 1);
  say("a parameter or its gradient", 1);
  box(SHAPE_COLORS.onesFill, 1);
  say("ones", 1);
  let lines = 2;
  if (elided) {
    x = 0;
    say(`a side longer than ${cap} is drawn ${cap} long, cut by two white strokes`, 2);
    lines = 3;
  }
  return y + lines * LINE_H + 10;
}

// The scene as a Vega-Lite spec: every mark at its pixel (scale: null), no axes.
export function shapesChart(map: BackpropMap, layout: Layout, opts: ShapesOptions = {}): VegaLiteSpec {
  return sceneSpec(shapesScene(map, layout, opts));
}

export function sceneSpec(scene: Scene): VegaLiteSpec {
  const px = (field: string): Json => ({ field, type: "quantitative", scale: null, axis: null });
  const rects: Json = scene.rects.map((r) => ({ x: r.x, x2: r.x + r.w, y: r.y, y2: r.y + r.h, fill: r.fill }));
  const lineLayer = (which: (l: SceneLine) => boolean, dash: boolean): Json => ({
    data: { values: scene.lines.filter(which).map((l) => ({ x1: l.x1, y1: l.y1, x2: l.x2, y2: l.y2, color: l.color, width: l.width })) },
    mark: { type: "rule", strokeCap: "butt", ...(dash ? { strokeDash: [5, 3] } : {}) },
    encoding: {
      x: px("x1"), y: px("y1"), x2: { field: "x2" }, y2: { field: "y2" },
      color: { field: "color", type: "nominal", scale: null },
      strokeWidth: { field: "width", type: "quantitative", scale: null },
    },
  });
  const textLayer = (align: "left" | "center", bold: boolean): Json => ({
    data: { values: scene.texts.filter((t) => t.align === align && t.bold === bold).map((t) => ({ x: t.x, y: t.y, text: t.text, size: t.size, color: t.color })) },
    mark: { type: "text", align, baseline: "middle", ...(bold ? { fontWeight: "bold" } : {}) },
    encoding: {
      x: px("x"), y: px("y"), text: { field: "text" },
      size: { field: "size", type: "quantitative", scale: null },
      color: { field: "color", type: "nominal", scale: null },
    },
  });
  const layers: Json[] = [
    {
      data: { values: rects },
      mark: { type: "rect", stroke: SHAPE_COLORS.other, strokeWidth: 1 },
      encoding: { x: px("x"), x2: { field: "x2" }, y: px("y"), y2: { field: "y2" }, fill: { field: "fill", type: "nominal", scale: null } },
    },
    lineLayer((l) => !l.dash && l.role !== "break", false),
    lineLayer((l) => l.dash, true),
    lineLayer((l) => l.role === "break", false), // over the bars they cut
    textLayer("left", false),
    textLayer("left", true),
    textLayer("center", false),
  ];
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    width: scene.width,
    height: scene.height,
    // the scene is laid out in pixels with text widths estimated generously (0.62 em a
    // character; Chromium's sans-serif measures at most 0.9 of that): no room to add, where
    // Vega's own estimate (0.8 em) would widen the drawing
    autosize: { type: "none" },
    padding: 5,
    config: { view: { stroke: null } },
    // empty layers would draw nothing; Vega-Lite needs every layer to have data, so keep them
    layer: layers.filter((l) => ((l as { data: { values: Json[] } }).data.values).length > 0),
  };
}
