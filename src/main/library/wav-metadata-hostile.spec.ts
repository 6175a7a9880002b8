// Hostile iXML chunks (issue 12, item 2): each case below took tens of seconds with the old
// regex reader (quadratic backtracking). The bound (CPU time) is generous: it catches quadratic
// growth, it is not a speed claim.
import { describe, expect, it } from 'vitest';
import { encodeWav, listWavChunks } from '../audio/wav.ts';
import { ixmlUserText, MAX_IXML_BYTES } from './ixml-user.ts';
import { readBext, readListInfo, readRecipe } from './wav-metadata.ts';

const tone = new Float32Array(160).fill(0.25);
const wavWithIxml = (body: Uint8Array): Uint8Array => encodeWav([tone], 16000, 'float32', { chunks: [{ id: 'iXML', body }] });
const text = (s: string) => new TextEncoder().encode(s);

/** 300 KB made of `unit`, behind a BWFXML root (so the reader cannot stop at the root check). */
const flood = (prefix: string, unit: string, bytes = 300_000): Uint8Array => text(prefix + unit.repeat(Math.ceil(bytes / unit.length)));

const HOSTILE: Record<string, Uint8Array> = {
  'NULs (100 KB)': new Uint8Array(100_000),
  'BWFXML then NULs and a byte': text(`<BWFXML>${'\0'.repeat(150_000)}x${'\0'.repeat(150_000)}`),
  '<USER> repeated': flood('<BWFXML>', '<USER>'),
  '<USER  repeated (no closing >)': flood('<BWFXML>', '<USER '),
  '<![CDATA[ repeated': flood('<BWFXML><USER>', '<![CDATA['),
  '<USER><![CDATA[ repeated': flood('<BWFXML>', '<USER><![CDATA['),
  'unclosed comments': flood('<BWFXML>', '<!--'),
  'entity-like text': flood('<BWFXML><USER>', '&#x41;&amp'),
  'closing tags only': flood('<BWFXML>', '</USER >'),
  'attributes without end': flood('<BWFXML><USER a="', ' b="'),
};

/** CPU milliseconds, not wall time: other processes on a busy machine must not fail the bound. */
function timed<T>(fn: () => T): { value: T; ms: number } {
  const start = process.cpuUsage();
  const value = fn();
  const used = process.cpuUsage(start);
  return { value, ms: (used.user + used.system) / 1000 };
}

describe('iXML reader on hostile chunks', () => {
  for (const [name, body] of Object.entries(HOSTILE)) {
    it(`reads ${name} in well under a second and finds no recipe`, () => {
      const bytes = wavWithIxml(body);
      const { value, ms } = timed(() => readRecipe(bytes));
      expect(value).toBeNull();
      expect(ms).toBeLessThan(750);
      // the other readers walk the same file
      expect(timed(() => [readBext(bytes), readListInfo(bytes)]).ms).toBeLessThan(250);
    });
  }

  it('refuses a chunk over MAX_IXML_BYTES without parsing it', () => {
    const huge = new Uint8Array(MAX_IXML_BYTES + 2).fill(0x3c); // '<' × 1 MiB
    const { value, ms } = timed(() => ixmlUserText(huge));
    expect(value).toBeNull();
    expect(ms).toBeLessThan(50);
  });

  it('grows linearly: 4× the input costs nowhere near 16× the time', () => {
    const cost = (n: number) => {
      const bytes = wavWithIxml(flood('<BWFXML>', '<USER ', n));
      readRecipe(bytes); // warm up
      let best = Infinity;
      for (let i = 0; i < 3; i++) best = Math.min(best, timed(() => readRecipe(bytes)).ms);
      return best;
    };
    const small = cost(75_000);
    const large = cost(300_000);
    expect(large).toBeLessThan(Math.max(8 * small, 40));
  });

  it('still reads USER text with entities, character references and CDATA', () => {
    const doc = '<?xml version="1.0"?>\n<BWFXML><NOTE>n</NOTE><USER a="1">x &lt;&amp;&gt; &#13;&#x41;<![CDATA[<raw &amp;>]]></USER><USER>second</USER></BWFXML>\0\0';
    expect(ixmlUserText(text(doc))).toBe('x <&> \rA<raw &amp;>');
    expect(ixmlUserText(text('<BWFXML><USER><X>1</X></USER></BWFXML>'))).toBeNull(); // elements, not text
    expect(ixmlUserText(text('<OTHER><USER>x</USER></OTHER>'))).toBeNull();
    expect(listWavChunks(wavWithIxml(text(doc))).map((c) => c.id)).toContain('iXML');
  });
});
