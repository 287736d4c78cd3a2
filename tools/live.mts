// `npm run live [-- --from DIR] [--out DIR]`: live pages in build/live/, one per notebook. Each
// shows the notebook with a form of its parameters; changing a value re-runs the notebook's own
// code cells, compiled ahead of time with esbuild against the same src/, in a Web Worker, and
// re-renders every formula, table, check and plot in place. Plain files: they open from disk
// (file://) with no network and no server, and can be copied to any static host as they are.
import { build } from "esbuild";
import { writeFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { buildDir, root } from "./env.mjs";
import { domain, hasTag, parameters, readNotebook, text, type Cell, type Parameter } from "./ipynb.mjs";
import { notebookModule } from "./cells/module.mjs";
import { copyKatex, escape, pageFolders, renderInline, renderMarkdown } from "./pages.mjs";

const { out, paths } = pageFolders(join(buildDir, "live"));

// The form: one labelled input per knob, with its domain.
function form(params: Parameter[]): string {
  const input = (p: Parameter): string => {
    const id = `knob-${p.name}`;
    const value = p.kind === "string" ? (JSON.parse(p.defaultSource) as string) : p.defaultSource;
    const field =
      p.kind === "boolean"
        ? `<input type="checkbox" id="${id}"${p.defaultSource === "true" ? " checked" : ""}>`
        : `<input type="text" inputmode="${p.kind === "string" ? "text" : "decimal"}" id="${id}" value="${escape(value)}" size="8">`;
    return `<label for="${id}"><code>${p.name}</code> ${field} <small>${escape(domain(p))} ${escape(p.help)}</small></label>`;
  };
  return `<form id="knobs"><p class="form-help"><strong>Parameters.</strong> Change a value and press
<em>Run</em>: the notebook's code below runs again in your browser, and every formula, number, check and
plot follows. <em>Defaults</em> puts the notebook's own values back.</p>
<div class="knobs">${params.map(input).join("\n")}</div>
<button type="submit">Run with these values</button> <button type="button" id="reset">Defaults</button>
<output id="live-status" role="status">loading…</output></form>`;
}

function cell(c: Cell, index: number): string {
  if (c.cell_type === "markdown") {
    const body = renderMarkdown(text(c.source));
    return hasTag(c, "solution") ? `<details class="solution"><summary>Show the solution</summary>${body}</details>` : body;
  }
  if (c.cell_type !== "code") return "";
  if (hasTag(c, "parameters")) return `<p class="live-note">On this page the parameters are the form at the top.</p>`;
  // an exercise's checker runs, but its source is machinery that could hint at the answer
  if (hasTag(c, "checker")) return `<div class="outputs" id="out-${index}" data-cell="${index}"></div>`;
  const source = `<pre class="source">${escape(text(c.source))}</pre>`;
  const hidden = (c.metadata.jupyter as { source_hidden?: boolean } | undefined)?.source_hidden === true;
  return `<section class="code">${hidden ? `<details><summary>show code</summary>${source}</details>` : source}
<div class="outputs" id="out-${index}" data-cell="${index}"></div></section>`;
}

const style = `body{font:16px/1.55 system-ui,sans-serif;max-width:56rem;margin:0 auto;padding:0 1rem 4rem;color:#1d1d1f}
pre{background:#f6f8fa;padding:.6rem .8rem;overflow-x:auto;border-radius:4px;font-size:13px;white-space:pre-wrap}
pre.source{border-left:3px solid #4a7bd1}.stdout{white-space:pre-wrap;font:13px monospace}
.math{overflow-x:auto;overflow-y:hidden}.plot svg{max-width:100%;height:auto}.markdown table{border-collapse:collapse}
.markdown td,.markdown th{border:1px solid #ddd;padding:.2rem .5rem}
.outputs .markdown{padding-left:.9em;border-left:3px solid #b7dfc0;font-size:.95em;line-height:1.5}
.outputs .markdown p{margin:.25em 0}.outputs .markdown small{color:#59636e}
.form-help{font-size:14px;margin:.2rem 0 .5rem}.live-note{font-style:italic;color:#59636e}.failed{background:#fdecea;color:#a40000;padding:.5rem;white-space:pre-wrap}
.stale{opacity:.45}#knobs{position:sticky;top:0;background:#fffffff2;border-bottom:1px solid #ddd;padding:.6rem 0;z-index:2}
.knobs{display:flex;flex-wrap:wrap;gap:.3rem 1.2rem;margin-bottom:.4rem}.knobs label{font-size:14px}
#live-status{margin-left:.8rem;font-size:14px}#live-status.refused{color:#a40000;font-weight:600}#live-status.ok{color:#1a7f37}
details>summary{cursor:pointer;color:#555;font-size:14px}`;

const page = (title: string, body: string, scripts: string[]): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)} (live)</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="katex/katex.min.css"><style>${style}</style></head>
<body>${body}
${scripts.map((s) => `<script src="${s}"></script>`).join("\n")}
</body></html>
`;

// The page script, once for all pages; each notebook's worker source, as a script that sets
// window.LIVE (a Worker cannot be loaded from a file:// URL, but one made from a Blob can).
async function bundle(entry: { contents?: string; path?: string }, resolveDir: string): Promise<string> {
  const result = await build({
    ...(entry.path ? { entryPoints: [entry.path] } : { stdin: { contents: entry.contents ?? "", resolveDir, loader: "ts" } }),
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2022",
    minify: true,
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0].text;
}

copyKatex(out);
writeFileSync(join(out, "live-page.js"), await bundle({ path: join(root, "tools", "live", "page.mts") }, root));

const index: string[] = [];
for (const path of paths) {
  const nb = readNotebook(path);
  const name = basename(path, ".ipynb");
  const params = parameters(nb, relative(root, path));
  const source = notebookModule(nb, { src: join(root, "src"), display: join(root, "tools", "cells", "display.mts") }, params);
  let workerSource: string;
  try {
    workerSource = await bundle({ contents: source }, dirname(path));
  } catch (e) {
    console.error(`${relative(root, path)}: its cells do not compile as one module: ${(e as Error).message}`);
    process.exit(1);
  }
  const knobs = params.map((p) => ({
    name: p.name, kind: p.kind, min: p.bound, max: p.upper, domain: domain(p), help: p.help,
  }));
  writeFileSync(join(out, `${name}.live.js`), `window.LIVE = ${JSON.stringify({ knobs, workerSource })};\n`);
  const title = /^#\s+(.+)$/m.exec(text(nb.cells.find((c) => c.cell_type === "markdown")?.source))?.[1] ?? name;
  const nav = `<nav><a href="index.html">All live pages</a></nav>`;
  const body = `${nav}\n${form(params)}\n${nb.cells.map(cell).join("\n")}`;
  writeFileSync(join(out, `${name}.html`), page(title, body, [`${name}.live.js`, "live-page.js"]));
  const summary = typeof nb.metadata.summary === "string" ? renderInline(nb.metadata.summary) : "";
  index.push(`<li><a href="${name}.html">${renderInline(title)}</a><br><small>${summary}</small></li>`);
  console.log(`live page ${relative(root, path)} → ${relative(root, join(out, `${name}.html`))}`);
}
const title = "Backpropagation on a mini-batch, by hand: live pages";
writeFileSync(join(out, "index.html"), page(title, `<h1>${title}</h1>
<p>Each page runs its notebook in your browser: change a parameter, press Run, and every formula,
check and plot below follows. Nothing is installed and nothing leaves this page.</p><ol>${index.join("\n")}</ol>`, []));
console.log(`index: ${relative(root, join(out, "index.html"))}`);
