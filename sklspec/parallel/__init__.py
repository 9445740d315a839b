"""Running fitted models over data larger than one machine's memory, with dask."""

from sklspec.parallel._blocks import predict_blocks

__all__ = ["predict_blocks"]
