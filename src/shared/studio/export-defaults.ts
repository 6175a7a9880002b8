import type { ExportOptions } from './studio-api.ts';

/** File names: `{prompt-slug}_{seed}_{take}` sorts takes of one prompt together. */
export const DEFAULT_NAME_TEMPLATE = '{prompt-slug}_{seed}_{take}';
/** Universal Category System: CatID_FXName_CreatorID_SourceID. */
export const UCS_NAME_TEMPLATE = '{cat-id}_{fx-name}_{creator}_{source}';

// docs/ux-conventions.md §7: WAV, 24-bit, 48 kHz (post), peak at −1 dBFS (AudioCraft's default headroom); a 5 ms
// fade-out avoids the click of a cut-off tail.
export const DEFAULT_EXPORT: ExportOptions = {
  format: 'pcm24',
  sampleRate: 48000,
  normalize: { kind: 'peak', dbfs: -1 },
  fadeInMs: 0,
  fadeOutMs: 5,
  nameTemplate: DEFAULT_NAME_TEMPLATE,
};
