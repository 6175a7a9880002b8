import { describe, expect, it } from 'vitest';
import { isSchedulerName, SCHEDULER_INFO, SCHEDULERS, schedulerLabel } from './schedulers.ts';

describe('the scheduler registry', () => {
  it('lists each sampler under its own id, DDIM first', () => {
    expect(SCHEDULERS).toEqual(['ddim', 'dpmpp']);
    for (const id of SCHEDULERS) expect(SCHEDULER_INFO[id].id).toBe(id);
  });

  it('labels known ids and shows an unknown one as written', () => {
    expect(SCHEDULERS.map(schedulerLabel)).toEqual(['DDIM', 'DPM++']);
    expect(schedulerLabel('lms')).toBe('lms');
  });

  it('accepts only its own ids, not inherited keys', () => {
    expect(['ddim', 'dpmpp', 'lms', 'toString', '', 7, null].map(isSchedulerName)).toEqual([true, true, false, false, false, false, false]);
  });

  it('lets only DDIM run masked audio-to-audio', () => {
    expect(SCHEDULERS.filter((id) => SCHEDULER_INFO[id].masked)).toEqual(['ddim']);
  });
});
