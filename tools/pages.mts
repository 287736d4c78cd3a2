// What the static export (export.mts) and the live pages (live.mts) share: the command line,
// KaTeX's stylesheet beside the pages, and Markdown with formulas typeset by KaTeX at build time,
// where a formula KaTeX cannot typeset, or TeX no formula picked up, is an error.
import katex from "katex";
import MarkdownIt, { type PluginWithOptions } from "markdown-it";
import markdownItKatex from "@vscode/markdown-it-katex";
import { cpSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { listNotebooks } from "./ipynb.mjs";
import { notebooksDir } from "./env.mjs";

// `--from DIR` (default notebooks/) and `--out DIR`; the notebooks found, or exit 1 when none.
export function pageFolders(defaultOut: string): { from: string; out: string; paths: string[] } {
  const args = process.argv.slice(2);
  const option = (name: string, fallback: string): string => {
    const i = args.indexOf(name);
    return i >= 0 && args[i + 1] ? resolve(args[i + 1]) : fallback;
  };
  const from = option("--from", notebooksDir);
  const out = option("--out", defaultOut);
  const paths = listNotebooks(from);
  if (!paths.length) {
    console.error(`no notebooks in ${from}`);
    process.exit(1);
  }
  mkdirSync(out, { recursive: true });
  return { from, out, paths };
}

// katex.min.css and its woff2 fonts into out/katex/, for pages that link katex/katex.min.css.
export function copyKatex(out: string): void {
  const dist = join(dirname(createRequire(import.meta.url).resolve("katex/package.json")), "dist");
  cpSync(join(dist, "katex.min.css"), join(out, "katex", "katex.min.css"));
  cpSync(join(dist, "fonts"), join(out, "katex", "fonts"), { recursive: true, filter: (f) => !/\.(ttf|woff)$/.test(f) });
}

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

export const md = new MarkdownIt({ html: true, linkify: true });
// The plugin finds $…$ and $$…$$ (CommonJS, its function on `.default`; its typings name
// markdown-it's CommonJS types, which TypeScript keeps apart from the ESM ones). Its renderers
// turn a formula KaTeX refuses into a red mark and go on: ours throw instead.
md.use(markdownItKatex.default as unknown as PluginWithOptions<{ throwOnError: boolean }>, { throwOnError: true });
md.renderer.rules.math_inline = (tokens, i) => {
  const content = tokens[i].content;
  const tex = content.length > 2 && content.startsWith("`") && content.endsWith("`") ? content.slice(1, -1) : content;
  return typeset(tex, /\\begin\{(align|equation|gather|cd|alignat)\}/i.test(tex));
};
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

