"""The skorch net that trains a :class:`VAEModule`: the loss and its parts."""

import torch
from skorch import NeuralNet
from skorch.utils import to_tensor

from sklspec._neural import TrainingLoopMixin, batch_weights


def gaussian_kl(mean, logvar):
    """KL divergence of N(mean, exp(logvar)) from N(0, I), averaged over the batch."""
    return torch.mean(-0.5 * torch.sum(1 + logvar - mean**2 - logvar.exp(), dim=1))


class _VAENet(TrainingLoopMixin, NeuralNet):
    """skorch ``NeuralNet`` whose loss is the VAE's negative ELBO.

    ``loss = n_channels * MSE(x, x_hat) + kl_weight * KL`` per spectrum,
    averaged over the batch (weighted by the rows' ``sample_weight``, when
    the inputs carry them): the summed squared error of a spectrum plus the
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

    _transient_attributes = (*TrainingLoopMixin._transient_attributes, "_kl_weight_tensor")

    def __init__(self, *args, kl_weight=1.0, **kwargs):
        super().__init__(*args, **kwargs)
        self.kl_weight = kl_weight

    def _refresh_step_constants(self):
        # The loss reads the weight from a device tensor, so that a step
        # captured as a CUDA graph sees the weight the annealing sets.
        # One tensor for the whole fit: the graph reads it at a fixed address.
        weight = self.__dict__.get("_kl_weight_tensor")
        if weight is None:
            weight = self._kl_weight_tensor = torch.zeros((), device=self.device)
        weight.fill_(self.kl_weight)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        reconstruction, mean, logvar = y_pred
        # A conditional VAE gets {"x": spectra, "y": conditions}.
        x = to_tensor(X["x"] if isinstance(X, dict) else X, device=self.device)
        weights = batch_weights(X, self.device)
        if weights is None:
            recon = torch.mean((reconstruction - x) ** 2)
            kl = gaussian_kl(mean, logvar)
        else:
            # Each spectrum's terms weighted (weights of mean 1 over the data).
            recon = torch.mean(torch.mean((reconstruction - x) ** 2, dim=1) * weights)
            kl_each = -0.5 * torch.sum(1 + logvar - mean**2 - logvar.exp(), dim=1)
            kl = torch.mean(kl_each * weights)
        # Recorded per batch as {train,valid}_recon and _kl by TrainingLoopMixin.
        self._batch_values = {"recon": recon.detach(), "kl": kl.detach()}
        return x.shape[1] * recon + self._kl_weight_tensor * kl
