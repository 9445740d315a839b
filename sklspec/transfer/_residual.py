"""ResidualMLPRegressor: a linear model, plus an MLP that learns what it misses."""

from collections.abc import Sequence
from numbers import Real

import numpy as np
import torch
from sklearn.base import RegressorMixin, clone
from sklearn.linear_model import RidgeCV
from sklearn.utils.validation import check_is_fitted

from sklspec._neural import (
    BaseNeuralEstimator,
    MLPModule,
    fill_shared_parameters_but,
    with_sample_weight,
)
from sklspec.transfer._mlp import _MLPNet
from sklspec.utils._fit import fit_context
from sklspec.utils._routing import check_takes_sample_weight
from sklspec.utils._seeding import seed_from, seed_random_states
from sklspec.utils._sklearn_compat import HasMethods, Interval
from sklspec.utils._typing import ArrayLike, EstimatorLike, RandomStateLike, Self
from sklspec.utils.validation import as_2d_targets, normalized_sample_weight, validate_spectra

#: The ridge penalties sklspec's linear mappings choose from (``RidgeCV``'s
#: efficient leave-one-out): 1e-3 to 1e4, a decade apart.
RIDGE_ALPHAS = tuple(10.0**k for k in range(-3, 5))


@fill_shared_parameters_but("alpha", "lr")
class ResidualMLPRegressor(RegressorMixin, BaseNeuralEstimator):
    """A linear regressor with an MLP correction of its residuals: never worse than its base.

    ``fit`` fits ``base`` (ridge regression by default) and freezes it,
    then trains a multilayer perceptron on what the base leaves:
    ``predict(X) = base.predict(X) + mlp(X)``. The MLP's output layer
    starts at zero, so training starts from the base's predictions, and
    early stopping on validation data (another day's spectra given to
    ``fit``, or a held-out fraction) keeps the correction only as far as it
    helps there: the model cannot end worse than its base on that data.

    This is the mapper with a linear path that spectral transfer needs:
    between two spectrometers most of the map is linear, which an MLP alone
    learns poorly from few pairs, while the nonlinear rest (plasma
    conditions, detector response) is what a linear model cannot learn.
    Use it as :class:`LatentTransferRegressor`'s ``mapper`` (secondary
    spectra to the latent codes of a library) or on its own from secondary
    to primary spectra. Scale the inputs (e.g. ``SpectralScaler``) first;
    after a ``PCA`` step, the correction sees the principal-component
    scores, which trains faster on wide spectra.

    Parameters
    ----------
    base : regressor or None, default=None
        The linear model, cloned and fitted on ``X`` and ``y``. None means
        ``RidgeCV`` with penalties ``1e-3`` to ``1e4`` (chosen by
        leave-one-out cross-validation); ``PLSRegression`` fits too.
    hidden_layer_sizes : tuple of int, default=(64,)
        Hidden layers of the correction.
    alpha : float, default=1e-2
        Decoupled weight decay of AdamW (weights, not biases): each step
        shrinks the weights by ``lr * alpha`` of themselves.
    lr : float, default=1e-3
        Learning rate of AdamW.
    {shared_parameters}

    Attributes
    ----------
    base_ : regressor
        The fitted linear model.
    net_ : skorch.NeuralNetRegressor
        The trained correction; ``net_.module_`` is the torch module.
    history_ : skorch.History
        Per-epoch ``train_loss`` and ``valid_loss``: mean squared residual
        after the correction, in units of ``residual_scale_`` (1 is the
        base alone on the training data).
    residual_scale_ : float
        Root mean square of the base's residuals on the training data; the
        correction learns residuals divided by it.
    n_iter_ : int
        Number of epochs run.
    base_validation_loss_ : float or None
        Mean squared residual of the base alone on the validation data
        given to ``fit`` (None without): the correction's starting point.
    n_outputs_ : int
        Number of targets.
    n_features_in_ : int
        Number of input channels.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Input channel names, when ``X`` has string column names.

    See Also
    --------
    SpectralMLPRegressor : An MLP without a linear path.
    LatentTransferRegressor : Uses a mapper into a library's latent space.

    Examples
    --------
    >>> import numpy as np
    >>> from sklspec.transfer import ResidualMLPRegressor
    >>> rng = np.random.default_rng(0)
    >>> W = rng.normal(size=(10, 4))
    >>> def pairs(n):  # mostly linear, with a nonlinear part
    ...     X = rng.normal(size=(n, 10))
    ...     return X, X @ W + np.tanh(X[:, :4]) ** 2
    >>> X, Y = pairs(300)
    >>> X_val, Y_val = pairs(100)  # e.g. another day's pairs
    >>> model = ResidualMLPRegressor(hidden_layer_sizes=(32,), device="cpu", random_state=0)
    >>> model = model.fit(X, Y, X_val=X_val, y_val=Y_val)
    >>> round(float(np.mean((model.base_.predict(X_val) - Y_val) ** 2)), 3)  # ridge alone
    0.105
    >>> round(float(np.mean((model.predict(X_val) - Y_val) ** 2)), 3)  # with the correction
    0.02
    """

    _parameter_constraints: dict = {
        **BaseNeuralEstimator._parameter_constraints,
        "base": [HasMethods(["fit", "predict"]), None],
        "alpha": [Interval(Real, 0, np.inf, closed="left")],
    }

    _module_class = MLPModule
    _net_class = _MLPNet
    _model_name = "residual MLP"
    _optimizer = torch.optim.AdamW

    def __init__(
        self,
        base: EstimatorLike | None = None,
        hidden_layer_sizes: int | Sequence[int] = (64,),
        activation: str = "leaky_relu",
        *,
        alpha: float = 1e-2,
        lr: float = 1e-3,
        batch_size: int = 128,
        max_epochs: int = 200,
        early_stopping: bool = True,
        validation_fraction: float = 0.1,
        patience: int = 20,
        device: str | torch.device = "auto",
        random_state: RandomStateLike = None,
        verbose: int = 0,
        inference_batch_size: int = 4096,
    ) -> None:
        self.base = base
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

    def _weight_decay(self):
        return self.alpha  # AdamW's decay is decoupled: alpha is the rate itself

    def _module_params(self, n_features, n_outputs):
        return {
            "n_inputs": n_features,
            "hidden_layer_sizes": self._layer_sizes("hidden_layer_sizes"),
            "n_outputs": n_outputs,
            "activation": self.activation,
            "zero_output": True,
        }

    def _net_dims(self):
        return self.n_features_in_, self.n_outputs_

    def _residuals(self, base, X, Y):
        return Y - np.asarray(base.predict(X)).reshape(Y.shape)

    @fit_context
    def fit(
        self,
        X: ArrayLike,
        y: ArrayLike,
        X_val: ArrayLike | None = None,
        y_val: ArrayLike | None = None,
        sample_weight: ArrayLike | None = None,
    ) -> Self:
        """Fit the base, then train the correction on its residuals.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs (e.g. scaled secondary spectra).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets (e.g. primary spectra, or a library's latent codes).
        X_val, y_val : array-like, default=None
            Validation data for early stopping, e.g. pairs measured on
            another day: the correction stops where it stops helping
            there. Given, all of ``X`` trains (``validation_fraction`` is
            not used); None holds out ``validation_fraction`` of ``X``.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample in the base's fit (its ``sample_weight``,
            as given) and in the correction's loss (rescaled to mean 1): an
            integer weight counts as that many copies. None weighs all alike.

        Returns
        -------
        self : object
            The fitted estimator.

        Raises
        ------
        TrainingDivergedError
            If the correction's loss becomes NaN or infinite, or explodes a
            thousandfold above the base's residuals.
        """
        X, y = validate_spectra(
            self, X, y, multi_output=True, y_numeric=True, dtype=[np.float32, np.float64]
        )
        if (X_val is None) != (y_val is None):
            raise ValueError("X_val and y_val go together: give both or neither.")
        Y = as_2d_targets(y)
        seed = seed_from(self.random_state)
        base = clone(RidgeCV(alphas=RIDGE_ALPHAS) if self.base is None else self.base)
        if self.random_state is not None:
            seed_random_states(base, seed)
        weights = normalized_sample_weight(sample_weight, X)
        if sample_weight is None:
            base.fit(X, y)
        else:
            check_takes_sample_weight(base, "base")
            # As given: a penalised base (Ridge) weighs its penalty against their sum.
            base.fit(X, y, sample_weight=sample_weight)
        residual = self._residuals(base, X, Y)
        # The correction learns residuals in units of their own root mean square:
        # Adam's steps, the weight decay and the divergence check then mean the
        # same whatever the targets' units and however well the base fits.
        squared = residual**2
        if weights is None:
            scale = float(np.sqrt(np.mean(squared)))
        else:
            scale = float(np.sqrt(np.average(squared.mean(axis=1), weights=weights)))
        scale = scale if scale > 0 and np.isfinite(scale) else 1.0
        residual /= scale
        validation, base_validation_loss = None, None
        if X_val is not None:
            X_val = validate_spectra(self, X_val, dtype=[np.float32, np.float64], reset=False)
            Y_val = np.asarray(y_val, dtype=np.float64).reshape(len(X_val), -1)
            if Y_val.shape[1] != Y.shape[1]:
                raise ValueError(
                    f"y_val has {Y_val.shape[1]} columns, but y has {Y.shape[1]}; they must "
                    "hold the same targets."
                )
            residual_val = self._residuals(base, X_val, Y_val)
            base_validation_loss = float(np.mean(residual_val**2))
            validation = (X_val, residual_val / scale)
        inputs = with_sample_weight(X, weights)
        net = self._train(inputs, residual, X.shape[1], Y.shape[1], validation=validation)
        net.train_split = None  # the validation data stay out of the fitted model
        self.base_, self.base_validation_loss_ = base, base_validation_loss
        self.residual_scale_ = scale
        self.net_, self.history_, self.n_iter_ = net, net.history, len(net.history)
        self.n_outputs_, self._y_1d = Y.shape[1], y.ndim == 1
        return self

    def predict(self, X: ArrayLike) -> np.ndarray:
        """The base's prediction plus the correction.

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
        correction = self._forward(self.net_.module_, X, self.n_outputs_, X.dtype)
        correction *= self.residual_scale_
        prediction = np.asarray(self.base_.predict(X)).reshape(correction.shape) + correction
        return prediction.ravel() if self._y_1d else prediction

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
