"""Private parts of the ``sklspec`` command: spectra files and output checks."""
