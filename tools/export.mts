// `npm run export [-- --from DIR] [--out DIR]`: every notebook as a static page, plus an index.
// Formulas are typeset here with KaTeX and plots drawn here as SVG with Vega, so the pages need
// no server, no script and no network: only katex.css and its fonts, copied beside them.
//
// The pages read like a book's chapters: a column about 900 px wide; a table of contents from the
// Markdown headings (with anchors, the ones JupyterLab uses); code whose cell is collapsed in
// JupyterLab (`jupyter.source_hidden`) behind "show code", and an exercise's solution behind
// "show solution"; Markdown outputs (a cell's checks, tables, verdicts) rendered as Markdown;
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
import { hasTag, readNotebook, text, type Cell, type Notebook, type Output } from "./ipynb.mjs";
import {
  copyKatex, escape, FormulaError, latex, md, pageFolders, renderInline, renderMarkdown, type Heading, type PageEnv,
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
    const body = renderMarkdown(text(c.source), env);
    if (hasTag(c, "solution")) return `<section class="cell markdown solution" id="${id}">${collapsed("solution", "show solution", body)}</section>`;
    return `<section class="cell markdown" id="${id}">${hidden ? collapsed("text", "show text", body) : body}</section>`;
  }
  if (c.cell_type !== "code") return "";
  // an exercise's checker is machinery, and its source could hint at the answer: not shown
  if (hasTag(c, "checker")) return "";
  const source = text(c.source);
  const code = source.trim() ? `<pre class="source"><code>${escape(source)}</code></pre>` : "";
  const input = !code ? "" : hidden ? collapsed("source", "show code", code) : code;
  let outputs = (await Promise.all((c.outputs ?? []).map(output))).join("\n");
  if (outputs && jupyterMeta(c).outputs_hidden === true) outputs = collapsed("outputs", "show output", outputs);
  const tags = (c.metadata.tags ?? []).filter((t) => /^[\w-]+$/.test(t)).map((t) => ` tag-${t}`).join("");
  const howTo = hasTag(c, "answer")
    ? `<p class="how-to">To answer, open this notebook in JupyterLab (<code>npm start</code>), replace <code>undefined</code> and run the cell.</p>`
    : "";
  return `<section class="cell code${tags}" id="${id}">${input}${outputs}${howTo}</section>`;
}

// ---------------------------------------------------------------------------------------------
// Pages

const style = `
:root{--column:900px;--ink:#1f2328;--muted:#59636e;--rule:#d8dee4;--code-bg:#f6f8fa;--accent:#2f5fb3}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;color:var(--ink);background:#fff;font:17px/1.6 Charter,"Bitstream Charter","Iowan Old Style","Source Serif Pro",Georgia,serif}
main,body>header,body>footer{max-width:calc(var(--column) + 2.5rem);margin:0 auto;padding:0 1.25rem}
body>header,body>footer{font:14px/1.5 system-ui,sans-serif;color:var(--muted);padding-top:.8rem;padding-bottom:.8rem}
body>header{border-bottom:1px solid var(--rule)}body>footer{border-top:1px solid var(--rule);margin-top:3rem}
nav.pager{display:flex;gap:1.2rem;flex-wrap:wrap}nav.pager .next{margin-left:auto}
a{color:var(--accent);text-decoration-thickness:1px;text-underline-offset:2px}
h1,h2,h3,h4{font-family:system-ui,sans-serif;line-height:1.25;margin:1.8em 0 .5em}
h1{font-size:2rem;margin-top:1.2em}h2{font-size:1.45rem;padding-top:.4em;border-top:1px solid var(--rule)}h3{font-size:1.15rem}
h1:target,h2:target,h3:target,h4:target{background:#fff8c5}
p,ul,ol{margin:.7em 0}li{margin:.2em 0}
code{font:.86em/1.5 ui-monospace,"SFMono-Regular","DejaVu Sans Mono",Menlo,Consolas,monospace;background:var(--code-bg);padding:.1em .3em;border-radius:3px}
pre{font:13.5px/1.5 ui-monospace,"SFMono-Regular","DejaVu Sans Mono",Menlo,Consolas,monospace;margin:.6em 0;border-radius:4px}
pre code{background:none;padding:0;font:inherit}
pre.source{background:var(--code-bg);padding:.7em .9em;border-left:3px solid #9db4dd;overflow-x:auto}
pre.output{white-space:pre-wrap;overflow-wrap:anywhere;padding:.1em 0 .1em .9em;border-left:3px solid var(--rule);color:#24292f}
pre.stderr{background:#fdecea;border-left-color:#d1242f;padding:.5em .9em}
blockquote{margin:1em 0;padding:.1em 1em;border-left:3px solid var(--rule);color:var(--muted)}
table{border-collapse:collapse;margin:.8em 0;font-size:.92em;display:block;overflow-x:auto;max-width:100%}
th,td{padding:.3em .7em;border-bottom:1px solid var(--rule);text-align:left;vertical-align:top}th{border-bottom:2px solid #afb8c1}
section.cell{margin:.4em 0}
section.code{margin:1em 0}
.output.markdown{margin:.4em 0 .8em;padding-left:.9em;border-left:3px solid #b7dfc0;font-size:.95em;line-height:1.5}
.output.markdown p{margin:.25em 0}
.output.markdown small{color:var(--muted);font-size:.86em}
.math{overflow-x:auto;overflow-y:hidden;max-width:100%;padding:.1em 0}
.math .katex-display{margin:.5em 0}
.katex{font-size:1.1em}
.math::-webkit-scrollbar,table::-webkit-scrollbar,pre::-webkit-scrollbar{height:10px;background:#f0f2f4}
.math::-webkit-scrollbar-thumb,table::-webkit-scrollbar-thumb,pre::-webkit-scrollbar-thumb{background:#a8b1bb;border-radius:5px}
.math,table,pre{scrollbar-width:thin;scrollbar-color:#a8b1bb #f0f2f4}
.plot{margin:.8em 0;overflow-x:auto}.plot svg{max-width:100%;height:auto}
img{max-width:100%}
details{margin:.6em 0}
details>summary{cursor:pointer;font:13px/1.6 system-ui,sans-serif;color:var(--muted);list-style:none;display:inline-block;
  padding:.1em .7em;border:1px solid var(--rule);border-radius:1em;user-select:none}
details>summary::-webkit-details-marker{display:none}
details>summary::before{content:"▸ "}details[open]>summary::before{content:"▾ "}
details>summary:hover{color:var(--ink);border-color:#afb8c1}
details.solution{border-left:3px solid #e6b85c;padding-left:.9em}
p.how-to{font:14px/1.5 system-ui,sans-serif;color:var(--muted);margin:.3em 0 0}
nav.toc{font:15px/1.5 system-ui,sans-serif;margin:1.5em 0;padding:.8em 1.1em;background:#f8f9fb;border:1px solid var(--rule);border-radius:6px}
nav.toc h2{font-size:1rem;margin:0 0 .4em;border:0;padding:0}
nav.toc ul{margin:0;padding-left:0;list-style:none}nav.toc li{margin:.15em 0}nav.toc a{text-decoration:none}nav.toc a:hover{text-decoration:underline}
nav.toc ul ul{padding-left:1.3em;font-size:.93em}nav.toc ul ul li{margin:.05em 0}
nav.toc .katex{font-size:1em}
ol.notebooks{list-style:none;padding:0}
ol.notebooks li{margin:1.2em 0;padding:.8em 1.1em;border:1px solid var(--rule);border-radius:6px}
ol.notebooks a.title{font:600 1.1rem/1.35 system-ui,sans-serif;text-decoration:none}ol.notebooks a.title:hover{text-decoration:underline}
ol.notebooks p{margin:.35em 0 0}
`;

const page = (title: string, body: string, nav: string): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="katex/katex.min.css"><style>${style}</style></head>
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

const { out, paths } = pageFolders(join(buildDir, "html"));
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
  const nav = `<nav class="pager"><a href="index.html">All notebooks</a>${link(paths[i - 1], "← previous", "prev")}${link(paths[i + 1], "next →", "next")}</nav>`;
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
writeFileSync(join(out, "index.html"), page(SERIES_TITLE, `<h1>${SERIES_TITLE}</h1>\n${intro}\n<ol class="notebooks">\n${list}\n</ol>`, ""));
console.log(`index: ${where(join(out, "index.html"))}`);
if (problems.length) {
  console.error(`\nexport failed: ${problems.length} formula(s) KaTeX cannot typeset\n${problems.map((p) => `  ${p}`).join("\n")}`);
  process.exit(1);
}
