// The twin of src/display.ts outside the kernel: the same five functions, which post what they
// show as messages instead of to Jupyter. Runs inside the Web Worker of a live page, or of the
// Node engine (tools/cells/node.mts), which turns the messages into notebook outputs.
import { checksMarkdown, type Check } from "../../src/check/claims.js";
import { math, type MathValue } from "../../src/view/equation.js";
import type { VegaLiteSpec } from "../../src/view/plot.js";
import { checkTex } from "../../src/view/tex.js";

// One output of one cell, as the page renders it.
export type Output =
  | { cell: number; kind: "latex" | "markdown" | "stdout"; data: string }
  | { cell: number; kind: "vegalite"; data: VegaLiteSpec };
export type Message = Output | { kind: "error"; cell: number; data: string; stack?: string } | { kind: "done"; seconds: number };

let current = -1;
const post = (m: Message): void => (globalThis as unknown as { postMessage(m: Message): void }).postMessage(m);

// The generated notebook module calls this before each code cell's statements.
export function __cell(index: number): void {
  current = index;
}
export const __current = (): number => current;
export const __post = post;

export function tex(formula: string): void {
  checkTex(formula);
  post({ cell: current, kind: "latex", data: formula });
}

// math() has checked the formula with KaTeX already (see src/display.ts)
export function eq(strings: TemplateStringsArray, ...values: MathValue[]): void {
  post({ cell: current, kind: "latex", data: math(strings, ...values) });
}

export function checks(...list: Check[]): void {
  post({ cell: current, kind: "markdown", data: checksMarkdown(list) });
}

export function plot(spec: VegaLiteSpec): void {
  post({ cell: current, kind: "vegalite", data: spec });
}

export function markdown(s: string): void {
  post({ cell: current, kind: "markdown", data: s });
}

// console.log in a cell shows as that cell's text output, as in the kernel.
console.log = (...args: unknown[]): void => {
  post({ cell: current, kind: "stdout", data: args.map(String).join(" ") + "\n" });
};
