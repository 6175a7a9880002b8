"""Tests of contract_check: /usr/bin/python3 -m unittest models/export/test_contract_check.py

Builds small graphs with onnx.helper (identity-like bodies; only the declared I/O matters) and checks
what contract_check finds against the real models/contract.json.
"""

import importlib.util
import os
import tempfile
import unittest

import onnx
from onnx import TensorProto, helper

_HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("contract_check", os.path.join(_HERE, "contract_check.py"))
contract_check = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(contract_check)

CONFIG = {
    "melBins": 64,
    "clapDim": 512,
    "t5Dim": 1024,
    "llmDim": 768,
    "latentChannels": 8,
    "latentFreq": 16,
    "gpt2Layers": 2,
    "gpt2Heads": 12,
    "gpt2HeadDim": 64,
}

F32, I64 = TensorProto.FLOAT, TensorProto.INT64


def make_model(inputs, outputs, initializers=()):
    """inputs/outputs: [(name, elem_type, dims)]; each output is computed from the first input."""
    first = inputs[0][0]
    nodes = [helper.make_node("Identity", [first], [name]) for name, _, _ in outputs]
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info(n, t, d) for n, t, d in inputs],
        [helper.make_tensor_value_info(n, t, d) for n, t, d in outputs],
        initializer=list(initializers),
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def vocoder(in_name="mel", in_dims=("batch", "mel_len", 64), in_type=F32, out_dims=("batch", "samples")):
    return make_model([(in_name, in_type, list(in_dims))], [("waveform", F32, list(out_dims))])


class VocoderTests(unittest.TestCase):
    def test_matching_graph_has_no_problems(self):
        self.assertEqual(contract_check.check_graph("vocoder", vocoder(), CONFIG), [])

    def test_symbolic_config_dim_is_accepted(self):
        self.assertEqual(contract_check.check_graph("vocoder", vocoder(in_dims=("b", "t", "mels")), CONFIG), [])

    def test_unknown_dims_count_as_symbolic(self):
        self.assertEqual(contract_check.check_graph("vocoder", vocoder(in_dims=(None, None, 64)), CONFIG), [])

    def test_wrong_input_name(self):
        problems = contract_check.check_graph("vocoder", vocoder(in_name="spectrogram"), CONFIG)
        self.assertEqual(
            problems,
            [
                'input "mel" is missing (graph has spectrogram)',
                'input "spectrogram" is not part of contract v1',
            ],
        )

    def test_wrong_rank(self):
        inputs, outputs = contract_check.graph_io(vocoder(in_dims=("mel_len", 64)), infer_shapes=False)
        problems = contract_check.check_io("vocoder", inputs, outputs, CONFIG)
        self.assertEqual(problems, ['input "mel" has rank 2, expected 3 ([batch, mel_len, $melBins])'])

    def test_fixed_dynamic_dim(self):
        problems = contract_check.check_graph("vocoder", vocoder(in_dims=("batch", 100, 64), out_dims=(1, "samples")), CONFIG)
        self.assertEqual(
            problems,
            [
                'input "mel" axis 1 (mel_len) is fixed to 100; export it as a dynamic axis',
                'output "waveform" axis 0 (batch) is fixed to 1; export it as a dynamic axis',
            ],
        )

    def test_config_dim_must_equal_config(self):
        problems = contract_check.check_graph("vocoder", vocoder(in_dims=("batch", "mel_len", 80)), CONFIG)
        self.assertEqual(problems, ['input "mel" axis 2 is 80, but config.melBins is 64'])

    def test_wrong_type(self):
        problems = contract_check.check_graph("vocoder", vocoder(in_type=TensorProto.FLOAT16), CONFIG)
        self.assertEqual(problems, ['input "mel" is float16, expected float32'])

    def test_graph_without_shapes_is_only_checked_by_name_and_type(self):
        model = make_model([("mel", F32, None)], [("waveform", F32, None)])
        self.assertEqual(contract_check.check_graph("vocoder", model, CONFIG), [])

    def test_initializers_listed_as_inputs_are_not_inputs(self):
        weight = helper.make_tensor("w", F32, [1], [1.0])
        model = vocoder()
        model.graph.initializer.append(weight)
        model.graph.input.append(helper.make_tensor_value_info("w", F32, [1]))
        self.assertEqual(contract_check.check_graph("vocoder", model, CONFIG), [])

    def test_extra_outputs_are_tolerated(self):
        model = make_model([("mel", F32, ["batch", "mel_len", 64])], [("waveform", F32, ["batch", "samples"]), ("debug", F32, None)])
        self.assertEqual(contract_check.check_graph("vocoder", model, CONFIG), [])

    def test_reads_a_path_without_loading_external_data(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "vocoder.onnx")
            onnx.save(vocoder(in_dims=("batch", 7, 64)), path)
            problems = contract_check.check_graph("vocoder", path, CONFIG)
        self.assertEqual(problems, ['input "mel" axis 1 (mel_len) is fixed to 7; export it as a dynamic axis'])


class InferredShapeTests(unittest.TestCase):
    """onnxruntime merges inferred shapes into the declared outputs; so does check_graph."""

    def vae_encoder(self, channels=16):
        weight = helper.make_tensor("w", F32, [channels, 1, 4, 4], [0.0] * (channels * 16))
        conv = helper.make_node("Conv", ["mel", "w"], ["moments"], strides=[4, 4])
        graph = helper.make_graph(
            [conv],
            "vae_encoder",
            [helper.make_tensor_value_info("mel", F32, ["batch", 1, "mel_len", 64])],
            [helper.make_tensor_value_info("moments", F32, ["batch", "moment_channels", "latent_len", 16])],
            initializer=[weight],
        )
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])

    def test_inferred_dims_fill_declared_symbolic_ones(self):
        # The file declares moments' channels symbolically; inference finds 16, which the contract fixes.
        self.assertEqual(contract_check.check_graph("vaeEncoder", self.vae_encoder(), CONFIG), [])

    def test_an_inferred_dim_that_breaks_the_contract_is_reported(self):
        problems = contract_check.check_graph("vaeEncoder", self.vae_encoder(channels=8), CONFIG)
        self.assertEqual(len(problems), 1)
        self.assertIn('"moments" axis 1', problems[0])
        self.assertIn("8", problems[0])
        self.assertIn("16", problems[0])

    def test_declared_shapes_only(self):
        inputs, outputs = contract_check.graph_io(self.vae_encoder(), infer_shapes=False)
        self.assertEqual(outputs[0]["dims"], ["batch", "moment_channels", "latent_len", 16])
        self.assertEqual(contract_check.check_io("vaeEncoder", inputs, outputs, CONFIG), [])


class Gpt2StepTests(unittest.TestCase):
    def step_model(self, layers, drop=None):
        kv = ["batch", 12, "past_len", 64]
        present = ["batch", 12, "total_len", 64]
        inputs = [
            ("inputs_embeds", F32, ["batch", 1, 768]),
            ("attention_mask", I64, ["batch", "total_len"]),
            ("position_ids", I64, ["batch", 1]),
        ]
        outputs = [("last_hidden_state", F32, ["batch", 1, 768])]
        for i in range(layers):
            inputs += [(f"past.{i}.key", F32, kv), (f"past.{i}.value", F32, kv)]
            outputs += [(f"present.{i}.key", F32, present), (f"present.{i}.value", F32, present)]
        inputs = [v for v in inputs if v[0] != drop]
        return make_model(inputs, outputs)

    def test_layer_names_expand_from_config(self):
        self.assertEqual(contract_check.check_graph("gpt2Step", self.step_model(2), CONFIG), [])

    def test_missing_layer_is_reported(self):
        problems = contract_check.check_graph("gpt2Step", self.step_model(2, drop="past.1.value"), CONFIG)
        self.assertEqual(len(problems), 1)
        self.assertTrue(problems[0].startswith('input "past.1.value" is missing'), problems)

    def test_layer_beyond_config_is_an_unknown_input(self):
        problems = contract_check.check_graph("gpt2Step", self.step_model(3), CONFIG)
        self.assertIn('input "past.2.key" is not part of contract v1', problems)
        self.assertIn('input "past.2.value" is not part of contract v1', problems)

    def test_missing_gpt2_layers_in_config(self):
        config = {k: v for k, v in CONFIG.items() if k != "gpt2Layers"}
        problems = contract_check.check_graph("gpt2Step", self.step_model(0), config)
        self.assertIn("config.gpt2Layers is missing or not a positive integer", problems)


class HelperTests(unittest.TestCase):
    def test_dynamic_axes_follow_the_contract(self):
        axes = contract_check.dynamic_axes("unet", CONFIG)
        self.assertEqual(axes["sample"], {0: "batch", 2: "latent_len"})
        self.assertEqual(axes["timestep"], {0: "batch"})
        self.assertEqual(axes["encoder_attention_mask_1"], {0: "batch", 1: "t5_len"})
        self.assertEqual(axes["noise_pred"], {0: "batch", 2: "latent_len"})
        step = contract_check.dynamic_axes("gpt2Step", CONFIG)
        self.assertEqual(step["past.1.value"], {0: "batch", 2: "past_len"})
        self.assertEqual(step["present.0.key"], {0: "batch", 2: "total_len"})

    def test_check_config_lists_missing_keys(self):
        contract = contract_check.load_contract()
        full = {key: 1 for key in contract["configKeys"]}
        self.assertEqual(contract_check.check_config(full), [])
        del full["scheduler"]
        self.assertEqual(contract_check.check_config(full), ['config lacks "scheduler"'])

    def test_unknown_component(self):
        self.assertEqual(contract_check.check_graph("nope", vocoder(), CONFIG), ['"nope" is not a component of contract v1'])


if __name__ == "__main__":
    unittest.main()
