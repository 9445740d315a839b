"""torch building blocks shared by the networks."""

from numbers import Integral

import torch
from torch import nn

ACTIVATIONS = {
    "leaky_relu": nn.LeakyReLU,
    "relu": nn.ReLU,
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "elu": nn.ELU,
    "gelu": nn.GELU,
}


def make_mlp(n_inputs, hidden_layer_sizes, n_outputs, activation):
    """Fully connected layers with ``activation`` after each hidden layer and a linear output.

    Widths must be positive integers and ``activation`` one of
    ``ACTIVATIONS``: a ValueError names what is wrong (torch would build a
    layer of width 0, or fail on a negative one with its own message).
    """
    hidden_layer_sizes = (
        (hidden_layer_sizes,)
        if isinstance(hidden_layer_sizes, Integral)
        else tuple(hidden_layer_sizes)
    )
    for name, value in (("inputs", n_inputs), ("outputs", n_outputs)):
        _check_width(value, f"the number of {name}")
    for size in hidden_layer_sizes:
        _check_width(size, f"hidden layer size in {hidden_layer_sizes}")
    if activation not in ACTIVATIONS:
        raise ValueError(
            f"Unknown activation {activation!r}; choose from {', '.join(sorted(ACTIVATIONS))}."
        )
    layers = []
    width = n_inputs
    for size in hidden_layer_sizes:
        layers += [nn.Linear(width, size), ACTIVATIONS[activation]()]
        width = size
    layers.append(nn.Linear(width, n_outputs))
    return nn.Sequential(*layers)


def _check_width(value, what):
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        raise ValueError(f"{what[0].upper()}{what[1:]} must be an integer >= 1; got {value!r}.")


class MLPModule(nn.Module):
    """Fully connected layers, ``activation`` after each hidden layer, linear output.

    With ``zero_output``, the output layer starts at zero (weights and
    bias): the untrained network predicts 0, as a correction added to
    another model's prediction should.
    """

    def __init__(self, n_inputs, hidden_layer_sizes, n_outputs, activation, zero_output=False):
        super().__init__()
        self.layers = make_mlp(n_inputs, hidden_layer_sizes, n_outputs, activation)
        if zero_output:
            nn.init.zeros_(self.layers[-1].weight)
            nn.init.zeros_(self.layers[-1].bias)

    def forward(self, x):
        return self.layers(x)


class FrozenHeadModule(nn.Module):
    """A trainable ``body`` followed by a ``head`` whose weights never change.

    The output is ``head(body(x)) * head_scale``; with ``body_scale > 0``,
    ``body(x) * body_scale`` is appended, so that one mean squared error
    weighs both (e.g. decoded spectra and the latent points they come from).
    The head's parameters take no gradient (so Adam, weight decay included,
    never touches them) and it stays in evaluation mode while the body trains.
    """

    def __init__(self, body, head, head_scale=1.0, body_scale=0.0):
        super().__init__()
        self.body = body
        self.head = head.requires_grad_(False)
        self.head_scale, self.body_scale = head_scale, body_scale

    def train(self, mode=True):
        super().train(mode)
        self.head.eval()
        return self

    def forward(self, x):
        inner = self.body(x)
        out = self.head(inner) * self.head_scale
        if self.body_scale:
            out = torch.cat([out, inner * self.body_scale], dim=-1)
        return out
