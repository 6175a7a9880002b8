"""PyTorch side of `npm run bench:audio`: the VAE log-mel of docs/engine-spec.md §4.1 through torch.stft.

    /usr/bin/python3 bench/mel_torch.py CLIP.wav MEL_OUT.f32 [--f64-out MEL64.f32] [--runs 5] [--threads 2]

Reads a mono float32 WAV, computes ln(max(mel, 1e-5)) with torch.stft + a Slaney mel bank built in
numpy, writes the mel as raw little-endian float32, frame-major [frames x 64], and prints one JSON
line with the timings. --f64-out also writes the same chain run in float64 (untimed, raw float64), a reference
for both float32 results. No librosa/torchaudio: the bank is checked against docs/engine-spec.md §8.6 instead.
"""
import argparse
import json
import re
import statistics
import struct
import sys
import time

import numpy as np
import torch

SAMPLE_RATE = 16000
N_FFT = 1024
HOP = 160
N_MELS = 64
F_MAX = 8000.0
LOG_FLOOR = 1e-5


def read_float32_wav(path):
    """The `wave` module refuses format tag 3 (IEEE float), so walk the RIFF chunks ourselves."""
    data = open(path, 'rb').read()
    if data[:4] != b'RIFF' or data[8:12] != b'WAVE':
        sys.exit(f'{path}: not a RIFF/WAVE file')
    at, fmt, samples = 12, None, None
    while at + 8 <= len(data):
        cid, size = data[at:at + 4], struct.unpack('<I', data[at + 4:at + 8])[0]
        body = data[at + 8:at + 8 + size]
        if cid == b'fmt ':
            fmt = struct.unpack('<HHIIHH', body[:16])
        elif cid == b'data':
            samples = np.frombuffer(body, dtype='<f4')
        at += 8 + size + (size & 1)
    tag, channels, rate, _, _, bits = fmt
    if (tag, channels, rate, bits) != (3, 1, SAMPLE_RATE, 32):
        sys.exit(f'{path}: expected mono float32 at {SAMPLE_RATE} Hz, got tag {tag}, {channels} ch, {rate} Hz, {bits} bit')
    return samples


# Slaney's Auditory Toolbox mel scale (librosa hz_to_mel / mel_to_hz with htk=False).
F_SP = 200.0 / 3
MIN_LOG_HZ = 1000.0
MIN_LOG_MEL = MIN_LOG_HZ / F_SP
LOGSTEP = np.log(6.4) / 27.0


def hz_to_mel(hz):
    hz = np.asarray(hz, dtype=np.float64)
    return np.where(hz >= MIN_LOG_HZ, MIN_LOG_MEL + np.log(np.maximum(hz, MIN_LOG_HZ) / MIN_LOG_HZ) / LOGSTEP, hz / F_SP)


def mel_to_hz(mel):
    mel = np.asarray(mel, dtype=np.float64)
    return np.where(mel >= MIN_LOG_MEL, MIN_LOG_HZ * np.exp(LOGSTEP * (mel - MIN_LOG_MEL)), F_SP * mel)


def slaney_mel_bank(sr, n_fft, n_mels, fmin, fmax):
    """librosa.filters.mel(sr, n_fft, n_mels, fmin, fmax) defaults (htk=False, norm='slaney', float32)."""
    fft_freqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
    mel_f = mel_to_hz(np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), n_mels + 2))
    widths = np.diff(mel_f)
    ramps = np.subtract.outer(mel_f, fft_freqs)
    weights = np.zeros((n_mels, len(fft_freqs)), dtype=np.float32)
    for i in range(n_mels):
        lower = -ramps[i] / widths[i]
        upper = ramps[i + 2] / widths[i + 1]
        weights[i] = np.maximum(0, np.minimum(lower, upper))
    # Slaney area normalisation: each triangle scaled to unit area.
    weights *= (2.0 / (mel_f[2:n_mels + 2] - mel_f[:n_mels]))[:, np.newaxis]
    return weights


def check_bank_against_spec(bank):
    """docs/engine-spec.md §8.6 values (librosa 0.11 filters.mel, 16 kHz, n_fft 1024, 64 mels, 0-8000 Hz)."""
    expected_row0 = [0.0072556408, 0.0145112816, 0.0213311519, 0.0140755121, 0.0068198703]
    row_sums = bank.sum(axis=1, dtype=np.float64)
    checks = [
        (bank.shape == (64, 513), f'shape {bank.shape}'),
        (np.allclose(bank[0, 1:6], expected_row0, atol=1e-9, rtol=0), f'row 0 bins 1-5 {bank[0, 1:6]}'),
        (np.count_nonzero(bank[0]) == 5, 'row 0 has 5 non-zero bins'),
        # The spec's total is a float32 sum: allow one float32 ulp at 4 (4.8e-7).
        (abs(bank.sum(dtype=np.float64) - 4.09588003) < 5e-7, f'total {bank.sum(dtype=np.float64)}'),
        (np.unravel_index(bank.argmax(), bank.shape) == (0, 3) and abs(bank.max() - 0.02133115) < 1e-8, 'max at (0, 3)'),
        (abs(row_sums[24] - 0.06323287) < 1e-8 and abs(row_sums[23] - 0.06513735) < 1e-8, 'row sums 23/24'),
        (np.flatnonzero(bank[63])[[0, -1]].tolist() == [466, 511], 'last row bins 466-511'),
    ]
    failed = [what for ok, what in checks if not ok]
    if failed:
        sys.exit('mel bank differs from docs/engine-spec.md §8.6: ' + '; '.join(failed))


def magnitude_stft(x, window):
    return torch.stft(x, N_FFT, HOP, N_FFT, window=window, center=True, pad_mode='reflect', return_complex=True).abs()


def log_mel(x, window, bank):
    return torch.log(torch.clamp(bank @ magnitude_stft(x, window), min=LOG_FLOOR))


def median_ms(runs, work):
    """Median wall time of `runs` calls after one warm-up call, and the last result."""
    result = work()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('wav')
    parser.add_argument('out')
    parser.add_argument('--f64-out')
    parser.add_argument('--runs', type=int, default=5)
    parser.add_argument('--threads', type=int, default=2)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    bank_np = slaney_mel_bank(SAMPLE_RATE, N_FFT, N_MELS, 0.0, F_MAX)
    check_bank_against_spec(bank_np)
    x = torch.from_numpy(read_float32_wav(args.wav).copy())
    window = torch.hann_window(N_FFT, periodic=True)
    bank = torch.from_numpy(bank_np)

    with torch.no_grad():
        mel_ms, mel = median_ms(args.runs, lambda: log_mel(x, window, bank))
        stft_ms, _ = median_ms(args.runs, lambda: magnitude_stft(x, window))

    frame_major = mel.T.contiguous().numpy().astype('<f4')
    frame_major.tofile(args.out)
    if args.f64_out:
        with torch.no_grad():
            mel64 = log_mel(x.double(), torch.hann_window(N_FFT, periodic=True, dtype=torch.float64), bank.double())
        mel64.T.contiguous().numpy().astype('<f8').tofile(args.f64_out)
    print(json.dumps({
        'torch': torch.__version__,
        'blas': (re.search(r'BLAS_INFO=([^,\s]+)', torch.__config__.show()) or [None, 'unknown'])[1],
        # torch.stft runs on MKL's FFT when the build has it, otherwise on pocketfft.
        'fft': 'mkl' if torch.backends.mkl.is_available() else 'pocketfft',
        'threads': torch.get_num_threads(),
        'frames': int(frame_major.shape[0]),
        'mels': int(frame_major.shape[1]),
        'medianMs': mel_ms,
        'stftMedianMs': stft_ms,
    }))


if __name__ == '__main__':
    main()
