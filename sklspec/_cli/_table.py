"""The comparison table as ``fit-transfer`` and ``info`` print it."""

from sklspec.model_selection import in_user_terms


def listed(labels):
    """``["A", "B", "C"]`` -> ``"A, B and C"``."""
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def format_table(
    rows,
    n_validation,
    *,
    select_by="rse",
    cv_folds=None,
    calibrated_on="the primary training spectra",
):
    """The comparison as the command prints it, with the direction of every column.

    ``cv_folds``: the scores are means over that many folds of
    ``n_validation`` pairs (else scores on ``n_validation`` held-out pairs).
    """
    with_rmsep = any("rmsep" in row for row in rows)
    rmsep_header = f"{'RMSEP':>10}" if with_rmsep else ""
    width = max(14, *(len(row["label"]) + 1 for row in rows))
    lines = [
        f"{'model':<{width}}{'RSE':>10}{rmsep_header}{'Euclidean':>12}{'cosine':>11}  "
        f"{'tune s':>7}  settings"
    ]
    for row in rows:
        if "error" in row:
            lines.append(f"{row['label']:<{width}}{'failed: ' + row['error']}")
            continue
        rmsep = f"{row['rmsep']:>10.4g}" if with_rmsep else ""
        if row.get("output") == "analyte":  # a transferred calibration: no spectra to score
            lines.append(
                f"{row['label']:<{width}}{'-':>10}{rmsep}{'-':>12}{'-':>11}  "
                f"{row['seconds']:>7.1f}  {in_user_terms(row['settings'])}"
            )
            continue
        lines.append(
            f"{row['label']:<{width}}{row['rse']:>10.4g}{rmsep}{row['euclidean']:>12.4g}"
            f"{row['cosine']:>11.6f}  {row['seconds']:>7.1f}  {in_user_terms(row['settings'])}"
        )
    scored = (
        f"Scores on the {n_validation} validation pairs"
        if cv_folds is None
        else f"Scores by {cv_folds}-fold cross-validation over the {n_validation} pairs"
    )
    lines.append(
        f"{scored}; lower is better in every column "
        "(cosine distance runs from -1, the same shape, to 1)."
    )
    if with_rmsep:
        floor = next(row["floor"] for row in rows if "floor" in row)
        lines.append(
            f"RMSEP: the analyte error of a PLS calibration on {calibrated_on}, "
            f"applied to each model's transferred spectra (on the true primary spectra: "
            f"{floor:.4g})."
        )
    transferred = [row["label"] for row in rows if row.get("output") == "analyte"]
    if transferred:
        lines.append(
            f"{listed(transferred)}: transfer{'s' if len(transferred) == 1 else ''} the "
            "calibration instead of the spectra (an RMSEP only); compared here, not kept as "
            "the transfer model."
        )
    criterion = {"rse": "RSE", "rmsep": "RMSEP"}[select_by]
    by = "validation" if cv_folds is None else "cross-validated"
    lines.append(f"Models are ranked by {by} {criterion}.")
    return "\n".join(lines)
