"""torch modules of the variational autoencoder."""

from collections.abc import Sequence
from numbers import Integral

import torch
from torch import nn

from sklspec._neural import make_mlp

# exp(logvar) overflows float32 above ~88; the ceiling only matters for a
# diverging model, whose loss is then caught as non-finite anyway. There is
# no floor: a very negative logvar underflows harmlessly to a zero variance,
# while a clamp there would zero the KL gradient that pulls it back (with
# cyclical KL annealing the encoder does drive logvar far below -30).
_LOGVAR_MAX = 30.0


class VAEModule(nn.Module):
    """Encoder to latent mean and log-variance, reparameterization, decoder.

    Parameters
    ----------
    n_features : int
        Channels of the spectra.
    hidden_layer_sizes : tuple of int
        Hidden layers of the encoder, from the input towards the bottleneck.
    latent_dim : int
        Width of the latent space.
    decoder_hidden_layer_sizes : tuple of int
        Hidden layers of the decoder, from the bottleneck towards the output.
    activation : str
        Activation of the hidden layers: ``"leaky_relu"``, ``"relu"``,
        ``"sigmoid"``, ``"tanh"``, ``"elu"`` or ``"gelu"``. The bottleneck and
        the output are linear.
    n_conditions : int, default=0
        Width of a condition vector ``y`` appended to the decoder's input (a
        conditional VAE, as in Sohn et al. 2015 and the augmentation paper's
        cVAE: the encoder sees the spectrum only). 0 for a plain VAE.
    """

    def __init__(
        self,
        n_features: int,
        hidden_layer_sizes: int | Sequence[int],
        latent_dim: int,
        decoder_hidden_layer_sizes: int | Sequence[int],
        activation: str,
        n_conditions: int = 0,
    ) -> None:
        super().__init__()
        if isinstance(latent_dim, bool) or not isinstance(latent_dim, Integral) or latent_dim < 1:
            raise ValueError(f"latent_dim must be an integer >= 1; got {latent_dim!r}.")
        self.latent_dim = latent_dim
        # One linear head gives both the mean and the log-variance.
        self.encoder = make_mlp(n_features, hidden_layer_sizes, 2 * latent_dim, activation)
        self.decoder = make_mlp(
            latent_dim + n_conditions, decoder_hidden_layer_sizes, n_features, activation
        )

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Latent mean and log-variance of each spectrum."""
        mean, logvar = self.encoder(x).chunk(2, dim=-1)
        return mean, logvar.clamp(max=_LOGVAR_MAX)

    def forward(
        self, x: torch.Tensor, y: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Reconstruction from a sampled latent point, with the latent mean and log-variance.

        A conditional VAE decodes the latent point together with the condition ``y``.
        """
        mean, logvar = self.encode(x)
        z = mean + torch.randn_like(mean) * torch.exp(0.5 * logvar)
        if y is not None:
            z = torch.cat([z, y], dim=-1)
        return self.decoder(z), mean, logvar
