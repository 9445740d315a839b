"""torch building blocks shared by the networks."""

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
    """Fully connected layers with ``activation`` after each hidden layer and a linear output."""
    layers = []
    width = n_inputs
    for size in hidden_layer_sizes:
        layers += [nn.Linear(width, size), ACTIVATIONS[activation]()]
        width = size
    layers.append(nn.Linear(width, n_outputs))
    return nn.Sequential(*layers)


class MLPModule(nn.Module):
    """Fully connected layers, ``activation`` after each hidden layer, linear output."""

    def __init__(self, n_inputs, hidden_layer_sizes, n_outputs, activation):
        super().__init__()
        self.layers = make_mlp(n_inputs, hidden_layer_sizes, n_outputs, activation)

    def forward(self, x):
        return self.layers(x)
