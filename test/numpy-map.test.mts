// The map's numpy lines (notebook 00b), run in numpy: every step's line in both layouts, on the
// library's own numbers, must give the library's array to rounding. The numbers come from
// backpropMap (src/nn/map.ts), the same function whose tables the notebook shows, at the
// notebook's default sizes and seed and at a few others; numpy is the one pinned in
// requirements.txt, in the project's .venv, run through test/numpy-map.py.
//
// A wrong line must fail the check: test/fixtures/numpy-map-wrong-lines.json lists wrong lines
// (`G.sum(axis=1, keepdims=True)` for ∂b₂ with samples as rows, among others), each of which must
// fail its own step and no other; and a few other right ways to write a step (numpy's broadcasting
// of the bias) must pass it.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Matrix } from "../src/core/matrix.js";
import { Rng } from "../src/core/rng.js";
import { backpropMap, LAYOUTS, randomMapInputs, type BackpropMap, type Layout } from "../src/nn/map.js";
import { python, root } from "../tools/env.mjs";

type Rows = number[][];
interface Result { shape?: number[]; value?: Rows; error?: string; steps?: Record<string, Result> }
interface Job { numpy?: string; program?: [string, string][]; arrays: Record<string, Rows>; scalars: Record<string, number> }

// The library and numpy add the same terms in other orders (numpy's matrix product blocks its
// sums): for these sizes, sums of at most 64 terms of size about 1, they differ by about 1e-16
// relative; the wrong lines miss by 1e-2 or more.
const ROUNDING = 1e-12;

const rows = (M: Matrix): Rows => M.toRows();

// numpy's result against the library's array: the shape exactly, the entries to rounding.
function verdict(r: Result | undefined, want: Matrix): { ok: boolean; why: string; diff: number } {
  if (!r) return { ok: false, why: "no result", diff: Infinity };
  if (r.error !== undefined) return { ok: false, why: `numpy raised ${r.error}`, diff: Infinity };
  const shape = r.shape ?? [];
  if (shape.length !== 2 || shape[0] !== want.rows || shape[1] !== want.cols) {
    return { ok: false, why: `numpy's shape is (${shape.join(", ")}), the library's ${want.shape}`, diff: Infinity };
  }
  const got = Matrix.fromRows(r.value ?? []);
  const diff = got.maxAbsDiff(want);
  const tol = ROUNDING * Math.max(1, want.maxAbs());
  return { ok: diff <= tol, why: `largest difference ${diff.toExponential(2)} (allowed ${tol.toExponential(2)})`, diff };
}

// The map at the notebook's defaults (K = 5, n = 4, h = 6, m = 3, seed 1) and at other sizes: one
// sample, a large batch, and every size equal (so that a transposed line has the right shape).
const CASES = [
  { label: "the notebook's defaults", K: 5, n: 4, h: 6, m: 3, seed: 1 },
  { label: "K = 1", K: 1, n: 4, h: 6, m: 3, seed: 1 },
  { label: "K = 40", K: 40, n: 4, h: 6, m: 3, seed: 2 },
  { label: "K = n = h = m = 4", K: 4, n: 4, h: 4, m: 4, seed: 3 },
];
const mapOf = (c: (typeof CASES)[number]): BackpropMap => backpropMap(randomMapInputs(c, new Rng(c.seed)));

// Each step's line on the library's arrays of everything before it (so a wrong line fails only its
// own step); `replace` swaps one step's line.
function stepJobs(map: BackpropMap, layout: Layout, replace: Record<string, string> = {}): { name: string; job: Job }[] {
  const arrays: Record<string, Rows> = {};
  const out: { name: string; job: Job }[] = [];
  for (const st of map.steps) {
    if (st.pass !== "given") {
      out.push({ name: st.name, job: { numpy: replace[st.name] ?? st[layout].numpy, arrays: { ...arrays }, scalars: { K: map.sizes.K.size } } });
    }
    arrays[st.name] = rows(st[layout].value);
  }
  return out;
}

// The lines as one program, top to bottom, on the given arrays only.
function programJob(map: BackpropMap, layout: Layout): Job {
  const given = map.steps.filter((st) => st.pass === "given");
  return {
    program: map.steps.filter((st) => st.pass !== "given").map((st) => [st.name, st[layout].numpy]),
    arrays: Object.fromEntries(given.map((st) => [st.name, rows(st[layout].value)])),
    scalars: { K: map.sizes.K.size },
  };
}

function runNumpy(jobs: Job[]): { version: string; results: Result[] } {
  const r = spawnSync(python, [join(root, "test", "numpy-map.py")], { input: JSON.stringify({ jobs }), encoding: "utf8", maxBuffer: 1 << 28 });
  if (r.status !== 0) {
    throw new Error(`test/numpy-map.py failed (${r.status}): ${r.stderr}\n` +
      (/No module named 'numpy'/.test(r.stderr) ? "numpy is not in .venv: run `npm install`, which installs requirements.txt" : ""));
  }
  const reply = JSON.parse(r.stdout) as { numpy: string; results: Result[] };
  return { version: reply.numpy, results: reply.results };
}

interface Fixture {
  lines: { layout: Layout; step: string; numpy: string; slip: string }[];
  alsoRight: { layout: Layout; step: string; numpy: string; why: string }[];
}
const fixture = JSON.parse(readFileSync(join(root, "test", "fixtures", "numpy-map-wrong-lines.json"), "utf8")) as Fixture;

// Every job of the file in one run of Python (numpy's import is most of its time).
const jobs: Job[] = [];
const enqueue = (js: Job[]): number[] => js.map((j) => jobs.push(j) - 1);
const maps = CASES.map(mapOf);
const steps = maps.map((map) => Object.fromEntries(LAYOUTS.map((L) => {
  const list = stepJobs(map, L);
  const at = enqueue(list.map((x) => x.job));
  return [L, list.map((x, i) => ({ name: x.name, at: at[i] }))];
})) as Record<Layout, { name: string; at: number }[]>);
const programs = maps.map((map) => Object.fromEntries(LAYOUTS.map((L) => [L, enqueue([programJob(map, L)])[0]])) as Record<Layout, number>);
const defaults = maps[0];
const wrong = fixture.lines.map((w) => {
  const list = stepJobs(defaults, w.layout, { [w.step]: w.numpy });
  const at = enqueue(list.map((x) => x.job));
  return { ...w, steps: list.map((x, i) => ({ name: x.name, at: at[i] })) };
});
const right = fixture.alsoRight.map((w) => {
  const list = stepJobs(defaults, w.layout, { [w.step]: w.numpy });
  const i = list.findIndex((x) => x.name === w.step);
  return { ...w, at: enqueue([list[i].job])[0] };
});
const glossary = defaults.glossary();
const glossaryAt = enqueue(glossary.map((g) => ({
  numpy: g.numpy,
  arrays: Object.fromEntries(Object.entries(g.example.args).map(([k, v]) => [k, rows(v)])),
  scalars: { K: defaults.sizes.K.size },
})));

let reply: { version: string; results: Result[] };
beforeAll(() => {
  expect(existsSync(python), `${python} is missing: run \`npm install\``).toBe(true);
  reply = runNumpy(jobs);
}, 120_000);

describe("the map's numpy lines, run in numpy", () => {
  it("numpy is the version pinned in requirements.txt", () => {
    const pin = /^numpy==(\S+)$/m.exec(readFileSync(join(root, "requirements.txt"), "utf8"))?.[1];
    expect(pin, "requirements.txt pins numpy").toBeDefined();
    expect(reply.version).toBe(pin);
  });

  CASES.forEach((c, i) => {
    for (const L of LAYOUTS) {
      it(`${c.label}, samples as ${L === "rows" ? "rows" : "columns"}: every step's line equals the library's array`, () => {
        const bad = steps[i][L].flatMap(({ name, at }) => {
          const v = verdict(reply.results[at], maps[i].get(name)[L].value);
          return v.ok ? [] : [`${name}: ${maps[i].get(name)[L].numpy}: ${v.why}`];
        });
        expect(bad.join("\n")).toBe("");
        expect(steps[i][L].length).toBe(13);
      });

      it(`${c.label}, samples as ${L === "rows" ? "rows" : "columns"}: the lines run as one program give the same arrays`, () => {
        const got = reply.results[programs[i][L]].steps ?? {};
        const bad = steps[i][L].flatMap(({ name }) => {
          const v = verdict(got[name], maps[i].get(name)[L].value);
          return v.ok ? [] : [`${name}: ${v.why}`];
        });
        expect(bad.join("\n")).toBe("");
      });
    }
  });

  it("each glossary entry's numpy, on the arrays of its first use, gives that use's result", () => {
    const bad = glossary.flatMap((g, i) => {
      const v = verdict(reply.results[glossaryAt[i]], g.example.value);
      return v.ok ? [] : [`${g.library} = ${g.numpy}: ${v.why}`];
    });
    expect(bad.join("\n")).toBe("");
    expect(glossary.length).toBeGreaterThanOrEqual(15);
  });
});

describe("the check fails on a wrong line (test/fixtures/numpy-map-wrong-lines.json)", () => {
  it("the fixture has the wrong axis of the row layout's bias gradient", () => {
    expect(fixture.lines).toContainEqual(expect.objectContaining({ layout: "rows", step: "db2", numpy: "G.sum(axis=1, keepdims=True)" }));
  });

  for (const w of fixture.lines) {
    it(`${w.step}, samples as ${w.layout === "rows" ? "rows" : "columns"}, \`${w.numpy}\` (${w.slip}): fails its step, and only its step`, () => {
      const entry = wrong.find((x) => x.step === w.step && x.numpy === w.numpy && x.layout === w.layout);
      const failed = (entry?.steps ?? []).filter(({ name, at }) => !verdict(reply.results[at], defaults.get(name)[w.layout].value).ok);
      expect(failed.map((f) => f.name)).toEqual([w.step]);
    });
  }

  for (const w of fixture.alsoRight) {
    it(`${w.step}, samples as ${w.layout === "rows" ? "rows" : "columns"}, \`${w.numpy}\` is right too (${w.why})`, () => {
      const entry = right.find((x) => x.step === w.step && x.numpy === w.numpy && x.layout === w.layout);
      const v = verdict(entry ? reply.results[entry.at] : undefined, defaults.get(w.step)[w.layout].value);
      expect(v.ok, v.why).toBe(true);
    });
  }
});
