import { describe, expect, it } from 'vitest';
import { ProgressClock } from './progress.ts';

describe('ProgressClock', () => {
  it('has no ETA until a denoising step was measured, then extrapolates elapsed time', () => {
    let now = 0;
    const clock = new ProgressClock(1, 10, () => now); // 1 + 1·(10 + 2) = 13 units
    now = 100;
    const encoded = clock.advance(1, 'encode', 0, 0);
    expect(encoded.etaMs).toBeNull();
    expect(encoded.fraction).toBeCloseTo(1 / 13, 12);
    now = 200;
    const step = clock.advance(1, 'denoise', 1, 1);
    expect(step.fraction).toBeCloseTo(2 / 13, 12);
    expect(step.etaMs).toBeCloseTo((200 / (2 / 13)) * (11 / 13), 6);
    expect(step.elapsedMs).toBe(200);
  });

  it('never passes 100%', () => {
    const clock = new ProgressClock(1, 1, () => 0);
    for (let i = 0; i < 10; i++) clock.advance(1, 'denoise', 1, 1);
    expect(clock.snapshot('vocode', 1, 0).fraction).toBe(1);
  });
});
