"""The two papers' VAE settings, ready to pass to :class:`VAEEncoder`."""

#: Settings of the papers' VAEs, by paper. Use as ``VAEEncoder(**PRESETS[name])``.
#:
#: ``"vrabel2023"`` (spectral transfer, JAAS 2023, section 4.2): encoder
#: 1024-512 with leaky ReLU, linear 64-dimensional bottleneck, mirrored
#: decoder with linear output; Adam, lr 1e-4, batch 128, 50 epochs; KL
#: weight annealed cyclically from 0 to 0.5 over 4 cycles; L2 penalty 1e-6.
#:
#: ``"mushchina2025"`` (VAE augmentation, 2025, section 3.4): one hidden layer
#: of 256 sigmoid units, latent width 91, linear output; Adam, lr 1e-3,
#: batch 64, early stopping 250 epochs after the last improvement of the
#: validation loss (the paper gives no epoch limit or validation fraction:
#: 5000 and 0.1 here).
PRESETS = {
    "vrabel2023": {
        "hidden_layer_sizes": (1024, 512),
        "latent_dim": 64,
        "activation": "leaky_relu",
        "beta": 0.5,
        "kl_schedule": "cyclical",
        "kl_cycles": 4,
        "alpha": 1e-6,
        "lr": 1e-4,
        "batch_size": 128,
        "max_epochs": 50,
        "early_stopping": False,
    },
    "mushchina2025": {
        "hidden_layer_sizes": (256,),
        "latent_dim": 91,
        "activation": "sigmoid",
        "beta": 1.0,
        "kl_schedule": "constant",
        "alpha": 0.0,
        "lr": 1e-3,
        "batch_size": 64,
        "max_epochs": 5000,
        "early_stopping": True,
        "validation_fraction": 0.1,
        "patience": 250,
    },
}
