"""``sklspec info``: what a model file holds, without loading it."""


def run_info(args):
    from sklspec.io import read_info

    info = read_info(args.model)
    print(f"{args.model}: {info['model_class'].rsplit('.', 1)[-1]}")
    print(f"  saved {info['created']} with format {info['format_version']}")
    versions = ", ".join(f"{name} {version}" for name, version in info["versions"].items())
    print(f"  versions: {versions}")
    print(f"  made of: {', '.join(path.rsplit('.', 1)[-1] for path in info['classes'])}")
    if info["companions"]:
        print(f"  travels with: {', '.join(info['companions'])}")
    for key, value in info["info"].items():
        if key == "comparison":
            from sklspec._cli._table import format_table

            n_validation = info["info"].get("validation_pairs", "?")
            select_by = info["info"].get("selected_by", "rse")
            table = format_table(
                value,
                n_validation,
                select_by=select_by,
                cv_folds=info["info"].get("cv_folds"),
                calibrated_on=info["info"].get("calibrated_on", "the primary training spectra"),
            )
            table = table.replace("\n", "\n    ")
            print(f"  models compared:\n    {table}")
            continue
        if key.endswith("_wavelengths") and value:
            value = f"{len(value)} channels, {value[0]:g}-{value[-1]:g}"
        print(f"  {key}: {value}")
