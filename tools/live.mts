// `npm run live [-- --from DIR] [--out DIR] [--other DIR]`: live pages in build/live/, one per notebook
// (each linking to its static page, tools/export.mts; --other names their folder, build/html). Each
// shows the notebook with a form of its parameters; changing a value re-runs the notebook's own
// code cells, compiled ahead of time with esbuild against the same src/, in a Web Worker, and
// re-renders every formula, table, check and plot in place. Plain files: they open from disk
// (file://) with no network and no server, and can be copied to any static host as they are.
import { build } from "esbuild";
import { writeFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { buildDir, root } from "./env.mjs";
import { domain, hasTag, parameters, readNotebook, SHOW_SOLUTION, solutionBody, text, type Cell, type Parameter } from "./ipynb.mjs";
import { notebookModule } from "./cells/module.mjs";
import { ANSWER_ELSEWHERE, copyKatex, escape, highlight, pageFolders, pageStyle, renderInline, renderMarkdown } from "./pages.mjs";

const { out, other: exported, paths } = pageFolders(join(buildDir, "live"), join(buildDir, "html"));

// The form: one row per knob, name, input and domain in three aligned columns (the help cut to one
// line, whole in its tooltip); below it a one-line bar that stays at the top of the window while the
// page scrolls: Run, Defaults and the status.
function form(params: Parameter[]): string {
  const input = (p: Parameter): string => {
    const id = `knob-${p.name}`;
    const value = p.kind === "string" ? (JSON.parse(p.defaultSource) as string) : p.defaultSource;
    const field =
      p.kind === "boolean"
        ? `<input type="checkbox" id="${id}"${p.defaultSource === "true" ? " checked" : ""}>`
        : `<input type="text" inputmode="${p.kind === "string" ? "text" : "decimal"}" id="${id}" value="${escape(value)}" size="8">`;
    const help = `${domain(p)} ${p.help}`;
    return `<label for="${id}"><code>${p.name}</code></label>${field}<small title="${escape(help)}">${escape(help)}</small>`;
  };
  return `<form id="knobs"><p class="form-help"><strong>Parameters.</strong> Change a value and press
<em>Run</em>: the notebook's code below runs again in your browser, and every formula, number, check and
plot follows. <em>Defaults</em> puts the notebook's own values back.</p>
<div class="knobs">${params.map(input).join("\n")}</div></form>
<div id="run-bar"><button type="submit" form="knobs" id="run">Run with these values</button>
<button type="button" id="reset">Defaults</button> <a href="#knobs">↑ the values</a>
<output id="live-status" role="status">loading…</output></div>`;
}

function cell(c: Cell, index: number): string {
  if (c.cell_type === "markdown") {
    if (!hasTag(c, "solution")) return renderMarkdown(text(c.source));
    const body = renderMarkdown(solutionBody(text(c.source)) ?? text(c.source));
    return `<details class="solution"><summary>${SHOW_SOLUTION}</summary>${body}</details>`;
  }
  if (c.cell_type !== "code") return "";
  if (hasTag(c, "parameters")) return `<p class="live-note">On this page the parameters are the form at the top.</p>`;
  // an exercise's checker runs, but its source is machinery that could hint at the answer
  if (hasTag(c, "checker")) return `<div class="outputs" id="out-${index}" data-cell="${index}"></div>`;
  if (hasTag(c, "answer")) {
    // Nothing can be edited here: the cell's code without its how-to comment (which is for
    // JupyterLab), and where to answer instead of its "not answered yet" verdict.
    const code = text(c.source).split("\n");
    while (code.length && /^\s*\/\//.test(code[0])) code.shift();
    return `<section class="code answer"><pre class="source"><code class="language-ts">${highlight(code.join("\n"))}</code></pre>
<p class="live-note answer-elsewhere">${ANSWER_ELSEWHERE}</p></section>`;
  }
  const source = `<pre class="source"><code class="language-ts">${highlight(text(c.source))}</code></pre>`;
  const hidden = (c.metadata.jupyter as { source_hidden?: boolean } | undefined)?.source_hidden === true;
  return `<section class="code">${hidden ? `<details><summary>show code</summary>${source}</details>` : source}
<div class="outputs" id="out-${index}" data-cell="${index}"></div></section>`;
}

// The live pages' own rules, after the export's stylesheet (tools/pages.mts pageStyle).
const style = `
.outputs{margin:.3em 0 .8em}.outputs .stdout{white-space:pre-wrap;overflow-wrap:anywhere;font:13.5px/1.5 ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;
  padding:.1em 0 .1em .9em;border-left:3px solid var(--rule)}
.outputs .markdown{margin:.4em 0 .8em;padding-left:.9em;border-left:3px solid #b7dfc0;font-size:.95em;line-height:1.5}
.outputs .markdown p{margin:.25em 0}.outputs .markdown small{color:var(--muted);font-size:.86em}
.live-note{font:14px/1.5 system-ui,sans-serif;color:var(--muted);font-style:italic}
.answer-elsewhere{font-style:normal;margin:.3em 0 0}
.failed{background:#fdecea;color:#a40000;padding:.5rem;white-space:pre-wrap;font:13.5px/1.5 ui-monospace,monospace}
.stale{opacity:.45}
#knobs{margin:1.2rem 0 0;padding:.7rem .9rem;background:#f8f9fb;border:1px solid var(--rule);border-radius:6px 6px 0 0;
  font:14px/1.4 system-ui,sans-serif}
#knobs .form-help{margin:0 0 .55rem}
.knobs{display:grid;grid-template-columns:max-content 6.5em minmax(0,1fr);gap:.3rem .8rem;align-items:center}
.knobs label code{font-size:13px}
.knobs input[type=text]{width:100%;font:13px/1.3 ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;padding:.15rem .35rem;
  border:1px solid #afb8c1;border-radius:3px;background:#fff}
.knobs input[type=checkbox]{justify-self:start;margin:0}
.knobs small{color:var(--muted);font-size:13px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
#run-bar{position:sticky;top:0;z-index:2;display:flex;flex-wrap:wrap;align-items:center;gap:.3rem .6rem;margin:0 0 1.2rem;
  padding:.45rem .9rem;background:#fff;border:1px solid var(--rule);border-top:0;border-radius:0 0 6px 6px;
  box-shadow:0 2px 4px #1f232814;font:14px/1.4 system-ui,sans-serif}
#run-bar button{font:inherit;padding:.2rem .7rem}#run-bar a{font-size:13px}
#live-status{flex:1 1 16rem;font-size:14px}#live-status.refused{color:#a40000;font-weight:600}#live-status.ok{color:#1a7f37}
`;

const page = (title: string, body: string, scripts: string[]): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)} (live)</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="katex/katex.min.css"><style>${pageStyle}${style}</style></head>
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
  const nav = `<header><nav class="pager"><a href="index.html">All live pages</a>` +
    `<a class="static" href="${exported}/${name}.html">Static page: the notebook as run</a></nav></header>`;
  const body = `${nav}\n<main>\n${form(params)}\n${nb.cells.map(cell).join("\n")}\n</main>`;
  writeFileSync(join(out, `${name}.html`), page(title, body, [`${name}.live.js`, "live-page.js"]));
  const summary = typeof nb.metadata.summary === "string" ? renderInline(nb.metadata.summary) : "";
  index.push(`<li><a class="title" href="${name}.html">${renderInline(title)}</a>${summary ? `<p>${summary}</p>` : ""}</li>`);
  console.log(`live page ${relative(root, path)} → ${relative(root, join(out, `${name}.html`))}`);
}
const title = "Backpropagation on a mini-batch, by hand: live pages";
writeFileSync(join(out, "index.html"), page(title, `<main><h1>${title}</h1>
<p>Each page runs its notebook in your browser: change a parameter, press Run, and every formula,
check and plot below follows. Nothing is installed and nothing leaves this page.</p>
<p class="other-site">The same notebooks as <a href="${exported}/index.html">static pages</a>: what each showed
when it was last run, readable with no script.</p>
<ol class="notebooks">${index.join("\n")}</ol></main>`, []));
console.log(`index: ${relative(root, join(out, "index.html"))}`);
