"""The plain-numpy reference: a tight hand-written training loop for a ReLU MLP.

No framework, no abstraction: preallocated float32 buffers, in-place updates,
one permutation per epoch, and Keras's Adam rule (the same arithmetic
minikeras performs), so the two produce the same trajectory from the same
initial weights. tests/test_fast_paths.py holds ``fit``'s results to it, and
benchmarks/ times it as the speed minikeras is held to (the "numpy floor").
"""
import math

import numpy as np


class NumpyMLP:
    """A ReLU MLP trained with Adam, with either output a classifier needs.

    ``output="softmax"``: softmax + cross-entropy on integer labels;
    ``output="sigmoid"``: one sigmoid unit + binary cross-entropy on 0/1 labels.
    Both use the fused gradient ``dL/dz = (p - y) / batch``.

    Args:
        weights: ``[W1, b1, W2, b2, ...]`` float32 arrays (copied).
        batch_size: minibatch size.
        output: ``"softmax"`` or ``"sigmoid"``.
        learning_rate, beta_1, beta_2, epsilon: Keras's Adam settings.
    """

    def __init__(self, weights, batch_size, output="softmax", learning_rate=1e-3, beta_1=0.9,
                 beta_2=0.999, epsilon=1e-7):
        self.output = output
        self.params = [np.array(w, dtype=np.float32) for w in weights]
        self.kernels, self.biases = self.params[0::2], self.params[1::2]
        self.grads = [np.zeros_like(p) for p in self.params]
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.tmp = [np.empty_like(p) for p in self.params]
        self.lr, self.b1, self.b2, self.eps = learning_rate, beta_1, beta_2, epsilon
        self.t = 0
        self.batch_size = batch_size
        widths = [w.shape[1] for w in self.kernels]
        self.acts = [np.empty((batch_size, n), np.float32) for n in widths]
        self.deltas = [np.empty((batch_size, n), np.float32) for n in widths]
        self.xb = np.empty((batch_size, self.kernels[0].shape[0]), np.float32)
        self.yb = np.empty(batch_size, np.intp if output == "softmax" else np.float32)

    def _forward(self, x, acts):
        a = x
        last = len(self.kernels) - 1
        for i, (w, b) in enumerate(zip(self.kernels, self.biases)):
            z = acts[i][:len(x)]
            np.matmul(a, w, out=z)
            z += b
            if i < last:
                np.maximum(z, 0, out=z)
            a = z
        if self.output == "sigmoid":
            np.tanh(a * np.float32(0.5), out=a)    # sigmoid(z) = (1 + tanh(z/2)) / 2
            a += 1
            a *= np.float32(0.5)
            return a
        # softmax in place, with the row maximum subtracted
        a -= a.max(axis=1, keepdims=True)
        np.exp(a, out=a)
        a /= a.sum(axis=1, keepdims=True)
        return a

    def train_epoch(self, x, y, rng):
        """One epoch over ``(x, y)``; returns the mean training loss."""
        n = len(x)
        order = rng.permutation(n)
        total = 0.0
        for start in range(0, n, self.batch_size):
            index = order[start:start + self.batch_size]
            m = len(index)
            xb = np.take(x, index, axis=0, out=self.xb[:m])
            yb = np.take(y, index, out=self.yb[:m])
            p = self._forward(xb, self.acts)
            if self.output == "sigmoid":
                p = p[:, 0]
                total -= float(np.sum(np.log(np.maximum(np.where(yb == 1, p, 1 - p), 1e-30))))
                p -= yb                     # dL/dz = (p - y) / m
            else:
                rows = np.arange(m)
                total -= float(np.sum(np.log(np.maximum(p[rows, yb], 1e-30))))
                p[rows, yb] -= 1            # dL/dz = (p - onehot) / m
            p *= np.float32(1.0 / m)
            p = p.reshape(m, -1)
            self._backward(xb, p, m)
            self._adam()
        return total / n

    def _backward(self, xb, delta, m):
        for i in range(len(self.kernels) - 1, -1, -1):
            a_prev = xb if i == 0 else self.acts[i - 1][:m]
            np.matmul(a_prev.T, delta, out=self.grads[2 * i])
            np.sum(delta, axis=0, out=self.grads[2 * i + 1])
            if i > 0:
                d_prev = self.deltas[i - 1][:m]
                np.matmul(delta, self.kernels[i].T, out=d_prev)
                d_prev *= a_prev > 0          # ReLU derivative, from its output
                delta = d_prev

    def _adam(self):
        self.t += 1
        alpha = self.lr * math.sqrt(1 - self.b2 ** self.t) / (1 - self.b1 ** self.t)
        for p, g, m, v, tmp in zip(self.params, self.grads, self.m, self.v, self.tmp):
            np.subtract(g, m, out=tmp)
            tmp *= 1 - self.b1
            m += tmp
            np.square(g, out=tmp)
            tmp -= v
            tmp *= 1 - self.b2
            v += tmp
            np.sqrt(v, out=tmp)
            tmp += self.eps
            np.divide(m, tmp, out=tmp)
            tmp *= alpha
            p -= tmp

    def predict(self, x, batch_size=1024):
        out = np.empty((len(x), self.kernels[-1].shape[1]), np.float32)
        acts = [np.empty((batch_size, w.shape[1]), np.float32) for w in self.kernels]
        for start in range(0, len(x), batch_size):
            xb = x[start:start + batch_size]
            out[start:start + len(xb)] = self._forward(xb, acts)
        return out
