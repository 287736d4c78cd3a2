// `npm run test:browser [-- notebook.ipynb …]`: the notebooks in a real browser, the way users meet them.
//
// Starts the project's JupyterLab (the .venv one, env and settings from tools/env.mts, the project's
// tslab kernel) on a free loopback port with a token, on working copies made as `npm start` makes
// them (tools/workcopy.mts), and drives Debian's Chromium through playwright-core. No news or
// update pop-up may show. For every notebook in notebooks/ (or the ones named on the command line):
//   1. open it fresh (committed outputs): every formula typeset by KaTeX, no raw TeX visible, no
//      KaTeX error marks, KaTeX fonts loaded, every Vega-Lite plot drawn;
//   2. Run All from the Run menu: the kernel goes idle, every code cell ran, no cell shows an error
//      (tslab reports errors on stderr), formulas and plots still render; screenshot of the whole
//      notebook in build/screenshots/;
//   3. type batchSize = 40 into the parameters cell's editor, Run All again: no error, and a matrix
//      shape in a rendered formula (read from KaTeX's MathML annotation) follows the new batch
//      size; then the same at batchSize = 1. Each run is saved (File → Save) for the export.
// An exercise's solution is closed (its code not on screen) on opening and after Run All, and
// opens on a click. The series run by the runner at batchSize 13 opens unmodified (no ● on its
// tab once the kernel is up), says 13 in its parameters cell, and is exported and checked.
// At each batch size, the page is measured: no formula (.katex-display) wider than its box, no
// output line wider than its container unless the container shows a horizontal scrollbar, plot
// text at least 12 px (SVG text, or text drawn on a canvas, seen by a probe).
// Then the static export (tools/export.mts) of the committed notebooks, and of the runs saved at
// batchSize 40 and 1, is opened from disk with the network off: formulas are KaTeX with a size and
// loaded KaTeX fonts, plots are SVG, the same measurements, collapsed code and solutions, contents
// links that land, printed lines that wrap; no request leaves file://.
// It also proves that it can fail: test/fixtures/broken-formula.ipynb must fail the formula checks
// in JupyterLab and in the export, test/fixtures/overflowing-formula.ipynb the width checks (and its
// formula must scroll in the export, not be clipped). `npm run test:browser --
// test/fixtures/broken-formula.ipynb` tests that notebook as if it were one of the series instead,
// and fails. test/fixtures/chapter-sample.ipynb, a notebook in the series' style, is exported and
// checked like the series.
//
// Everything runs on copies in build/browser-test/ (wiped at start): committed notebooks are never
// opened, run or saved. JupyterLab and Chromium are stopped at the end, also when a check fails.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, symlinkSync, writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { basename, dirname, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import assert from "node:assert/strict";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { chromiumMissing, chromiumPath } from "../../tools/chromium.mjs";
import { buildDir, jupyterEnv, labArgs, libDir, notebooksDir, root, venvBin, writeLabSettings } from "../../tools/env.mjs";
import { prepareWorkingCopy } from "../../tools/workcopy.mjs";
import { runTool } from "../run-tool.mjs";
import { hasTag, listNotebooks, readNotebook, SHOW_SOLUTION, text, type Cell, type Notebook } from "../../tools/ipynb.mjs";
import { plotsWithoutPicture } from "../../tools/plot-png.mjs";

const started = performance.now();
const runDir = join(buildDir, "browser-test");
const screenshotsDir = join(buildDir, "screenshots");
const fixture = join(root, "test", "fixtures", "broken-formula.ipynb");
const overflowFixture = join(root, "test", "fixtures", "overflowing-formula.ipynb");
const sampleFixture = join(root, "test", "fixtures", "chapter-sample.ipynb");
const VEGALITE = "application/vnd.vegalite.v5+json";
const STDERR = "application/vnd.jupyter.stderr";
const TOTAL_TIMEOUT_MS = Number(process.env.BROWSER_TEST_TIMEOUT_S ?? 1800) * 1000;
const RUN_ALL_TIMEOUT_MS = 300_000;
// Start-up waits that fit a loaded 2-core machine (CI is one): JupyterLab's server, a new kernel.
const LAB_START_TIMEOUT_MS = 180_000;
const KERNEL_START_TIMEOUT_MS = 300_000;
// The runner's run at another batch size, exported: what `npm run notebooks -- --param` publishes.
const RUNNER_K = 13;
// Every formula must fit at the committed default batch size (5 in the series), at 1 and at a large one.
const LARGE_K = 40;
const MIN_PLOT_TEXT_PX = 12;

// ---------------------------------------------------------------------------------------------
// Checks: one line each, a summary line at the end.

let passed = 0;
let failed = 0;
const failures: string[] = [];

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

async function check(name: string, fn: () => Promise<string | void> | string | void): Promise<boolean> {
  try {
    const detail = await fn();
    passed++;
    console.log(`PASS  ${name}${detail ? ` — ${detail}` : ""}`);
    return true;
  } catch (e) {
    failed++;
    failures.push(name);
    console.log(`FAIL  ${name}\n        ${errorText(e).split("\n").join("\n        ")}`);
    return false;
  }
}

// A check that must fail (the broken-formula fixture): passes when fn throws.
async function checkFails(name: string, fn: () => Promise<unknown> | unknown): Promise<void> {
  await check(name, async () => {
    let problem: string | undefined;
    try {
      await fn();
    } catch (e) {
      problem = errorText(e);
    }
    assert.ok(problem !== undefined, "the check passed, but it should have failed on this notebook");
    return `failed as expected: ${problem.split("\n")[0]}`;
  });
}

// Runs a group of checks; a failure outside them (a page that does not open, say) fails the group, not the run.
async function guard(name: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    failed++;
    failures.push(name);
    console.log(`FAIL  ${name}: stopped\n        ${errorText(e).split("\n").join("\n        ")}`);
  }
}

const skip = (name: string, why: string): void => console.log(`SKIP  ${name} — ${why}`);
const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

// ---------------------------------------------------------------------------------------------
// What the browser shows, collected by one function that runs in the page (so it may only use
// what it declares itself). The DOM types are declared here: the project compiles without lib.dom.

interface DomElement {
  readonly textContent: string | null;
  readonly tagName: string;
  readonly classList: { contains(token: string): boolean };
  readonly width?: number;
  readonly scrollWidth: number;
  readonly clientWidth: number;
  readonly offsetHeight: number;
  readonly clientHeight: number;
  getAttribute(name: string): string | null;
  closest(selector: string): DomElement | null;
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): ArrayLike<DomElement>;
  cloneNode(deep: boolean): DomElement;
  remove(): void;
  getBoundingClientRect(): { width: number; height: number };
}
interface DomStyle { overflowX: string; fontSize: string; borderTopWidth: string; borderBottomWidth: string }
interface DomDocument {
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): ArrayLike<DomElement>;
  readonly fonts: Iterable<{ family: string; status: string }>;
}

// JupyterLab draws Vega-Lite plots on a canvas, whose text is not in the page: this probe, run in
// every page before its scripts, notes on each canvas the font size of every text drawn on it
// (in CSS px: Vega scales the context by the pixel ratio and sets fonts in CSS px).
const CANVAS_TEXT_PROBE = `(() => {
  const proto = globalThis.CanvasRenderingContext2D && CanvasRenderingContext2D.prototype;
  if (!proto || proto.__textProbe) return;
  proto.__textProbe = true;
  const fill = proto.fillText;
  proto.fillText = function (text, ...rest) {
    const m = /([\\d.]+)px/.exec(this.font || "");
    if (m && String(text).trim()) {
      const sizes = (this.canvas.__textPx = this.canvas.__textPx || new Set());
      sizes.add(Number(m[1]));
    }
    return fill.call(this, text, ...rest);
  };
})();`;

// One rendered thing: a Markdown cell or one output of a code cell.
interface Piece {
  cell: number; // index of the notebook cell (lab) or of the page section (static)
  kind: "markdown" | "output";
  mime: string; // data-mime-type, "vegalite" for JupyterLab's Vega-Lite outputs, "plot" for exported SVG plots
  katex: number; // .katex elements with a formula in them (a non-empty TeX annotation)
  katexZeroSize: number; // .katex elements without width or height
  errors: string[]; // .katex-error marks, and KaTeX parts in the error colour (unknown commands)
  visible: string; // visible text: without KaTeX's hidden MathML, without code and pre blocks (but a stream's text)
  tex: string[]; // the TeX source of every typeset formula, from the MathML annotations
  plot: "svg" | "canvas" | "none"; // what a plot output drew (with a non-zero size)
  canvases: number;
  wide: string[]; // a formula (.katex-display) wider than its box, or an output line wider than its container without a scrollbar
  scrolling: number; // formulas wider than their box whose container scrolls with a visible scrollbar (the export's fallback)
  plotTextPx: number[]; // the rendered size of every text of a plot (font size × the plot's scale): SVG text, or canvas text seen by the probe
}
interface View {
  cells: { type: "code" | "markdown" | "raw"; prompt: string; collapsed: boolean }[];
  pieces: Piece[];
  fonts: { family: string; status: string }[];
}

function collectView(mode: "lab" | "static"): View {
  const doc = (globalThis as unknown as { document: DomDocument }).document;
  const style = (el: DomElement): DomStyle => (globalThis as unknown as { getComputedStyle(e: DomElement): DomStyle }).getComputedStyle(el);
  // a horizontal scrollbar that takes room (not an overlay one that appears only on hover)
  const scrollbar = (el: DomElement): boolean => {
    const s = style(el);
    const borders = parseFloat(s.borderTopWidth) + parseFloat(s.borderBottomWidth);
    return (s.overflowX === "auto" || s.overflowX === "scroll") && el.offsetHeight - el.clientHeight - borders >= 4;
  };
  const tooWide = (el: DomElement): boolean => el.scrollWidth > el.clientWidth + 1;
  const all = (el: DomElement | DomDocument, selector: string): DomElement[] => Array.from(el.querySelectorAll(selector));
  const scan = (el: DomElement, cell: number, kind: Piece["kind"], mime: string): Piece => {
    const clone = el.cloneNode(true);
    // what is not on screen (MathML, Vega's menu), and what is meant to show source (code, except a stream's text)
    const hide = mime.includes("jupyter.std") ? ".vega-actions" : ".katex-mathml, annotation, script, style, code, pre, .vega-actions";
    for (const hidden of all(clone, hide)) hidden.remove();
    const drawn = all(el, "svg, canvas").filter((g) => {
      const r = g.getBoundingClientRect();
      return (r.width > 0 && r.height > 0) || (g.width ?? 0) > 0 || Number(g.getAttribute("width") ?? 0) > 0;
    });
    const marks = drawn.filter((g) => g.classList.contains("marks")); // Vega's drawing, in JupyterLab and in the export
    return {
      cell, kind, mime,
      katex: all(el, 'annotation[encoding="application/x-tex"]').filter((a) => (a.textContent ?? "").trim() !== "").length,
      katexZeroSize: all(el, ".katex").filter((k) => {
        const r = k.getBoundingClientRect();
        return !(r.width > 0 && r.height > 0);
      }).length,
      errors: [
        ...all(el, ".katex-error").map((e) => `${e.getAttribute("title") ?? "KaTeX error"}: ${e.textContent ?? ""}`),
        // throwOnError: false renders an unknown command as its source in the error colour (#cc0000)
        ...all(el, '.katex-html [style*="cc0000" i], .katex-html [style*="rgb(204, 0, 0)"]')
          .filter((e) => !e.querySelector('[style*="cc0000" i], [style*="rgb(204, 0, 0)"]'))
          .map((e) => `shown in KaTeX's error colour: ${e.textContent ?? ""}`),
        // auto-render, failing on $$…$$, falls back to $…$: "$$" becomes two empty formulas around the source
        ...all(el, ".katex").filter((k) => (k.querySelector('annotation[encoding="application/x-tex"]')?.textContent ?? "").trim() === "")
          .map(() => "an empty formula (what is left of a $$…$$ KaTeX could not parse)"),
      ],
      visible: (clone.textContent ?? "").replace(/\s+/g, " ").trim(),
      tex: all(el, 'annotation[encoding="application/x-tex"]').map((a) => a.textContent ?? ""),
      plot: marks.length === 0 ? "none" : marks.some((g) => g.tagName.toLowerCase() === "canvas") ? "canvas" : "svg",
      canvases: all(el, "canvas").length,
      wide: [
        ...all(el, ".katex-display").filter(tooWide).map((d) =>
          `a formula ${d.scrollWidth} px wide in a ${d.clientWidth} px box: "${(d.querySelector('annotation[encoding="application/x-tex"]')?.textContent ?? "").slice(0, 60)}…"`),
        ...[el, ...all(el, "pre, table")].filter((x) => tooWide(x) && !scrollbar(x) && x.getBoundingClientRect().width > 0).map((x) =>
          `a ${x.tagName.toLowerCase()} ${x.scrollWidth} px wide in ${x.clientWidth} px, without a scrollbar: "${(x.textContent ?? "").replace(/\s+/g, " ").slice(0, 60)}…"`),
      ],
      scrolling: all(el, ".katex-display").filter((d) => tooWide(d) && [d, ...[d.closest(".math")].filter((m): m is DomElement => m !== null)].some(scrollbar)).length,
      plotTextPx: [...all(el, "canvas").flatMap((c) => {
        const sizes = [...((c as unknown as { __textPx?: Set<number> }).__textPx ?? [])];
        const cssWidth = parseFloat((c as unknown as { style: { width: string } }).style.width) || c.getBoundingClientRect().width;
        const scale = cssWidth > 0 ? c.getBoundingClientRect().width / cssWidth : 1;
        return sizes.map((px) => Math.round(px * scale * 10) / 10);
      }), ...all(el, "svg text").filter((t) => (t.textContent ?? "").trim() !== "").map((t) => {
        const svg = t.closest("svg");
        const shown = svg?.getBoundingClientRect().width ?? 0;
        const drawn = Number((svg?.getAttribute("viewBox") ?? "").split(/[\s,]+/)[2]) || Number(svg?.getAttribute("width")) || shown;
        return Math.round(parseFloat(style(t).fontSize) * (drawn > 0 && shown > 0 ? shown / drawn : 1) * 10) / 10;
      })],
    };
  };
  const cells: View["cells"] = [];
  const pieces: Piece[] = [];
  if (mode === "lab") {
    const panel = doc.querySelector(".jp-NotebookPanel:not(.lm-mod-hidden)");
    const cellEls = panel ? all(panel, ".jp-Notebook .jp-Cell") : [];
    cellEls.forEach((c, i) => {
      const type = c.classList.contains("jp-CodeCell") ? "code" : c.classList.contains("jp-MarkdownCell") ? "markdown" : "raw";
      // a collapsed input (jupyter.source_hidden) shows a placeholder and no execution count
      const collapsed = c.querySelector(".jp-InputPlaceholder") !== null;
      cells.push({ type, prompt: (c.querySelector(".jp-InputPrompt")?.textContent ?? "").trim(), collapsed });
      if (type === "markdown") {
        const rendered = c.querySelector(".jp-MarkdownOutput");
        // an unrendered Markdown cell shows its source in the editor: that is raw TeX on screen
        pieces.push(rendered ? scan(rendered, i, "markdown", "text/markdown") : scan(c.querySelector(".cm-content") ?? c, i, "markdown", "unrendered"));
      } else if (type === "code") {
        for (const out of all(c, ".jp-OutputArea-output")) {
          const mime = out.getAttribute("data-mime-type") ?? (out.classList.contains("jp-RenderedVegaLite") ? "vegalite" : "unknown");
          pieces.push(scan(out, i, "output", mime));
        }
      }
    });
  } else {
    const toc = doc.querySelector("nav.toc");
    if (toc) pieces.push(scan(toc, -1, "markdown", "text/markdown")); // the contents, with the headings' formulas
    all(doc, "main > section.cell").forEach((s) => {
      const i = Number((s.getAttribute("id") ?? "").replace(/^cell-/, ""));
      const type = s.classList.contains("code") ? "code" : "markdown";
      cells.push({ type, prompt: "", collapsed: false });
      if (type === "markdown") pieces.push(scan(s, i, "markdown", "text/markdown"));
      else {
        for (const out of all(s, ":scope > .output, :scope > details.outputs > .output")) {
          const mime = out.classList.contains("math") ? "text/latex" : out.classList.contains("plot") ? "plot"
            : out.classList.contains("stdout") ? "application/vnd.jupyter.stdout" : out.classList.contains("stderr") ? "application/vnd.jupyter.stderr"
            : out.classList.contains("markdown") ? "text/markdown" : out.classList.contains("html") ? "text/html" : "other";
          pieces.push(scan(out, i, "output", mime));
        }
      }
    });
  }
  const fonts = Array.from(doc.fonts)
    .filter((f) => f.family.includes("KaTeX"))
    .map((f) => ({ family: f.family.replace(/["']/g, ""), status: f.status }));
  return { cells, pieces, fonts };
}

async function view(page: Page, mode: "lab" | "static"): Promise<View> {
  return page.evaluate(collectView, mode);
}

// What a check looked at, for reading after a failure: build/browser-test/views/<name>.json
function keep(name: string, v: View): View {
  const dir = join(runDir, "views");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name.replace(/[^\w.-]+/g, "_")}.json`), JSON.stringify(v, null, 1));
  return v;
}

// ---------------------------------------------------------------------------------------------
// What a notebook file promises: formulas, plots, the parameters cell.

interface Expected {
  cells: number;
  solutions: number[]; // Markdown cells tagged solution
  mathMarkdown: number[]; // Markdown cells with $…$ or $$…$$
  latexOutputs: number; // text/latex outputs
  plots: number; // Vega-Lite outputs
  params?: { cell: number; source: string; batchSize?: { value: number; line: string } };
}

function expected(nb: Notebook): Expected {
  const outputs = nb.cells.flatMap((c) => c.outputs ?? []);
  const paramsCell = nb.cells.findIndex((c) => c.cell_type === "code" && hasTag(c, "parameters"));
  const source = paramsCell >= 0 ? text(nb.cells[paramsCell].source) : "";
  const m = /^(\s*let\s+batchSize\s*(?::\s*\w+\s*)?=\s*)(\d+)(\s*;.*)$/m.exec(source);
  return {
    cells: nb.cells.length,
    solutions: nb.cells.flatMap((c, i) => (c.cell_type === "markdown" && hasTag(c, "solution") ? [i] : [])),
    // a collapsed Markdown cell (an exercise's solution) is not rendered until the reader opens it
    mathMarkdown: nb.cells.flatMap((c, i) => (c.cell_type === "markdown" && !sourceHidden(c) && /\$[^$]+\$|\\\(|\\\[/.test(text(c.source)) ? [i] : [])),
    latexOutputs: outputs.filter((o) => o.data?.["text/latex"] !== undefined).length,
    plots: outputs.filter((o) => o.data?.[VEGALITE] !== undefined).length,
    params: paramsCell >= 0 ? { cell: paramsCell, source, batchSize: m ? { value: Number(m[2]), line: m[0] } : undefined } : undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// The formula and plot checks, shared by JupyterLab and the static pages (and by the fixture).

const RAW_TEX: [RegExp, string][] = [
  [/\$\$/, "$$"],
  [/\\(?:[A-Za-z]+|[()[\]{}])/, "a TeX command"],
  [/\$[^$\s](?:[^$]*[^$\s\\])?\$/, "$…$"],
  [/[_^]\{/, "_{ or ^{"],
];

function rawTex(p: Piece): string | undefined {
  if (p.mime.includes("jupyter.std") || p.mime === "plot" || p.mime === "vegalite") return undefined; // plain text or plots
  for (const [re, what] of RAW_TEX) {
    const m = re.exec(p.visible);
    if (m) {
      const at = Math.max(0, m.index - 40);
      return `${what} visible in ${where(p)}: "…${p.visible.slice(at, m.index + m[0].length + 40)}…"`;
    }
  }
  return undefined;
}

const sourceHidden = (c: Cell): boolean => (c.metadata.jupyter as { source_hidden?: boolean } | undefined)?.source_hidden === true;
const where = (p: Piece): string => `cell ${p.cell} (${p.kind === "markdown" ? "Markdown" : `${p.mime} output`})`;
const isLatex = (p: Piece): boolean => p.kind === "output" && p.mime === "text/latex";
const isPlot = (p: Piece): boolean => p.mime === "vegalite" || p.mime === "plot";

function assertTypeset(v: View, e: Expected, opts: { exactCounts: boolean }): string {
  const problems: string[] = [];
  const latex = v.pieces.filter(isLatex);
  if (opts.exactCounts && latex.length !== e.latexOutputs) problems.push(`${latex.length} text/latex outputs on screen, the notebook has ${e.latexOutputs}`);
  for (const p of latex) if (p.katex === 0) problems.push(`${where(p)} is not typeset: "${p.visible.slice(0, 80)}"`);
  for (const i of e.mathMarkdown) {
    const p = v.pieces.find((q) => q.cell === i && q.kind === "markdown");
    if (!p) problems.push(`cell ${i} (Markdown with math) is not on screen`);
    else if (p.katex === 0) problems.push(`${where(p)} has math in its source but no KaTeX element`);
  }
  assert.ok(problems.length === 0, problems.join("\n"));
  const total = v.pieces.reduce((n, p) => n + p.katex, 0);
  return `${total} formulas typeset (${latex.length} formula outputs, ${e.mathMarkdown.length} Markdown cells with math)`;
}

function assertNoRawTex(v: View): string {
  const problems = v.pieces.map(rawTex).filter((s): s is string => s !== undefined);
  assert.ok(problems.length === 0, problems.join("\n"));
  return `${v.pieces.filter((p) => rawTex(p) === undefined && !p.mime.includes("jupyter.std")).length} rendered outputs and Markdown cells scanned`;
}

function assertNoKatexErrors(v: View): string {
  const problems = v.pieces.flatMap((p) => p.errors.map((err) => `${where(p)}: ${err}`));
  assert.ok(problems.length === 0, problems.join("\n"));
  return "no .katex-error, nothing in KaTeX's error colour, no empty formula";
}

function assertPlots(v: View, e: Expected, opts: { exactCounts: boolean; svgOnly: boolean }): string {
  const plots = v.pieces.filter(isPlot);
  const problems: string[] = [];
  if (opts.exactCounts && plots.length !== e.plots) problems.push(`${plots.length} plots on screen, the notebook has ${e.plots} Vega-Lite outputs`);
  for (const p of plots) {
    if (p.plot === "none") problems.push(`${where(p)} drew nothing: "${p.visible.slice(0, 120)}"`);
    if (opts.svgOnly && (p.plot !== "svg" || p.canvases > 0)) problems.push(`${where(p)} is not an SVG`);
  }
  assert.ok(problems.length === 0, problems.join("\n"));
  if (plots.length === 0) return "no plots in this notebook";
  return `${plots.length} plot(s) drawn (${[...new Set(plots.map((p) => p.plot))].join(", ")})`;
}

function assertKatexFonts(v: View): string {
  if (v.pieces.every((p) => p.katex === 0)) return "no formulas, no fonts needed";
  const loaded = new Set(v.fonts.filter((f) => f.status === "loaded").map((f) => f.family));
  const broken = v.fonts.filter((f) => f.status === "error").map((f) => f.family);
  assert.ok(broken.length === 0, `KaTeX fonts failed to load: ${broken.join(", ")}`);
  for (const family of ["KaTeX_Main", "KaTeX_Math"]) assert.ok(loaded.has(family), `${family} is not loaded (KaTeX fonts: ${JSON.stringify(v.fonts)})`);
  return `loaded: ${[...loaded].sort().join(", ")}`;
}

function assertFits(v: View): string {
  const problems = v.pieces.flatMap((p) => p.wide.map((w) => `${where(p)}: ${w}`));
  assert.ok(problems.length === 0, problems.join("\n"));
  const formulas = v.pieces.filter((p) => p.katex > 0).length;
  return `${v.pieces.length} outputs and Markdown cells measured (${formulas} with formulas), none wider than its column`;
}

function assertPlotText(v: View): string {
  const plots = v.pieces.filter(isPlot);
  if (plots.length === 0) return "no plots in this notebook";
  const problems: string[] = [];
  let measured = 0;
  for (const p of plots) {
    if (p.plotTextPx.length === 0) {
      problems.push(`${where(p)}: no text measured in this ${p.plot} plot (no axis labels?)`);
      continue;
    }
    measured++;
    const small = p.plotTextPx.filter((px) => px < MIN_PLOT_TEXT_PX - 0.05);
    if (small.length) problems.push(`${where(p)}: ${small.length} of ${p.plotTextPx.length} texts under ${MIN_PLOT_TEXT_PX} px (smallest ${Math.min(...small)} px)`);
  }
  assert.ok(problems.length === 0, problems.join("\n"));
  const all = plots.flatMap((p) => p.plotTextPx);
  return `${measured} plot(s), smallest text ${Math.min(...all)} px`;
}

// No "official Jupyter news" question or update notice: the settings the project writes are in
// force (tools/env.mts writeLabSettings), and nothing of the kind is on screen.
async function assertNoNews(page: Page, lab: Lab): Promise<string> {
  const r = await api(lab, "GET", "/lab/api/settings/@jupyterlab/apputils-extension:notification");
  // the server sends the user's settings as written (the defaults merged in the page make the composite)
  const reply = (await r.json()) as { settings?: Record<string, unknown> & { composite?: Record<string, unknown> } };
  const settings = reply.settings?.composite ?? reply.settings ?? {};
  assert.equal(settings.fetchNews, "false", `fetchNews is ${JSON.stringify(settings.fetchNews)} (the news question shows while it is "none")`);
  assert.equal(settings.checkForUpdates, false, `checkForUpdates is ${JSON.stringify(settings.checkForUpdates)}`);
  await sleep(2000); // the question would come once the application is restored
  const toasts = await page.locator(".Toastify__toast, .jp-Notification-Toast, .jp-toast-message").allInnerTexts();
  const body = await page.locator("body").innerText();
  assert.ok(!/Jupyter news|update|new version/i.test(toasts.join(" ")) && !/official Jupyter news/i.test(body),
    `on screen: ${toasts.join(" | ") || body.match(/.{0,80}official Jupyter news.{0,80}/i)?.[0]}`);
  return `fetchNews "false", checkForUpdates false, ${toasts.length} notification(s) on screen`;
}

function assertNoCellErrors(v: View): string {
  const errors = v.pieces.filter((p) => p.mime === STDERR || p.mime === "application/vnd.jupyter.error");
  assert.ok(errors.length === 0, errors.map((p) => `cell ${p.cell} shows an error: ${p.visible.slice(0, 600) || "(no text)"}`).join("\n"));
  return `${v.pieces.length} outputs, none on stderr`;
}

// Matrix shapes written as r\times c in the rendered formulas (texShape's form), e.g. "8\times 3".
// A number with decimals (4.88\times 10^{-3}) is not a shape.
function shapes(v: View): [number, number][] {
  return v.pieces.filter((p) => p.kind === "output").flatMap((p) => p.tex).flatMap((t) =>
    [...t.matchAll(/(?<![\d.])(\d+)\s*\\times\s*(\d+)(?![\d.^])/g)].map((m): [number, number] => [Number(m[1]), Number(m[2])]));
}

// ---------------------------------------------------------------------------------------------
// Processes: JupyterLab in its own process group, Chromium with a profile in runDir.

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.unref();
    server.on("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

interface Lab { process: ChildProcess; url: string; token: string; log: string[] }

async function startLab(notebookDir: string, stateDir: string): Promise<Lab> {
  const port = await freePort();
  const token = randomBytes(24).toString("hex");
  const settings = join(stateDir, "user-settings");
  // the settings npm start gives JupyterLab: no news or update pop-ups over the notebook (nor requests for them)
  writeLabSettings(settings);
  const env = {
    ...jupyterEnv(),
    // the project's kernelspec, config and data; UI state and runtime files of this run only
    JUPYTERLAB_SETTINGS_DIR: settings,
    JUPYTERLAB_WORKSPACES_DIR: join(stateDir, "workspaces"),
    JUPYTER_RUNTIME_DIR: join(stateDir, "runtime"),
  };
  const args = [
    ...labArgs(notebookDir, port), "--ServerApp.port_retries=0", "--no-browser", `--IdentityProvider.token=${token}`,
  ];
  const log: string[] = [];
  const child = spawn(join(venvBin, "jupyter"), args, { env, cwd: root, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  for (const stream of [child.stdout, child.stderr]) stream?.on("data", (d: Buffer) => log.push(...d.toString().split("\n").filter(Boolean)));
  const lab: Lab = { process: child, url: `http://127.0.0.1:${port}`, token, log };
  const deadline = Date.now() + LAB_START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`JupyterLab exited with ${child.exitCode}:\n${log.slice(-20).join("\n")}`);
    try {
      if ((await api(lab, "GET", "/api/status")).ok) return lab;
    } catch {
      // not listening yet
    }
    await sleep(300);
  }
  throw new Error(`JupyterLab did not answer on ${lab.url} within ${LAB_START_TIMEOUT_MS / 1000} s:\n${log.slice(-20).join("\n")}`);
}

function api(lab: Lab, method: string, path: string): Promise<Response> {
  return fetch(`${lab.url}${path}`, { method, headers: { Authorization: `token ${lab.token}` }, signal: AbortSignal.timeout(10_000) });
}

async function shutDownKernels(lab: Lab): Promise<void> {
  const sessions = (await (await api(lab, "GET", "/api/sessions")).json()) as { id: string }[];
  for (const s of sessions) await api(lab, "DELETE", `/api/sessions/${s.id}`);
  const kernels = (await (await api(lab, "GET", "/api/kernels")).json()) as { id: string }[];
  for (const k of kernels) await api(lab, "DELETE", `/api/kernels/${k.id}`);
}

async function stopLab(lab: Lab): Promise<void> {
  try {
    await shutDownKernels(lab);
  } catch {
    // the server may already be gone; its process group is stopped below
  }
  const pid = lab.process.pid;
  if (pid === undefined || lab.process.exitCode !== null || lab.process.signalCode !== null) return;
  const exited = new Promise<void>((done) => lab.process.once("exit", () => done()));
  try {
    process.kill(-pid, "SIGTERM");
  } catch {
    return;
  }
  if (await Promise.race([exited.then(() => true), sleep(15_000).then(() => false)])) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // already gone
  }
  await Promise.race([exited, sleep(5_000)]);
}

// The state and parent of a process, from /proc (undefined: gone).
function procStat(pid: number): { state: string; ppid: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { state, ppid: Number(ppid) };
  } catch {
    return undefined;
  }
}
const alive = (pid: number): boolean => {
  const s = procStat(pid);
  return s !== undefined && s.state !== "Z";
};

// pids and all their descendants
function withDescendants(pids: number[]): Set<number> {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    const s = Number.isInteger(pid) ? procStat(pid) : undefined;
    if (s) children.set(s.ppid, [...(children.get(s.ppid) ?? []), pid]);
  }
  const all = new Set<number>();
  const queue = [...pids];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    if (all.has(pid)) continue;
    all.add(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return all;
}

// Processes whose command line names runDir: JupyterLab (--notebook-dir), kernels (connection file
// in the run's runtime dir), Chromium (its profile). Kernels run in their own session, so this is
// how a kernel that outlived its server would be found.
function leftovers(): { pid: number; cmd: string }[] {
  const found: { pid: number; cmd: string }[] = [];
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ").trim();
      if (cmd.includes(runDir) && alive(pid)) found.push({ pid, cmd });
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// Files: copies of the notebooks (with their lib link), the export.

// Copies a notebook folder's files into dest; links (notebooks/lib → build/lib) point at the same
// place as the originals. dest is inside the project, so `./lib/…` imports and node_modules
// resolve as they do from notebooks/.
function copyNotebooks(paths: string[], dest: string): string[] {
  mkdirSync(dest, { recursive: true });
  const dirs = [...new Set(paths.map((p) => dirname(p)))];
  for (const dir of dirs) {
    for (const entry of readdirSync(dir)) {
      const from = join(dir, entry);
      const stat = lstatSync(from);
      if (entry.endsWith(".ipynb") || entry === ".ipynb_checkpoints" || existsSync(join(dest, entry))) continue;
      if (stat.isSymbolicLink()) symlinkSync(resolve(dir, readlinkSync(from)), join(dest, entry));
      else if (dir === notebooksDir) cpSync(from, join(dest, entry), { recursive: true });
    }
  }
  return paths.map((p) => {
    const to = join(dest, basename(p));
    cpSync(p, to);
    return to;
  });
}

// ---------------------------------------------------------------------------------------------
// JupyterLab, through the UI.

async function openNotebook(context: BrowserContext, lab: Lab, path: string): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  const rel = relative(join(runDir, "lab-root"), path).split("/").map(encodeURIComponent).join("/");
  // ?reset: a clean workspace, only this notebook open
  await page.goto(`${lab.url}/lab/tree/${rel}?reset&token=${lab.token}`, { waitUntil: "domcontentloaded" });
  await page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").first().waitFor({ timeout: 90_000 });
  // close the file browser, as one does to read: the notebook gets the whole width
  await page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current").click({ timeout: 5000 }).catch(() => undefined);
  return page;
}

// Waits until everything the notebook promises is on screen and stays the same for a moment.
async function settled(page: Page, e: Expected, opts: { exactCounts: boolean }): Promise<View> {
  const deadline = Date.now() + 60_000;
  let last = "";
  let v = await view(page, "lab");
  while (Date.now() < deadline) {
    v = await view(page, "lab");
    const plots = v.pieces.filter(isPlot);
    const ready = v.cells.length === e.cells
      && (!opts.exactCounts || (v.pieces.filter(isLatex).length >= e.latexOutputs && plots.length >= e.plots))
      && plots.every((p) => p.plot !== "none" || p.visible.length > 0)
      && v.fonts.every((f) => f.status !== "loading");
    const summary = JSON.stringify(v);
    if (ready && summary === last) return v;
    last = summary;
    await sleep(700);
  }
  return v;
}

async function statusBar(page: Page): Promise<string> {
  return (await page.locator("#jp-main-statusbar").innerText()).replace(/\s+/g, " ");
}

async function waitForKernelIdle(page: Page, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (/\|\s*Idle/.test(await statusBar(page))) return;
    await sleep(500);
  }
  throw new Error(`the kernel is not idle after ${timeoutMs / 1000} s; status bar: ${await statusBar(page)}`);
}

// Run All from the Run menu, once the kernel is idle; seconds: from the click to the first poll
// (every 0.5 s) that finds no cell queued and the kernel idle, i.e. to the last output.
async function runAll(page: Page): Promise<{ seconds: number }> {
  await waitForKernelIdle(page, KERNEL_START_TIMEOUT_MS); // the kernel starts with the notebook
  await page.locator(".lm-MenuBar-item", { hasText: /^Run$/ }).click();
  const t0 = performance.now();
  await page.locator('.lm-Menu-item[data-command="runmenu:run-all"]').click();
  // cells are queued ([*]) at once; then wait until none is queued and the kernel is idle, three polls in a row
  const deadline = Date.now() + RUN_ALL_TIMEOUT_MS;
  let calm = 0;
  let doneAt = t0;
  while (Date.now() < deadline) {
    await sleep(500);
    const prompts = (await view(page, "lab")).cells.map((c) => c.prompt);
    const idle = /\|\s*Idle/.test(await statusBar(page));
    const now = performance.now();
    calm = !prompts.includes("[*]:") && idle ? calm + 1 : 0;
    if (calm === 1) doneAt = now;
    if (calm >= 3) return { seconds: (doneAt - t0) / 1000 };
  }
  throw new Error(`Run All did not finish within ${RUN_ALL_TIMEOUT_MS / 1000} s; status bar: ${await statusBar(page)}`);
}

// An exercise's solution, as JupyterLab draws it (its Markdown is one closed <details> block,
// which running the cell renders closed): the element, whether it is open, its summary, and
// whether its code block takes room on screen. The cell is scrolled into view first (JupyterLab
// skips drawing cells far off screen).
interface SolutionState { details: boolean; open: boolean; summary: string; codeShown: boolean; code: string }
function solutionStateIn(cell: DomElement): SolutionState {
  const d = cell.querySelector(".jp-MarkdownOutput details") as (DomElement & { open?: boolean }) | null;
  const pre = d?.querySelector("pre") as (DomElement & { checkVisibility?: () => boolean }) | null | undefined;
  const r = pre ? pre.getBoundingClientRect() : { width: 0, height: 0 };
  // Chromium keeps a box for what a closed <details> hides (content-visibility: hidden): ask whether it is drawn
  const drawn = pre?.checkVisibility ? pre.checkVisibility() : true;
  return { details: d !== null, open: d?.open === true, summary: (d?.querySelector("summary")?.textContent ?? "").trim(),
    codeShown: drawn && r.width > 0 && r.height > 0, code: pre?.textContent ?? "" };
}
async function solutionState(page: Page, cell: number): Promise<SolutionState> {
  const el = page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").nth(cell);
  await el.scrollIntoViewIfNeeded();
  await sleep(300);
  return el.evaluate(solutionStateIn as unknown as (e: unknown) => SolutionState);
}

async function assertSolutionsClosed(page: Page, e: Expected): Promise<string> {
  const problems: string[] = [];
  for (const cell of e.solutions) {
    const s = await solutionState(page, cell);
    if (!s.details) problems.push(`cell ${cell}: no <details> element in the rendered solution`);
    else {
      if (s.open) problems.push(`cell ${cell}: the solution's <details> is open`);
      if (s.codeShown) problems.push(`cell ${cell}: the solution's code is on screen: ${s.code.slice(0, 80)}`);
      if (s.summary !== SHOW_SOLUTION) problems.push(`cell ${cell}: the summary says "${s.summary}", not "${SHOW_SOLUTION}"`);
    }
  }
  assert.ok(problems.length === 0, problems.join("\n"));
  return `${e.solutions.length} solution(s) closed behind "${SHOW_SOLUTION}"`;
}

// A click on the summary shows the code (the reader asked); a second click closes it again.
async function assertSolutionOpens(page: Page, e: Expected): Promise<string> {
  const cell = e.solutions[0];
  const summary = page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").nth(cell).locator(".jp-MarkdownOutput details > summary");
  await summary.click();
  const opened = await solutionState(page, cell);
  await summary.click();
  const closed = await solutionState(page, cell);
  assert.ok(opened.open && opened.codeShown, `after a click: open ${opened.open}, code on screen ${opened.codeShown}`);
  assert.ok(/const myAnswer/.test(opened.code), `the opened solution's code block: ${opened.code.slice(0, 80)}`);
  assert.ok(!closed.open && !closed.codeShown, "a second click does not close it");
  return `opened: ${opened.code.trim().slice(0, 60)}…; closed again`;
}

// A notebook just opened is not marked modified once its kernel is up (else closing it asks to
// save). JupyterLab modifies what it would store otherwise: language_info when the kernel connects,
// and an image/png beside each Vega-Lite plot it draws (the runner stores both, tools/plot-png.mts).
async function cleanOnOpen(page: Page, nb: Notebook, label: string): Promise<void> {
  const name = `${label} opened fresh: not marked modified once the kernel is up (closing does not ask to save)`;
  const missing = plotsWithoutPicture(nb).length;
  if (missing) {
    skip(name, `${missing} plot output(s) stored without the picture JupyterLab adds (refresh with \`npm run notebooks -- --in-place\`)`);
    return;
  }
  await check(name, async () => {
    await waitForKernelIdle(page, KERNEL_START_TIMEOUT_MS);
    await sleep(1500);
    const dirty = await page.locator(".lm-TabBar-tab.jp-mod-current.jp-mod-dirty").count();
    assert.equal(dirty, 0, "the notebook's tab is marked modified (●) right after opening");
    return "tab clean";
  });
}

// Cells with a collapsed input show no execution count; they define what later cells use, so a
// failure there shows as an error in those (checked apart).
function assertAllRan(v: View, after: number): string {
  const code = v.cells.map((c, i) => ({ ...c, i })).filter((c) => c.type === "code" && !c.collapsed);
  const counts = code.map((c) => Number(/^\[(\d+)\]:$/.exec(c.prompt)?.[1] ?? NaN));
  const notRun = code.filter((_, k) => !(counts[k] > after)).map((c) => `cell ${c.i} ${c.prompt || "(no prompt)"}`);
  assert.ok(notRun.length === 0, `code cells that did not run: ${notRun.join(", ")}`);
  return `${code.length} code cells ran (execution counts ${Math.min(...counts)}–${Math.max(...counts)})`;
}

// Types into the parameters cell's editor: selects its text and types the new source.
async function editParameters(page: Page, cell: number, source: string): Promise<void> {
  const editor = page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").nth(cell).locator(".cm-content");
  await editor.scrollIntoViewIfNeeded();
  await editor.click();
  await page.keyboard.press("Control+a");
  await page.keyboard.insertText(source);
  await page.keyboard.press("Escape"); // back to command mode
  const shown = (await editor.locator(".cm-line").allTextContents()).join("\n");
  assert.equal(shown, source, "the parameters cell's editor does not show the typed source");
}

// File → Save Notebook, then wait until the tab is no longer marked dirty.
async function saveNotebook(page: Page): Promise<void> {
  await page.locator(".lm-MenuBar-item", { hasText: /^File$/ }).click();
  await page.locator('.lm-Menu-item[data-command="docmanager:save"]').click();
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    await sleep(300);
    if ((await page.locator(".lm-TabBar-tab.jp-mod-current.jp-mod-dirty").count()) === 0) return;
  }
  throw new Error("the notebook is still marked unsaved 30 s after File → Save Notebook");
}

// The whole notebook, not only the first screen: the window is made as tall as the notebook's cells.
async function screenshot(page: Page, file: string): Promise<string> {
  const size = page.viewportSize() ?? { width: 1280, height: 900 };
  const cells = page.locator(".jp-NotebookPanel .jp-WindowedPanel-viewport");
  const box = async () => cells.evaluate((el: { getBoundingClientRect(): { top: number }; scrollHeight: number }) => ({ top: el.getBoundingClientRect().top, height: el.scrollHeight }));
  await page.locator(".jp-NotebookPanel .jp-WindowedPanel-outer").evaluate((el: { scrollTop: number }) => {
    el.scrollTop = 0;
  });
  // cells off screen have only an estimated height until they render: grow the window until it fits
  let wanted = size.height;
  let tall = size.height;
  for (let attempt = 0; attempt < 5; attempt++) {
    const { top, height } = await box();
    wanted = Math.ceil(top + height + 60); // + the status bar and a margin
    if (Math.abs(Math.min(wanted, 16_000) - tall) < 4) break;
    tall = Math.min(wanted, 16_000);
    await page.setViewportSize({ width: size.width, height: tall });
    await sleep(1500); // cells that were off screen render, plots redraw
  }
  await page.screenshot({ path: file, animations: "disabled" });
  await page.setViewportSize(size);
  return `${relative(root, file)} (${size.width}×${tall}${wanted > tall ? `, cut at ${tall} of ${wanted} px` : ""})`;
}

async function notebookInLab(context: BrowserContext, lab: Lab, path: string, label: string): Promise<void> {
  const nb = readNotebook(path);
  const e = expected(nb);
  const name = basename(path, ".ipynb");
  const page = await openNotebook(context, lab, path);
  const pageErrors: string[] = [];
  page.on("pageerror", (err) => pageErrors.push(err.message));
  try {
    // 1. as committed
    let v = keep(`${label}fresh`, await settled(page, e, { exactCounts: true }));
    await check(`${label} opened fresh: formulas typeset by KaTeX`, () => assertTypeset(v, e, { exactCounts: true }));
    await check(`${label} opened fresh: no raw TeX visible`, () => assertNoRawTex(v));
    await check(`${label} opened fresh: no KaTeX error marks`, () => assertNoKatexErrors(v));
    await check(`${label} opened fresh: KaTeX fonts loaded`, () => assertKatexFonts(v));
    await check(`${label} opened fresh: plots drawn`, () => assertPlots(v, e, { exactCounts: true, svgOnly: false }));
    await check(`${label} opened fresh: no cell shows an error`, () => assertNoCellErrors(v));
    if (!newsChecked) {
      newsChecked = true;
      await check("JupyterLab: no news or update pop-up, news and update checks off in the settings", () => assertNoNews(page, lab));
    }
    if (e.solutions.length) await check(`${label} opened fresh: the solution is closed, its code not shown`, () => assertSolutionsClosed(page, e));
    await cleanOnOpen(page, nb, label);

    // 2. Run All with the committed parameters
    let ran = await check(`${label} Run All: kernel idle again`, async () => {
      const { seconds } = await runAll(page);
      runAllSeconds.set(name, seconds);
      return `${seconds.toFixed(1)} s from the click to the last output`;
    });
    v = keep(`${label}run-all`, await settled(page, e, { exactCounts: false }));
    if (ran) await check(`${label} Run All: every code cell ran`, () => assertAllRan(v, 0));
    await check(`${label} Run All: no cell shows an error`, () => assertNoCellErrors(v));
    await check(`${label} Run All: formulas typeset by KaTeX`, () => assertTypeset(v, e, { exactCounts: false }));
    await check(`${label} Run All: no raw TeX visible, no KaTeX error marks`, () => `${assertNoRawTex(v)}; ${assertNoKatexErrors(v)}`);
    await check(`${label} Run All: plots drawn`, () => assertPlots(v, e, { exactCounts: false, svgOnly: false }));
    // what the fresh checks saw must be what a run shows: committed outputs that are missing or stale would make them vacuous
    await check(`${label} Run All: as many formulas and plots as the committed outputs`, () => {
      const latex = v.pieces.filter(isLatex).length;
      const plots = v.pieces.filter(isPlot).length;
      assert.ok(latex === e.latexOutputs && plots === e.plots,
        `Run All shows ${latex} formula outputs and ${plots} plots, the committed notebook has ${e.latexOutputs} and ${e.plots}: ` +
        "its outputs are missing or stale (refresh them with `npm run notebooks -- --in-place`)");
      return `${latex} formula outputs, ${plots} plots`;
    });
    const k0 = e.params?.batchSize?.value;
    const atK = k0 === undefined ? "" : ` (batchSize ${k0})`;
    await check(`${label} Run All${atK}: every formula and output line fits its column`, () => assertFits(v));
    await check(`${label} Run All${atK}: plot text at least ${MIN_PLOT_TEXT_PX} px`, () => assertPlotText(v));
    if (e.solutions.length) await check(`${label} Run All: the solution is still closed, its code not shown`, () => assertSolutionsClosed(page, e));
    await check(`${label} Run All: screenshot`, () => screenshot(page, join(screenshotsDir, `lab-${name}.png`)));
    if (e.solutions.length) await check(`${label} Show the solution opens it on a click, with its code`, () => assertSolutionOpens(page, e));

    // 3. other batch sizes, typed into the parameters cell, Run All again: a large one (40), then 1
    const batch = e.params?.batchSize;
    if (!e.params || !batch) {
      skip(`${label} batch size changed`, e.params ? "the parameters cell has no `let batchSize = <int>;`" : "no cell tagged parameters");
      return;
    }
    const before = shapes(v);
    const dims = new Set(before.flat());
    let k1 = LARGE_K;
    while (k1 === batch.value || dims.has(k1)) k1++; // a batch size no shape had before: its appearance can only come from the change
    let lastCount = Math.max(0, ...v.cells.map((c) => Number(/^\[(\d+)\]:$/.exec(c.prompt)?.[1] ?? 0)));
    for (const k of [k1, 1]) {
      if (k === batch.value) continue;
      const newSource = e.params.source.replace(batch.line, batch.line.replace(/=\s*\d+/, `= ${k}`));
      const paramsCell = e.params.cell;
      const edited = await check(`${label} batchSize ${batch.value} → ${k} typed into the parameters cell (cell ${paramsCell})`, async () => {
        await editParameters(page, paramsCell, newSource);
      });
      if (!edited) return;
      ran = await check(`${label} Run All (batchSize ${k}): kernel idle again`, async () => `${(await runAll(page)).seconds.toFixed(1)} s`);
      v = keep(`${label}run-all-batchSize-${k}`, await settled(page, e, { exactCounts: false }));
      if (ran) await check(`${label} Run All (batchSize ${k}): every code cell ran again`, () => assertAllRan(v, lastCount));
      lastCount = Math.max(0, ...v.cells.map((c) => Number(/^\[(\d+)\]:$/.exec(c.prompt)?.[1] ?? 0)));
      await check(`${label} Run All (batchSize ${k}): no cell shows an error`, () => assertNoCellErrors(v));
      await check(`${label} Run All (batchSize ${k}): formulas typeset, no raw TeX, no KaTeX errors`, () =>
        `${assertTypeset(v, e, { exactCounts: false })}; ${assertNoRawTex(v)}; ${assertNoKatexErrors(v)}`);
      await check(`${label} Run All (batchSize ${k}): every formula and output line fits its column`, () => assertFits(v));
      await check(`${label} Run All (batchSize ${k}): plot text at least ${MIN_PLOT_TEXT_PX} px`, () => assertPlotText(v));
      if (k === LARGE_K) await check(`${label} Run All (batchSize ${k}): screenshot`, () => screenshot(page, join(screenshotsDir, `lab-${name}-K${k}.png`)));
      // saved from JupyterLab, this run is what the export at this batch size is made from
      await check(`${label} Run All (batchSize ${k}): saved for the export`, async () => {
        await saveNotebook(page);
        const dest = join(runDir, `saved-K${k}`, basename(path));
        mkdirSync(dirname(dest), { recursive: true });
        cpSync(path, dest);
        return relative(root, dest);
      });
      if (k !== k1) continue;
      const withK0 = before.filter(([r, c]) => r === batch.value || c === batch.value);
      if (withK0.length === 0) {
        skip(`${label} a rendered shape follows batchSize`, `no shape in the rendered formulas has a dimension ${batch.value} (shapes: ${fmt(before) || "none"})`);
        continue;
      }
      shapeChecks++;
      await check(`${label} a rendered shape follows batchSize ${batch.value} → ${k1}`, () => {
        const after = shapes(v);
        const withK1 = after.filter(([r, c]) => r === k1 || c === k1);
        assert.ok(withK1.length > 0, `no rendered shape has a dimension ${k1}; before: ${fmt(withK0)}; after: ${fmt(after) || "none"}`);
        // every new shape is an old one with K replaced
        const known = new Set(before.map(([r, c]) => `${r}x${c}`));
        const unexplained = withK1.filter(([r, c]) => !known.has(`${r === k1 ? batch.value : r}x${c === k1 ? batch.value : c}`));
        assert.ok(unexplained.length === 0, `shapes with ${k1} that were not shapes with ${batch.value} before: ${fmt(unexplained)}`);
        return `before: ${fmt(withK0)}; after: ${fmt(withK1)}`;
      });
    }
  } finally {
    if (pageErrors.length) console.log(`      (${label}: ${pageErrors.length} uncaught error(s) in the page, e.g. ${pageErrors[0].slice(0, 200)})`);
    await page.close();
    await shutDownKernels(lab).catch(() => undefined);
  }
}

// The series run by the runner at another batch size (the kernel, as `npm run notebooks -- --param`
// publishes it): each executed copy opens in JupyterLab unmodified, its parameters cell saying the
// value it ran with; then exported like the rest, with screenshots.
async function runnerAtK(context: BrowserContext, lab: Lab, copies: string[], variants: ExportVariant[]): Promise<void> {
  const dir = join(runDir, "lab-root", `runner-K${RUNNER_K}`);
  const ran = await check(`npm run notebooks -- --param batchSize=${RUNNER_K} --jobs 2 (every notebook, the kernel)`, () => {
    const r = runTool("notebooks.mts", [...copies, "--param", `batchSize=${RUNNER_K}`, "--jobs", "2", "--out", dir], 1_200_000);
    assert.equal(r.status, 0, `the runner failed:\n${r.out.trim().split("\n").slice(-12).join("\n")}`);
    return r.out.trim().split("\n").filter((l) => / runs \(/.test(l)).join("") || relative(root, dir);
  });
  if (!ran) return;
  const executed = listNotebooks(dir);
  for (const path of executed) {
    const label = `${relative(join(runDir, "lab-root"), path)}:`;
    const nb = readNotebook(path);
    await check(`${label} the parameters cell says batchSize = ${RUNNER_K}, no cell was added`, () => {
      const params = text(nb.cells.find((c) => hasTag(c, "parameters"))?.source);
      assert.match(params, new RegExp(`^let batchSize = ${RUNNER_K}; // \\[`, "m"));
      assert.equal(nb.cells.length, readNotebook(copies.find((c) => basename(c) === basename(path)) ?? path).cells.length);
      return params.split("\n").find((l) => l.startsWith("let batchSize")) ?? "";
    });
    const page = await openNotebook(context, lab, path);
    try {
      await settled(page, expected(nb), { exactCounts: true });
      await cleanOnOpen(page, nb, label);
    } finally {
      await page.close();
      await shutDownKernels(lab).catch(() => undefined);
    }
  }
  const html = join(runDir, `html-runner-K${RUNNER_K}`);
  const exported = await check(`npm run export -- --from ${relative(root, dir)}`, () => {
    const x = runTool("export.mts", ["--from", dir, "--out", html], 300_000);
    assert.equal(x.status, 0, `export failed:\n${x.out.trim().split("\n").slice(-8).join("\n")}`);
    const pages = executed.map((p) => readFileSync(join(html, `${basename(p, ".ipynb")}.html`), "utf8").replace(/<[^>]+>/g, ""));
    const wrong = executed.filter((_, i) => !pages[i].includes(`let batchSize = ${RUNNER_K}; //`) || /Injected|void 0;/.test(pages[i]));
    assert.ok(wrong.length === 0, `pages without \`let batchSize = ${RUNNER_K}; //\`, or with runner machinery: ${wrong.map((p) => basename(p)).join(", ")}`);
    return `${relative(root, html)}: every page shows \`let batchSize = ${RUNNER_K};\` with its comment, and no injected cell`;
  });
  if (exported) variants.push({ label: `export batchSize=${RUNNER_K} (runner)`, htmlDir: html, notebooks: executed, suffix: `-K${RUNNER_K}`, screenshots: true });
}

let newsChecked = false;

let shapeChecks = 0; // notebooks where a rendered shape could follow the batch size
const runAllSeconds = new Map<string, number>(); // notebook → its first Run All in JupyterLab, at its defaults

// Each notebook's Run All in JupyterLab beside the Node engine's run of the same cells (the
// runner, --engine node: the notebook's own computation, with no kernel and no type-check).
function runAllBesideNode(copies: string[]): string {
  const report = join(runDir, "node-engine.json");
  const r = runTool("notebooks.mts", [...copies, "--engine", "node", "--out", join(runDir, "node-engine"), "--report", report], 600_000);
  assert.equal(r.status, 0, `the Node engine failed:\n${r.out.trim().split("\n").slice(-8).join("\n")}`);
  const node = new Map((JSON.parse(readFileSync(report, "utf8")) as { runs: { notebook: string; seconds: number }[] }).runs
    .map((run) => [basename(run.notebook, ".ipynb"), run.seconds]));
  const rows = copies.map((p) => basename(p, ".ipynb")).filter((n) => runAllSeconds.has(n)).map((n) =>
    `${n.padEnd(36)} ${runAllSeconds.get(n)!.toFixed(1).padStart(6)} s ${(node.get(n) ?? NaN).toFixed(2).padStart(7)} s`);
  assert.ok(rows.length > 0, "no notebook's Run All was timed");
  const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
  const lab = sum([...runAllSeconds.values()]);
  const nodeSum = sum(copies.map((p) => node.get(basename(p, ".ipynb")) ?? 0));
  return [`${"notebook".padEnd(36)} ${"JupyterLab".padStart(8)} ${"Node".padStart(9)}`, ...rows,
    `${"all".padEnd(36)} ${lab.toFixed(1).padStart(6)} s ${nodeSum.toFixed(2).padStart(7)} s`].map((l) => `\n        ${l}`).join("");
}

const fmt = (s: [number, number][]): string => [...new Set(s.map(([r, c]) => `${r}×${c}`))].join(", ");

// Only the checks that need no kernel: the fixture's committed outputs, opened fresh.
async function fixtureMustFail(context: BrowserContext, lab: Lab, path: string): Promise<void> {
  const e = expected(readNotebook(path));
  const page = await openNotebook(context, lab, path);
  try {
    const v = keep("fixture-fresh", await settled(page, e, { exactCounts: true }));
    const label = `fixture ${relative(root, fixture)}`;
    await check(`${label}: KaTeX works in it (its correct formula is typeset)`, () => {
      const typeset = v.pieces.filter((p) => p.katex > 0 && p.errors.length === 0);
      assert.ok(typeset.length > 0, "not even the correct formula is typeset");
      return `${typeset.length} piece(s) typeset cleanly`;
    });
    await checkFails(`${label}: the "formulas typeset" check fails`, () => assertTypeset(v, e, { exactCounts: true }));
    await checkFails(`${label}: the "no raw TeX" check fails`, () => assertNoRawTex(v));
    await checkFails(`${label}: the "no KaTeX error marks" check fails`, () => assertNoKatexErrors(v));
  } finally {
    await page.close();
    await shutDownKernels(lab).catch(() => undefined);
  }
}

// The overflowing-formula fixture, opened fresh in JupyterLab: typeset, but too wide, so the width check must fail.
async function overflowMustFail(context: BrowserContext, lab: Lab, path: string): Promise<void> {
  const e = expected(readNotebook(path));
  const page = await openNotebook(context, lab, path);
  try {
    const v = keep("fixture-overflow-fresh", await settled(page, e, { exactCounts: true }));
    const label = `fixture ${relative(root, overflowFixture)}`;
    await check(`${label}: its formula is typeset`, () => `${assertTypeset(v, e, { exactCounts: true })}; ${assertNoKatexErrors(v)}`);
    await checkFails(`${label}: the "fits its column" check fails in JupyterLab`, () => assertFits(v));
  } finally {
    await page.close();
    await shutDownKernels(lab).catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------
// The static export, from disk, offline.

// How a page is built, read in the page: collapsed inputs and solutions, the contents' anchors,
// how printed lines wrap.
interface Structure { hiddenCode: number; openCode: number; codeSummaries: string[]; solutions: number; openSolutions: number;
  solutionSummaries: string[]; tocLinks: number; brokenTocLinks: string[]; streams: number; unwrapped: number }
const STRUCTURE = `(() => {
  const q = (s) => Array.from(document.querySelectorAll(s));
  const code = q("section.code > details.source"), sol = q("section.solution > details.solution");
  const links = q('nav.toc a[href^="#"]');
  const streams = q("pre.output");
  const r = {
    hiddenCode: code.length, openCode: code.filter((d) => d.open).length,
    codeSummaries: [...new Set(code.map((d) => d.querySelector("summary").textContent.trim()))],
    solutions: sol.length, openSolutions: sol.filter((d) => d.open).length,
    solutionSummaries: [...new Set(sol.map((d) => d.querySelector("summary").textContent.trim()))],
    tocLinks: links.length,
    brokenTocLinks: links.filter((a) => !document.getElementById(decodeURIComponent(a.getAttribute("href").slice(1)))).map((a) => a.getAttribute("href")),
    streams: streams.length,
    unwrapped: streams.filter((p) => getComputedStyle(p).whiteSpace !== "pre-wrap").length,
  };
  return r;
})()`;

function assertStructure(st: Structure, nb: Notebook): string {
  const meta = (c: Notebook["cells"][number]) => (c.metadata.jupyter as { source_hidden?: boolean } | undefined) ?? {};
  // an exercise's checker is left out of the export altogether (its source could hint at the answer)
  const hiddenCode = nb.cells.filter((c) => c.cell_type === "code" && meta(c).source_hidden === true && !hasTag(c, "checker") &&
    text(c.source).trim() !== "").length;
  const solutions = nb.cells.filter((c) => c.cell_type === "markdown" && hasTag(c, "solution")).length;
  const headings = nb.cells.filter((c) => c.cell_type === "markdown").flatMap((c) => text(c.source).match(/^#{2,3}\s/gm) ?? []).length;
  const problems: string[] = [];
  if (st.hiddenCode !== hiddenCode) problems.push(`${st.hiddenCode} collapsed code inputs, the notebook has ${hiddenCode} cells with source_hidden`);
  if (st.openCode) problems.push(`${st.openCode} collapsed code input(s) shown open`);
  if (st.codeSummaries.some((t) => t !== "show code")) problems.push(`collapsed code says ${JSON.stringify(st.codeSummaries)}, not "show code"`);
  if (st.solutions !== solutions) problems.push(`${st.solutions} collapsed solutions, the notebook has ${solutions} cells tagged solution`);
  if (st.openSolutions) problems.push(`${st.openSolutions} solution(s) shown open`);
  if (st.solutionSummaries.some((t) => t !== SHOW_SOLUTION)) problems.push(`solutions say ${JSON.stringify(st.solutionSummaries)}, not "${SHOW_SOLUTION}"`);
  if (headings >= 2 && st.tocLinks !== headings) problems.push(`the contents have ${st.tocLinks} links, the notebook ${headings} level-2 and -3 headings`);
  if (st.brokenTocLinks.length) problems.push(`contents links to no anchor: ${st.brokenTocLinks.join(", ")}`);
  if (st.unwrapped) problems.push(`${st.unwrapped} of ${st.streams} printed outputs do not wrap their lines (white-space is not pre-wrap)`);
  assert.ok(problems.length === 0, problems.join("\n"));
  return `${st.hiddenCode} collapsed inputs, ${st.solutions} collapsed solutions, ${st.tocLinks} contents links, ${st.streams} printed outputs wrapping`;
}

// A full-page screenshot of what the reader sees (collapsed parts closed).
async function pageScreenshot(page: Page, file: string): Promise<string> {
  await page.screenshot({ path: file, fullPage: true, animations: "disabled" });
  return relative(root, file);
}

interface ExportVariant {
  label: string; // "export" or "export batchSize=40"
  htmlDir: string;
  notebooks: string[]; // the notebooks the pages were made from (their outputs are the expected ones)
  suffix: string; // screenshot name suffix: "" or "-K40"
  screenshots: boolean;
}

async function offline<T>(context: BrowserContext, fn: (requests: string[], blocked: string[]) => Promise<T>): Promise<T> {
  const requests: string[] = [];
  const blocked: string[] = [];
  await context.setOffline(true);
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith("file:")) return route.continue();
    blocked.push(url);
    return route.abort("internetdisconnected");
  });
  const listener = (r: { url(): string }) => requests.push(r.url());
  context.on("request", listener);
  try {
    return await fn(requests, blocked);
  } finally {
    context.off("request", listener);
    await context.unroute("**/*");
    await context.setOffline(false);
  }
}

async function openStatic(context: BrowserContext, file: string): Promise<Page> {
  const page = await context.newPage();
  await page.setViewportSize({ width: 1000, height: 900 });
  await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
  await page.evaluate("document.fonts.ready.then(() => true)");
  return page;
}

async function staticPages(context: BrowserContext, x: ExportVariant): Promise<void> {
  await offline(context, async (requests, blocked) => {
    if (x.screenshots) {
      const index = join(x.htmlDir, "index.html");
      await check(`${x.label} index.html: every notebook listed with its summary, formulas typeset, screenshot`, async () => {
        const page = await openStatic(context, index);
        try {
          const v = await view(page, "static");
          const items = (await page.locator("ol.notebooks > li").allInnerTexts()).map((t) => t.trim());
          assert.equal(items.length, x.notebooks.length, `${items.length} notebooks listed, ${x.notebooks.length} exported`);
          const bare = items.filter((t) => t.split("\n").filter((l) => l.trim()).length < 2);
          assert.ok(bare.length === 0, `listed without a summary sentence: ${bare.join("; ")}`);
          const stray = /\$\$|\$[^$\s](?:[^$]*[^$\s\\])?\$|\\[A-Za-z]+/.exec(v.pieces.map((p) => p.visible).join(" ") + (await page.locator("main").innerText()).replace(/\n/g, " "));
          assert.ok(!stray, `raw TeX on the index: ${stray?.[0]}`);
          const errs = v.pieces.flatMap((p) => p.errors);
          assert.ok(errs.length === 0, errs.join("\n"));
          return `${items.length} notebooks; ${await pageScreenshot(page, join(screenshotsDir, `export-index${x.suffix}.png`))}`;
        } finally {
          await page.close();
        }
      });
    }
    for (const nb of x.notebooks) {
      const name = basename(nb, ".ipynb");
      const file = join(x.htmlDir, `${name}.html`);
      const label = `${x.label} ${name}.html`;
      if (!(await check(`${label}: exported`, () => assert.ok(existsSync(file), "no such page")))) continue;
      const notebook = readNotebook(nb);
      const e = expected(notebook);
      const page = await openStatic(context, file);
      try {
        const st = (await page.evaluate(STRUCTURE)) as Structure;
        await check(`${label}: drawing code and solutions collapsed, contents link to headings, printed lines wrap`, () => assertStructure(st, notebook));
        // what is collapsed is measured too: every <details> open
        await page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })");
        const v = keep(`static-${name}${x.suffix}`, await view(page, "static"));
        await check(`${label}: formulas typeset by KaTeX, with a size`, () => {
          const detail = assertTypeset(v, e, { exactCounts: true });
          const zero = v.pieces.reduce((n, p) => n + p.katexZeroSize, 0);
          assert.equal(zero, 0, `${zero} KaTeX element(s) have no width or height`);
          return detail;
        });
        await check(`${label}: no raw TeX visible, no KaTeX error marks`, () => `${assertNoRawTex(v)}; ${assertNoKatexErrors(v)}`);
        await check(`${label}: KaTeX fonts loaded from disk`, () => assertKatexFonts(v));
        await check(`${label}: plots are inline SVG`, () => assertPlots(v, e, { exactCounts: true, svgOnly: true }));
        await check(`${label}: every formula and output line fits the column`, () => assertFits(v));
        await check(`${label}: plot text at least ${MIN_PLOT_TEXT_PX} px`, () => assertPlotText(v));
        // last: a full-page screenshot hides the scrollbars, which the measures above look for
        await page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = false; })");
        if (x.screenshots) await check(`${label}: screenshot`, () => pageScreenshot(page, join(screenshotsDir, `export-${name}${x.suffix}.png`)));
      } finally {
        await page.close();
      }
    }
    await check(`${x.label}: no request left file://`, () => {
      assert.ok(blocked.length === 0, `blocked requests: ${[...new Set(blocked)].join(", ")}`);
      return `${requests.length} file:// requests (pages, katex.min.css, fonts)`;
    });
  });
}

// The overflowing formula in the export: the width check fails, and the formula scrolls, never clipped.
async function staticOverflowMustFail(context: BrowserContext, htmlDir: string, nb: string): Promise<void> {
  const label = `fixture ${relative(root, overflowFixture)} exported`;
  await offline(context, async () => {
    const page = await openStatic(context, join(htmlDir, `${basename(nb, ".ipynb")}.html`));
    try {
      const v = keep("static-fixture-overflow", await view(page, "static"));
      await checkFails(`${label}: the "fits the column" check fails`, () => assertFits(v));
      await check(`${label}: the too-wide formula scrolls sideways with a visible scrollbar (not clipped)`, () => {
        const n = v.pieces.reduce((k, p) => k + p.scrolling, 0);
        assert.ok(n > 0, "no too-wide formula sits in a container with a horizontal scrollbar");
        return `${n} formula(s) in a scrolling container`;
      });
    } finally {
      await page.close();
    }
  });
}

// ---------------------------------------------------------------------------------------------

async function main(cleanups: (() => Promise<void>)[]): Promise<void> {
  const args = process.argv.slice(2);
  const named = args.filter((a) => !a.startsWith("-")).map((a) => resolve(a));
  const sources = named.length ? named : listNotebooks(notebooksDir);
  for (const p of sources) if (!existsSync(p) || !p.endsWith(".ipynb")) throw new Error(`no notebook at ${p}`);
  if (!existsSync(chromiumPath)) throw new Error(chromiumMissing());
  if (!existsSync(join(venvBin, "jupyter"))) throw new Error("JupyterLab is not installed in .venv yet: run `npm install` first.");

  rmSync(runDir, { recursive: true, force: true });
  rmSync(screenshotsDir, { recursive: true, force: true });
  mkdirSync(screenshotsDir, { recursive: true });
  const labRoot = join(runDir, "lab-root");
  await check(`notebooks to test: ${sources.length}`, () => {
    assert.ok(sources.length > 0, `no notebooks in ${relative(root, notebooksDir)}/`);
    return sources.map((p) => relative(root, p)).join(", ");
  });
  // the series is opened the way `npm start` opens it: working copies with a lib link (tools/workcopy.mts)
  const copyDir = join(labRoot, "notebooks");
  let copies: string[];
  if (named.length) copies = copyNotebooks(sources, copyDir);
  else {
    const report = prepareWorkingCopy(notebooksDir, copyDir);
    copies = report.created.map((n) => join(copyDir, n));
    await check("working copies made as npm start makes them (lib → build/lib)", () => {
      assert.equal(realpathSync(join(copyDir, "lib")), realpathSync(libDir));
      assert.equal(copies.length, sources.length);
      return `${copies.length} copies, lib → ${readlinkSync(join(copyDir, "lib"))}`;
    });
  }
  const fixtureCopy = copyNotebooks([fixture], join(labRoot, "fixtures", "broken"))[0]; // its checks must fail
  const overflowCopy = copyNotebooks([overflowFixture], join(labRoot, "fixtures", "overflow"))[0]; // its width checks must fail
  const sampleCopy = copyNotebooks([sampleFixture], join(labRoot, "fixtures", "sample"))[0]; // a chapter in the series' style

  // the export, from the fresh copies (the same files as the committed ones)
  const htmlDir = join(runDir, "html");
  const t0 = performance.now();
  const exported = runTool("export.mts", ["--from", copyDir, "--out", htmlDir], 300_000);
  await check("npm run export (static HTML)", () => {
    assert.equal(exported.status, 0, `export failed:\n${exported.out.trim().split("\n").slice(-8).join("\n")}`);
    return `${relative(root, htmlDir)} in ${((performance.now() - t0) / 1000).toFixed(1)} s`;
  });
  await check(`fixture ${relative(root, fixture)}: npm run export refuses its broken formula`, () => {
    const r = runTool("export.mts", ["--from", dirname(fixtureCopy), "--out", join(runDir, "html-fixture")], 300_000);
    assert.notEqual(r.status, 0, "the export accepted the broken formulas");
    const reason = r.out.split("\n").find((l) => /ParseError|KaTeX/.test(l) && l.includes(basename(fixture)));
    assert.ok(reason, `the export failed, but not on a formula, or without naming the notebook:\n${r.out.trim().split("\n").slice(-8).join("\n")}`);
    return `failed as expected: ${reason.trim()}`;
  });
  const fixtureHtml: Record<"overflow" | "sample", string> = { overflow: join(runDir, "html-overflow"), sample: join(runDir, "html-sample") };
  for (const [kind, copy] of [["overflow", overflowCopy], ["sample", sampleCopy]] as const) {
    await check(`fixture ${relative(root, kind === "overflow" ? overflowFixture : sampleFixture)}: exported`, () => {
      const r = runTool("export.mts", ["--from", dirname(copy), "--out", fixtureHtml[kind]], 300_000);
      assert.equal(r.status, 0, `export failed:\n${r.out.trim().split("\n").slice(-8).join("\n")}`);
    });
  }

  // the series at other batch sizes, run headless, then exported
  const variants: ExportVariant[] = [
    { label: "export", htmlDir, notebooks: copies, suffix: "", screenshots: true },
    { label: `fixture ${relative(root, sampleFixture)} export`, htmlDir: fixtureHtml.sample, notebooks: [sampleCopy], suffix: "", screenshots: false },
  ];
  const lab = await startLab(labRoot, join(runDir, "lab-state"));
  labPid = lab.process.pid;
  cleanups.push(() => stopLab(lab));
  console.log(`      JupyterLab ${lab.url} (token), notebooks copied to ${relative(root, labRoot)}`);

  const context = await chromium.launchPersistentContext(join(runDir, "chromium-profile"), {
    executablePath: chromiumPath,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 1280, height: 900 },
    // scrollbars as a reader sees them (Playwright hides them by default): a formula that scrolls must show it does
    ignoreDefaultArgs: ["--hide-scrollbars"],
    // Chromium's crash reporter writes under $XDG_CONFIG_HOME/chromium whatever the profile: keep it in the run
    env: { ...process.env, XDG_CONFIG_HOME: join(runDir, "chromium-config"), XDG_CACHE_HOME: join(runDir, "chromium-cache") },
    // signals are handled below: Playwright's own handlers would exit before JupyterLab is stopped
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  cleanups.unshift(() => context.close());
  // tsx compiles the functions sent into the page with esbuild's keepNames, which calls __name()
  await context.addInitScript({ content: "globalThis.__name = globalThis.__name || ((f) => f);" });
  await context.addInitScript({ content: CANVAS_TEXT_PROBE });

  for (const path of copies) await guard(relative(labRoot, path), () => notebookInLab(context, lab, path, `${relative(labRoot, path)}:`));
  await check("a batch size change was checked against a rendered shape", () => {
    assert.ok(shapeChecks > 0, "no notebook shows a shape with a dimension equal to its batchSize, so no change could be seen");
    return `in ${shapeChecks} of ${copies.length} notebooks`;
  });
  await check("Run All in JupyterLab (click → last output, at the defaults) beside the Node engine", () => runAllBesideNode(copies));
  await guard(`npm run notebooks -- --param batchSize=${RUNNER_K}`, () => runnerAtK(context, lab, copies, variants));
  await guard(`fixture ${relative(root, fixture)}`, () => fixtureMustFail(context, lab, fixtureCopy));
  await guard(`fixture ${relative(root, overflowFixture)}`, () => overflowMustFail(context, lab, overflowCopy));
  // the series at other batch sizes: the runs JupyterLab saved above, exported
  for (const k of new Set(readdirSync(runDir).flatMap((d) => /^saved-K(\d+)$/.exec(d)?.[1] ?? []).map(Number))) {
    const saved = join(runDir, `saved-K${k}`);
    const html = join(runDir, `html-K${k}`);
    const ok = await check(`npm run export -- --from ${relative(root, saved)} (the notebooks run at batchSize ${k} in JupyterLab)`, () => {
      const x = runTool("export.mts", ["--from", saved, "--out", html], 300_000);
      assert.equal(x.status, 0, `export failed:\n${x.out.trim().split("\n").slice(-8).join("\n")}`);
      return relative(root, html);
    });
    if (ok) variants.push({ label: `export batchSize=${k}`, htmlDir: html, notebooks: listNotebooks(saved), suffix: `-K${k}`, screenshots: k >= LARGE_K });
  }
  if (exported.status === 0) for (const x of variants) await guard(x.label, () => staticPages(context, x));
  if (existsSync(join(fixtureHtml.overflow, `${basename(overflowFixture, ".ipynb")}.html`)))
    await guard(`fixture ${relative(root, overflowFixture)} exported`, () => staticOverflowMustFail(context, fixtureHtml.overflow, overflowCopy));
}

const cleanups: (() => Promise<void>)[] = [];
let labPid: number | undefined;
let cleaning: Promise<void> | undefined;
// Stops everything once, whoever asks first (the end of the run or a signal); the others wait for it.
const cleanup = (): Promise<void> => (cleaning ??= stopEverything());
async function stopEverything(): Promise<void> {
  // every process this run started: JupyterLab, its kernels, Chromium and their children
  const ours = withDescendants([...(labPid ? [labPid] : []), ...leftovers().map((p) => p.pid)]);
  for (const step of cleanups) {
    try {
      await Promise.race([step(), sleep(30_000)]);
    } catch (e) {
      console.log(`      (cleanup: ${errorText(e)})`);
    }
  }
  await sleep(500);
  const still = (): { pid: number; cmd: string }[] => {
    const found = new Map(leftovers().map((p) => [p.pid, p.cmd]));
    for (const pid of ours) if (alive(pid) && !found.has(pid)) found.set(pid, readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " "));
    return [...found].map(([pid, cmd]) => ({ pid, cmd }));
  };
  let left = still();
  for (const p of left) {
    try {
      process.kill(p.pid, "SIGKILL");
    } catch {
      // gone
    }
  }
  if (left.length) await sleep(500);
  await check("JupyterLab, its kernels and Chromium are stopped", () => {
    assert.ok(left.length === 0, `still running (now killed): ${left.map((p) => `${p.pid} ${p.cmd.slice(0, 120)}`).join("\n")}`);
    left = still();
    assert.ok(left.length === 0, `could not stop: ${left.map((p) => p.pid).join(", ")}`);
    return `${ours.size} processes were started, none is left`;
  });
}

// The summary: the last line is "N passed, M failed"; the exit status is 0 only without failures.
function finish(): never {
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  console.log(`screenshots: ${relative(root, screenshotsDir)}/  ·  took ${seconds} s`);
  if (failures.length) console.log(`failed: ${failures.join("; ")}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.once(signal, () => {
    console.log(`FAIL  interrupted by ${signal}`);
    failed++;
    failures.push(`interrupted by ${signal}`);
    void cleanup().finally(finish);
  });
}

let timer: NodeJS.Timeout | undefined;
try {
  await Promise.race([
    main(cleanups),
    new Promise<never>((_, fail) => {
      timer = setTimeout(() => fail(new Error(`the whole test took more than ${TOTAL_TIMEOUT_MS / 1000} s`)), TOTAL_TIMEOUT_MS);
    }),
  ]);
} catch (e) {
  failed++;
  failures.push("run");
  console.log(`FAIL  ${errorText(e)}`);
} finally {
  clearTimeout(timer);
  await cleanup();
}
finish();
