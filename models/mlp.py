"""A multilayer perceptron over one flat parameter vector, with hand-written backprop.

Flat layout: for each layer in order, ``W`` of shape ``(fan_in, fan_out)``
row-major, then ``b`` of shape ``(fan_out,)``. Hidden layers apply the
activation; the output layer is linear and gives logits (classification) or
the prediction (regression).

Parameters evaluate along the last axis like every objective of
:mod:`optim`: ``p`` of shape ``(dim,)`` or ``(n, dim)`` (``n`` networks at
once), so :func:`optim.run` trains it unchanged, on mini-batches too.

>>> from datasets import moons
>>> from models import MLP
>>> data = moons(200, seed=0)
>>> net = MLP((2, 16, 16, 2), "tanh", "cross_entropy", data.X, data.y)
>>> net.dim
354
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

import numpy as np

from models.activations import ACTIVATIONS, Activation
from models.errors import ModelError
from models.losses import LOSSES, Loss

Array = np.ndarray


class Forward(NamedTuple):
    """One forward pass: what a scene shows flowing through the layers.

    ``pre[l]`` is layer ``l``'s weighted input ``z = a W + b`` and ``post[l]``
    its output (the activation, or ``z`` itself for the output layer);
    ``post[-1]`` is the network's output. ``inputs`` is the data.
    """

    inputs: Array
    pre: list[Array]
    post: list[Array]

    def activation_of(self, layer: int) -> Array:
        """The input to ``layer`` (0: the data)."""
        return self.inputs if layer == 0 else self.post[layer - 1]


class Backward(NamedTuple):
    """The loss and, per layer, its gradient with respect to ``W`` and ``b``."""

    value: Array
    dW: list[Array]
    db: list[Array]
    forward: Forward


def parse_init(spec: str) -> tuple[str, float | None]:
    """``"xavier"``, ``"he"`` or ``"normal:SCALE"`` as ``(kind, scale)``."""
    kind, _, scale = str(spec).partition(":")
    if kind in ("xavier", "he") and not scale:
        return kind, None
    if kind == "normal":
        try:
            value = float(scale)
        except ValueError:
            value = float("nan")
        if np.isfinite(value) and value > 0:
            return kind, value
        raise ModelError(f"normal:SCALE needs a positive number, got {spec[:40]!r}")
    raise ModelError(f"init must be xavier, he or normal:SCALE, got {str(spec)[:40]!r}")


@dataclass(frozen=True, eq=False)
class MLP:
    """A multilayer perceptron and the mean loss it has on a dataset.

    Parameters
    ----------
    layers
        Widths from input to output, e.g. ``(2, 16, 16, 2)``.
    activation
        ``"tanh"``, ``"sigmoid"`` or ``"relu"`` (hidden layers).
    loss
        ``"cross_entropy"`` (softmax over the outputs; ``y`` holds class
        indices) or ``"mse"`` (one output; ``y`` holds targets).
    X, y
        The examples ``(N, layers[0])`` and their targets ``(N,)``.
    init
        ``"xavier"`` (Glorot uniform, torch's ``xavier_uniform_``), ``"he"``
        (normal with std ``sqrt(2 / fan_in)``, torch's ``kaiming_normal_``) or
        ``"normal:SCALE"`` (normal with std SCALE: a deliberately poor start).
        Biases start at zero.
    seed
        Seeds the initialisation (:attr:`start`).
    """

    layers: tuple[int, ...]
    activation: str
    loss: str
    X: Array
    y: Array
    init: str = "xavier"
    seed: int = 0
    name: str = "mlp"

    def __post_init__(self) -> None:
        layers = tuple(self.layers)
        if len(layers) < 2 or any(
            isinstance(w, bool) or not isinstance(w, int | np.integer) or w < 1 for w in layers
        ):
            raise ModelError(f"layers must be two or more positive integers, got {layers}")
        if sum(a * b + b for a, b in itertools.pairwise(layers)) > 10_000_000:
            raise ModelError("layers: more than 10 million parameters is beyond this model")
        object.__setattr__(self, "layers", tuple(int(w) for w in layers))
        if self.activation not in ACTIVATIONS:
            raise ModelError(
                f"activation must be one of {', '.join(ACTIVATIONS)}, got {self.activation!r}"
            )
        if self.loss not in LOSSES:
            raise ModelError(f"loss must be one of {', '.join(LOSSES)}, got {self.loss!r}")
        parse_init(self.init)
        X, y = np.asarray(self.X, dtype=float), np.asarray(self.y)
        if X.ndim != 2 or X.shape[1] != layers[0]:
            raise ModelError(f"X must have shape (N, {layers[0]}), got {X.shape}")
        if y.shape != (len(X),) or len(X) == 0:
            raise ModelError(f"y must have shape ({len(X)},), got {y.shape}")
        if self.loss_fn.classification:
            if not np.issubdtype(y.dtype, np.integer) or y.min() < 0 or y.max() >= layers[-1]:
                raise ModelError(f"y must hold class indices 0..{layers[-1] - 1}")
        elif layers[-1] != 1:
            raise ModelError("mse needs one output: the last layer width must be 1")
        if self.name == "mlp":
            shown = "-".join(map(str, layers))
            object.__setattr__(self, "name", f"mlp {shown} {self.activation}")
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y if self.loss_fn.classification else y.astype(float))

    # --- structure ---------------------------------------------------------------------

    @property
    def act(self) -> Activation:
        return ACTIVATIONS[self.activation]

    @property
    def loss_fn(self) -> Loss:
        return LOSSES[self.loss]

    @property
    def shapes(self) -> list[tuple[int, int]]:
        """``(fan_in, fan_out)`` of each layer."""
        return list(itertools.pairwise(self.layers))

    @cached_property
    def offsets(self) -> list[tuple[slice, slice]]:
        """Where each layer's ``W`` and ``b`` sit in the flat vector."""
        out, i = [], 0
        for fi, fo in self.shapes:
            out.append((slice(i, i + fi * fo), slice(i + fi * fo, i + fi * fo + fo)))
            i += fi * fo + fo
        return out

    @property
    def dim(self) -> int:
        return self.offsets[-1][1].stop

    @property
    def n_examples(self) -> int:
        return len(self.X)

    def unflatten(self, p: Array) -> list[tuple[Array, Array]]:
        """Per layer ``(W, b)``: views of ``p`` ``(..., dim)`` shaped ``(..., fan_in, fan_out)``
        and ``(..., fan_out)``."""
        p = np.asarray(p, dtype=float)
        if p.shape[-1:] != (self.dim,):
            raise ModelError(f"parameters must have last axis {self.dim}, got shape {p.shape}")
        lead = p.shape[:-1]
        return [
            (p[..., w].reshape(*lead, fi, fo), p[..., b])
            for (w, b), (fi, fo) in zip(self.offsets, self.shapes, strict=True)
        ]

    def flatten(self, dW: list[Array], db: list[Array]) -> Array:
        """The inverse of :meth:`unflatten`."""
        lead = db[0].shape[:-1]
        parts = []
        for w, b in zip(dW, db, strict=True):
            parts += [w.reshape(*lead, -1), b]
        return np.concatenate(parts, axis=-1)

    def init_params(self, seed: int | None = None) -> Array:
        """Initial parameters ``(dim,)`` by :attr:`init`, seeded."""
        kind, scale = parse_init(self.init)
        rng = np.random.default_rng(self.seed if seed is None else seed)
        dW, db = [], []
        for fi, fo in self.shapes:
            if kind == "xavier":
                bound = np.sqrt(6 / (fi + fo))
                dW.append(rng.uniform(-bound, bound, (fi, fo)))
            else:
                std = np.sqrt(2 / fi) if kind == "he" else scale
                dW.append(std * rng.standard_normal((fi, fo)))
            db.append(np.zeros(fo))
        return self.flatten(dW, db)

    @cached_property
    def start(self) -> Array:
        """The seeded initial parameters: where training starts by default."""
        return self.init_params()

    # --- forward and backward ------------------------------------------------------------

    def forward(self, p: Array, X: Array | None = None) -> Forward:
        """Every layer's weighted input and output for inputs ``X`` (default: the data)."""
        a = self.X if X is None else np.asarray(X, dtype=float)
        inputs, pre, post = a, [], []
        params = self.unflatten(p)
        for k, (W, b) in enumerate(params):
            z = a @ W + b[..., None, :]
            a = self.act.f(z) if k < len(params) - 1 else z
            pre.append(z)
            post.append(a)
        return Forward(inputs, pre, post)

    def backward(self, p: Array, X: Array | None = None, y: Array | None = None) -> Backward:
        """The loss and its gradient per layer, by the chain rule from the output back.

        ``delta`` is dLoss/dz for the current layer: at the output it comes
        from the loss; each step back multiplies by the layer's weights and
        by the activation's derivative.
        """
        fwd = self.forward(p, X)
        value, delta = self.loss_fn.value_and_grad(fwd.post[-1], self.y if y is None else y)
        params = self.unflatten(p)
        dW: list[Array] = [np.empty(0)] * len(params)
        db: list[Array] = [np.empty(0)] * len(params)
        for k in range(len(params) - 1, -1, -1):
            a_in = fwd.activation_of(k)
            dW[k] = np.swapaxes(a_in, -1, -2) @ delta
            db[k] = delta.sum(axis=-2)
            if k:
                W = params[k][0]
                delta = (delta @ np.swapaxes(W, -1, -2)) * self.act.df(
                    fwd.pre[k - 1], fwd.post[k - 1]
                )
        lead = value.shape
        dW = [np.broadcast_to(g, (*lead, *g.shape[-2:])) for g in dW]
        return Backward(value, dW, db, fwd)

    # --- the objective protocol of optim ------------------------------------------------

    def __call__(self, p: Array) -> Array:
        """Mean loss over the data at ``p`` ``(..., dim)``: shape ``(...)``."""
        return self.loss_fn.value(self.forward(p).post[-1], self.y)

    def value_and_grad(self, p: Array) -> tuple[Array, Array]:
        """Loss and flat gradient from one forward and one backward pass."""
        back = self.backward(p)
        return back.value, self.flatten(back.dW, back.db)

    def grad(self, p: Array) -> Array:
        """Flat gradient of the mean loss: shape like ``p``."""
        return self.value_and_grad(p)[1]

    def batch_grad(self, p: Array, idx: Array) -> Array:
        """Mean gradient over examples ``idx`` ``(n, batch)`` for parameters ``p`` ``(n, dim)``."""
        back = self.backward(p, self.X[idx], self.y[idx])
        return self.flatten(back.dW, back.db)

    # --- what scenes and the CLI read ---------------------------------------------------

    def layer_grad_norms(self, p: Array) -> Array:
        """Frobenius norm of dLoss/dW per layer, first layer first: ``(..., n_layers)``."""
        back = self.backward(p)
        return np.stack([np.sqrt((g * g).sum(axis=(-2, -1))) for g in back.dW], axis=-1)

    def predict(self, p: Array, X: Array | None = None) -> Array:
        """Class indices (classification) or predictions (regression) for ``X``."""
        out = self.forward(p, X).post[-1]
        return out.argmax(axis=-1) if self.loss_fn.classification else out[..., 0]

    def accuracy(self, p: Array, X: Array | None = None, y: Array | None = None) -> Array:
        """Share of examples classified right (classification only)."""
        if not self.loss_fn.classification:
            raise ModelError("accuracy is for classification; this network regresses")
        return (self.predict(p, X) == (self.y if y is None else y)).mean(axis=-1)
