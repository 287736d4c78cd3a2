import { Dense } from "../nn/dense.js";
import type { Network } from "../nn/network.js";

// Whether a start is symmetric: units that begin identical, and so stay identical (notebook 09).

// The units of hidden Dense layer l (1-based, as in W<l>) that cannot be told apart: groups of two
// or more units whose incoming weights (columns of W_l, n_{l−1} each), bias entries (of b_l) and
// outgoing weights (rows of W_{l+1}, n_{l+1} each) are all exactly equal. Swapping two such units
// leaves the network the same function, so their δ columns, and with them their gradients, are
// equal too: they start identical and stay identical under gradient descent, whatever the data
// (notebook 09; the symmetry that random initialisation breaks). Each group is sorted, and the
// groups come in order of their first unit: [] when every unit is its own.
// Throws: l not an integer in 1..L−1 for a network of L Dense layers; l = L, the output layer,
// which has no outgoing weights; a layer other than an activation between Dense l and Dense l + 1
// (batch norm, dropout), whose own per-unit behaviour this does not compare.
export function symmetricUnits(net: Network, l: number): number[][] {
  const op = "symmetricUnits";
  const dense = net.layers.flatMap((layer, i) => (layer instanceof Dense ? [i] : []));
  const L = dense.length;
  if (L < 2) throw new Error(`${op}: the network has one Dense layer, W1, whose units are its outputs: there is no hidden layer`);
  if (!Number.isInteger(l) || l < 1 || l > L) {
    throw new Error(`${op}: l must be the number of a hidden Dense layer, 1..${L - 1} (W1..W${L - 1}), got ${String(l)}`);
  }
  if (l === L) {
    throw new Error(
      `${op}: W${L} belongs to the last Dense layer, whose units are the network's outputs: it has no outgoing weights (no W${L + 1}) to compare; ask for a hidden layer, 1..${L - 1}`,
    );
  }
  net.layers.slice(dense[l - 1] + 1, dense[l]).forEach((layer, i) => {
    if (layer.kind !== "Activation") {
      throw new Error(
        `${op}: layer ${dense[l - 1] + i + 2} (${layer.kind}) sits between W${l} and W${l + 1}; only activation layers are handled there`,
      );
    }
  });
  const { W, b } = net.layers[dense[l - 1]] as Dense; // n×m, 1×m
  const next = (net.layers[dense[l]] as Dense).W; // m×p
  const groups = new Map<string, number[]>(); // by the unit's numbers, in order of first unit
  for (let j = 0; j < W.cols; j++) {
    const incoming = Array.from({ length: W.rows }, (_, i) => W.get(i, j));
    const outgoing = Array.from(next.data.subarray(j * next.cols, (j + 1) * next.cols));
    // String(x) is the shortest text that reads back as x: two units share a key only when every
    // number is equal (0 and −0 count as equal, as they do in every product here)
    const key = [...incoming, b.get(0, j), ...outgoing].join(",");
    groups.set(key, [...(groups.get(key) ?? []), j]);
  }
  return [...groups.values()].filter((units) => units.length > 1);
}
