// The learner's working copies: `npm start` opens JupyterLab on lab/ (gitignored), never on the
// committed notebooks/, so experimenting can't silently change what the tests compare against.
//
// lab/ holds a copy of every notebook and `lib`, a link to ../build/lib, so `./lib/index.js` imports
// work there as in notebooks/ (tslab compiles only files under the kernel's working directory,
// the notebook's folder; the link keeps src/ "under" it). lab/.origin.json records, for each
// copy, a fingerprint of the committed notebook it was made from (the cells' types and sources).
//
// A copy is never overwritten once the learner has edited it. A copy whose cells are still those
// of its origin (running cells and saving only changes outputs and metadata) follows the
// committed notebook when that changes. `npm run reset` restores edited copies, keeping a backup.
import { createHash } from "node:crypto";
import {
  copyFileSync, cpSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, symlinkSync, unlinkSync, writeFileSync,
} from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import { labDir, libDir, notebooksDir, srcDir } from "./env.mjs";
import { listNotebooks, readNotebook, text } from "./ipynb.mjs";

const ORIGIN = ".origin.json";
export const BACKUPS = "backups";

// What the learner writes: the cells' types and sources (not outputs, counts or metadata).
export function fingerprint(path: string): string {
  const nb = readNotebook(path);
  const cells = nb.cells.map((c) => [c.cell_type, text(c.source)]);
  return createHash("sha256").update(JSON.stringify(cells)).digest("hex");
}

type Origins = Record<string, string>;
const readOrigins = (dir: string): Origins => {
  try {
    return JSON.parse(readFileSync(join(dir, ORIGIN), "utf8")) as Origins;
  } catch {
    return {};
  }
};
const writeOrigins = (dir: string, o: Origins): void => writeFileSync(join(dir, ORIGIN), JSON.stringify(o, null, 1) + "\n");

// dir/lib → build/lib (the compiled library, tools/library.mts), as a relative link (so a moved
// project keeps working). A link to src/, which copies made by earlier versions have, is replaced.
export function linkLibrary(dir: string): void {
  const link = join(dir, "lib");
  const points = (to: string): boolean => isLink(link) && resolve(dir, readlinkSync(link)) === to;
  if (points(libDir)) return;
  if (isLink(link) && (!existsSync(link) || points(srcDir))) unlinkSync(link); // made again below
  if (existsSync(link) || isLink(link))
    throw new Error(`${link} exists but is not a link to ${libDir}: move it away, then start again`);
  // Windows: a junction (absolute), which needs no administrator rights
  if (process.platform === "win32") symlinkSync(libDir, link, "junction");
  else symlinkSync(relative(dir, libDir), link, "dir");
}
const isLink = (p: string): boolean => {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
};

export interface CopyReport {
  created: string[]; // new copies
  updated: string[]; // unedited copies that followed a changed committed notebook
  behind: string[]; // edited copies whose committed notebook changed since they were made
}

// Creates or completes the working folder. Never overwrites a copy the learner edited.
export function prepareWorkingCopy(from = notebooksDir, to = labDir): CopyReport {
  mkdirSync(to, { recursive: true });
  linkLibrary(to);
  const origins = readOrigins(to);
  const report: CopyReport = { created: [], updated: [], behind: [] };
  for (const source of listNotebooks(from)) {
    const name = basename(source);
    const copy = join(to, name);
    const committed = fingerprint(source);
    if (!existsSync(copy)) {
      copyFileSync(source, copy);
      origins[name] = committed;
      report.created.push(name);
      continue;
    }
    if (origins[name] === committed) continue; // committed notebook unchanged since the copy
    const mine = fingerprint(copy);
    if (mine === committed) origins[name] = committed; // same cells (e.g. reset by hand)
    else if (origins[name] !== undefined && mine === origins[name]) {
      copyFileSync(source, copy); // not edited: follows the new version
      origins[name] = committed;
      report.updated.push(name);
    } else report.behind.push(name);
  }
  // other files next to the notebooks (data, images), when missing
  for (const entry of readdirSync(from)) {
    const path = join(from, entry);
    if (entry.endsWith(".ipynb") || entry.startsWith(".") || entry === "lib" || existsSync(join(to, entry))) continue;
    if (isLink(path)) symlinkSync(readlinkSync(path), join(to, entry));
    else cpSync(path, join(to, entry), { recursive: true });
  }
  writeOrigins(to, origins);
  return report;
}

export type ResetOutcome = "created" | "unchanged" | "restored";

// Replaces the working copy of `name` with the committed notebook; an edited copy is first saved
// as backups/<name without .ipynb>.<time>.ipynb (returned).
export function restore(name: string, from = notebooksDir, to = labDir): { outcome: ResetOutcome; backup?: string } {
  const source = join(from, name);
  const copy = join(to, name);
  mkdirSync(to, { recursive: true });
  linkLibrary(to);
  const origins = readOrigins(to);
  let outcome: ResetOutcome = "created";
  let backup: string | undefined;
  if (existsSync(copy)) {
    if (readFileSync(copy).equals(readFileSync(source))) outcome = "unchanged";
    else {
      const dir = join(to, BACKUPS);
      mkdirSync(dir, { recursive: true });
      linkLibrary(dir); // so a backup opened in JupyterLab still imports ./lib
      const stamp = new Date().toISOString().replace(/\.\d+Z$/, "").replace(/[:T]/g, "-");
      backup = join(dir, `${basename(name, ".ipynb")}.${stamp}.ipynb`);
      copyFileSync(copy, backup);
      outcome = "restored";
    }
  }
  if (outcome !== "unchanged") copyFileSync(source, copy);
  origins[name] = fingerprint(source);
  writeOrigins(to, origins);
  return { outcome, backup };
}

// Whether the working copy differs from the committed notebook, and how.
export function copyState(name: string, from = notebooksDir, to = labDir): "missing" | "same" | "outputs" | "edited" {
  const copy = join(to, name);
  if (!existsSync(copy)) return "missing";
  const source = join(from, name);
  if (readFileSync(copy).equals(readFileSync(source))) return "same";
  return fingerprint(copy) === fingerprint(source) ? "outputs" : "edited";
}
