import { ShapeError } from "../core/errors.js";
import { Matrix } from "../core/matrix.js";
import { type LossFn, type Reduction, lossGradient } from "./losses.js";

// One sample's term of a batch loss. The summed loss of a batch is E = Σ_k E_k, E_k the loss of
// row k, so its gradient is Σ_k ∂E_k/∂θ for every parameter θ. onlyRow(loss, k) is the loss of row
// k alone, with a gradient of zero in every other row; net.lossAndGrads(X, Y, onlyRow(loss, k),
// "sum") is then ∂E_k/∂θ computed inside the batch X: the term sample k contributes to the batch's
// gradient. In a network whose samples are independent (Dense layers, activations) that is sample
// k's own gradient, the one it would get alone (notebook 04); after batch norm, row k's output
// depends on every row, so the term depends on the rest of the batch (notebook 07).
//
// loss (any LossFn), k (a row index) → a LossFn of the same kind: on Ŷ (K×c), Y (K×c), it gives
//   loss  = loss(Ŷ_k, Y_k, "sum"), divided by K for "mean" (the term of the mean loss)
//   grad  = K×c, zero but for row k, which is the gradient of that term
// A RangeError when k is not a row of Ŷ; a ShapeError when Ŷ and Y differ in shape; whatever loss
// refuses (a row of Y that is not a distribution, say) it refuses too.
export function onlyRow<L extends LossFn>(loss: L, k: number): L {
  const term = (yhat: Matrix, y: Matrix, reduction: Reduction) => {
    if (!yhat.sameShape(y)) throw new ShapeError(`onlyRow(${loss.name})`, [yhat.shape, y.shape], "Ŷ and Y must have the same shape");
    if (!Number.isInteger(k) || k < 0 || k >= yhat.rows) {
      throw new RangeError(`onlyRow(${loss.name}): row ${String(k)} is not a row of a batch of ${yhat.rows}`);
    }
    const divisor = reduction === "mean" ? yhat.rows : 1;
    const row = loss(yhat.getRow(k), y.getRow(k), "sum");
    const g = lossGradient(row);
    const full = Matrix.fill(yhat.rows, yhat.cols, (i, j) => (i === k ? g.data[j] / divisor : 0));
    const value = row.loss / divisor;
    return loss.fromLogits ? { loss: value, dZ: full } : { loss: value, dYhat: full };
  };
  const named = Object.defineProperty(term, "name", { value: `onlyRow(${loss.name}, ${k})` });
  return Object.assign(named, { fromLogits: loss.fromLogits }) as unknown as L;
}
