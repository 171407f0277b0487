"""convcalc: output shapes, parameters, MACs and receptive fields of CNN architectures."""

__version__ = "0.1.0"
