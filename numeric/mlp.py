"""MLPs in the book's row-major minibatch form (``X @ W + b``): the network, the book's model, its training.

One import for the public names of two modules that do not import each other
in a circle: ``numeric.network`` holds ``MLP`` (any depth, biases, forward and
backward, claim 5.3.batch) and its backward rule; ``numeric.training`` (which
builds on ``numeric.network``) holds the book's ``MLPScratch`` of section 5.2
and minibatch SGD, ``train``.  This module only re-exports them.
"""

from __future__ import annotations

from .network import MLP, Backward, Layer, backward_signal
from .training import MLPScratch, train

__all__ = ["MLP", "Backward", "Layer", "MLPScratch", "backward_signal", "train"]
