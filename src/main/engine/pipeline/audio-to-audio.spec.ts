import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateTransformParams, type TransformParams } from '../../../shared/engine/transform-params.ts';
import { CancelledError, InvalidRequestError } from '../../../shared/errors.ts';
import { TINY_BUNDLE } from '../testing/tiny-bundle.ts';
import { planContinuation } from './audio-to-audio.ts';
import { AudioLdm2Pipeline } from './audioldm2-pipeline.ts';

const RATE = 16000;
let pipeline: AudioLdm2Pipeline;
beforeAll(async () => {
  pipeline = await AudioLdm2Pipeline.load(TINY_BUNDLE, { device: 'cpu', eager: ['vaeEncoder', 'unet', 'vaeDecoder', 'vocoder'] });
});
afterAll(async () => {
  await pipeline.release();
});

/** A reference with structure the tests can recognise: two tones and a slow amplitude ramp. */
function referenceClip(secondsLong: number): Float32Array {
  const n = Math.round(secondsLong * RATE);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / RATE;
    x[i] = (0.2 + 0.2 * (i / n)) * Math.sin(2 * Math.PI * 220 * t) + 0.1 * Math.sin(2 * Math.PI * 1330 * t);
  }
  return x;
}

const params = (raw: Record<string, unknown>): TransformParams => validateTransformParams({ prompt: 'rain on a tin roof', steps: 4, seed: 3, ...raw }, () => 0);

function firstDifference(a: Float32Array, b: Float32Array, from = 0, to = Math.min(a.length, b.length)): number {
  for (let i = from; i < to; i++) if (a[i] !== b[i]) return i;
  return -1;
}

function rms(x: Float32Array): number {
  let s = 0;
  for (const v of x) s += v * v;
  return Math.sqrt(s / Math.max(1, x.length));
}

describe('continue', () => {
  it('returns the reference followed by exactly N new seconds; the reference is bit-identical up to the crossfade', async () => {
    const ref = referenceClip(2);
    const result = await pipeline.transform(params({ op: 'continue', seconds: 1.5, crossfadeMs: 50 }), ref);
    const out = result.takes[0].samples;
    expect(out.length).toBe(ref.length + 1.5 * RATE);
    const fade = 0.05 * RATE;
    expect(firstDifference(out, ref, 0, ref.length)).toBe(ref.length - fade); // first changed sample: where the fade starts
    const newPart = out.subarray(ref.length);
    expect(newPart.every(Number.isFinite)).toBe(true);
    expect(rms(newPart)).toBeGreaterThan(1e-4);
  });

  it('is deterministic per seed and differs between seeds', async () => {
    const ref = referenceClip(1);
    const a = await pipeline.transform(params({ op: 'continue', seconds: 1, seed: 11 }), ref);
    const b = await pipeline.transform(params({ op: 'continue', seconds: 1, seed: 11 }), ref);
    const c = await pipeline.transform(params({ op: 'continue', seconds: 1, seed: 12 }), ref);
    expect(Buffer.from(a.takes[0].samples.buffer).equals(Buffer.from(b.takes[0].samples.buffer))).toBe(true);
    expect(firstDifference(a.takes[0].samples, c.takes[0].samples)).toBeGreaterThanOrEqual(ref.length - 0.05 * RATE);
  });

  it('slides a window for continuations longer than the model sees at once', async () => {
    const ref = referenceClip(1);
    const windows = planContinuation(ref.length, 12 * RATE, Math.round(10.24 * RATE));
    expect(windows.length).toBeGreaterThan(1);
    const result = await pipeline.transform(params({ op: 'continue', seconds: 12, steps: 2, crossfadeMs: 20 }), ref);
    expect(result.takes[0].samples.length).toBe(ref.length + 12 * RATE);
    expect(firstDifference(result.takes[0].samples, ref, 0, ref.length)).toBe(ref.length - 0.02 * RATE);
  });

  it('plans windows that never exceed the window and add up to the request', () => {
    const w = 163840;
    for (const [have, add] of [
      [16000, 80000],
      [160000, 16000],
      [500, 400000],
      [200000, 1],
    ]) {
      const plan = planContinuation(have, add, w);
      expect(plan.reduce((s, p) => s + p.added, 0)).toBe(add);
      let audio = have;
      for (const p of plan) {
        expect(p.context + p.added).toBeLessThanOrEqual(w);
        expect(p.context).toBeLessThanOrEqual(audio);
        expect(p.context).toBeGreaterThan(0);
        audio += p.added;
      }
    }
  });
});

describe('vary', () => {
  it('strength 0 returns the reference exactly, without running the model', async () => {
    const ref = referenceClip(1.5);
    const result = await pipeline.transform(params({ op: 'vary', strength: 0 }), ref);
    expect(Buffer.from(result.takes[0].samples.buffer).equals(Buffer.from(ref.buffer))).toBe(true);
  });

  it('makes a strengths × seeds grid, same length as the reference, deterministic per seed', async () => {
    const ref = referenceClip(1.5);
    const p = params({ op: 'vary', strengths: [0.3, 0.9], takes: 2, seed: 40 });
    const a = await pipeline.transform(p, ref);
    expect(a.takes.map((t) => [t.strength, t.seed])).toEqual([
      [0.3, 40],
      [0.3, 41],
      [0.9, 40],
      [0.9, 41],
    ]);
    for (const take of a.takes) expect(take.samples.length).toBe(ref.length);
    const b = await pipeline.transform(params({ op: 'vary', strength: 0.9, seed: 41 }), ref);
    expect(Buffer.from(b.takes[0].samples.buffer).equals(Buffer.from(a.takes[3].samples.buffer))).toBe(true);
    expect(Buffer.from(a.takes[2].samples.buffer).equals(Buffer.from(a.takes[3].samples.buffer))).toBe(false);
  });

  it('strength s runs the last floor(n·s) of n steps, starting part-way down the noise chain', async () => {
    // With random weights the decoded audio is noise whatever the latents, so what is checked is
    // what strength controls: how many denoising steps run, and that they are the final ones.
    const ref = referenceClip(1.5);
    for (const [strength, expected] of [
      [0.25, 2],
      [0.6, 4],
      [1, 8],
    ] as const) {
      const steps: number[] = [];
      await pipeline.transform(params({ op: 'vary', strength, steps: 8 }), ref, {
        onProgress: (p) => {
          if (p.stage === 'denoise' && p.step > 0) steps.push(p.step);
        },
      });
      expect(steps).toEqual(Array.from({ length: expected }, (_, k) => 8 - expected + k + 1));
    }
  });

  it('refuses a reference longer than the model handles at once, before any work', async () => {
    await expect(pipeline.transform(params({ op: 'vary', strength: 0.5 }), new Float32Array(31 * RATE))).rejects.toThrow(/at most 30 s/);
  });
});

describe('inpaint', () => {
  it('changes only the region: samples outside [from, to) are bit-identical', async () => {
    const ref = referenceClip(3);
    const result = await pipeline.transform(params({ op: 'inpaint', from: 1, to: 2, crossfadeMs: 30 }), ref);
    const out = result.takes[0].samples;
    expect(out.length).toBe(ref.length);
    expect(firstDifference(out, ref, 0, RATE)).toBe(-1);
    expect(firstDifference(out, ref, 2 * RATE, ref.length)).toBe(-1);
    // Past the fade-in the region is the model's audio, not the reference.
    const inner = firstDifference(out, ref, RATE, 2 * RATE);
    expect(inner).toBe(RATE);
    let changed = 0;
    for (let i = RATE + 480; i < 2 * RATE - 480; i++) if (out[i] !== ref[i]) changed++;
    expect(changed).toBeGreaterThan(0.99 * (RATE - 960));
  });

  it('rejects a region outside the clip with a specific error', async () => {
    const ref = referenceClip(1);
    await expect(pipeline.transform(params({ op: 'inpaint', from: 1.5, to: 2 }), ref)).rejects.toThrow(InvalidRequestError);
    expect(() => params({ op: 'inpaint', from: 2, to: 1 })).toThrow(/must end after it starts/);
    expect(() => params({ op: 'inpaint', to: 1 })).toThrow(/needs from/);
  });
});

describe('loop', () => {
  it('keeps the clip length, marks loop points, and joins the end to the start through one generated stretch', async () => {
    const ref = referenceClip(2);
    const result = await pipeline.transform(params({ op: 'loop', seamSeconds: 0.5, crossfadeMs: 20 }), ref);
    const take = result.takes[0];
    const out = take.samples;
    expect(out.length).toBe(ref.length);
    expect(take.loop).toEqual({ start: 0, end: ref.length - 1 });
    // Only the quarter-second on each side of the wrap is regenerated; the middle is the original.
    const quarter = 0.25 * RATE;
    expect(firstDifference(out, ref, quarter, ref.length - quarter)).toBe(-1);
    expect(out[0]).not.toBe(ref[0]);
    expect(out[ref.length - 1]).not.toBe(ref[ref.length - 1]);
    // The reference jumps at its wrap (its ramp ends at 0.4 amplitude and restarts at 0.2); the
    // loop's wrap is a step between neighbouring samples of one generated signal, so it is no
    // bigger than the steps around it.
    const step = (i: number) => Math.abs(out[(i + 1) % out.length] - out[i]);
    const neighbours = [];
    for (let i = out.length - 200; i < out.length + 200; i++) if (i !== out.length - 1) neighbours.push(step(i % out.length));
    expect(step(out.length - 1)).toBeLessThanOrEqual(Math.max(...neighbours));
  });
});

describe('cancel', () => {
  it('stops a continuation between steps with CancelledError', async () => {
    const controller = new AbortController();
    let steps = 0;
    const run = pipeline.transform(params({ op: 'continue', seconds: 2, steps: 20 }), referenceClip(1), {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.stage === 'denoise' && p.step > 0 && ++steps === 2) controller.abort();
      },
    });
    await expect(run).rejects.toThrow(CancelledError);
    expect(steps).toBe(2);
  });
});
