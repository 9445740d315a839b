"""VAEEncoder: a variational autoencoder as a scikit-learn transformer."""

import numbers

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils import check_array, check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data
from skorch.callbacks import EarlyStopping, PassthroughScoring
from skorch.dataset import ValidSplit

from sklspec.utils._torch import (
    as_float32,
    batched_forward,
    check_validation_fraction,
    fit_seeded,
    resolve_device,
    seed_from,
)
from sklspec.utils.validation import check_layer_sizes, check_positive_int, numeric_column_names
from sklspec.vae._callbacks import CyclicalKLAnnealing, _DivergenceCheck
from sklspec.vae._module import ACTIVATIONS, VAEModule
from sklspec.vae._net import _VAENet

_KL_SCHEDULES = ("constant", "cyclical")
_DISTRIBUTIONS = ("normal", "uniform")


class VAEEncoder(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Variational autoencoder of spectra, as a transformer to its latent space.

    ``fit`` trains a VAE (MLP encoder, reparameterization, MLP decoder)
    through skorch; ``transform`` returns the latent means (deterministic),
    ``inverse_transform`` decodes latent points to spectra and ``sample``
    decodes random latent points. The trained decoder is also available as
    a fitted :class:`VAEDecoder` in ``decoder_``, to use as a Pipeline step.

    The loss per spectrum is the summed squared reconstruction error plus
    ``beta`` times the KL divergence of the latent Gaussian from N(0, I). The
    scale of ``X`` therefore sets the balance between the two: scale the
    spectra (e.g. ``StandardScaler``) first. Training runs in float32.

    The papers' settings are in :data:`sklspec.vae.PRESETS`:
    ``VAEEncoder(**PRESETS["vrabel2023"])``.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(256,)
        Hidden layers of the encoder, from the input to the bottleneck.
    latent_dim : int, default=16
        Width of the latent space.
    decoder_hidden_layer_sizes : tuple of int, default=None
        Hidden layers of the decoder; None mirrors the encoder.
    activation : {"leaky_relu", "relu", "sigmoid", "tanh", "elu", "gelu"}, default="leaky_relu"
        Activation of the hidden layers. The bottleneck and the output are
        linear.
    beta : float, default=1.0
        Weight of the KL term; with ``kl_schedule="cyclical"``, the weight
        reached in each cycle.
    kl_schedule : {"constant", "cyclical"}, default="constant"
        ``"cyclical"``: the weight rises linearly from 0 to ``beta`` over the
        first ``kl_ratio`` of each of ``kl_cycles`` cycles (Fu et al. 2019),
        see :class:`CyclicalKLAnnealing`.
    kl_cycles : int, default=4
        Number of annealing cycles over ``max_epochs``.
    kl_ratio : float, default=0.5
        Fraction of each cycle during which the weight rises.
    alpha : float, default=0.0
        L2 penalty: adds ``alpha`` times the sum of squared weights (not
        biases) to the loss, as Keras' ``l2(alpha)`` does. The transfer paper
        used 1e-6.
    lr : float, default=1e-3
        Learning rate of Adam.
    batch_size : int, default=128
        Spectra per training batch.
    max_epochs : int, default=100
        Number of epochs (an upper bound with early stopping).
    early_stopping : bool, default=False
        Stop when the validation loss has not improved for ``patience``
        epochs, and keep the best weights.
    validation_fraction : float or None, default=0.1
        Fraction of the spectra held out to report validation losses and for
        early stopping. None trains on all spectra.
    patience : int, default=10
        Epochs without improvement before early stopping.
    device : {"auto", "cpu", "cuda"} or torch.device, default="auto"
        Where to train and infer; ``"auto"`` uses CUDA when present.
    random_state : int, RandomState instance or None, default=None
        Seeds the weights, the validation split, the batch order and the
        reparameterization noise. On CPU the same seed gives the same model.
    verbose : int, default=0
        If > 0, print a table per epoch: train and valid loss, reconstruction
        MSE and KL, the KL weight and the duration.
    inference_batch_size : int, default=4096
        Spectra per batch in ``transform`` and ``inverse_transform``; bounds
        memory on large inputs.

    Attributes
    ----------
    net_ : skorch.NeuralNet
        The trained skorch net; ``net_.module_`` is the torch module.
    decoder_ : VAEDecoder
        The fitted decoder, from latent points to spectra.
    history_ : skorch.History
        Per-epoch losses: ``train_loss``, ``train_recon`` (MSE per channel),
        ``train_kl`` (per spectrum), their ``valid_`` counterparts when a
        validation fraction is held out, and ``beta`` when annealing.
    latent_mean_ : ndarray of shape (latent_dim,)
        Mean of the latent means of the training spectra.
    latent_std_ : ndarray of shape (latent_dim,)
        Standard deviation of the latent means of the training spectra.
    latent_min_ : ndarray of shape (latent_dim,)
        Per-dimension minimum of the latent means of the training spectra.
    latent_max_ : ndarray of shape (latent_dim,)
        Per-dimension maximum of the latent means of the training spectra.
    n_features_in_ : int
        Number of channels seen during ``fit``.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Names of channels seen during ``fit``, when ``X`` has string
        column names.

    See Also
    --------
    VAEDecoder : The decoder as a transformer from latent points to spectra.
    sklearn.decomposition.PCA : A linear, deterministic latent space.

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklspec.datasets import make_peak_spectra
    >>> from sklspec.vae import VAEEncoder
    >>> X, _ = make_peak_spectra(n_samples=200, n_channels=100, random_state=0)
    >>> vae = VAEEncoder(hidden_layer_sizes=(64,), latent_dim=3, max_epochs=5,
    ...                  device="cpu", random_state=0)
    >>> Z = vae.fit_transform(X)
    >>> Z.shape
    (200, 3)
    >>> vae.inverse_transform(Z).shape
    (200, 100)
    >>> vae.get_feature_names_out()
    array(['vaeencoder0', 'vaeencoder1', 'vaeencoder2'], dtype=object)
    >>> vae.sample(4, distribution="uniform", random_state=0).shape
    (4, 100)
    """

    def __init__(
        self,
        hidden_layer_sizes=(256,),
        latent_dim=16,
        *,
        decoder_hidden_layer_sizes=None,
        activation="leaky_relu",
        beta=1.0,
        kl_schedule="constant",
        kl_cycles=4,
        kl_ratio=0.5,
        alpha=0.0,
        lr=1e-3,
        batch_size=128,
        max_epochs=100,
        early_stopping=False,
        validation_fraction=0.1,
        patience=10,
        device="auto",
        random_state=None,
        verbose=0,
        inference_batch_size=4096,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.latent_dim = latent_dim
        self.decoder_hidden_layer_sizes = decoder_hidden_layer_sizes
        self.activation = activation
        self.beta = beta
        self.kl_schedule = kl_schedule
        self.kl_cycles = kl_cycles
        self.kl_ratio = kl_ratio
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

    # ------------------------------------------------------------------ fit

    def _check_params(self, n_samples):
        hidden = check_layer_sizes(self.hidden_layer_sizes, "hidden_layer_sizes")
        if self.decoder_hidden_layer_sizes is None:
            decoder_hidden = hidden[::-1]
        else:
            decoder_hidden = check_layer_sizes(
                self.decoder_hidden_layer_sizes, "decoder_hidden_layer_sizes"
            )
        check_positive_int(self.latent_dim, "latent_dim")
        check_positive_int(self.batch_size, "batch_size")
        check_positive_int(self.max_epochs, "max_epochs")
        check_positive_int(self.patience, "patience")
        check_positive_int(self.inference_batch_size, "inference_batch_size")
        check_positive_int(self.kl_cycles, "kl_cycles")
        if self.activation not in ACTIVATIONS:
            raise ValueError(
                f"activation must be one of {sorted(ACTIVATIONS)}; got {self.activation!r}."
            )
        if self.kl_schedule not in _KL_SCHEDULES:
            raise ValueError(
                f"kl_schedule must be one of {_KL_SCHEDULES}; got {self.kl_schedule!r}."
            )
        for name, low in (("lr", 0.0), ("beta", 0.0), ("alpha", 0.0), ("kl_ratio", 0.0)):
            value = getattr(self, name)
            if not isinstance(value, numbers.Real) or not np.isfinite(value) or value < low:
                raise ValueError(f"{name} must be a finite number >= {low}; got {value!r}.")
        if self.lr == 0 or self.kl_ratio == 0:
            raise ValueError("lr and kl_ratio must be > 0.")

        check_validation_fraction(self.validation_fraction, n_samples, self.early_stopping)
        return hidden, decoder_hidden

    def _build_net(self, n_features, hidden, decoder_hidden, device, seed, n_conditions=0):
        callbacks = [
            ("train_recon", PassthroughScoring("train_recon", on_train=True)),
            ("train_kl", PassthroughScoring("train_kl", on_train=True)),
        ]
        if self.validation_fraction is not None:
            callbacks += [
                ("valid_recon", PassthroughScoring("valid_recon")),
                ("valid_kl", PassthroughScoring("valid_kl")),
            ]
            train_split = ValidSplit(self.validation_fraction, stratified=False, random_state=seed)
        else:
            train_split = None
        if self.early_stopping:
            callbacks.append(
                (
                    "early_stopping",
                    EarlyStopping(patience=self.patience, load_best=True, sink=self._print),
                )
            )
        else:
            callbacks.append(("divergence", _DivergenceCheck("train_recon")))
        if self.kl_schedule == "cyclical":
            callbacks.append(
                ("kl_annealing", CyclicalKLAnnealing(self.beta, self.kl_cycles, self.kl_ratio))
            )
        return _VAENet(
            VAEModule,
            module__n_features=n_features,
            module__hidden_layer_sizes=hidden,
            module__latent_dim=self.latent_dim,
            module__decoder_hidden_layer_sizes=decoder_hidden,
            module__activation=self.activation,
            module__n_conditions=n_conditions,
            criterion=torch.nn.MSELoss,  # unused: VAENet.get_loss computes the loss
            optimizer=torch.optim.Adam,
            lr=self.lr,
            # Adam's weight_decay adds wd * w to the gradient, the gradient of
            # (wd / 2) * ||w||^2; 2 * alpha gives Keras' l2(alpha). Biases are
            # not penalised.
            optimizer__weight_decay=2 * self.alpha,
            optimizer__param_groups=[("*.bias", {"weight_decay": 0.0})],
            kl_weight=0.0 if self.kl_schedule == "cyclical" else self.beta,
            batch_size=self.batch_size,
            max_epochs=self.max_epochs,
            train_split=train_split,
            iterator_train__shuffle=True,
            iterator_train__generator=torch.Generator().manual_seed(seed),
            callbacks=callbacks,
            device=device,
            verbose=self.verbose,
        )

    def _print(self, *args, **kwargs):
        if self.verbose:
            print(*args, **kwargs)

    def fit(self, X, y=None):
        """Train the variational autoencoder on spectra.

        Parameters
        ----------
        X : array-like of shape (n_spectra, n_channels)
            Training spectra, ideally scaled. float32 input (a memmap
            included) is used without a copy.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted estimator.

        Raises
        ------
        TrainingDivergedError
            If the loss becomes NaN or infinite, or, without early stopping, an
            epoch's reconstruction error jumps a hundredfold above the best
            epoch's (try a lower ``lr``).
        """
        self._numeric_columns = numeric_column_names(X)
        X = validate_data(self, X, dtype=[np.float32, np.float64])
        self._fit_net(X)

        from sklspec.vae._decoder import VAEDecoder

        self.decoder_ = VAEDecoder()._adopt(self)
        return self

    def _fit_net(self, X, conditions=None):
        """Train the net on validated spectra (and conditions, for a conditional VAE)."""
        hidden, decoder_hidden = self._check_params(X.shape[0])
        X32 = as_float32(X)
        device = resolve_device(self.device)
        seed = seed_from(self.random_state)

        n_conditions = 0 if conditions is None else conditions.shape[1]
        net = self._build_net(X.shape[1], hidden, decoder_hidden, device, seed, n_conditions)
        inputs = X32 if conditions is None else {"x": X32, "y": as_float32(conditions, "y")}
        # Seeds the weights and the reparameterization noise from random_state.
        self.net_ = fit_seeded(net, inputs, None, seed=seed, device=device)
        self.history_ = net.history

        latent = self._encode(X32)
        self.latent_mean_ = latent.mean(axis=0)
        self.latent_std_ = latent.std(axis=0)
        self.latent_min_ = latent.min(axis=0)
        self.latent_max_ = latent.max(axis=0)
        self._n_features_out = self.latent_dim

    # ------------------------------------------------------------ inference

    def _encode(self, X):
        module = self.net_.module_
        return batched_forward(
            lambda batch: module.encode(batch)[0],
            X,
            self.latent_dim,
            device=self.net_.device,
            batch_size=self.inference_batch_size,
            out_dtype=np.float32,
        )

    def _encode_posterior(self, X):
        """Latent mean and standard deviation of each spectrum (float32 arrays)."""
        module = self.net_.module_
        posterior = batched_forward(
            lambda batch: torch.cat(module.encode(batch), dim=-1),
            X,
            2 * self.latent_dim,
            device=self.net_.device,
            batch_size=self.inference_batch_size,
            out_dtype=np.float32,
        )
        mean, logvar = np.split(posterior, 2, axis=1)
        return mean, np.exp(0.5 * logvar)

    def _decode(self, Z, out_dtype):
        return batched_forward(
            self.net_.module_.decoder,
            Z,
            self.n_features_in_,
            device=self.net_.device,
            batch_size=self.inference_batch_size,
            out_dtype=out_dtype,
        )

    def transform(self, X):
        """Encode spectra to their latent means.

        Parameters
        ----------
        X : array-like of shape (n_spectra, n_channels)
            Spectra.

        Returns
        -------
        Z : ndarray of shape (n_spectra, latent_dim)
            Latent means (no sampling, so the result is deterministic), in
            the dtype of ``X``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float32, np.float64], reset=False)
        return self._encode(as_float32(X)).astype(X.dtype, copy=False)

    def inverse_transform(self, X):
        """Decode latent points to spectra.

        Parameters
        ----------
        X : array-like of shape (n_points, latent_dim)
            Latent coordinates.

        Returns
        -------
        X_spectra : ndarray of shape (n_points, n_channels)
            Decoded spectra, in the dtype of the input.
        """
        check_is_fitted(self)
        Z = self._check_latent(X)
        return self._decode(as_float32(Z, "Z"), Z.dtype)

    def _check_latent(self, Z):
        Z = check_array(Z, dtype=[np.float32, np.float64], input_name="Z")
        if Z.shape[1] != self.latent_dim:
            raise ValueError(
                f"The latent points have {Z.shape[1]} columns but this VAE's latent "
                f"space has latent_dim={self.latent_dim} dimensions."
            )
        return Z

    def sample(self, n_samples=1, *, distribution="normal", random_state=None):
        """Decode random latent points into new spectra.

        Parameters
        ----------
        n_samples : int, default=1
            Number of spectra to generate.
        distribution : {"normal", "uniform"}, default="normal"
            Where the latent points come from, fitted on the latent means of
            the training spectra, per dimension:

            - ``"normal"``: Gaussian with their mean (``latent_mean_``) and
              standard deviation (``latent_std_``), the normal distribution
              the encoder learned;
            - ``"uniform"``: uniform between their minimum and maximum
              (``latent_min_``, ``latent_max_``). These bounds cover exactly
              the region the training data were encoded into, at the same
              density everywhere: rare regions (the tails) are sampled as
              often as common ones, without extrapolating beyond the
              observed codes.
        random_state : int, RandomState instance or None, default=None
            Seed for the latent points.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_channels)
            Generated spectra (float32).
        """
        check_is_fitted(self)
        n_samples = check_positive_int(n_samples, "n_samples")
        if distribution not in _DISTRIBUTIONS:
            raise ValueError(f"distribution must be one of {_DISTRIBUTIONS}; got {distribution!r}.")
        rng = check_random_state(random_state)
        shape = (n_samples, self.latent_dim)
        if distribution == "normal":
            Z = rng.normal(self.latent_mean_, self.latent_std_, size=shape)
        else:
            Z = rng.uniform(self.latent_min_, self.latent_max_, size=shape)
        return self._decode(Z.astype(np.float32), np.float32)

    def score(self, X, y=None):
        """Minus the mean squared reconstruction error per channel.

        Spectra are encoded to their latent means and decoded; greater is
        better, 0 is a perfect reconstruction.

        Parameters
        ----------
        X : array-like of shape (n_spectra, n_channels)
            Spectra.
        y : None
            Ignored.

        Returns
        -------
        score : float
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float32, np.float64], reset=False)
        X32 = as_float32(X)
        reconstruction = self._decode(self._encode(X32), np.float32)
        return -float(np.mean((reconstruction.astype(np.float64) - X32) ** 2))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # cuBLAS reductions may differ from run to run; CPU training is reproducible.
        tags.non_deterministic = self.device != "cpu" and torch.cuda.is_available()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
