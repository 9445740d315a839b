"""What the VAE and the conditional VAE share: training, the latent space, sampling."""

from collections.abc import Sequence
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils import check_array, check_random_state
from sklearn.utils.validation import check_is_fitted
from skorch.callbacks import PassthroughScoring

from sklspec._neural import (
    BaseNeuralEstimator,
    as_float32,
    document_parameters,
    with_sample_weight,
)
from sklspec.utils._sklearn_compat import Interval, StrOptions
from sklspec.utils._typing import ArrayLike, RandomStateLike
from sklspec.utils.validation import (
    check_positive_int,
    normalized_sample_weight,
    validate_spectra,
)
from sklspec.vae._callbacks import CyclicalKLAnnealing
from sklspec.vae._module import VAEModule
from sklspec.vae._net import _VAENet

_DISTRIBUTIONS = ("normal", "uniform")

_VAE_PARAMETERS = {
    "hidden_layer_sizes": """\
hidden_layer_sizes : tuple of int, default={default}
    Hidden layers of the encoder, from the input to the bottleneck.""",
    "latent_dim": """\
latent_dim : int, default={default}
    Width of the latent space.""",
    "decoder_hidden_layer_sizes": """\
decoder_hidden_layer_sizes : tuple of int, default={default}
    Hidden layers of the decoder; None mirrors the encoder.""",
    "beta": """\
beta : float, default={default}
    Weight of the KL term; with ``kl_schedule="cyclical"``, the weight
    reached in each cycle.""",
    "kl_schedule": """\
kl_schedule : {{"constant", "cyclical"}}, default={default}
    ``"cyclical"``: the weight rises linearly from 0 to ``beta`` over the
    first ``kl_ratio`` of each of ``kl_cycles`` cycles (Fu et al. 2019),
    see :class:`~sklspec.vae.CyclicalKLAnnealing`.""",
    "kl_cycles": """\
kl_cycles : int, default={default}
    Number of annealing cycles over ``max_epochs``.""",
    "kl_ratio": """\
kl_ratio : float, default={default}
    Fraction of each cycle during which the weight rises, in (0, 1].""",
}

#: Decorator documenting the VAE's own parameters at a ``{vae_parameters}`` line.
fill_vae_parameters = document_parameters(_VAE_PARAMETERS, "{vae_parameters}")


class _BaseVAE(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseNeuralEstimator):
    """A variational autoencoder of spectra, optionally conditioned on targets.

    The encoder sees the spectrum only; a conditional VAE's decoder also
    receives a condition vector. Subclasses implement ``fit``, decoding and
    sampling with or without conditions.
    """

    _parameter_constraints: dict = {
        **BaseNeuralEstimator._parameter_constraints,
        "latent_dim": [Interval(Integral, 1, None, closed="left")],
        "decoder_hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
            None,
        ],
        "beta": [Interval(Real, 0, np.inf, closed="left")],
        "kl_schedule": [StrOptions({"constant", "cyclical"})],
        "kl_cycles": [Interval(Integral, 1, None, closed="left")],
        "kl_ratio": [Interval(Real, 0, 1, closed="right")],
    }
    _module_class = VAEModule
    _net_class = _VAENet
    _model_name = "VAE"
    _monitor = "train_recon"

    def __init__(
        self,
        hidden_layer_sizes: int | Sequence[int] = (256,),
        latent_dim: int = 16,
        *,
        decoder_hidden_layer_sizes: int | Sequence[int] | None = None,
        beta: float = 1.0,
        kl_schedule: str = "constant",
        kl_cycles: int = 4,
        kl_ratio: float = 0.5,
        activation: str = "leaky_relu",
        alpha: float = 0.0,
        lr: float = 1e-3,
        batch_size: int = 128,
        max_epochs: int = 100,
        early_stopping: bool = False,
        validation_fraction: float | None = 0.1,
        patience: int = 10,
        device: str | torch.device = "auto",
        random_state: RandomStateLike = None,
        verbose: int = 0,
        inference_batch_size: int = 4096,
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.latent_dim = latent_dim
        self.decoder_hidden_layer_sizes = decoder_hidden_layer_sizes
        self.beta = beta
        self.kl_schedule = kl_schedule
        self.kl_cycles = kl_cycles
        self.kl_ratio = kl_ratio
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

    def _module_params(self, n_features, n_conditions):
        hidden = self._layer_sizes("hidden_layer_sizes")
        if self.decoder_hidden_layer_sizes is None:
            decoder_hidden = hidden[::-1]
        else:
            decoder_hidden = self._layer_sizes("decoder_hidden_layer_sizes")
        return {
            "n_features": n_features,
            "hidden_layer_sizes": hidden,
            "latent_dim": self.latent_dim,
            "decoder_hidden_layer_sizes": decoder_hidden,
            "activation": self.activation,
            "n_conditions": n_conditions,
        }

    def _net_dims(self):
        return self.n_features_in_, getattr(self, "n_conditions_", 0)

    def _scoring_callbacks(self, validation=True):
        callbacks = [
            ("train_recon", PassthroughScoring("train_recon", on_train=True)),
            ("train_kl", PassthroughScoring("train_kl", on_train=True)),
        ]
        if validation and self.validation_fraction is not None:
            callbacks += [
                ("valid_recon", PassthroughScoring("valid_recon")),
                ("valid_kl", PassthroughScoring("valid_kl")),
            ]
        return callbacks

    def _training_callbacks(self):
        if self.kl_schedule != "cyclical":
            return []
        return [("kl_annealing", CyclicalKLAnnealing(self.beta, self.kl_cycles, self.kl_ratio))]

    def _net_params(self):
        return {
            "criterion": torch.nn.MSELoss,  # unused: _VAENet.get_loss computes the loss
            "kl_weight": 0.0 if self.kl_schedule == "cyclical" else self.beta,
        }

    def _fit_vae(self, X, conditions=None, partial=False, sample_weight=None):
        """Train on validated spectra (and conditions); return the fitted attributes.

        ``partial``: one more epoch of the fitted VAE (or a first one).
        ``sample_weight``: per-spectrum weights of the loss (see
        :func:`~sklspec.utils.validation.normalized_sample_weight`).
        """
        n_conditions = 0 if conditions is None else conditions.shape[1]
        inputs = X if conditions is None else {"x": X, "y": conditions}
        inputs = with_sample_weight(inputs, normalized_sample_weight(sample_weight, X))
        train = self._train_one_epoch if partial else self._train
        net = train(inputs, None, X.shape[1], n_conditions)
        module = net.module_
        latent = self._forward(
            lambda b: module.encode(b)[0], X, self.latent_dim, np.float32, net=net
        )
        return {
            "net_": net,
            "history_": net.history,
            "n_iter_": len(net.history),
            "latent_mean_": latent.mean(axis=0),
            "latent_std_": latent.std(axis=0),
            "latent_min_": latent.min(axis=0),
            "latent_max_": latent.max(axis=0),
            "_n_features_out": self.latent_dim,
        }

    # ------------------------------------------------------------ latent space

    def _check_spectra(self, X):
        check_is_fitted(self)
        return validate_spectra(self, X, dtype=[np.float32, np.float64], reset=False)

    def transform(self, X: ArrayLike) -> np.ndarray:
        """Encode spectra to their latent means.

        Parameters
        ----------
        X : array-like of shape (n_spectra, n_channels)
            Spectra. A float64 input is converted batch by batch, never
            copied whole.

        Returns
        -------
        Z : ndarray of shape (n_spectra, latent_dim)
            Latent means (no sampling, so the result is deterministic), in
            the dtype of ``X``.
        """
        X = self._check_spectra(X)
        module = self.net_.module_
        Z = self._forward(lambda b: module.encode(b)[0], X, self.latent_dim, np.float32)
        return Z.astype(X.dtype, copy=False)

    def posterior(self, X: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """Mean and standard deviation of each spectrum's latent Gaussian.

        The encoder's posterior ``N(mean, std**2)`` per spectrum; together,
        over a set of spectra, they form the aggregate posterior (see
        :meth:`sample_latent`).

        Parameters
        ----------
        X : array-like of shape (n_spectra, n_channels)
            Spectra.

        Returns
        -------
        mean : ndarray of shape (n_spectra, latent_dim)
            Latent means (float32), as :meth:`transform` gives them.
        std : ndarray of shape (n_spectra, latent_dim)
            Latent standard deviations (float32).
        """
        X = self._check_spectra(X)
        module = self.net_.module_
        both = self._forward(
            lambda b: torch.cat(module.encode(b), dim=-1), X, 2 * self.latent_dim, np.float32
        )
        mean, logvar = np.split(both, 2, axis=1)
        return mean, np.exp(0.5 * logvar)

    def sample_latent(
        self,
        n_samples: int = 1,
        *,
        distribution: str = "normal",
        X: ArrayLike | None = None,
        random_state: RandomStateLike = None,
    ) -> np.ndarray:
        """Draw points of the latent space.

        Parameters
        ----------
        n_samples : int, default=1
            Number of points.
        distribution : {"normal", "uniform", "aggregate"}, default="normal"
            Where the points come from:

            - ``"normal"``: per dimension, a Gaussian with the mean
              (``latent_mean_``) and standard deviation (``latent_std_``) of
              the training spectra's latent means;
            - ``"uniform"``: per dimension, uniform between their minimum and
              maximum (``latent_min_``, ``latent_max_``): the region the
              training data were encoded into, at the same density
              everywhere, without extrapolating beyond it;
            - ``"aggregate"``: the aggregate posterior of the spectra ``X``,
              the mixture of their Gaussians (:meth:`posterior`): pick a
              spectrum of ``X`` at random, draw from its Gaussian. Points
              stay near real ones, with the correlations between latent
              dimensions that the per-dimension distributions ignore.
        X : array-like of shape (n_spectra, n_channels), default=None
            The spectra of the aggregate posterior (e.g. the training
            spectra); only with ``distribution="aggregate"``.
        random_state : int, RandomState instance or None, default=None
            Seed of the draws.

        Returns
        -------
        Z : ndarray of shape (n_samples, latent_dim)
            Latent points (float64).
        """
        check_is_fitted(self)
        n_samples = check_positive_int(n_samples, "n_samples")
        rng = check_random_state(random_state)
        shape = (n_samples, self.latent_dim)
        if distribution == "aggregate":
            if X is None:
                raise ValueError('distribution="aggregate" needs the spectra X of the mixture.')
            mean, std = self.posterior(X)
            rows = rng.randint(len(mean), size=n_samples)
            return rng.normal(mean[rows], std[rows])
        if distribution not in _DISTRIBUTIONS:
            raise ValueError(
                f"distribution must be one of {(*_DISTRIBUTIONS, 'aggregate')}; "
                f"got {distribution!r}."
            )
        if X is not None:
            raise ValueError('X is only used with distribution="aggregate".')
        if distribution == "normal":
            return rng.normal(self.latent_mean_, self.latent_std_, size=shape)
        return rng.uniform(self.latent_min_, self.latent_max_, size=shape)

    # ------------------------------------------------------------ decoding

    def _check_latent(self, Z):
        check_is_fitted(self)
        Z = check_array(Z, dtype=[np.float32, np.float64], input_name="Z")
        if Z.shape[1] != self.latent_dim:
            raise ValueError(
                f"The latent points have {Z.shape[1]} columns but this VAE's latent "
                f"space has latent_dim={self.latent_dim} dimensions."
            )
        return Z

    def _decode(self, decoder_input, out_dtype):
        """Spectra from decoder inputs (latent points, with conditions for a cVAE)."""
        return self._forward(
            self.net_.module_.decoder,
            decoder_input,
            self.n_features_in_,
            out_dtype,
            name="Z",
        )

    def _reconstruction_error(self, X, conditions=None):
        """Mean squared error per channel of spectra encoded to their means and decoded."""
        module = self.net_.module_
        squared, size = 0.0, 0
        with torch.inference_mode():
            for start in range(0, len(X), self.inference_batch_size):
                rows = slice(start, start + self.inference_batch_size)
                batch = np.ascontiguousarray(as_float32(np.asarray(X[rows])))
                latent = module.encode(torch.from_numpy(batch).to(self.net_.device))[0]
                if conditions is not None:
                    given = torch.from_numpy(as_float32(conditions[rows], "y"))
                    latent = torch.cat([latent, given.to(latent.device)], dim=-1)
                reconstruction = module.decoder(latent).cpu().numpy().astype(np.float64)
                squared += float(np.sum((reconstruction - batch) ** 2))
                size += batch.size
        return squared / size

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
