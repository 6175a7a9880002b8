/**
 * Typed reads of a component's config.json. Every structural choice the builder makes comes from
 * here, and a value it does not support is refused by file and key, never ignored.
 */
import { CheckpointError } from './checkpoint-error.ts';
import type { Config } from './checkpoint.ts';

export interface Range {
  min?: number;
  max?: number;
}

export class ConfigReader {
  /**
   * @param file the config's path (named in errors)
   * @param config its parsed JSON
   * @param defaults the library's defaults for keys a config may leave out (transformers writes
   *   only non-default keys in nested configs such as CLAP's text_config)
   */
  constructor(
    readonly file: string,
    readonly config: Config,
    readonly defaults: Config = {},
  ) {}

  /** A nested config (CLAP's text_config / audio_config) with its own defaults. */
  nested(key: string, defaults: Config): ConfigReader {
    const value = this.raw(key);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.refuse(key, value, 'an object');
    return new ConfigReader(`${this.file} → ${key}`, value as Config, defaults);
  }

  has(key: string): boolean {
    return this.config[key] !== undefined || this.defaults[key] !== undefined;
  }

  raw(key: string): unknown {
    if (this.config[key] !== undefined) return this.config[key];
    if (key in this.defaults) return this.defaults[key];
    throw new CheckpointError(this.file, `config key "${key}" is missing`);
  }

  refuse(key: string, value: unknown, wanted: string): never {
    throw new CheckpointError(
      this.file,
      `config "${key}" is ${JSON.stringify(value)}; the builder supports ${wanted}`,
      'This checkpoint uses an option the builder does not support yet; pick a cvssp/audioldm2-family checkpoint.',
    );
  }

  number(key: string, range: Range = {}): number {
    const value = this.raw(key);
    if (typeof value !== 'number' || !Number.isFinite(value)) this.refuse(key, value, 'a finite number');
    if ((range.min !== undefined && value < range.min) || (range.max !== undefined && value > range.max)) {
      this.refuse(key, value, `a value in [${range.min ?? '-∞'}, ${range.max ?? '∞'}]`);
    }
    return value;
  }

  int(key: string, range: Range = { min: 1, max: 1 << 20 }): number {
    const value = this.number(key, range);
    if (!Number.isInteger(value)) this.refuse(key, value, 'an integer');
    return value;
  }

  bool(key: string): boolean {
    const value = this.raw(key);
    if (typeof value !== 'boolean') this.refuse(key, value, 'true or false');
    return value;
  }

  string(key: string, allowed?: readonly string[]): string {
    const value = this.raw(key);
    if (typeof value !== 'string' || (allowed && !allowed.includes(value))) this.refuse(key, value, allowed ? allowed.map((a) => JSON.stringify(a)).join(' or ') : 'a string');
    return value;
  }

  ints(key: string, range: Range = { min: 1, max: 1 << 20 }): number[] {
    const value = this.raw(key);
    if (!Array.isArray(value) || value.length === 0) this.refuse(key, value, 'a non-empty list of integers');
    for (const v of value) {
      if (typeof v !== 'number' || !Number.isInteger(v) || (range.min !== undefined && v < range.min) || (range.max !== undefined && v > range.max)) {
        this.refuse(key, value, `a list of integers in [${range.min}, ${range.max}]`);
      }
    }
    return value as number[];
  }

  strings(key: string, allowed?: readonly string[]): string[] {
    const value = this.raw(key);
    if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string' && (!allowed || allowed.includes(v)))) {
      this.refuse(key, value, allowed ? `a list of ${allowed.join(', ')}` : 'a list of strings');
    }
    return value as string[];
  }

  /** Refuses anything but `expected` (options the builder does not implement). */
  expect(key: string, expected: unknown): void {
    if (!this.has(key)) return;
    const value = this.raw(key);
    if (JSON.stringify(value) !== JSON.stringify(expected)) this.refuse(key, value, JSON.stringify(expected));
  }
}
