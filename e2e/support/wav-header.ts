/** Reads a WAV file's format and length from its header chunks (fmt, data), for assertions. */
export interface WavHeader {
  format: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  dataBytes: number;
  frames: number;
  seconds: number;
  chunks: string[];
}

export function readWavHeader(bytes: Buffer): WavHeader {
  if (bytes.toString('ascii', 0, 4) !== 'RIFF' || bytes.toString('ascii', 8, 12) !== 'WAVE') throw new Error('not a RIFF/WAVE file');
  if (bytes.readUInt32LE(4) !== bytes.length - 8) throw new Error(`RIFF size ${bytes.readUInt32LE(4)} does not match the file (${bytes.length - 8})`);
  let offset = 12;
  let fmt: Omit<WavHeader, 'dataBytes' | 'frames' | 'seconds' | 'chunks'> | null = null;
  let dataBytes = -1;
  const chunks: string[] = [];
  while (offset + 8 <= bytes.length) {
    const id = bytes.toString('ascii', offset, offset + 4);
    const size = bytes.readUInt32LE(offset + 4);
    chunks.push(id);
    if (id === 'fmt ') {
      let format = bytes.readUInt16LE(offset + 8);
      if (format === 0xfffe) format = bytes.readUInt16LE(offset + 8 + 24);
      fmt = {
        format,
        channels: bytes.readUInt16LE(offset + 10),
        sampleRate: bytes.readUInt32LE(offset + 12),
        bitsPerSample: bytes.readUInt16LE(offset + 22),
      };
    } else if (id === 'data') {
      dataBytes = size;
    }
    offset += 8 + size + (size % 2);
  }
  if (!fmt || dataBytes < 0) throw new Error(`missing fmt or data chunk (chunks: ${chunks.join(', ')})`);
  const frames = dataBytes / ((fmt.bitsPerSample / 8) * fmt.channels);
  return { ...fmt, dataBytes, frames, seconds: frames / fmt.sampleRate, chunks };
}
