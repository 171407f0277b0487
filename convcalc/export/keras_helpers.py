"""The small Keras layers a generated file defines when it uses them: what keras.layers has no
class for (channels first), written with keras.ops so that any backend runs them."""

HELPERS = {
    "Pad": '''
class Pad(layers.Layer):
    """Constant padding of the spatial axes, (before, after) per axis: −inf in front of a max
    pool, as PyTorch pads one."""

    def __init__(self, pads, value, **kwargs):
        super().__init__(**kwargs)
        self.pads, self.value = tuple(tuple(p) for p in pads), value

    def call(self, x):
        return ops.pad(x, ((0, 0), (0, 0), *self.pads), constant_values=self.value)
''',
    "Split": '''
class Split(layers.Layer):
    """torch.split along `axis` into sections of the given sizes: a list, one tensor per section."""

    def __init__(self, sizes, axis, **kwargs):
        super().__init__(**kwargs)
        self.sizes, self.axis = tuple(sizes), axis

    def call(self, x):
        if len(self.sizes) == 1:
            return x  # one section is the whole input: the layer's one output
        ends = [sum(self.sizes[:k + 1]) for k in range(len(self.sizes) - 1)]
        return ops.split(x, ends, axis=self.axis)
''',
    "LayerScale": '''
class LayerScale(layers.Layer):
    """A learned factor per channel (ConvNeXt's layer scale), shaped (C, 1, 1) to broadcast."""

    def __init__(self, channels, **kwargs):
        super().__init__(**kwargs)
        self.channels = channels

    def build(self, input_shape):
        shape = (self.channels, *(1,) * (len(input_shape) - 2))
        self.gamma = self.add_weight(shape=shape, initializer="ones", name="gamma")

    def call(self, x):
        return x * self.gamma
''',
    "StochasticDepth": '''
class StochasticDepth(layers.Layer):
    """torchvision.ops.StochasticDepth: while training, drops the whole input per sample
    ("row") or per batch with probability p and scales the rest; at inference, the input."""

    def __init__(self, p, mode, **kwargs):
        super().__init__(**kwargs)
        self.p, self.mode = p, mode
        self.seed = keras.random.SeedGenerator()

    def call(self, x, training=None):
        if not training or self.p == 0.0:
            return x
        size = (ops.shape(x)[0],) + (1,) * (len(x.shape) - 1) if self.mode == "row" else (1,) * len(x.shape)
        keep = ops.cast(keras.random.uniform(size, seed=self.seed) >= self.p, x.dtype)
        return x * keep / (1.0 - self.p)
''',
    "ChannelShuffle": '''
class ChannelShuffle(layers.Layer):
    """ShuffleNet's channel shuffle: `groups` groups of channels interleaved."""

    def __init__(self, groups, **kwargs):
        super().__init__(**kwargs)
        self.groups = groups

    def call(self, x):
        c, rest = x.shape[1], tuple(x.shape[2:])
        x = ops.reshape(x, (-1, self.groups, c // self.groups, *rest))
        x = ops.swapaxes(x, 1, 2)
        return ops.reshape(x, (-1, c, *rest))
''',
    "PixelShuffle": '''
class PixelShuffle(layers.Layer):
    """torch.nn.PixelShuffle: C·r² × H × W → C × H·r × W·r."""

    def __init__(self, r, **kwargs):
        super().__init__(**kwargs)
        self.r = r

    def call(self, x):
        c, h, w, r = x.shape[1], x.shape[2], x.shape[3], self.r
        x = ops.reshape(x, (-1, c // (r * r), r, r, h, w))
        x = ops.transpose(x, (0, 1, 4, 2, 5, 3))
        return ops.reshape(x, (-1, c // (r * r), h * r, w * r))
''',
    "PixelUnshuffle": '''
class PixelUnshuffle(layers.Layer):
    """torch.nn.PixelUnshuffle: C × H × W → C·r² × H/r × W/r."""

    def __init__(self, r, **kwargs):
        super().__init__(**kwargs)
        self.r = r

    def call(self, x):
        c, h, w, r = x.shape[1], x.shape[2], x.shape[3], self.r
        x = ops.reshape(x, (-1, c, h // r, r, w // r, r))
        x = ops.transpose(x, (0, 1, 3, 5, 2, 4))
        return ops.reshape(x, (-1, c * r * r, h // r, w // r))
''',
}
