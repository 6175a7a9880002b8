// Runs one ONNX graph with onnxruntime-node for the Python tools (Python's onnxruntime is not installed
// here). Used by make_random_bundle.py to check exported graphs; not part of the app.
//
//   node models/tools/ort_run.mjs <request.json>
//
// request.json: { "model": "<path.onnx>", "threads": 2, "outDir": "<dir>",
//                 "runs": [ { "<input>": { "type": "float32"|"int64", "dims": [..], "file": "<raw LE data>" } } ] }
// Writes <outDir>/run<i>.<output>.bin for every output of every run and prints to stdout
//   { "loadMs": n, "runs": [ { "ms": n, "outputs": { "<output>": { "type", "dims", "file" } } } ] }
import fs from 'node:fs';
import path from 'node:path';
import ort from 'onnxruntime-node';

const ARRAYS = { float32: Float32Array, int64: BigInt64Array, int32: Int32Array, float16: Uint16Array };

const req = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const t0 = performance.now();
const session = await ort.InferenceSession.create(req.model, {
  intraOpNumThreads: req.threads ?? 2,
  interOpNumThreads: 1,
  graphOptimizationLevel: 'all',
});
const loadMs = performance.now() - t0;
const runs = [];
for (const [i, inputs] of req.runs.entries()) {
  const feeds = {};
  for (const [name, spec] of Object.entries(inputs)) {
    const buf = fs.readFileSync(spec.file);
    const Arr = ARRAYS[spec.type];
    const data = new Arr(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    feeds[name] = new ort.Tensor(spec.type, data, spec.dims);
  }
  const t1 = performance.now();
  const result = await session.run(feeds);
  const ms = performance.now() - t1;
  const outputs = {};
  for (const [name, tensor] of Object.entries(result)) {
    const file = path.join(req.outDir, `run${i}.${name}.bin`);
    const d = tensor.data;
    fs.writeFileSync(file, Buffer.from(d.buffer, d.byteOffset, d.byteLength));
    outputs[name] = { type: tensor.type, dims: tensor.dims, file };
  }
  runs.push({ ms, outputs });
}
process.stdout.write(JSON.stringify({ loadMs, runs }) + '\n');
