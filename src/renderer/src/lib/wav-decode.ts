/**
 * Reads a WAV file's samples in the renderer, exactly and at the file's own rate, for the
 * spectrogram and for RMS. (decodeAudioData would resample to the AudioContext's rate.)
 * Handles PCM 16/24/32-bit, IEEE float 32/64 and WAVE_FORMAT_EXTENSIBLE; returns the first channel
 * (takes are mono; for more channels, their mean).
 */
export interface DecodedWav {
  sampleRate: number;
  channels: number;
  samples: Float32Array;
}

export class WavDecodeError extends Error {
  override name = 'WavDecodeError';
}

function chunkId(view: DataView, offset: number): string {
  return String.fromCharCode(view.getUint8(offset), view.getUint8(offset + 1), view.getUint8(offset + 2), view.getUint8(offset + 3));
}

export function decodeWav(buffer: ArrayBuffer): DecodedWav {
  const view = new DataView(buffer);
  if (buffer.byteLength < 12 || chunkId(view, 0) !== 'RIFF' || chunkId(view, 8) !== 'WAVE') {
    throw new WavDecodeError('Not a RIFF/WAVE file.');
  }
  let format = 0;
  let channels = 0;
  let sampleRate = 0;
  let bits = 0;
  let dataOffset = -1;
  let dataBytes = 0;
  let offset = 12;
  while (offset + 8 <= buffer.byteLength) {
    const id = chunkId(view, offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      format = view.getUint16(body, true);
      channels = view.getUint16(body + 2, true);
      sampleRate = view.getUint32(body + 4, true);
      bits = view.getUint16(body + 14, true);
      // WAVE_FORMAT_EXTENSIBLE: the real format is the first two bytes of the SubFormat GUID.
      if (format === 0xfffe && size >= 40) format = view.getUint16(body + 24, true);
    } else if (id === 'data') {
      dataOffset = body;
      dataBytes = Math.min(size, buffer.byteLength - body);
      break;
    }
    offset = body + size + (size % 2); // chunks are padded to even sizes
  }
  if (!channels || !sampleRate || dataOffset < 0) throw new WavDecodeError('The WAV file has no fmt or data chunk.');
  const bytesPerSample = bits / 8;
  const frames = Math.floor(dataBytes / (bytesPerSample * channels));
  const read = sampleReader(view, format, bits);
  const samples = new Float32Array(frames);
  for (let frame = 0; frame < frames; frame++) {
    let sum = 0;
    for (let channel = 0; channel < channels; channel++) {
      sum += read(dataOffset + (frame * channels + channel) * bytesPerSample);
    }
    samples[frame] = sum / channels;
  }
  return { sampleRate, channels, samples };
}

function sampleReader(view: DataView, format: number, bits: number): (offset: number) => number {
  if (format === 3 && bits === 32) return (o) => view.getFloat32(o, true);
  if (format === 3 && bits === 64) return (o) => view.getFloat64(o, true);
  if (format === 1 && bits === 16) return (o) => view.getInt16(o, true) / 32768;
  if (format === 1 && bits === 24) {
    return (o) => {
      const value = view.getUint8(o) | (view.getUint8(o + 1) << 8) | (view.getInt8(o + 2) << 16);
      return value / 8388608;
    };
  }
  if (format === 1 && bits === 32) return (o) => view.getInt32(o, true) / 2147483648;
  if (format === 1 && bits === 8) return (o) => (view.getUint8(o) - 128) / 128;
  throw new WavDecodeError(`Unsupported WAV sample format ${format}/${bits}-bit.`);
}
