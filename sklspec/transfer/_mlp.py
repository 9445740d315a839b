"""SpectralMLPRegressor: a multilayer perceptron trained through skorch."""

import math
import numbers

import numpy as np
import torch
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data
from skorch import NeuralNetRegressor
from skorch.callbacks import EarlyStopping
from skorch.dataset import ValidSplit
from torch import nn

from sklspec.utils._torch import (
    as_float32,
    batched_forward,
    check_validation_fraction,
    fit_seeded,
    resolve_device,
    seed_from,
)
from sklspec.utils.validation import check_layer_sizes, check_positive_int
from sklspec.vae._callbacks import _DivergenceCheck
from sklspec.vae._module import ACTIVATIONS, make_mlp
from sklspec.vae._net import TrainingDivergedError


class MLPModule(nn.Module):
    """Fully connected layers, ``activation`` after each hidden layer, linear output."""

    def __init__(self, n_inputs, hidden_layer_sizes, n_outputs, activation):
        super().__init__()
        self.layers = make_mlp(n_inputs, hidden_layer_sizes, n_outputs, activation)

    def forward(self, x):
        return self.layers(x)


class _MLPNet(NeuralNetRegressor):
    """skorch regressor that stops with a clear error when the loss diverges."""

    def get_loss(self, y_pred, y_true, X=None, training=False):
        loss = super().get_loss(y_pred, y_true, X=X, training=training)
        if not math.isfinite(loss.item()):
            raise TrainingDivergedError(
                f"The MLP loss became NaN or infinite in epoch {len(self.history)} "
                f"(lr={self.lr}); training diverged. Try a lower lr or scale the "
                "inputs and targets (e.g. StandardScaler)."
            )
        return loss


class SpectralMLPRegressor(RegressorMixin, BaseEstimator):
    """Multilayer perceptron regressor trained through skorch (CUDA when present).

    The transfer paper's networks: fully connected hidden layers with one
    activation, a linear output layer, mean squared error, Adam, and early
    stopping on a held-out validation fraction. It serves as the mapping
    network of :class:`LatentTransferRegressor` and, with the mapping
    network's and the decoder's layers stacked, as the paper's "one-step
    MLP" baseline (see :func:`paper_transfer_models`).

    Compared with :class:`sklearn.neural_network.MLPRegressor`: trains on a
    GPU, in float32, in mini-batches from memory maps, with leaky ReLU. For
    small problems on a CPU, MLPRegressor serves as well.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(128, 512)
        Hidden layers, from the input on; the paper's mapping network.
    activation : {"leaky_relu", "relu", "sigmoid", "tanh", "elu", "gelu"}, default="leaky_relu"
        Activation of the hidden layers; the output is linear.
    alpha : float, default=0.0
        L2 penalty on the weights (not biases), as Keras' ``l2(alpha)``.
    lr : float, default=1e-4
        Learning rate of Adam.
    batch_size : int, default=128
        Samples per training batch.
    max_epochs : int, default=100
        Number of epochs (an upper bound with early stopping).
    early_stopping : bool, default=True
        Stop when the validation loss has not improved for ``patience``
        epochs, and keep the best weights.
    validation_fraction : float or None, default=0.1
        Fraction of the samples held out for the validation loss.
    patience : int, default=10
        Epochs without improvement before early stopping.
    device : {"auto", "cpu", "cuda"} or torch.device, default="auto"
        Where to train and predict; ``"auto"`` uses CUDA when present.
    random_state : int, RandomState instance or None, default=None
        Seeds the weights, the validation split and the batch order.
    verbose : int, default=0
        If > 0, print the losses per epoch.
    inference_batch_size : int, default=4096
        Samples per batch in ``predict``.

    Attributes
    ----------
    net_ : skorch.NeuralNetRegressor
        The trained net; ``net_.module_`` is the torch module.
    history_ : skorch.History
        Per-epoch ``train_loss`` and ``valid_loss``.
    n_outputs_ : int
        Number of targets.
    n_features_in_ : int
        Number of input channels.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Input channel names, when ``X`` has string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from sklspec.transfer import SpectralMLPRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 20))
    >>> Y = X[:, :5] * 2.0
    >>> mlp = SpectralMLPRegressor(hidden_layer_sizes=(32,), lr=1e-2, max_epochs=30,
    ...                            device="cpu", random_state=0).fit(X, Y)
    >>> mlp.predict(X[:2]).shape
    (2, 5)
    >>> round(mlp.score(X, Y), 1) > 0.9
    True
    """

    def __init__(
        self,
        hidden_layer_sizes=(128, 512),
        activation="leaky_relu",
        *,
        alpha=0.0,
        lr=1e-4,
        batch_size=128,
        max_epochs=100,
        early_stopping=True,
        validation_fraction=0.1,
        patience=10,
        device="auto",
        random_state=None,
        verbose=0,
        inference_batch_size=4096,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.alpha = alpha
        self.lr = lr
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.inference_batch_size = inference_batch_size

    def _check_params(self, n_samples):
        hidden = check_layer_sizes(self.hidden_layer_sizes, "hidden_layer_sizes")
        for name in ("batch_size", "max_epochs", "patience", "inference_batch_size"):
            check_positive_int(getattr(self, name), name)
        if self.activation not in ACTIVATIONS:
            raise ValueError(
                f"activation must be one of {sorted(ACTIVATIONS)}; got {self.activation!r}."
            )
        for name, strictly in (("lr", True), ("alpha", False)):
            value = getattr(self, name)
            if (
                not isinstance(value, numbers.Real)
                or not np.isfinite(value)
                or value < 0
                or (strictly and value == 0)
            ):
                rule = "> 0" if strictly else ">= 0"
                raise ValueError(f"{name} must be a finite number {rule}; got {value!r}.")
        check_validation_fraction(self.validation_fraction, n_samples, self.early_stopping)
        return hidden

    def _build_net(self, n_inputs, n_outputs, hidden, device, seed):
        if self.early_stopping:
            callbacks = [("early_stopping", EarlyStopping(patience=self.patience, load_best=True))]
        else:
            callbacks = [("divergence", _DivergenceCheck("train_loss", model="MLP"))]
        if self.validation_fraction is None:
            train_split = None
        else:
            train_split = ValidSplit(self.validation_fraction, stratified=False, random_state=seed)
        return _MLPNet(
            MLPModule,
            module__n_inputs=n_inputs,
            module__hidden_layer_sizes=hidden,
            module__n_outputs=n_outputs,
            module__activation=self.activation,
            optimizer=torch.optim.Adam,
            lr=self.lr,
            optimizer__weight_decay=2 * self.alpha,
            optimizer__param_groups=[("*.bias", {"weight_decay": 0.0})],
            batch_size=self.batch_size,
            max_epochs=self.max_epochs,
            train_split=train_split,
            iterator_train__shuffle=True,
            iterator_train__generator=torch.Generator().manual_seed(seed),
            callbacks=callbacks,
            device=device,
            verbose=self.verbose,
        )

    def fit(self, X, y):
        """Train the network.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs (e.g. secondary spectra), ideally scaled.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets (e.g. primary spectra or latent coordinates).

        Returns
        -------
        self : object
            The fitted estimator.

        Raises
        ------
        TrainingDivergedError
            If the loss becomes NaN or infinite, or, without early stopping,
            an epoch's loss jumps a hundredfold above the best epoch's (try a
            lower ``lr``).
        """
        X, y = validate_data(
            self, X, y, multi_output=True, y_numeric=True, dtype=[np.float32, np.float64]
        )
        hidden = self._check_params(X.shape[0])
        self._y_1d = y.ndim == 1
        Y = y.reshape(len(y), -1)
        X32, Y32 = as_float32(X), as_float32(np.asarray(Y, dtype=np.float64), "y")
        device = resolve_device(self.device)
        seed = seed_from(self.random_state)
        self.n_outputs_ = Y.shape[1]
        net = self._build_net(X.shape[1], self.n_outputs_, hidden, device, seed)
        self.net_ = fit_seeded(net, X32, Y32, seed=seed, device=device)
        self.history_ = self.net_.history
        return self

    def _forward(self, X32, out_dtype):
        return batched_forward(
            self.net_.module_,
            X32,
            self.n_outputs_,
            device=self.net_.device,
            batch_size=self.inference_batch_size,
            out_dtype=out_dtype,
        )

    def predict(self, X):
        """Predict the targets.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predictions, in the dtype of ``X``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float32, np.float64], reset=False)
        prediction = self._forward(as_float32(X), X.dtype)
        return prediction.ravel() if self._y_1d else prediction

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.non_deterministic = self.device != "cpu" and torch.cuda.is_available()
        return tags
