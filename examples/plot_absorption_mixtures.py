"""
==============================================
Simulated absorption spectra of salt solutions
==============================================

:func:`~sklspec.datasets.make_absorption_mixtures` simulates the augmentation
paper's data: UV-Vis absorption spectra (190-1000 nm, 911 channels) of
aqueous solutions of one to six of Zn2+, Cu2+, Li+, Fe3+, Ni2+ and NH4+, with
sulfate and nitrate, and the eight concentrations to predict.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from sklspec.datasets import make_absorption_mixtures

data = make_absorption_mixtures(random_state=0)
X, Y = data.data, data.target
print(X.shape, Y.shape)
print("solutions with 1..6 cations:", np.bincount(data.n_components)[1:])

# %%
# Single-ion solutions show each ion's bands: nitrate's strong band near
# 200 nm and weak one at 302 nm in every spectrum, iron's charge-transfer
# band in the UV, copper's and nickel's weak d-d bands in the visible. Below
# ~230 nm readings saturate at A = 4 (stray light).
fig, (full, visible) = plt.subplots(1, 2, figsize=(11, 3.8))
for ion in ["Cu2+", "Fe3+", "Ni2+", "Zn2+"]:
    column = data.target_names.index(ion)
    single = np.flatnonzero((data.n_components == 1) & (Y[:, column] > 0))
    strongest = single[np.argmax(Y[single, column])]
    label = f"{ion} {Y[strongest, column]:.2f} M"
    full.plot(data.wavelengths, X[strongest], lw=0.8, label=label)
    visible.plot(data.wavelengths, X[strongest], lw=0.8, label=label)
full.set_ylabel("absorbance")
visible.set_xlim(330, 1000)
visible.set_ylim(-0.05, 1.5)
for ax in (full, visible):
    ax.set_xlabel("wavelength (nm)")
visible.legend()
fig.tight_layout()

# %%
# The concentrations of each ion: a grid of dilutions of stock solutions.
fig, ax = plt.subplots(figsize=(8, 3))
ax.boxplot([Y[Y[:, i] > 0, i] for i in range(8)], tick_labels=data.target_names)
ax.set_ylabel("concentration (mol/L)")
fig.tight_layout()

plt.show()
