// `npm run export [-- --from DIR] [--out DIR] [--other DIR]`: every notebook as a static page, plus an
// index, each linking to its live page (tools/live.mts; --other names their folder, build/live by default).
// Formulas are typeset here with KaTeX and plots drawn here as SVG with Vega, so the pages need
// no server, no script and no network: only katex.css and its fonts, copied beside them.
//
// The pages read like a book's chapters: a column about 900 px wide; a table of contents from the
// Markdown headings (with anchors, the ones JupyterLab uses); code whose cell is collapsed in
// JupyterLab (`jupyter.source_hidden`) behind "show code", and an exercise's solution behind
// "Show the solution", as in JupyterLab; Markdown outputs (a cell's checks, tables, verdicts) rendered as Markdown;
// printed lines wrapped, never clipped; a formula wider than the column scrolls sideways.
// The index lists each notebook's title and its `metadata.summary` sentence.
//
// Any formula KaTeX cannot typeset, in a Markdown cell, an output, a heading or a summary, or TeX
// left over that no formula picked up (a stray `$…$`), stops the export: it exits 1 and names
// the notebook and the cell.
import { compile, type TopLevelSpec } from "vega-lite";
import * as vega from "vega";
import { writeFileSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { buildDir, root } from "./env.mjs";
import { hasTag, readNotebook, SHOW_SOLUTION, solutionBody, text, type Cell, type Notebook, type Output } from "./ipynb.mjs";
import {
  ANSWER_ELSEWHERE, copyKatex, escape, FormulaError, highlight, latex, md, pageFolders, pageStyle, renderInline, renderMarkdown,
  type Heading, type PageEnv,
} from "./pages.mjs";

const SERIES_TITLE = "Backpropagation on a mini-batch, by hand";

// ---------------------------------------------------------------------------------------------
// Markdown and formulas

// ---------------------------------------------------------------------------------------------
// Cells and outputs

async function vegaLite(spec: unknown): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec as TopLevelSpec).spec), { renderer: "none" });
  return view.toSVG();
}

async function output(o: Output): Promise<string> {
  if (o.output_type === "stream") return `<pre class="output ${o.name ?? "stdout"}">${escape(text(o.text))}</pre>`;
  if (o.output_type === "error") return `<pre class="output stderr">${escape(text(o.text))}</pre>`;
  const data = o.data ?? {};
  const get = (mime: string): string => text(data[mime] as string | string[]);
  if (data["application/vnd.vegalite.v5+json"]) return `<div class="output plot">${await vegaLite(data["application/vnd.vegalite.v5+json"])}</div>`;
  if (data["text/latex"]) return `<div class="output math">${latex(get("text/latex"))}</div>`;
  if (data["text/markdown"]) return `<div class="output markdown">${renderMarkdown(get("text/markdown"))}</div>`;
  if (data["text/html"]) return `<div class="output html">${get("text/html")}</div>`;
  if (data["image/svg+xml"]) return `<div class="output plot">${get("image/svg+xml")}</div>`;
  if (data["image/png"]) return `<div class="output image"><img alt="" src="data:image/png;base64,${get("image/png").trim()}"></div>`;
  return `<pre class="output stdout">${escape(get("text/plain"))}</pre>`;
}

const jupyterMeta = (c: Cell): { source_hidden?: boolean; outputs_hidden?: boolean } =>
  (c.metadata.jupyter as { source_hidden?: boolean; outputs_hidden?: boolean } | undefined) ?? {};

const collapsed = (cls: string, summary: string, body: string): string =>
  `<details class="${cls}"><summary>${summary}</summary>${body}</details>`;

async function cell(c: Cell, i: number, env: PageEnv): Promise<string> {
  const id = `cell-${i}`;
  const hidden = jupyterMeta(c).source_hidden === true;
  if (c.cell_type === "markdown") {
    if (hasTag(c, "solution")) {
      // the cell's own <details> block, or a solution in another form: closed behind the same summary
      const body = renderMarkdown(solutionBody(text(c.source)) ?? text(c.source), env);
      return `<section class="cell markdown solution" id="${id}">${collapsed("solution", SHOW_SOLUTION, body)}</section>`;
    }
    const body = renderMarkdown(text(c.source), env);
    return `<section class="cell markdown" id="${id}">${hidden ? collapsed("text", "show text", body) : body}</section>`;
  }
  if (c.cell_type !== "code") return "";
  // an exercise's checker is machinery, and its source could hint at the answer: not shown
  if (hasTag(c, "checker")) return "";
  const source = text(c.source);
  const code = source.trim() ? `<pre class="source"><code class="language-ts">${highlight(source)}</code></pre>` : "";
  const input = !code ? "" : hidden ? collapsed("source", "show code", code) : code;
  let outputs = (await Promise.all((c.outputs ?? []).map(output))).join("\n");
  if (outputs && jupyterMeta(c).outputs_hidden === true) outputs = collapsed("outputs", "show output", outputs);
  const tags = (c.metadata.tags ?? []).filter((t) => /^[\w-]+$/.test(t)).map((t) => ` tag-${t}`).join("");
  const howTo = hasTag(c, "answer")
    ? `<p class="how-to">${ANSWER_ELSEWHERE}</p>`
    : "";
  return `<section class="cell code${tags}" id="${id}">${input}${outputs}${howTo}</section>`;
}

// ---------------------------------------------------------------------------------------------
// Pages


const page = (title: string, body: string, nav: string): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="katex/katex.min.css"><style>${pageStyle}</style></head>
<body>
${nav ? `<header>${nav}</header>` : ""}
<main>
${body}
</main>
${nav ? `<footer>${nav}</footer>` : ""}
</body></html>
`;

function tableOfContents(headings: Heading[]): string {
  const entries = headings.filter((h) => h.level === 2 || h.level === 3);
  if (entries.length < 2) return "";
  // level-3 headings nest under the level-2 one before them; no list numbers (headings often carry their own)
  const link = (h: Heading): string => `<a href="#${encodeURIComponent(h.id)}">${h.html}</a>`;
  let html = "";
  let open = false; // a nested list is open
  for (const [i, h] of entries.entries()) {
    if (h.level === 3 && !open) {
      html += i === 0 ? "<li><ul>" : "<ul>";
      open = true;
    } else if (h.level === 2) {
      if (open) html += "</ul>";
      if (i > 0) html += "</li>\n";
      open = false;
      html += `<li>${link(h)}`;
      continue;
    }
    html += `<li>${link(h)}</li>`;
  }
  html += open ? "</ul></li>" : "</li>";
  return `<nav class="toc" aria-label="Contents"><h2>On this page</h2><ul>\n${html}\n</ul></nav>`;
}

// The index's sentence: metadata.summary, else the first paragraph after the title.
function summaryOf(nb: Notebook, titleCell: Cell | undefined): string {
  const summary = nb.metadata.summary;
  if (typeof summary === "string" && summary.trim()) return summary.trim();
  const tokens = md.parse(text(titleCell?.source).replace(/^#\s+.*$/m, ""), {});
  const open = tokens.findIndex((t) => t.type === "paragraph_open");
  return open >= 0 ? tokens[open + 1].content : "";
}

// ---------------------------------------------------------------------------------------------

const { out, other: live, paths } = pageFolders(join(buildDir, "html"), join(buildDir, "live"));
copyKatex(out);

const problems: string[] = [];
const where = (path: string): string => relative(process.cwd(), path) || path;
// Runs one piece; a formula problem is recorded (notebook and cell named) and the export goes on,
// so one run reports every broken formula.
async function attempt<T>(label: string, fallback: T, fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (!(e instanceof FormulaError)) throw e;
    problems.push(`${label}: ${e.message}`);
    return fallback;
  }
}

const entries: { file: string; title: string; summary: string }[] = [];
for (const [i, path] of paths.entries()) {
  const nb = readNotebook(path);
  const titleIndex = nb.cells.findIndex((c) => c.cell_type === "markdown");
  const titleCell = nb.cells[titleIndex];
  const titleSource = /^#\s+(.+)$/m.exec(text(titleCell?.source))?.[1] ?? basename(path, ".ipynb");
  const title = await attempt(`${where(path)} cell ${titleIndex} (title)`, escape(titleSource), () => renderInline(titleSource));
  const summary = await attempt(`${where(path)} metadata.summary`, "", () => renderInline(summaryOf(nb, titleCell)));
  const plainTitle = titleSource.replace(/\$([^$]*)\$/g, "$1");
  const file = basename(path, ".ipynb") + ".html";
  const link = (p: string | undefined, label: string, cls: string) => (p ? `<a class="${cls}" href="${basename(p, ".ipynb")}.html">${label}</a>` : "");
  const nav = `<nav class="pager"><a href="index.html">All notebooks</a>` +
    `<a class="live" href="${live}/${file}">Live page: other parameters in your browser</a>` +
    `${link(paths[i - 1], "← previous", "prev")}${link(paths[i + 1], "next →", "next")}</nav>`;
  const env: PageEnv = { headings: [], ids: new Set() };
  const sections: string[] = [];
  for (const [k, c] of nb.cells.entries()) {
    const kind = c.cell_type === "code" ? "code cell" : `${c.cell_type} cell`;
    env.cell = k;
    sections.push(await attempt(`${where(path)} cell ${k} (${kind})`, "", () => cell(c, k, env)));
  }
  // the contents go before the cell of the first section they list (after the title cell at the earliest)
  const toc = tableOfContents(env.headings);
  const firstSection = env.headings.find((h) => h.level === 2 || h.level === 3)?.cell ?? -1;
  const at = Math.max(titleIndex + 1, firstSection, 0);
  const body = [...sections.slice(0, at), toc, ...sections.slice(at)].filter(Boolean).join("\n");
  writeFileSync(join(out, file), page(`${plainTitle} · ${SERIES_TITLE}`, body, nav));
  entries.push({ file, title, summary });
  console.log(`exported ${where(path)} → ${where(join(out, file))}`);
}
const list = entries.map((t) => `<li><a class="title" href="${t.file}">${t.title}</a>${t.summary ? `<p>${t.summary}</p>` : ""}</li>`).join("\n");
const intro = "<p>Worked derivations of backpropagation on a mini-batch, each answering one question learners got stuck on. " +
  "Every formula shows the shapes and numbers of the arrays just computed; every claim is checked.</p>";
const toLive = `<p class="other-site">Every notebook is also a <a href="${live}/index.html">live page</a>: change the batch size ` +
  "or another parameter in your browser and every formula, check and plot is computed again.</p>";
writeFileSync(join(out, "index.html"), page(SERIES_TITLE, `<h1>${SERIES_TITLE}</h1>\n${intro}\n${toLive}\n<ol class="notebooks">\n${list}\n</ol>`, ""));
console.log(`index: ${where(join(out, "index.html"))}`);
if (problems.length) {
  console.error(`\nexport failed: ${problems.length} formula(s) KaTeX cannot typeset\n${problems.map((p) => `  ${p}`).join("\n")}`);
  process.exit(1);
}
