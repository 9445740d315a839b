"""
=====================================
Corn NIR spectra on three instruments
=====================================

:func:`~sklspec.datasets.load_corn` loads 80 corn samples measured on three
near-infrared spectrometers, with their oil content and the file's own
calibration / transfer / test split. The same sample is in the same row for
every instrument: the raw material of calibration transfer. This example
shows the instruments' differences, and what they cost a model that is
calibrated on one instrument and applied to another.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.cross_decomposition import PLSRegression
from sklearn.metrics import mean_absolute_error

from sklspec.datasets import load_corn
from sklspec.maps import SpectraDisplay

corn = load_corn()
print(corn.DESCR.splitlines()[2])

# %%
# One sample, three instruments.
fig, ax = plt.subplots(figsize=(8, 3.5))
SpectraDisplay.from_spectra(
    *(corn.spectra[name][0] for name in corn.instruments),
    wavelengths=corn.wavelengths,
    labels=list(corn.instruments),
    title="sample 0",
    ax=ax,
)
ax.set_ylabel("absorbance")
fig.tight_layout()

# %%
# A PLS model of oil content calibrated on m5 predicts m5's test samples well,
# and another instrument's spectra of the same samples much worse: the
# problem calibration transfer solves.
calibration, test = corn.split == "calibration", corn.split == "test"
pls = PLSRegression(n_components=8).fit(corn.spectra["m5"][calibration], corn.target[calibration])
for name in corn.instruments:
    predicted = pls.predict(corn.spectra[name][test]).ravel()
    error = mean_absolute_error(corn.target[test], predicted)
    print(f"calibrated on m5, applied to {name:4s}: MAE {error:.3f} % oil")

# %%
# The differences between instruments are largest where the absorbance is.
fig, ax = plt.subplots(figsize=(8, 3))
for name in ("mp5", "mp6"):
    difference = (corn.spectra[name] - corn.spectra["m5"]).mean(axis=0)
    ax.plot(corn.wavelengths, difference, label=f"{name} - m5")
ax.axhline(0, color="0.6", lw=0.5)
ax.set_xlabel("wavelength (nm)")
ax.set_ylabel("mean difference")
ax.legend()
fig.tight_layout()
print(f"largest mean difference: {np.abs(difference).max():.3f}")

plt.show()
