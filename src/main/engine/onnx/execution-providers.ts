import type { DeviceName } from '../../../shared/engine/generate-params.ts';
import { joinNotice } from '../../../shared/engine/notice-text.ts';
import { ProviderUnavailableError } from '../../../shared/errors.ts';

/** The ONNX Runtime execution providers LOA Studio knows how to use (ORT's own names). */
export type ProviderName = 'cuda' | 'dml' | 'coreml' | 'webgpu' | 'cpu';

export const GPU_PROVIDERS: ReadonlySet<ProviderName> = new Set(['cuda', 'dml', 'coreml', 'webgpu']);

/**
 * The one command NVIDIA users on Linux run once to fetch ORT's CUDA 12 provider libraries
 * (needs the network, so LOA Studio's own installs skip it; CUDA 12 + cuDNN 9 must be installed).
 */
export const CUDA_SETUP_COMMAND = 'ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js';

const LABELS: Record<ProviderName, string> = {
  cuda: 'CUDA',
  dml: 'DirectML',
  coreml: 'CoreML',
  webgpu: 'WebGPU',
  cpu: 'CPU',
};

export function providerLabel(provider: ProviderName): string {
  return LABELS[provider];
}

/** What to tell a user whose provider failed to start. */
export function providerSetupHint(provider: ProviderName): string {
  switch (provider) {
    case 'cuda':
      return `Install CUDA 12 and cuDNN 9, then run: ${CUDA_SETUP_COMMAND}`;
    case 'dml':
      return 'DirectML needs Windows 10 1903+ and a DirectX 12 GPU; update the GPU driver.';
    case 'coreml':
      return 'CoreML needs macOS on Apple silicon.';
    case 'webgpu':
      return 'WebGPU needs a GPU driver with Vulkan (Linux), Direct3D 12 (Windows) or Metal (macOS).';
    case 'cpu':
      return 'The CPU provider is always bundled; reinstall LOA Studio if it fails.';
  }
}

/**
 * Providers to try, best first. `auto` prefers the GPU APIs each platform ships with and ends
 * with CPU; a forced device is tried alone (the user asked for it, so no silent fallback).
 * ORT does not fall back by itself: `['cuda','cpu']` throws when CUDA can't start.
 */
export function candidateProviders(device: DeviceName, available: ReadonlySet<string>, remembered?: ProviderName): ProviderName[] {
  if (device !== 'auto') {
    if (!available.has(device)) {
      throw new ProviderUnavailableError(
        `${providerLabel(device)} is not available in this build of ONNX Runtime on ${process.platform}-${process.arch}.`,
        `Choose device "auto" or "cpu". ${providerSetupHint(device)}`,
      );
    }
    return [device];
  }
  const order: ProviderName[] = ['cuda', 'dml', 'coreml', 'webgpu', 'cpu'];
  const usable = order.filter((p) => p === 'cpu' || available.has(p));
  if (remembered && usable.includes(remembered)) {
    return [remembered, ...usable.filter((p) => p !== remembered)];
  }
  return usable;
}

export interface ProviderAttempt {
  provider: ProviderName;
  error?: string;
}

export interface ProviderChoice {
  provider: ProviderName;
  attempts: ProviderAttempt[];
  /** Shown to the user when we fell back to a slower provider. */
  notices: string[];
}

/**
 * Tries providers one at a time with `probe` (which creates a real session), returning the first
 * that works. Failures become notices; if nothing works the last error is thrown.
 */
export async function chooseProvider(candidates: readonly ProviderName[], probe: (provider: ProviderName) => Promise<void>): Promise<ProviderChoice> {
  const attempts: ProviderAttempt[] = [];
  for (const provider of candidates) {
    try {
      await probe(provider);
      attempts.push({ provider });
      const failed = attempts.filter((a) => a.error !== undefined);
      const notices = failed.map((a) => fallbackNotice(a.provider, provider, a.error ?? ''));
      return { provider, attempts, notices };
    } catch (error) {
      attempts.push({ provider, error: firstLine(error) });
    }
  }
  const summary = attempts.map((a) => `${providerLabel(a.provider)}: ${a.error}`).join('; ');
  const last = attempts.at(-1)?.provider ?? 'cpu';
  throw new ProviderUnavailableError(`No execution provider could start (${summary}).`, providerSetupHint(last));
}

/**
 * "No usable GPU driver found for WebGPU; running on the CPU.", then ORT's own words and the setup
 * hint as the detail (notice-text.ts): the raw message is for a bug report, not for the first read.
 */
export function fallbackNotice(failed: ProviderName, used: ProviderName, error: string): string {
  const summary =
    GPU_PROVIDERS.has(failed) && used === 'cpu'
      ? `No usable GPU driver found for ${providerLabel(failed)}; running on the CPU.`
      : `${providerLabel(failed)} could not start; running on ${providerLabel(used)} instead.`;
  return joinNotice(summary, `${providerLabel(failed)} could not start (${error}); using ${providerLabel(used)} instead. ${providerSetupHint(failed)}`);
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0].slice(0, 300);
}
