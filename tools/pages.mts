// What the static export (export.mts) and the live pages (live.mts) share: the command line,
// KaTeX's stylesheet beside the pages, and Markdown with formulas typeset by KaTeX at build time,
// where a formula KaTeX cannot typeset, or TeX no formula picked up, is an error.
import hljs from "highlight.js";
import katex from "katex";
import MarkdownIt, { type PluginWithOptions } from "markdown-it";
import markdownItKatex from "@vscode/markdown-it-katex";
import { cpSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve, sep } from "node:path";
import { listNotebooks } from "./ipynb.mjs";
import { notebooksDir } from "./env.mjs";

// `--from DIR` (default notebooks/) and `--out DIR`; the notebooks found, or exit 1 when none.
// The export and the live pages link to each other: `--other DIR` names the folder of the other
// kind (default: build/live for the export, build/html for the live pages), linked relatively, so
// two folders published side by side keep their links.
export function pageFolders(defaultOut: string, defaultOther: string): { from: string; out: string; other: string; paths: string[] } {
  const args = process.argv.slice(2);
  const option = (name: string, fallback: string): string => {
    const i = args.indexOf(name);
    return i >= 0 && args[i + 1] ? resolve(args[i + 1]) : fallback;
  };
  const from = option("--from", notebooksDir);
  const out = option("--out", defaultOut);
  const other = relative(out, option("--other", defaultOther)).split(sep).join("/") || ".";
  const paths = listNotebooks(from);
  if (!paths.length) {
    console.error(`no notebooks in ${from}`);
    process.exit(1);
  }
  mkdirSync(out, { recursive: true });
  return { from, out, other, paths };
}

// katex.min.css and its woff2 fonts into out/katex/, for pages that link katex/katex.min.css.
export function copyKatex(out: string): void {
  const dist = join(dirname(createRequire(import.meta.url).resolve("katex/package.json")), "dist");
  cpSync(join(dist, "katex.min.css"), join(out, "katex", "katex.min.css"));
  cpSync(join(dist, "fonts"), join(out, "katex", "fonts"), { recursive: true, filter: (f) => !/\.(ttf|woff)$/.test(f) });
}

// Under an exercise's answer cell on a page, where nothing can be edited: where and how to answer.
export const ANSWER_ELSEWHERE = "This page cannot run your answer. To answer, open the notebook in JupyterLab " +
  "(<code>npm start</code>), run <em>Run → Run All Cells</em>, then replace <code>undefined</code> in the answer cell " +
  "with your expression and run that cell: the checker says <strong>✓ Right</strong> or names the slip.";

export const escape = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] ?? c);

// A formula KaTeX cannot typeset: the message names the formula; the caller adds notebook and cell.
export class FormulaError extends Error {}

function typeset(tex: string, displayMode: boolean): string {
  try {
    return katex.renderToString(tex, { displayMode, throwOnError: true, output: "htmlAndMathml" });
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new FormulaError(`KaTeX cannot typeset ${displayMode ? "$$" : "$"}${tex}${displayMode ? "$$" : "$"}: ${reason}`);
  }
}

// Code coloured at build time by highlight.js (TypeScript unless a fence names another language);
// the pages carry its stylesheet inline (highlightCss), so they still need no script.
export function highlight(code: string, language = "typescript"): string {
  if (!hljs.getLanguage(language)) return escape(code);
  return hljs.highlight(code, { language, ignoreIllegals: true }).value;
}
const hljsCss = readFileSync(createRequire(import.meta.url).resolve("highlight.js/styles/github.min.css"), "utf8");
// highlight.js's GitHub colours, without its block background (the pages draw their own)
export const highlightCss = (hljsCss.replace(/\/\*[\s\S]*?\*\//g, "").match(/[^{}]+\{[^}]*\}/g) ?? [])
  .filter((rule) => !/\.hljs\s*\{/.test(rule)).join("");

export const md = new MarkdownIt({
  html: true, linkify: true,
  highlight: (code, lang) => (lang && hljs.getLanguage(lang) ? highlight(code, lang) : ""),
});
// The plugin finds $…$ and $$…$$ (CommonJS, its function on `.default`; its typings name
// markdown-it's CommonJS types, which TypeScript keeps apart from the ESM ones). Its renderers
// turn a formula KaTeX refuses into a red mark and go on: ours throw instead.
md.use(markdownItKatex.default as unknown as PluginWithOptions<{ throwOnError: boolean }>, { throwOnError: true });
md.renderer.rules.math_inline = (tokens, i) => {
  const content = tokens[i].content;
  const tex = content.length > 2 && content.startsWith("`") && content.endsWith("`") ? content.slice(1, -1) : content;
  const html = typeset(tex, /\\begin\{(align|equation|gather|cd|alignat)\}/i.test(tex));
  const { before = "", after = "" } = (tokens[i].meta ?? {}) as { before?: string; after?: string };
  return before || after ? `<span class="nobr">${escape(before)}${html}${escape(after)}</span>` : html;
};

// A line may break on either side of a typeset formula (KaTeX draws it as inline blocks), so
// "($(K-1)/(K+1)$," could end a line with "(" or start one with ",". The bracket before a formula and
// the brackets and punctuation after it are moved into it, in a span that does not wrap.
function glueToFormulas(tokens: ReturnType<typeof md.parse>): void {
  for (const t of tokens) {
    if (t.children) glueToFormulas(t.children);
    if (t.type !== "math_inline") continue;
    const i = tokens.indexOf(t);
    const prev = tokens[i - 1];
    const next = tokens[i + 1];
    const meta: { before?: string; after?: string } = {};
    const open = prev?.type === "text" ? /[(\[{«“‘]+$/.exec(prev.content) : null;
    if (prev && open) {
      meta.before = open[0];
      prev.content = prev.content.slice(0, open.index);
    }
    const close = next?.type === "text" ? /^[)\]}»”’,.;:!?]+/.exec(next.content) : null;
    if (next && close) {
      meta.after = close[0];
      next.content = next.content.slice(close[0].length);
    }
    if (meta.before || meta.after) t.meta = { ...(t.meta as object | null), ...meta };
  }
}
const blockMath: NonNullable<typeof md.renderer.rules.math_block> = (tokens, i) =>
  `<div class="math">${typeset(tokens[i].content, true)}</div>\n`;
for (const rule of ["math_block", "math_inline_block", "math_inline_bare_block"]) md.renderer.rules[rule] = blockMath;

// Links between notebooks point at their exported pages.
const defaultLink = md.renderer.rules.link_open ?? ((t, i, o, _e, self) => self.renderToken(t, i, o));
md.renderer.rules.link_open = (tokens, i, options, env, self) => {
  const href = tokens[i].attrGet("href");
  if (href && /^[^:]+\.ipynb(#.*)?$/.test(href)) tokens[i].attrSet("href", href.replace(/\.ipynb/, ".html"));
  return defaultLink(tokens, i, options, env, self);
};

// Headings get the anchors JupyterLab gives them (the text, spaces as hyphens), so links written
// for JupyterLab (`other.ipynb#Some-heading`) land on the same heading here; they are collected
// for the page's table of contents.
export interface Heading { level: number; id: string; html: string; cell: number }
export interface PageEnv { headings: Heading[]; ids: Set<string>; cell?: number }
md.renderer.rules.heading_open = (tokens, i, options, env: PageEnv, self) => {
  const inline = tokens[i + 1];
  const plain = inline.children?.map((t) => (t.type === "math_inline" ? t.content : t.content)).join("") ?? inline.content;
  let id = plain.trim().replace(/\s+/g, "-");
  for (let n = 1; env.ids?.has(id); n++) id = `${plain.trim().replace(/\s+/g, "-")}-${n}`;
  env.ids?.add(id);
  tokens[i].attrSet("id", id);
  env.headings?.push({ level: Number(tokens[i].tag.slice(1)), id, html: md.renderInline(inline.content, {}), cell: env.cell ?? -1 });
  return self.renderToken(tokens, i, options);
};

// TeX that no formula picked up: text (not code, not math) with $…$, $$ or a \command in it,
// which a reader would see as source. The same patterns as the browser test's "no raw TeX".
const STRAY_TEX = /\$\$|\$[^$\s](?:[^$\n]*[^$\s\\])?\$|\\[A-Za-z]+|[_^]\{/;
function strayTex(tokens: ReturnType<typeof md.parse>): string | undefined {
  for (const t of tokens) {
    const found = t.children ? strayTex(t.children) : t.type === "text" ? STRAY_TEX.exec(t.content) : null;
    if (typeof found === "string") return found;
    if (found) return t.content.slice(Math.max(0, found.index - 30), found.index + found[0].length + 30);
  }
  return undefined;
}

function checked(source: string, tokens: ReturnType<typeof md.parse>): ReturnType<typeof md.parse> {
  const stray = strayTex(tokens);
  if (stray) throw new FormulaError(`TeX not picked up as a formula (check its $ delimiters): "…${stray.replace(/\s+/g, " ")}…"`);
  glueToFormulas(tokens);
  return tokens;
}

export function renderMarkdown(source: string, env: PageEnv = { headings: [], ids: new Set() }): string {
  return md.renderer.render(checked(source, md.parse(source, env)), md.options, env);
}

export function renderInline(source: string): string {
  return md.renderer.render(checked(source, md.parseInline(source, {})), md.options, {});
}

// text/latex outputs carry $$…$$ (display), as the notebook's display helper emits them.
export function latex(source: string): string {
  const m = /^\s*\$\$([\s\S]*)\$\$\s*$/.exec(source) ?? /^\s*\$([\s\S]*)\$\s*$/.exec(source);
  if (!m && /\$/.test(source)) throw new FormulaError(`a text/latex output with unbalanced $ delimiters: ${source.slice(0, 80)}`);
  return typeset(m ? m[1] : source, true);
}

// The pages' stylesheet, shared by the export and the live pages (which add their own rules): a
// column about 900 px wide, serif text, system-ui for navigation, code coloured by highlight.js.
export const pageStyle = `
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
p.other-site{font:15px/1.5 system-ui,sans-serif;margin:1.2em 0;padding:.6em 1em;background:#f8f9fb;border:1px solid var(--rule);border-radius:6px}
.nobr{white-space:nowrap}
${highlightCss}`;
