"""herosim: a game-day simulator for operations teams that lean on heroes."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("herosim")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.1.0"

__all__ = ["__version__"]
