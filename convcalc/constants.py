"""Numbers shared across the stages that import nothing else of convcalc (the NumPy operations
among them): changing one here changes it everywhere."""

BYTES = 4  # float32: the runner computes in it, the memory figures count it
BLOCK_BYTES = 4 << 20  # the runner gathers im2col columns in bands of about this size, so they stay in cache
