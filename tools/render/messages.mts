// What the cells' display functions post (tools/cells/display.mts) as the outputs the kernel would
// have stored for them: the step shared by the Node engine and the live pages before rendering
// (outputs.mts). Kept apart from outputs.mts so that the Node engine loads no renderer.
import type { Message } from "../cells/display.mjs";
import type { Output } from "../nbformat.mjs";

// JSON with its keys in order, as Jupyter stores a notebook (nbformat writes sorted keys).
const sorted = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(sorted)
  : v !== null && typeof v === "object"
    ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted((v as Record<string, unknown>)[k])]))
    : v;

// One display message as the output the kernel would have produced for it (src/display.ts).
// Throws for a message that is not an output ("done", "error").
export function messageOutput(m: Message): Output {
  switch (m.kind) {
    case "latex": return { output_type: "display_data", data: { "text/latex": `$$${m.data}$$` }, metadata: {} };
    case "markdown": return { output_type: "display_data", data: { "text/markdown": m.data }, metadata: {} };
    case "vegalite":
      return { output_type: "display_data", data: { "application/vnd.vegalite.v5+json": sorted(m.data) }, metadata: {} };
    case "stdout": return { output_type: "stream", name: "stdout", text: m.data };
    default: throw new Error(`not an output: ${m.kind}`);
  }
}
