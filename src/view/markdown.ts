// Markdown for the notebooks' outputs: escaping, and tables.

// Markdown's special characters outside $…$ math and `…` code, escaped so a measured "a*b" or
// "Z_row" prints as written, while "`lossAndGrads`" shows as code.
export function escapeMarkdown(s: string): string {
  return s
    .split(/(\$[^$]*\$|`[^`\n]+`)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/[\\`*_[\]<>#|]/g, (c) => `\\${c}`)))
    .join("");
}

// A Markdown table for a notebook's results (display.ts's markdown() shows it): cells may hold
// inline math $…$; everything else is escaped. rows: one array of cells per row.
export function markdownTable(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  rows.forEach((r, i) => {
    if (r.length !== headers.length) {
      throw new Error(`markdownTable: row ${i} has ${r.length} cells, expected ${headers.length} like the headers`);
    }
  });
  const line = (cells: readonly (string | number)[]) => `| ${cells.map((c) => escapeMarkdown(String(c))).join(" | ")} |`;
  return [line(headers), `|${headers.map(() => " --- |").join("")}`, ...rows.map(line)].join("\n");
}
