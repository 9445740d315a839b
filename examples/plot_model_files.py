"""
Model files that are safe to share
==================================

A transfer model fitted in one lab is used in another. :func:`sklspec.io.save`
writes it as JSON and tensors (safetensors), :func:`sklspec.io.load` rebuilds
it from an allow-list of classes, and nothing in the file can run code on the
machine that opens it. A joblib file, by contrast, runs whatever it contains.
"""

# %%
# Fit a small transfer model and save it
# --------------------------------------
import os
import tempfile

import joblib
import matplotlib.pyplot as plt
import numpy as np
from sklearn.cross_decomposition import PLSRegression
from sklearn.preprocessing import StandardScaler

from sklspec.datasets import make_peak_spectra
from sklspec.exceptions import ModelFileError
from sklspec.io import load, read_info, save
from sklspec.model_selection import wrap_transfer_model

primary, amounts = make_peak_spectra(n_samples=300, n_channels=200, random_state=0)
secondary = amounts @ np.abs(np.random.default_rng(1).normal(size=(3, 150)))
model = wrap_transfer_model(PLSRegression(3, scale=False), StandardScaler())
model.fit(secondary[:250], primary[:250])

folder = tempfile.mkdtemp()
path = os.path.join(folder, "secondary_to_primary.sklspec")
save(model, path, info={"secondary": "instrument B", "pairs": 250})
print(read_info(path)["classes"])
print(read_info(path)["info"])

# %%
# Load it: the predictions are identical
# --------------------------------------
loaded = load(path)
print("identical:", np.array_equal(loaded.predict(secondary[250:]), model.predict(secondary[250:])))

fig, ax = plt.subplots(figsize=(7, 3), layout="constrained")
ax.plot(primary[260], lw=1, label="measured on the primary")
ax.plot(loaded.predict(secondary[260:261])[0], lw=1, ls="--", label="transferred (loaded model)")
ax.set_xlabel("channel")
ax.set_ylabel("intensity (a.u.)")
ax.legend()

# %%
# A crafted file is refused, and runs nothing
# -------------------------------------------
# A "model" whose unpickling calls ``os.system``: joblib would run it. The
# safe loader does not even parse it as a model.
marker = os.path.join(folder, "payload-ran")


class Payload:
    def __reduce__(self):
        return os.system, (f"touch {marker}",)


joblib.dump(Payload(), os.path.join(folder, "colleague.joblib"))
try:
    load(os.path.join(folder, "colleague.joblib"))
except ModelFileError as error:
    print("refused:", str(error)[:90], "...")
print("payload ran:", os.path.exists(marker))

# %%
# Signed files: who made this model?
# ----------------------------------
# The checksum in every file detects damage, not edits: anyone can change a
# weight and recompute it. Labs that exchange models sign them with a secret
# they share (``--signing-key`` in the command); loading with the key refuses
# a file that another key signed or that was changed after signing.
import json

import safetensors.numpy
from safetensors import safe_open

key = b"the secret our two labs share"
save(model, path, key=key)
print("signed, checked:", type(load(path, key=key)).__name__)

# Someone edits the file and recomputes the checksum, as an attacker would.
with safe_open(path, framework="np") as handle:
    metadata, tensors = handle.metadata(), {k: handle.get_tensor(k) for k in handle.keys()}
header = json.loads(metadata["sklspec"])
header["info"]["pairs"] = 10_000
from sklspec.io._format import _checksum

metadata["sklspec"] = json.dumps(header)
metadata["checksum"] = _checksum(metadata["sklspec"], tensors)
safetensors.numpy.save_file(tensors, path, metadata=metadata)
print("without the key, loads:", type(load(path)).__name__)
try:
    load(path, key=key)
except ModelFileError as error:
    print("with the key:", str(error).split(": ", 1)[1][:80], "...")

# %%
# A primary lab's public key
# --------------------------
# With a shared secret, every lab that can check a file can also sign one.
# An Ed25519 key pair (``pip install 'sklspec[signing]'``) separates the
# two: the primary lab signs with its private key and publishes the public
# one, with which every secondary lab checks what it downloads.
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

primary_key = Ed25519PrivateKey.generate()  # or read_signing_key("primary.pem")
save(model, path, key=primary_key)
print("checked with the public key:", type(load(path, key=primary_key.public_key())).__name__)
plt.show()
