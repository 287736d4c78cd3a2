// `npm run export [-- --from DIR] [--out DIR]`: every notebook as a static HTML page, plus an index.
// Formulas are typeset here with KaTeX and plots drawn here as SVG with Vega, so the pages need
// no server, no script and no network: only katex.css and its fonts, copied beside them.
import katex from "katex";
import MarkdownIt, { type PluginWithOptions } from "markdown-it";
import markdownItKatex from "@vscode/markdown-it-katex";
import { compile, type TopLevelSpec } from "vega-lite";
import * as vega from "vega";
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join, relative, resolve } from "node:path";
import { buildDir, notebooksDir, root } from "./env.mjs";
import { listNotebooks, readNotebook, text, type Cell, type Output } from "./ipynb.mjs";

const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? resolve(args[i + 1]) : fallback;
};
const from = option("--from", notebooksDir);
const out = option("--out", join(buildDir, "html"));

const md = new MarkdownIt({ html: true, linkify: true });
// The plugin is CommonJS with its function on `exports.default` (from ES modules, `.default`);
// its typings name markdown-it's CommonJS types, which TypeScript keeps apart from the ESM ones.
md.use(markdownItKatex.default as unknown as PluginWithOptions<{ throwOnError: boolean }>, { throwOnError: true });
// Links between notebooks point at their exported pages.
const defaultLink = md.renderer.rules.link_open ?? ((t, i, o, _e, self) => self.renderToken(t, i, o));
md.renderer.rules.link_open = (tokens, i, options, env, self) => {
  const href = tokens[i].attrGet("href");
  if (href && /^[^:]+\.ipynb(#.*)?$/.test(href)) tokens[i].attrSet("href", href.replace(/\.ipynb/, ".html"));
  return defaultLink(tokens, i, options, env, self);
};

const escape = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] ?? c);

// text/latex outputs carry $$…$$ (display) as the notebook's display helper emits them.
function latex(source: string): string {
  const m = /^\s*\$\$([\s\S]*)\$\$\s*$/.exec(source) ?? /^\s*\$([\s\S]*)\$\s*$/.exec(source);
  return katex.renderToString(m ? m[1] : source, { displayMode: true, throwOnError: true });
}

async function vegaLite(spec: unknown): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec as TopLevelSpec).spec), { renderer: "none" });
  return view.toSVG();
}

async function output(o: Output): Promise<string> {
  if (o.output_type === "stream") return `<pre class="${o.name}">${escape(text(o.text))}</pre>`;
  if (o.output_type === "error") return `<pre class="stderr">${escape(text(o.text))}</pre>`;
  const data = o.data ?? {};
  const get = (mime: string): string => text(data[mime] as string | string[]);
  if (data["application/vnd.vegalite.v5+json"]) return `<div class="plot">${await vegaLite(data["application/vnd.vegalite.v5+json"])}</div>`;
  if (data["text/latex"]) return `<div class="math">${latex(get("text/latex"))}</div>`;
  if (data["text/markdown"]) return `<div class="markdown">${md.render(get("text/markdown"))}</div>`;
  if (data["text/html"]) return `<div class="html">${get("text/html")}</div>`;
  if (data["image/svg+xml"]) return `<div class="plot">${get("image/svg+xml")}</div>`;
  if (data["image/png"]) return `<img alt="" src="data:image/png;base64,${get("image/png").trim()}">`;
  return `<pre>${escape(get("text/plain"))}</pre>`;
}

async function cell(c: Cell): Promise<string> {
  if (c.cell_type === "markdown") return `<section class="markdown">${md.render(text(c.source))}</section>`;
  if (c.cell_type !== "code") return "";
  const outputs = await Promise.all((c.outputs ?? []).map(output));
  return `<section class="code"><pre class="source">${escape(text(c.source))}</pre>${outputs.join("\n")}</section>`;
}

const style = `body{font:16px/1.55 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f}
pre{background:#f6f8fa;padding:.6rem .8rem;overflow-x:auto;border-radius:4px;font-size:13px}
pre.source{border-left:3px solid #4a7bd1}pre.stdout{background:#fff;border:1px solid #eee}pre.stderr{background:#fdecea}
.math{overflow-x:auto}.plot svg{max-width:100%;height:auto}nav{margin:1rem 0;font-size:14px}`;

const page = (title: string, body: string, nav: string): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="katex/katex.min.css"><style>${style}</style></head>
<body>${nav}\n${body}\n${nav}</body></html>
`;

const paths = listNotebooks(from);
if (!paths.length) {
  console.error(`no notebooks in ${from}`);
  process.exit(1);
}
mkdirSync(out, { recursive: true });
const katexDist = join(dirname(createRequire(import.meta.url).resolve("katex/package.json")), "dist");
cpSync(join(katexDist, "katex.min.css"), join(out, "katex", "katex.min.css"));
cpSync(join(katexDist, "fonts"), join(out, "katex", "fonts"), { recursive: true, filter: (f) => !/\.(ttf|woff)$/.test(f) });

const titles: { file: string; title: string }[] = [];
for (const [i, path] of paths.entries()) {
  const nb = readNotebook(path);
  const first = nb.cells.find((c) => c.cell_type === "markdown");
  const title = /^#\s+(.+)$/m.exec(text(first?.source))?.[1] ?? basename(path, ".ipynb");
  const file = basename(path, ".ipynb") + ".html";
  const link = (p: string | undefined, label: string) => (p ? `<a href="${basename(p, ".ipynb")}.html">${label}</a>` : "");
  const nav = `<nav><a href="index.html">All notebooks</a> ${link(paths[i - 1], "← previous")} ${link(paths[i + 1], "next →")}</nav>`;
  const body = (await Promise.all(nb.cells.map(cell))).join("\n");
  writeFileSync(join(out, file), page(title, body, nav));
  titles.push({ file, title });
  console.log(`exported ${relative(root, path)} → ${relative(root, join(out, file))}`);
}
const list = titles.map((t) => `<li><a href="${t.file}">${escape(t.title)}</a></li>`).join("\n");
writeFileSync(join(out, "index.html"), page("Backpropagation on a mini-batch, by hand", `<h1>Backpropagation on a mini-batch, by hand</h1>\n<ol>${list}</ol>`, ""));
console.log(`index: ${relative(root, join(out, "index.html"))}`);
