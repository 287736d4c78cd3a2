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
import { writeFileSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { buildDir } from "./env.mjs";
import { readNotebook } from "./ipynb.mjs";
import { copyKatex, escape, pageFolders, pageStyle } from "./pages.mjs";
import { renderNotebook } from "./render/notebook.mjs";

const SERIES_TITLE = "Backpropagation on a mini-batch, by hand";

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

// ---------------------------------------------------------------------------------------------

const { out, other: live, paths } = pageFolders(join(buildDir, "html"), join(buildDir, "live"));
copyKatex(out);

const problems: string[] = [];
const where = (path: string): string => relative(process.cwd(), path) || path;

const entries: { file: string; title: string; summary: string }[] = [];
for (const [i, path] of paths.entries()) {
  const nb = readNotebook(path);
  const file = basename(path, ".ipynb") + ".html";
  const rendered = await renderNotebook(nb, { live: false, where: where(path), livePage: `${live}/${file}` });
  problems.push(...rendered.problems);
  const plainTitle = rendered.titleSource.replace(/\$([^$]*)\$/g, "$1");
  const link = (p: string | undefined, label: string, cls: string) => (p ? `<a class="${cls}" href="${basename(p, ".ipynb")}.html">${label}</a>` : "");
  const nav = `<nav class="pager"><a href="index.html">All notebooks</a>` +
    `<a class="live" href="${live}/${file}">Live page: edit and run it in your browser</a>` +
    `${link(paths[i - 1], "← previous", "prev")}${link(paths[i + 1], "next →", "next")}</nav>`;
  writeFileSync(join(out, file), page(`${plainTitle} · ${SERIES_TITLE}`, rendered.body, nav));
  entries.push({ file, title: rendered.title, summary: rendered.summary });
  console.log(`exported ${where(path)} → ${where(join(out, file))}`);
}
const list = entries.map((t) => `<li><a class="title" href="${t.file}">${t.title}</a>${t.summary ? `<p>${t.summary}</p>` : ""}</li>`).join("\n");
const intro = "<p>Worked derivations of backpropagation on a mini-batch, each answering one question learners got stuck on. " +
  "Every formula shows the shapes and numbers of the arrays just computed; every claim is checked.</p>";
const toLive = `<p class="other-site">Every notebook is also a <a href="${live}/index.html">live page</a>: edit any cell, ` +
  "change the batch size or another parameter, answer the exercise, in your browser with nothing installed, and every " +
  "formula, check and plot is computed again.</p>";
writeFileSync(join(out, "index.html"), page(SERIES_TITLE, `<h1>${SERIES_TITLE}</h1>\n${intro}\n${toLive}\n<ol class="notebooks">\n${list}\n</ol>`, ""));
console.log(`index: ${where(join(out, "index.html"))}`);
if (problems.length) {
  console.error(`\nexport failed: ${problems.length} formula(s) KaTeX cannot typeset\n${problems.map((p) => `  ${p}`).join("\n")}`);
  process.exit(1);
}
