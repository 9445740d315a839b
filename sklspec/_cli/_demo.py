"""``sklspec demo``: the transfer paper's comparison on small simulated LIBS maps."""

import os

from sklspec._cli._files import CommandError

DEMO_FILES = ("comparison.csv", "maps.png", "spectra.png")


def run_demo_command(args):
    if os.path.exists(args.output) and not os.path.isdir(args.output):
        raise CommandError(f"{args.output}: exists and is not a folder.")
    existing = [f for f in DEMO_FILES if os.path.exists(os.path.join(args.output, f))]
    if existing and not args.force:
        raise CommandError(
            f"{args.output}: already holds {', '.join(existing)}; pass --force to overwrite."
        )
    from sklspec.papers import run_demo

    run_demo(args.output, quick=args.quick, random_state=args.seed, verbose=1)
