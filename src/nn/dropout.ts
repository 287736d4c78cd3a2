import { ShapeError } from "../core/errors.js";
import { Matrix } from "../core/matrix.js";
import type { Rng } from "../core/rng.js";
import type { Layer, LayerCache, Mode, Param } from "./layer.js";

// Inverted dropout (Srivastava, Hinton, Krizhevsky, Sutskever and Salakhutdinov, "Dropout: A Simple
// Way to Prevent Neural Networks from Overfitting", JMLR 15, 2014). In train mode every entry of the
// input is kept with probability p and zeroed otherwise, and the kept ones are divided by p:
//   M_kj = 1 with probability p, else 0     (K×m, a fresh mask for every forward pass)
//   A    = X ⊙ M / p                        (K×m)
// so that E[A] = X entry by entry. The paper scales the weights by p at test time instead; dividing
// by p while training ("inverted dropout", as in Karpathy's CS231n course notes, Stanford, "Neural
// Networks Part 2", on regularization) leaves eval mode the identity, A = X. The backward pass is
// the same mask again: dX = dA ⊙ M / p.
//
// A fresh mask makes the loss a different function at every evaluation, so a gradient check would
// compare numbers from different functions. freeze() keeps the last mask drawn for later forward
// passes (checkNetwork freezes every such layer for its check), and forSample(k) is then the layer
// that sample k sees: row k of that mask.

// What the forward pass keeps: X (K×m), A (K×m) and the mask M (K×m of 0s and 1s; null in eval
// mode, where nothing is dropped).
export interface DropoutCache extends LayerCache {
  X: Matrix;
  A: Matrix;
  mask: Matrix | null;
}

export type DropoutGrads = {
  dX: Matrix | null;
};

export class Dropout implements Layer<DropoutCache> {
  readonly kind = "Dropout";
  readonly p: number; // the probability of KEEPING an entry, in (0, 1]
  readonly rng: Rng; // the masks are drawn from it, one uniform per entry, row after row
  private last: Matrix | null = null; // the last mask drawn, or the frozen one
  private isFrozen = false;

  // p: the keep probability, in (0, 1] (p = 1 keeps everything: the identity); rng: where the
  // masks come from. Throws for any other p (p = 0 would drop everything and divide by 0).
  constructor(p: number, rng: Rng) {
    if (typeof p !== "number" || !(p > 0 && p <= 1)) {
      throw new Error(`Dropout: p is the probability of keeping an entry and must be in (0, 1], got ${String(p)}`);
    }
    this.p = p;
    this.rng = rng;
  }

  // Whether forward passes reuse the last mask instead of drawing new ones.
  get frozen(): boolean {
    return this.isFrozen;
  }

  // The last mask drawn (K×m of 0s and 1s), the one a frozen layer uses; null before the first
  // train-mode forward pass.
  get mask(): Matrix | null {
    return this.last;
  }

  params(): Param[] {
    return [];
  }

  // X (K×m) → A = X ⊙ M / p (train) or A = X (eval, a copy). A train-mode pass draws a fresh mask
  // M, K·m uniforms from rng with M_kj = [u < p], unless the layer is frozen and already holds one;
  // a frozen mask of another shape than X is a ShapeError.
  forward(X: Matrix, mode: Mode): DropoutCache {
    if (mode === "eval") return { X, A: X.clone(), mask: null };
    if (this.isFrozen && this.last !== null && !this.last.sameShape(X)) {
      const expected = "a frozen mask holds for batches of its own shape; unfreeze() to draw masks again";
      throw new ShapeError("Dropout.forward", [X.shape, this.last.shape], expected);
    }
    if (!(this.isFrozen && this.last !== null)) {
      this.last = Matrix.fill(X.rows, X.cols, () => (this.rng.uniform() < this.p ? 1 : 0));
    }
    const mask = this.last;
    return { X, A: X.mul(mask).scale(1 / this.p), mask };
  }

  // dA = ∂E/∂A (K×m) → dX = dA ⊙ M / p (train, the cache's mask) or dX = dA (eval), K×m; null
  // when withDX is false. A ShapeError when dA does not have the shape of A.
  backward(cache: DropoutCache, dA: Matrix, withDX = true): DropoutGrads {
    if (!dA.sameShape(cache.A)) {
      const expected = "dA must have the shape of the layer output A";
      throw new ShapeError("Dropout.backward", [dA.shape, cache.A.shape], expected);
    }
    if (!withDX) return { dX: null };
    return { dX: cache.mask === null ? dA.clone() : dA.mul(cache.mask).scale(1 / this.p) };
  }

  // Later forward passes reuse the last mask drawn; if none has been drawn yet, the next
  // train-mode pass draws one and keeps it.
  freeze(): void {
    this.isFrozen = true;
  }

  // Every train-mode forward pass draws a fresh mask again.
  unfreeze(): void {
    this.isFrozen = false;
  }

  // The layer sample k of the batch sees: a Dropout frozen to row k (1×m) of the frozen mask, on
  // the same rng, so that the per-sample path gives the batched gradients. Throws unless the layer
  // is frozen and holds a mask (a fresh mask per forward pass has no per-sample twin), and a
  // RangeError when k is not a row of that mask.
  forSample(k: number): Dropout {
    if (!this.isFrozen) {
      throw new Error(
        "Dropout.forSample: the layer draws a fresh mask on every forward pass, so a sample has no mask of " +
          "its own; freeze() it first (after a forward pass on the batch)",
      );
    }
    if (this.last === null) {
      throw new Error(
        "Dropout.forSample: the layer is frozen but has drawn no mask yet; run a forward pass on the batch first",
      );
    }
    if (!Number.isInteger(k) || k < 0 || k >= this.last.rows) {
      throw new RangeError(`Dropout.forSample: sample ${String(k)} is not a row of the frozen ${this.last.shape} mask`);
    }
    const single = new Dropout(this.p, this.rng);
    single.last = this.last.getRow(k);
    single.isFrozen = true;
    return single;
  }

  // An independent layer: a copy of the last mask and of the frozen state, and the SAME rng (an
  // Rng cannot be copied), so the clone and the original draw alternately from one stream and
  // neither replays the other's masks.
  clone(): Dropout {
    const copy = new Dropout(this.p, this.rng);
    copy.last = this.last === null ? null : this.last.clone();
    copy.isFrozen = this.isFrozen;
    return copy;
  }
}
