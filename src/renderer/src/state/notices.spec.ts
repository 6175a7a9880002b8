import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InvalidRequestError } from '../../../shared/errors.ts';
import { NoticeState } from './notices.svelte.ts';

describe('NoticeState', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('reports a typed error with what the user was doing, its message and its hint', () => {
    const notices = new NoticeState();
    notices.report(new InvalidRequestError('steps', 'steps must be a whole number from 1 to 1000, got 0.', 'Use 25 steps.'), 'Could not start the generation');
    expect(notices.notices).toEqual([{ id: 1, kind: 'error', message: 'Could not start the generation: steps must be a whole number from 1 to 1000, got 0.', hint: 'Use 25 steps.' }]);
  });

  it('reports anything thrown: an envelope from another process, a string, an empty error', () => {
    const notices = new NoticeState();
    notices.report({ code: 'DISK_FULL', message: 'No space left.', hint: 'Free some space.' });
    notices.report('socket closed');
    notices.report(new Error(''));
    expect(notices.notices.map(({ message, hint }) => ({ message, hint }))).toEqual([
      { message: 'No space left.', hint: 'Free some space.' },
      { message: 'socket closed', hint: '' },
      { message: 'Error', hint: '' },
    ]);
  });

  it('keeps the newest five, errors until dismissed and confirmations for five seconds', () => {
    const notices = new NoticeState();
    for (let i = 1; i <= 6; i++) notices.report(new Error(`failure ${i}`));
    expect(notices.notices.map((n) => n.message)).toEqual(['failure 2', 'failure 3', 'failure 4', 'failure 5', 'failure 6']);
    notices.dismiss(2);
    expect(notices.notices.map((n) => n.id)).toEqual([3, 4, 5, 6]);

    notices.info('Exported rain_7_1.wav');
    expect(notices.notices.at(-1)).toMatchObject({ id: 7, kind: 'info', message: 'Exported rain_7_1.wav', hint: '' });
    vi.advanceTimersByTime(4999);
    expect(notices.notices).toHaveLength(5);
    vi.advanceTimersByTime(1);
    expect(notices.notices.map((n) => n.id)).toEqual([3, 4, 5, 6]);
  });
});
