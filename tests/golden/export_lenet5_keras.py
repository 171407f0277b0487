# lenet5: Keras code written by `convcalc export` from the spec's layers.
# input 1×32×32 -> output 10 (channels first, batch left out)
# params 61,706 (trainable 61,706, non-trainable 0) · MACs 416,520 · FLOPs 833,040
# channels first throughout (data_format="channels_first"), so every shape is the spec's;
# each spec layer is the Keras layer of its name: model.get_layer('<spec name>')

import os

os.environ.setdefault("KERAS_BACKEND", "torch")  # channels_first convs need torch or jax

import keras
from keras import layers, ops


def build() -> keras.Model:
    x = keras.Input(shape=(1, 32, 32), name='input')
    conv2d_1 = layers.Conv2D(6, 5, strides=1, padding='valid', dilation_rate=1, groups=1, use_bias=True, data_format="channels_first", name='conv2d_1')(x)
    tanh_1 = layers.Activation('tanh', name='tanh_1')(conv2d_1)
    avgpool2d_1 = layers.AveragePooling2D(2, strides=2, padding='valid', data_format="channels_first", name='avgpool2d_1')(tanh_1)
    conv2d_2 = layers.Conv2D(16, 5, strides=1, padding='valid', dilation_rate=1, groups=1, use_bias=True, data_format="channels_first", name='conv2d_2')(avgpool2d_1)
    tanh_2 = layers.Activation('tanh', name='tanh_2')(conv2d_2)
    avgpool2d_2 = layers.AveragePooling2D(2, strides=2, padding='valid', data_format="channels_first", name='avgpool2d_2')(tanh_2)
    conv2d_3 = layers.Conv2D(120, 5, strides=1, padding='valid', dilation_rate=1, groups=1, use_bias=True, data_format="channels_first", name='conv2d_3')(avgpool2d_2)
    tanh_3 = layers.Activation('tanh', name='tanh_3')(conv2d_3)
    flatten_1 = layers.Flatten(name='flatten_1')(tanh_3)
    dense_1 = layers.Dense(84, use_bias=True, name='dense_1')(flatten_1)
    tanh_4 = layers.Activation('tanh', name='tanh_4')(dense_1)
    dense_2 = layers.Dense(10, use_bias=True, name='dense_2')(tanh_4)
    return keras.Model(x, dense_2, name='lenet5')


INPUT_SHAPE = (1, 32, 32)  # channels first, batch left out


if __name__ == "__main__":
    model = build()
    model.summary()
