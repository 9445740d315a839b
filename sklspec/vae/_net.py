"""The skorch net that trains a :class:`VAEModule`: the loss and its parts."""

import torch
from skorch import NeuralNet
from skorch.utils import to_tensor

from sklspec._neural import InterruptibleNetMixin


def gaussian_kl(mean, logvar):
    """KL divergence of N(mean, exp(logvar)) from N(0, I), averaged over the batch."""
    return torch.mean(-0.5 * torch.sum(1 + logvar - mean**2 - logvar.exp(), dim=1))


class _VAENet(InterruptibleNetMixin, NeuralNet):
    """skorch ``NeuralNet`` whose loss is the VAE's negative ELBO.

    ``loss = n_channels * MSE(x, x_hat) + kl_weight * KL`` per spectrum,
    averaged over the batch: the summed squared error of a spectrum plus the
    weighted Kullback-Leibler divergence of its latent Gaussian from N(0, I).
    The reconstruction MSE (per channel) and the KL (per spectrum) are
    recorded per batch as ``{train,valid}_recon`` and ``{train,valid}_kl``.

    Parameters
    ----------
    *args, **kwargs
        As for :class:`skorch.NeuralNet`.
    kl_weight : float, default=1.0
        Weight of the KL term (beta). Callbacks may change it during
        training (see :class:`CyclicalKLAnnealing`).
    """

    def __init__(self, *args, kl_weight=1.0, **kwargs):
        super().__init__(*args, **kwargs)
        self.kl_weight = kl_weight

    def get_loss(self, y_pred, y_true, X=None, training=False):
        reconstruction, mean, logvar = y_pred
        # A conditional VAE gets {"x": spectra, "y": conditions}.
        x = to_tensor(X["x"] if isinstance(X, dict) else X, device=self.device)
        recon = torch.mean((reconstruction - x) ** 2)
        kl = gaussian_kl(mean, logvar)
        prefix = "train" if training else "valid"
        self.history.record_batch(f"{prefix}_recon", recon.item())
        self.history.record_batch(f"{prefix}_kl", kl.item())
        return x.shape[1] * recon + self.kl_weight * kl
