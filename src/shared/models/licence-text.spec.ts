import { describe, expect, it } from 'vitest';
import { licenceSummary } from './licence-text.ts';

describe('licenceSummary', () => {
  it('reads the id, terms and link of the Hub installer line', () => {
    expect(licenceSummary('CC-BY-NC-SA-4.0 (Creative Commons Attribution-NonCommercial-ShareAlike 4.0: non-commercial, attribution, share-alike) https://creativecommons.org/licenses/by-nc-sa/4.0/')).toEqual({
      id: 'CC-BY-NC-SA-4.0',
      terms: 'non-commercial, attribution, share-alike',
      url: 'https://creativecommons.org/licenses/by-nc-sa/4.0/',
    });
  });

  it('keeps short ids and shows a sentence whole rather than its first word', () => {
    expect(licenceSummary('MIT (random weights; no training data)').id).toBe('MIT');
    expect(licenceSummary('Unknown: see the checkpoint\'s model card').id).toBe('Unknown: see the checkpoint\'s model card');
    expect(licenceSummary('x'.repeat(60)).id).toHaveLength(48);
  });
});
