"""Builds the tiny ONNX face generators the tests use (see docs/GENERATOR.md for the contract).

Run with the system python and its onnx package (apt-get install python3-onnx):
    /usr/bin/python3 make_test_generator.py OUTPUT_FOLDER
The tests run it into a temporary folder (TestGenerators.cs); no model file is kept in the repository.

test_generator.onnx          follows the contract: image = 1 - face, mask = a centred disc of radius 0.35 S
wrong_names_generator.onnx   same graph, input 'img' and output 'out' instead of 'face' and 'image'
wrong_shape_generator.onnx   'face' has one channel instead of three
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SIZE = 32
EMBEDDING = 128
HERE = os.path.dirname(os.path.abspath(__file__))


def disc(size):
    y, x = np.mgrid[0:size, 0:size].astype(np.float32)
    centre = (size - 1) / 2.0
    inside = ((x - centre) ** 2 + (y - centre) ** 2) <= (0.35 * size) ** 2
    return inside.astype(np.float32).reshape(1, 1, size, size)


def build(folder, path, face_name="face", image_name="image", channels=3):
    face = helper.make_tensor_value_info(face_name, TensorProto.FLOAT, [1, channels, SIZE, SIZE])
    identity = helper.make_tensor_value_info("identity", TensorProto.FLOAT, [1, EMBEDDING])
    image = helper.make_tensor_value_info(image_name, TensorProto.FLOAT, [1, channels, SIZE, SIZE])
    mask = helper.make_tensor_value_info("mask", TensorProto.FLOAT, [1, 1, SIZE, SIZE])
    initializers = [
        numpy_helper.from_array(np.array(1.0, dtype=np.float32), "one"),
        numpy_helper.from_array(np.array(0.0, dtype=np.float32), "zero"),
        numpy_helper.from_array(disc(SIZE), "disc"),
    ]
    nodes = [
        helper.make_node("Sub", ["one", face_name], [image_name]),
        # The identity takes part (times zero) so that runtimes keep it as an input.
        helper.make_node("ReduceSum", ["identity"], ["identity_sum"], keepdims=1),
        helper.make_node("Mul", ["identity_sum", "zero"], ["identity_zero"]),
        helper.make_node("Add", ["disc", "identity_zero"], ["mask"]),
    ]
    graph = helper.make_graph(nodes, "test_face_generator", [face, identity], [image, mask], initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="deid-tests")
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(folder, path))


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else HERE
    os.makedirs(out, exist_ok=True)
    build(out, "test_generator.onnx")
    build(out, "wrong_names_generator.onnx", face_name="img", image_name="out")
    build(out, "wrong_shape_generator.onnx", channels=1)
