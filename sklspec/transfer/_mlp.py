"""SpectralMLPRegressor: a multilayer perceptron trained through skorch."""

import copy
from collections.abc import Sequence

import numpy as np
import torch
from sklearn.base import RegressorMixin
from sklearn.utils.validation import check_is_fitted
from skorch import NeuralNetRegressor
from skorch.utils import to_tensor

from sklspec._neural import (
    BaseNeuralEstimator,
    FrozenHeadModule,
    MLPModule,
    TrainingLoopMixin,
    batch_weights,
    fill_shared_parameters,
    with_sample_weight,
)
from sklspec.utils._fit import fit_context
from sklspec.utils._typing import ArrayLike, RandomStateLike, Self
from sklspec.utils.validation import as_2d_targets, normalized_sample_weight, validate_spectra


class _MLPNet(TrainingLoopMixin, NeuralNetRegressor):
    """skorch's regressor net, passing Ctrl-C on to the caller; rows weighted when given."""

    def get_loss(self, y_pred, y_true, X=None, training=False):
        weights = batch_weights(X, self.device)
        if weights is None:
            return super().get_loss(y_pred, y_true, X=X, training=training)
        y_true = to_tensor(y_true, device=self.device)
        squared = ((y_pred - y_true.reshape(y_pred.shape)) ** 2).reshape(len(y_pred), -1)
        return torch.mean(squared.mean(dim=1) * weights)


@fill_shared_parameters
class SpectralMLPRegressor(RegressorMixin, BaseNeuralEstimator):
    """Multilayer perceptron regressor trained through skorch (CUDA when present).

    The transfer paper's networks: fully connected hidden layers with one
    activation, a linear output layer, mean squared error, Adam, and early
    stopping on a held-out validation fraction. It serves as the mapping
    network of :class:`LatentTransferRegressor` and, with the mapping
    network's and the decoder's layers stacked, as the paper's "one-step
    MLP" baseline (see :func:`sklspec.papers.paper_transfer_models`).

    Compared with :class:`sklearn.neural_network.MLPRegressor`: trains on a
    GPU, in float32, in mini-batches from memory maps, with leaky ReLU. For
    small problems on a CPU, MLPRegressor serves as well.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(128, 512)
        Hidden layers, from the input on; the paper's mapping network.
    {shared_parameters}

    Attributes
    ----------
    net_ : skorch.NeuralNetRegressor
        The trained net; ``net_.module_`` is the torch module.
    history_ : skorch.History
        Per-epoch ``train_loss`` and ``valid_loss``.
    n_iter_ : int
        Number of epochs run.
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

    _module_class = MLPModule
    _net_class = _MLPNet
    _model_name = "MLP"

    def __init__(
        self,
        hidden_layer_sizes: int | Sequence[int] = (128, 512),
        activation: str = "leaky_relu",
        *,
        alpha: float = 0.0,
        lr: float = 1e-4,
        batch_size: int = 128,
        max_epochs: int = 100,
        early_stopping: bool = True,
        validation_fraction: float = 0.1,
        patience: int = 10,
        device: str | torch.device = "auto",
        random_state: RandomStateLike = None,
        verbose: int = 0,
        inference_batch_size: int = 4096,
    ) -> None:
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

    def _module_params(self, n_features, n_outputs):
        return {
            "n_inputs": n_features,
            "hidden_layer_sizes": self._layer_sizes("hidden_layer_sizes"),
            "n_outputs": n_outputs,
            "activation": self.activation,
        }

    def _net_dims(self):
        return self.n_features_in_, self.n_outputs_

    @fit_context
    def fit(self, X: ArrayLike, y: ArrayLike, sample_weight: ArrayLike | None = None) -> Self:
        """Train the network.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs (e.g. secondary spectra), ideally scaled.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets (e.g. primary spectra or latent coordinates).
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample's squared error in the loss (training and
            validation alike), e.g. the inverse of its number of replicate
            spectra. Weights are rescaled to mean 1, so an integer weight
            counts as that many copies of the sample; None weighs all alike.

        Returns
        -------
        self : object
            The fitted estimator.

        Raises
        ------
        TrainingDivergedError
            If the loss becomes NaN or infinite, explodes a thousandfold above
            the untrained network's, or, without early stopping, an epoch's
            loss jumps a hundredfold above the best epoch's (try a lower
            ``lr``).
        """
        X, y = validate_spectra(
            self, X, y, multi_output=True, y_numeric=True, dtype=[np.float32, np.float64]
        )
        Y = as_2d_targets(y)
        inputs = with_sample_weight(X, normalized_sample_weight(sample_weight, X))
        net = self._train(inputs, Y, X.shape[1], Y.shape[1])
        self.net_, self.history_, self.n_iter_ = net, net.history, len(net.history)
        self.n_outputs_, self._y_1d = Y.shape[1], y.ndim == 1
        return self

    @fit_context
    def partial_fit(self, X: ArrayLike, y: ArrayLike) -> Self:
        """Train one more epoch on ``X`` and ``y``, continuing the fitted network.

        The first call builds the network for the data's widths; later
        calls continue its weights and Adam's state and must give the same
        widths. Each call is one pass over all the data it is given, in
        mini-batches, with no validation split and no early stopping (as
        scikit-learn's MLPs); the divergence check stays. This is what
        searches that budget epochs (successive halving, Hyperband) need. A
        model loaded from a file continues with a fresh optimiser state.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.

        Returns
        -------
        self : object
            The estimator, one epoch further.

        Raises
        ------
        TrainingDivergedError
            If the loss becomes NaN or infinite, or explodes a thousandfold
            above the first batch's.
        """
        first = not hasattr(self, "net_")
        X, y = validate_spectra(
            self,
            X,
            y,
            multi_output=True,
            y_numeric=True,
            dtype=[np.float32, np.float64],
            reset=first,
        )
        Y = as_2d_targets(y)
        if not first and Y.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {Y.shape[1]} columns, but this network was fitted with "
                f"{self.n_outputs_}; partial_fit must be given the same targets."
            )
        net = self._train_one_epoch(X, Y, X.shape[1], Y.shape[1])
        self.net_, self.history_, self.n_iter_ = net, net.history, len(net.history)
        self.n_outputs_, self._y_1d = Y.shape[1], y.ndim == 1
        return self

    def _fine_tuned(self, X, Y, head, *, anchor=None, anchor_weight=0.0, sample_weight=None):
        """A copy of this fitted network trained further through a frozen ``head``.

        The loss is the mean squared error between ``head(network(X))`` and
        ``Y`` (e.g. a VAE's decoder and the spectra it should decode to),
        plus ``anchor_weight`` times the mean squared error between
        ``network(X)`` and ``anchor`` (e.g. the latent means it was first
        fitted to), each averaged over its own columns. It trains with this
        estimator's optimiser settings, validation split and early stopping,
        each row's error weighted by ``sample_weight`` when given.
        ``head`` is copied and never changes. Returns the copy and the
        fine-tuning's skorch history; ``self`` is left as it is.
        """
        check_is_fitted(self)
        n_head, n_body = Y.shape[1], self.n_outputs_
        body_scale = 0.0
        if anchor_weight > 0:
            # One MSE over [head * a, body * b] weighs the two means as asked.
            n_all = n_head + n_body
            head_scale = np.sqrt(n_all / n_head)
            body_scale = np.sqrt(anchor_weight * n_all / n_body)
            Y = np.hstack([np.asarray(Y) * head_scale, np.asarray(anchor) * body_scale])
        else:
            head_scale = 1.0
        module = FrozenHeadModule(
            copy.deepcopy(self.net_.module_), copy.deepcopy(head), head_scale, body_scale
        )
        Y = np.asarray(Y)
        inputs = with_sample_weight(X, normalized_sample_weight(sample_weight, X))
        net = self._train(inputs, Y, X.shape[1], Y.shape[1], module=module)
        tuned = copy.deepcopy(self)
        tuned.net_.module_.load_state_dict(net.module_.body.state_dict())
        tuned.net_.module_.eval()
        return tuned, net.history

    def predict(self, X: ArrayLike) -> np.ndarray:
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
        X = validate_spectra(self, X, dtype=[np.float32, np.float64], reset=False)
        prediction = self._forward(self.net_.module_, X, self.n_outputs_, X.dtype)
        return prediction.ravel() if self._y_1d else prediction

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
