"""``sklspec info``: what a model file holds, without loading it."""

from sklspec._cli._files import signing_key
from sklspec.utils._text import printable


def _clean(value):
    return printable(value, 2000)


def run_info(args):
    from sklspec.io import read_info

    key = signing_key(args)
    info = read_info(args.model, key=key)
    print(_clean(f"{args.model}: {info['model_class'].rsplit('.', 1)[-1]}"))
    print(_clean(f"  saved {info['created']} with format {info['format_version']}"))
    if key is not None:
        print("  signature: checked, made with the key given")
    elif info["signed"]:
        print("  signature: present, not checked (give --signing-key)")
    versions = ", ".join(f"{name} {version}" for name, version in info["versions"].items())
    print(_clean(f"  versions: {versions}"))
    print(f"  made of: {', '.join(_clean(path.rsplit('.', 1)[-1]) for path in info['classes'])}")
    if info["companions"]:
        print(_clean(f"  travels with: {', '.join(info['companions'])}"))
    for name, value in info["info"].items():
        if name == "comparison":
            print(_comparison(value, info["info"]))
            continue
        if name.endswith("_wavelengths") and value:
            value = f"{len(value)} channels, {value[0]:g}-{value[-1]:g}"
        print(_clean(f"  {name}: {value}"))


def _comparison(rows, info):
    """The stored comparison as fit-transfer printed it, or a line saying it is unreadable."""
    from sklspec._cli._table import format_table

    try:
        table = format_table(
            rows,
            info.get("validation_pairs", "?"),
            select_by=info.get("selected_by", "rse"),
            cv_folds=info.get("cv_folds"),
            calibrated_on=info.get("calibrated_on", "the primary training spectra"),
        )
    except Exception:  # written by hand or by another tool: shown as unreadable, not a crash
        return "  models compared: (the stored table is malformed)"
    table = printable(table, 20000, lines=True).replace("\n", "\n    ")
    return f"  models compared:\n    {table}"
