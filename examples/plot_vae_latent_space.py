"""
====================================
A variational autoencoder of spectra
====================================

:class:`~sklspec.vae.VAEEncoder` trains a VAE on spectra and maps them to a
small latent space. This example trains one on mixtures of three components,
follows its training losses, looks at the latent space, reconstructs held-out
spectra and generates new ones.
"""

# %%
import matplotlib.pyplot as plt
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklspec.datasets import make_peak_spectra
from sklspec.metrics import relative_squared_error
from sklspec.vae import VAEEncoder

X, amounts = make_peak_spectra(n_samples=1200, n_channels=200, n_components=3, random_state=0)
X_train, X_test = X[:1000], X[1000:]

# %%
# Scale, then train. The KL weight follows the transfer paper's cyclical
# annealing (4 cycles from 0 to ``beta``).
vae = VAEEncoder(
    hidden_layer_sizes=(128, 64),
    latent_dim=3,
    beta=0.5,
    kl_schedule="cyclical",
    lr=2e-3,
    batch_size=64,
    max_epochs=40,
    random_state=0,
)
model = make_pipeline(StandardScaler(), vae).fit(X_train)

history = vae.history_
fig, (loss_ax, beta_ax) = plt.subplots(1, 2, figsize=(9, 3.2))
loss_ax.plot(history[:, "train_recon"], label="train")
loss_ax.plot(history[:, "valid_recon"], label="validation")
loss_ax.set_yscale("log")
loss_ax.set_xlabel("epoch")
loss_ax.set_ylabel("reconstruction MSE per channel")
loss_ax.legend()
beta_ax.plot(history[:, "beta"], color="C2")
beta_ax.set_xlabel("epoch")
beta_ax.set_ylabel("KL weight (end of epoch)")
fig.tight_layout()

# %%
# The reconstruction error levels off near 0.4 per channel: the channels
# without peaks hold only noise, which no model can reconstruct, and standard
# scaling gives them as much weight as the peaks. On the original scale the
# error is small (see the RSE below).
#
# The latent means of held-out spectra, coloured by the amount of the first
# component: the latent space orders the spectra by composition.
Z = model.transform(X_test)
fig, ax = plt.subplots(figsize=(4.5, 4))
points = ax.scatter(Z[:, 0], Z[:, 1], c=amounts[1000:, 0], s=10, cmap="viridis")
fig.colorbar(points, label="amount of component 1")
ax.set_xlabel("vaeencoder0")
ax.set_ylabel("vaeencoder1")
fig.tight_layout()

# %%
# Reconstruct held-out spectra and score them on the original scale.
scaler = model[0]
reconstruction = scaler.inverse_transform(vae.inverse_transform(Z))
print(f"held-out RSE: {relative_squared_error(X_test, reconstruction):.4f}")

# %%
# Generate new spectra from latent points drawn from the normal distribution
# the encoder learned, and uniformly over the range of the training codes.
fig, axes = plt.subplots(1, 3, figsize=(10, 3), sharey=True)
axes[0].plot(X_test[:3].T, lw=0.8)
axes[0].set_title("held-out spectra")
for ax, distribution in zip(axes[1:], ["normal", "uniform"], strict=True):
    ax.plot(
        scaler.inverse_transform(vae.sample(3, distribution=distribution, random_state=0)).T, lw=0.8
    )
    ax.set_title(f"sampled, {distribution}")
for ax in axes:
    ax.set_xlabel("channel")
fig.tight_layout()

plt.show()
