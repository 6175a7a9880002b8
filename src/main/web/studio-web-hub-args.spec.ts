/** `studio:web --hub-url --hf-cache`: the Hub and the Hugging Face cache installs use are the server owner's choice, never a page's. */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseStudioWebArgs } from './studio-web.ts';

describe('studio:web Hub options', () => {
  it('takes the Hub address and the cache folder from the command line', () => {
    const args = parseStudioWebArgs(['--hub-url', 'http://127.0.0.1:8123/', '--hf-cache', 'cache/hf']);
    expect(args.hubUrl).toBe('http://127.0.0.1:8123');
    expect(args.hfCache).toBe(resolve('cache/hf'));
  });

  it('leaves both unset by default (huggingface.co; HF_HUB_CACHE, HF_HOME or ~/.cache/huggingface/hub)', () => {
    const args = parseStudioWebArgs([]);
    expect(args).not.toHaveProperty('hubUrl');
    expect(args).not.toHaveProperty('hfCache');
  });

  it('refuses a Hub address that is not http(s)', () => {
    expect(() => parseStudioWebArgs(['--hub-url', 'file:///etc'])).toThrow(/--hub-url must be an http\(s\) address/);
    expect(() => parseStudioWebArgs(['--hub-url', 'huggingface.co'])).toThrow(/--hub-url/);
  });
});
