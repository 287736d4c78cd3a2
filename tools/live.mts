// `npm run live [-- --from DIR] [--out DIR] [--other DIR]`: live pages in build/live/, one per notebook
// (each linking to its static page, tools/export.mts; --other names their folder, build/html). A page
// is the export's page (tools/render/notebook.mts) with an editor in every code cell and a bar at
// the top: the parameters, Run, Stop, Revert all, Download .ipynb. Running compiles the cells as
// they are in the editors in the browser (sucrase) and runs the notebook from the top in a Web
// Worker against the library, bundled here with esbuild from the same src/ (live-lib.js, shared by
// every page); tools/live/page.mts is the page's script. Plain files: they open from disk (file://)
// with no network and no server, and can be copied to any static host as they are.
import { build } from "esbuild";
import { writeFileSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { buildDir, root } from "./env.mjs";
import { domain, hasTag, parameters, readNotebook, text, type Notebook, type Parameter } from "./ipynb.mjs";
import { copyKatex, escape, pageFolders, pageStyle, renderInline } from "./pages.mjs";
import { answerParts, renderNotebook } from "./render/notebook.mjs";
import type { LiveCell } from "./live/work.mjs";

const { out, other: exported, paths } = pageFolders(join(buildDir, "live"), join(buildDir, "html"));

// The bar that stays at the top of the window, one line: the parameters (their values in one
// line; a click opens the form, one aligned row per knob with its domain), Run, Stop, Revert all,
// Download and the status. Opaque, about 40 px high.
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
  return `<div id="live-bar"><details id="params"><summary>Parameters: <span id="param-summary"></span></summary>
<form id="knobs"><div class="knobs">${params.map(input).join("\n")}</div>
<p class="form-help">Change a value and press <em>Run</em>: the notebook below runs again from the top in your
browser. <button type="button" id="reset">Defaults</button> puts the notebook's own values back and runs.</p></form></details>
<button type="submit" form="knobs" id="run" title="Run the notebook from the top (Shift+Enter in a cell)">Run</button>
<button type="button" id="stop" disabled title="End the run now">Stop</button>
<button type="button" id="revert-all" disabled title="Put the notebook's code back in every cell">Revert all</button>
<button type="button" id="download" title="The notebook with your edits and these values, for JupyterLab">Download .ipynb</button>
<output id="live-status" role="status">loading…</output></div>
<div id="notices"></div>`;
}

// The live pages' own rules, after the pages' stylesheet (tools/pages.mts pageStyle).
const style = `
#live-bar{position:sticky;top:0;z-index:300;display:flex;flex-wrap:wrap;align-items:center;gap:.3rem .5rem;margin:.8rem 0 1rem;
  padding:.35rem .7rem;background:#f8f9fb;border:1px solid var(--rule);border-radius:6px;box-shadow:0 2px 4px #1f232814;
  font:14px/1.4 system-ui,sans-serif}
#live-bar button{font:inherit;font-size:13px;padding:.15rem .6rem}
#params{margin:0;position:relative}
#params>summary{font:13px/1.6 system-ui,sans-serif;color:var(--ink);background:#fff;max-width:15rem;overflow:hidden;
  text-overflow:ellipsis;white-space:nowrap;vertical-align:middle}
#param-summary{font:12.5px ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace}
#knobs{position:absolute;top:calc(100% + .45rem);left:-.7rem;width:min(48rem,92vw);padding:.7rem .9rem;background:#fff;
  border:1px solid var(--rule);border-radius:6px;box-shadow:0 4px 12px #1f232826}
#knobs .form-help{margin:.55rem 0 0;font-size:13px;color:var(--muted)}
.knobs{display:grid;grid-template-columns:max-content 6.5em minmax(0,1fr);gap:.3rem .8rem;align-items:center}
.knobs label code{font-size:13px}
.knobs input[type=text]{width:100%;font:13px/1.3 ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;padding:.15rem .35rem;
  border:1px solid #afb8c1;border-radius:3px;background:#fff}
.knobs input[type=checkbox]{justify-self:start;margin:0}
.knobs small{color:var(--muted);font-size:13px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
#live-status{flex:1 1 9rem;min-width:0;font-size:13.5px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}#live-status.refused{color:#a40000;font-weight:600;cursor:pointer}#live-status.ok{color:#1a7f37}
.editor .cm-editor{border-radius:4px;margin:.6em 0 .2em;isolation:isolate}.editor pre.source{margin:.6em 0 .2em}
.cell-tools{display:none;font:12.5px system-ui,sans-serif;margin:0 0 .3em}
section.edited .cell-tools{display:block}section.edited .cm-editor{border-left-color:#e6b85c!important}
.cell-tools button{font:inherit;padding:.05rem .5rem}
.outputs:empty{display:none}
/* a run replaces every output: the cells off screen are laid out only when scrolled to (their
   height meanwhile the last one drawn), which halves the time of a run on the longest pages */
section.cell{content-visibility:auto;contain-intrinsic-size:auto 320px}
.failed{background:#fdecea;color:#a40000;padding:.5rem .7rem;margin:.4em 0;white-space:pre-wrap;border-left:3px solid #d1242f;
  font:13.5px/1.5 ui-monospace,"DejaVu Sans Mono",monospace}
.stale{opacity:.6;border-left:3px dashed #8c959f;padding-left:.6em}
.stale::before{content:"Not re-run: this output is from an earlier run";display:block;margin:.2em 0;
  font:italic 12.5px system-ui,sans-serif;color:#24292f}
.conflict{background:#fff8c5;border:1px solid #d4a72c;border-radius:6px;padding:.4rem .8rem;margin:.4em 0;
  font:14px/1.5 system-ui,sans-serif}.conflict pre{background:#fff;padding:.4em .6em;font-size:12.5px;overflow-x:auto}
.conflict button{margin-right:.5rem}
kbd{font:12px ui-monospace,monospace;border:1px solid #afb8c1;border-radius:3px;padding:0 .3em;background:#f6f8fa}
`;

const page = (title: string, body: string, scripts: string[]): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)} (live)</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="katex/katex.min.css"><style>${pageStyle}${style}</style></head>
<body>${body}
${scripts.map((s) => `<script src="${s}"></script>`).join("\n")}
</body></html>
`;

async function bundle(entry: { contents?: string; path?: string }, globalName?: string): Promise<string> {
  const result = await build({
    ...(entry.path ? { entryPoints: [entry.path] } : { stdin: { contents: entry.contents ?? "", resolveDir: root, loader: "ts" } }),
    bundle: true,
    format: "iife",
    ...(globalName ? { globalName } : {}),
    platform: "browser",
    target: "es2022",
    minify: true,
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0].text;
}

// The cells a page runs: every code cell, the answer cell without its JupyterLab how-to lines.
function liveCells(nb: Notebook): LiveCell[] {
  return nb.cells.flatMap((c, index) => {
    if (c.cell_type !== "code") return [];
    const [prefix, source] = hasTag(c, "answer") ? answerParts(text(c.source)) : ["", text(c.source)];
    return [{ index, id: c.id ?? `cell-${index}`, tags: c.metadata.tags ?? [], source, prefix }];
  });
}

copyKatex(out);
// the page script, once for all pages; the library for the worker, as a string (a Worker cannot be
// loaded from a file:// URL, but one made from a Blob can, and it can import another Blob)
writeFileSync(join(out, "live-page.js"), await bundle({ path: join(root, "tools", "live", "page.mts") }));
const lib = await bundle({
  contents: `export * as index from ${JSON.stringify(join(root, "src", "index.ts"))};\n` +
    `export * as display from ${JSON.stringify(join(root, "tools", "cells", "display.mts"))};\n`,
}, "__liveLib");
writeFileSync(join(out, "live-lib.js"), `window.LIVE_LIB = ${JSON.stringify(lib)};\n`);

const index: string[] = [];
const problems: string[] = [];
for (const path of paths) {
  const nb = readNotebook(path);
  const name = basename(path, ".ipynb");
  const params = parameters(nb, relative(root, path));
  const knobs = params.map((p) => ({
    name: p.name, kind: p.kind, min: p.bound, max: p.upper, domain: domain(p), help: p.help,
  }));
  // the notebook without its outputs, for Download
  const bare: Notebook = {
    ...nb, cells: nb.cells.map((c) => (c.cell_type === "code" ? { ...c, outputs: [], execution_count: null } : c)),
  };
  const data = { name, knobs, cells: liveCells(nb), notebook: bare };
  writeFileSync(join(out, `${name}.live.js`), `window.LIVE = ${JSON.stringify(data)};\n`);
  const rendered = await renderNotebook(nb, { live: true, where: relative(root, path), livePage: `${name}.html` });
  problems.push(...rendered.problems);
  const nav = `<header><nav class="pager"><a href="index.html">All live pages</a>` +
    `<a class="static" href="${exported}/${name}.html">Static page: the notebook as run</a></nav></header>`;
  const body = `${nav}\n<main>\n${form(params)}\n${rendered.body}\n</main>`;
  writeFileSync(join(out, `${name}.html`), page(rendered.titleSource.replace(/\$([^$]*)\$/g, "$1"), body,
    [`${name}.live.js`, "live-lib.js", "live-page.js"]));
  index.push(`<li><a class="title" href="${name}.html">${rendered.title}</a>${rendered.summary ? `<p>${rendered.summary}</p>` : ""}</li>`);
  console.log(`live page ${relative(root, path)} → ${relative(root, join(out, `${name}.html`))}`);
}
const title = "Backpropagation on a mini-batch, by hand: live pages";
writeFileSync(join(out, "index.html"), page(title, `<main><h1>${title}</h1>
<p>Each page is a notebook you can work in, in your browser: edit any code cell, change a parameter, answer
the exercise, press Run (or Shift+Enter in a cell), and the notebook runs again from the top; every formula,
check and plot follows. Your edits are kept in this browser, and Download gives the notebook with them for
JupyterLab. Nothing is installed and nothing leaves this page.</p>
<p class="other-site">The same notebooks as <a href="${exported}/index.html">static pages</a>: what each showed
when it was last run, readable with no script.</p>
<ol class="notebooks">${index.join("\n")}</ol></main>`, []));
console.log(`index: ${relative(root, join(out, "index.html"))}`);
if (problems.length) {
  console.error(`\nlive pages failed: ${problems.length} formula(s) KaTeX cannot typeset\n${problems.map((p) => `  ${p}`).join("\n")}`);
  process.exit(1);
}
