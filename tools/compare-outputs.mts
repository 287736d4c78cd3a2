// Do a notebook's committed outputs match a fresh execution of it? Cells tagged
// `varying-output` (timings) are skipped; everything else must match to the character.
import { spawnSync } from "node:child_process";
import { dirname, relative } from "node:path";
import { createTwoFilesPatch } from "diff";
import { hasTag, text, type Notebook, type Output } from "./ipynb.mjs";

const VEGALITE = "application/vnd.vegalite.v5+json";

export const VARYING = "varying-output";

// One readable line-oriented text per output, so a mismatch reads as a plain diff. The picture
// beside a Vega-Lite spec is left out: it is drawn from the spec (which is compared) with the
// machine's fonts (tools/plot-png.mts), and a run of the kernel alone does not make it.
function render(o: Output): string {
  if (o.output_type === "stream") return `[${o.name}]\n${text(o.text)}`;
  if (o.output_type === "error") return `[error]\n${text(o.text)}`;
  const picture = (mime: string) => mime === "image/png" && (o.data ?? {})[VEGALITE] !== undefined;
  return Object.keys(o.data ?? {}).sort().filter((mime) => !picture(mime)).map((mime) => {
    const value = (o.data ?? {})[mime];
    const body = typeof value === "string" || Array.isArray(value) ? text(value as string | string[]) : JSON.stringify(value, null, 1);
    return `[${mime}]\n${body}`;
  }).join("\n");
}

const codeCells = (nb: Notebook) => nb.cells.map((cell, index) => ({ cell, index })).filter(({ cell }) => cell.cell_type === "code");

// Returns one unified diff per cell that differs (empty when the outputs are true).
export function compareOutputs(name: string, committed: Notebook, fresh: Notebook): string[] {
  const a = codeCells(committed);
  const b = codeCells(fresh);
  if (a.length !== b.length) return [`${name}: ${a.length} code cells committed, ${b.length} executed`];
  const diffs: string[] = [];
  a.forEach(({ cell, index }, i) => {
    if (text(cell.source) !== text(b[i].cell.source)) diffs.push(`${name} cell ${index}: the source differs from the executed copy`);
    if (hasTag(cell, VARYING)) return;
    const want = (cell.outputs ?? []).map(render).join("\n");
    const got = (b[i].cell.outputs ?? []).map(render).join("\n");
    if (want !== got) diffs.push(createTwoFilesPatch(`${name} cell ${index} (committed)`, `${name} cell ${index} (fresh run)`, want + "\n", got + "\n", "", "", { context: 2 }));
  });
  return diffs;
}

// When the comparison fails because the notebook itself was edited (git shows uncommitted
// changes), what happened and how to get back: restore it, or keep the edits and refresh the
// outputs. Undefined when git shows no change (or the folder is not a git checkout).
export function editedNotebookHint(path: string): string | undefined {
  const git = (...args: string[]) => spawnSync("git", args, { cwd: dirname(path), encoding: "utf8" });
  const top = git("rev-parse", "--show-toplevel");
  if (top.status !== 0) return undefined;
  const status = git("status", "--porcelain", "--", path);
  if (status.status !== 0 || !status.stdout.trim()) return undefined;
  const rel = relative(top.stdout.trim(), path);
  const refresh = `npm run notebooks -- ${rel} --in-place`;
  if (status.stdout.startsWith("??")) {
    return `${rel} is not committed yet; store its outputs with \`${refresh}\`, then commit it.`;
  }
  return `${rel} was edited (git shows uncommitted changes), so its stored outputs are not those of a fresh run. ` +
    `Restore the committed notebook with \`git checkout -- ${rel}\`, or keep your edits and refresh its outputs with \`${refresh}\`.`;
}
