"""The ``sklspec`` command: the transfer comparison demo, and transfer for a lab's own data.

sklspec demo [-o FOLDER]
sklspec fit-transfer --primary P --secondary S -o model.sklspec
sklspec transfer model.sklspec S_NEW -o OUT
sklspec info model.sklspec

Each command lives in its own module of ``sklspec._cli``; this one runs them
and turns any error into one line and exit code 2.
"""

import os
import sys
from collections.abc import Sequence

from sklspec._cli._parser import build_parser

__all__ = ["build_parser", "main"]


def _share_the_cpus():
    """BLAS threads sized to the CPUs other work leaves free (the nets size torch's)."""
    from threadpoolctl import threadpool_limits

    from sklspec.utils._threads import free_cpus

    return threadpool_limits(limits=free_cpus(), user_api="blas")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; return its exit code (2 for any error, reported in one line)."""
    args = build_parser().parse_args(argv)
    try:
        with _share_the_cpus():
            args.run(args)
        sys.stdout.flush()  # a closed pipe shows here, not in Python's flush at exit
    except KeyboardInterrupt:
        print(f"sklspec {args.command}: interrupted; nothing was saved.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader stopped reading (``sklspec info model | head``): not an
        # error. Python would report the pipe again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # the user gets one line; --debug shows the traceback
        if args.debug:
            raise
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"sklspec {args.command}: error: {message}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
