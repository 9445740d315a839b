"""Docstring text of the parameters every neural estimator shares, written once."""

import inspect

# {default} is filled from each estimator's own signature, so the documented
# defaults cannot drift from the real ones.
_SHARED_PARAMETERS = {
    "activation": """\
activation : {{"leaky_relu", "relu", "sigmoid", "tanh", "elu", "gelu"}}, default={default}
    Activation of the hidden layers. The output layer (and a VAE's
    bottleneck) is linear.""",
    "alpha": """\
alpha : float, default={default}
    L2 penalty: adds ``alpha`` times the sum of squared weights (not
    biases) to the loss, as Keras' ``l2(alpha)`` does.""",
    "lr": """\
lr : float, default={default}
    Learning rate of Adam.""",
    "batch_size": """\
batch_size : int, default={default}
    Samples per training batch.""",
    "max_epochs": """\
max_epochs : int, default={default}
    Number of epochs (an upper bound with early stopping).""",
    "early_stopping": """\
early_stopping : bool, default={default}
    Stop when the validation loss has not improved for ``patience``
    epochs, and keep the best weights.""",
    "validation_fraction": """\
validation_fraction : float or None, default={default}
    Fraction of the samples held out for the validation loss (and early
    stopping). None trains on all samples.""",
    "patience": """\
patience : int, default={default}
    Epochs without improvement before early stopping.""",
    "device": """\
device : {{"auto", "cpu", "cuda"}} or torch.device, default={default}
    Where to train and infer; ``"auto"`` uses CUDA when present. A model
    fitted on a GPU loads and predicts on a CPU-only machine.""",
    "random_state": """\
random_state : int, RandomState instance or None, default={default}
    Seeds the weights, the validation split, the batch order and any
    sampling noise. On CPU the same seed gives the same model.""",
    "verbose": """\
verbose : int, default={default}
    If > 0, print a table per epoch: the losses and the duration (colour
    codes only on a terminal). If > 1, also a progress bar within each epoch
    (batches, time left, running loss) when the output is a terminal.""",
    "inference_batch_size": """\
inference_batch_size : int, default={default}
    Samples per batch when predicting or transforming; bounds memory on
    large inputs.""",
}


def document_parameters(docs, marker):
    """A class decorator that replaces the ``marker`` line of a docstring by ``docs``.

    The parameters of ``docs`` that ``cls.__init__`` takes are documented in
    the order of its signature, each with its default there, indented like
    the marker line.
    """

    def decorate(cls):
        doc = cls.__doc__
        line = next(line for line in doc.splitlines() if line.strip() == marker)
        indent = line[: len(line) - len(line.lstrip())]
        entries = []
        for name, parameter in inspect.signature(cls.__init__).parameters.items():
            if name in docs:
                default = parameter.default
                shown = f'"{default}"' if isinstance(default, str) else repr(default)
                text = docs[name].format(default=shown)
                entries.append("\n".join(indent + row for row in text.splitlines()))
        cls.__doc__ = doc.replace(line, "\n".join(entries))
        return cls

    return decorate


fill_shared_parameters = document_parameters(_SHARED_PARAMETERS, "{shared_parameters}")


def fill_shared_parameters_but(*names):
    """``fill_shared_parameters`` leaving ``names`` to the class's own docstring."""
    docs = {name: text for name, text in _SHARED_PARAMETERS.items() if name not in names}
    return document_parameters(docs, "{shared_parameters}")
