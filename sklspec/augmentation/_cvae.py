"""The conditional VAE behind ``VAEAugmenter(conditional=True)``."""

import numpy as np
from sklearn.utils.validation import validate_data

from sklspec.vae._encoder import VAEEncoder


class _ConditionalVAE(VAEEncoder):
    """A VAEEncoder whose decoder also receives the targets (the paper's cVAE, 3.5.3).

    The encoder sees the spectrum only; the decoder gets the latent point
    and the target vector, so spectra can be generated for chosen targets.
    Private: :class:`VAEAugmenter` builds it from a ``VAEEncoder``'s
    parameters; ``transform`` (latent means) works as for a VAEEncoder.
    """

    def fit(self, X, y):
        X, y = validate_data(self, X, y, dtype=[np.float32, np.float64], multi_output=True)
        conditions = y.reshape(len(y), -1)
        self.n_conditions_ = conditions.shape[1]
        self._fit_net(X, conditions)
        return self

    def decode(self, Z, conditions):
        """Spectra decoded from latent points ``Z`` for target vectors ``conditions``."""
        return self._decode(np.hstack([Z, conditions]).astype(np.float32), np.float32)
