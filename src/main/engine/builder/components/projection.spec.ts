import { describe, expect } from 'vitest';
import { float32, int64 } from '../../onnx/onnx-runtime.ts';
import { goldenStage, relativeL2 } from '../testing/golden.ts';
import { eachGoldenCase, fixtureGraph } from '../testing/graph-harness.ts';
import { buildProjection } from './projection.ts';

describe('projection graph vs diffusers', () => {
  const run = fixtureGraph(buildProjection);

  eachGoldenCase('case %s: embeds and mask', async (c) => {
    const clap = goldenStage(c, 'clap_text_embeds');
    const t5 = goldenStage(c, 't5_last_hidden_state');
    const t5Mask = goldenStage(c, 't5_attention_mask');
    const rows = clap.dims[0];
    const out = await run.session.run({
      clap_embeds: float32(clap.data as Float32Array, [rows, 1, clap.dims[1]]),
      clap_mask: int64(new BigInt64Array(rows).fill(1n), [rows, 1]),
      t5_hidden: float32(t5.data as Float32Array, t5.dims),
      t5_mask: int64(t5Mask.data as BigInt64Array, t5Mask.dims),
    });
    const expected = goldenStage(c, 'projection_hidden_states');
    expect(out.inputs_embeds.dims).toEqual(expected.dims);
    expect(relativeL2(out.inputs_embeds.data as Float32Array, expected.data as Float32Array)).toBeLessThan(1e-6);
    expect([...(out.attention_mask.data as BigInt64Array)]).toEqual([...(goldenStage(c, 'projection_attention_mask').data as BigInt64Array)]);
  });
});
