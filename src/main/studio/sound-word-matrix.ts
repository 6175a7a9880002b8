/**
 * Describe (a reference's or a take's sound in words): the vocabulary's CLAP text embeddings, made
 * once per model and kept on disk (the first Describe ever waits for them), ranked against a sound's
 * embedding.
 */
import { SOUND_WORDS, soundWordText } from '../../shared/library/sound-words.ts';
import type { SoundWord } from '../../shared/studio/studio-api.ts';
import { rankSoundWords, wordMatrix } from '../library/describe-sound.ts';
import { readSoundWordCache, soundWordCachePath, writeSoundWordCache } from '../library/sound-word-cache.ts';
import type { ModelsService } from './models-service.ts';

/** How many words Describe suggests. */
const DESCRIBE_WORDS = 8;

export class SoundWordMatrix {
  private current: { bundleHash: string; matrix: Promise<Float32Array> } | null = null;

  constructor(
    private readonly models: ModelsService,
    /** `<configDir>/cache`. */
    private readonly cacheDir: string,
  ) {}

  /** The words that fit a CLAP audio embedding best, best first. */
  async describe(embedding: Float32Array): Promise<SoundWord[]> {
    return rankSoundWords(embedding, SOUND_WORDS, await this.matrix(), DESCRIBE_WORDS);
  }

  private async matrix(): Promise<Float32Array> {
    const hash = (await this.models.engine.loadedInfo()).bundleHash;
    if (this.current?.bundleHash !== hash) {
      const texts = SOUND_WORDS.map(soundWordText);
      const path = soundWordCachePath(this.cacheDir, hash, texts);
      const matrix = readSoundWordCache(path, texts.length).then(async (cached) => {
        if (cached) return cached;
        const made = wordMatrix(await this.models.embedTexts(texts));
        // A cache that cannot be written (full disk, read-only folder) only costs the next session time.
        await writeSoundWordCache(path, made).catch(() => {});
        return made;
      });
      matrix.catch(() => {
        if (this.current?.matrix === matrix) this.current = null;
      });
      this.current = { bundleHash: hash, matrix };
    }
    return this.current.matrix;
  }
}
