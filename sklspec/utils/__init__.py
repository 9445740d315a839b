"""Utilities: estimator discovery and input validation."""

from sklspec.utils.discovery import all_estimators

__all__ = ["all_estimators"]
