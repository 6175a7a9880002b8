/**
 * The catalogue is data checked against the collected Hub pages (docs/checkpoints.md):
 * every exact number there is the spec's, unknown sizes stay null, and no `.bin` is ever listed.
 */
import { hubBytes } from '../../shared/models/hub-bytes.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../cli/testing/run-cli.ts';
import { catalogue, catalogueEntry, defaultCatalogueEntry, parseCatalogue } from './catalogue.ts';
import { hfCacheDirs, repoFolderName, repoFromFolderName } from './hf-cache.ts';
import { SMALL_FILES, weightCandidates } from './needed-files.ts';

const RAW = JSON.parse(readFileSync(join(REPO_ROOT, 'models', 'catalogue.json'), 'utf8'));

describe('catalogue', () => {
  it('offers the three cvssp checkpoints, base first and default, under CC-BY-NC-SA-4.0', () => {
    const entries = catalogue();
    expect(entries.map((e) => e.repo)).toEqual(['cvssp/audioldm2', 'cvssp/audioldm2-large', 'cvssp/audioldm2-music']);
    expect(defaultCatalogueEntry().repo).toBe('cvssp/audioldm2');
    for (const e of entries) {
      expect(e.license.id).toBe('CC-BY-NC-SA-4.0');
      expect(e.license.terms.join(' ')).toMatch(/Non-commercial.*Attribution.*Share-alike/s);
      expect(e.purpose.length).toBeGreaterThan(20);
    }
    expect(catalogueEntry('CVSSP/AudioLDM2-Music')?.repo).toBe('cvssp/audioldm2-music');
  });

  it('lists exactly the files the installer fetches, with the numbers of the spec pages and null where they give none', () => {
    for (const e of catalogue()) {
      const paths = e.download.files.map((f) => f.path);
      expect(paths.filter((p) => !p.endsWith('.safetensors')).sort()).toEqual([...SMALL_FILES].sort());
      expect(paths.filter((p) => p.endsWith('.safetensors'))).toHaveLength(7);
      for (const p of paths.filter((x) => x.endsWith('.safetensors'))) expect(weightCandidates(p.split('/')[0])).toContain(p);
      expect(paths.some((p) => /\.bin$/.test(p))).toBe(false);
      // Not every size is on the pages, so no exact total is claimed.
      expect(e.download.bytes).toBeNull();
    }
    const base = catalogueEntry('cvssp/audioldm2')!;
    const size = (path: string) => base.download.files.find((f) => f.path === path)?.bytes;
    // docs/checkpoints.md §2: tree pages and the safetensors mirror commit.
    expect(size('unet/diffusion_pytorch_model.safetensors')).toBe(1_387_964_784);
    expect(base.download.files.find((f) => f.path === 'unet/diffusion_pytorch_model.safetensors')?.sha256).toBe('359a5ffb89a844beb2fcfac584aae2cd7cd6e87c3ab1ec4e892ef45d91db77c2');
    expect([
      size('model_index.json'),
      size('unet/config.json'),
      size('vae/config.json'),
      size('projection_model/config.json'),
      size('scheduler/scheduler_config.json'),
      size('feature_extractor/preprocessor_config.json'),
      size('tokenizer/tokenizer_config.json'),
    ]).toEqual([805, 1514, 559, 173, 507, 541, 494]);
    expect(base.download.knownBytes).toBe(1_387_964_784 + 805 + 1514 + 559 + 173 + 507 + 541 + 494);
    expect(size('text_encoder/model.safetensors')).toBeNull();
    expect(catalogueEntry('cvssp/audioldm2-large')!.checkedRevision).toBe('4b0b875a9e0c5305dfc917da808584e50e1c7ed4');
    expect(catalogueEntry('cvssp/audioldm2-music')!.checkedRevision).toBe('0019cb0bd4d314accff72aee1c3abd6f22929ba5');
  });

  it("the spec configs the builder was checked against are the base entry's exact sizes", () => {
    const spec = join(REPO_ROOT, '..', 'shared', 'spec', 'checkpoints', 'audioldm2');
    const base = catalogueEntry('cvssp/audioldm2')!;
    for (const path of ['model_index.json', 'unet/config.json', 'vae/config.json', 'projection_model/config.json', 'feature_extractor/preprocessor_config.json']) {
      let text: string;
      try {
        text = readFileSync(join(spec, path), 'utf8');
      } catch {
        continue; // the shared spec folder is not part of every checkout
      }
      expect(Buffer.byteLength(text), path).toBe(base.download.files.find((f) => f.path === path)?.bytes);
    }
  });

  it('refuses a bad edit: a .bin file, two defaults, a malformed revision', () => {
    const bin = structuredClone(RAW);
    bin.entries[0].files.push({ path: 'unet/diffusion_pytorch_model.bin', bytes: 1 });
    expect(() => parseCatalogue(bin)).toThrow(/lists unet\/diffusion_pytorch_model\.bin/);
    const twoDefaults = structuredClone(RAW);
    twoDefaults.entries[1].default = true;
    expect(() => parseCatalogue(twoDefaults)).toThrow(/exactly one entry must be the default/);
    const badRev = structuredClone(RAW);
    badRev.entries[0].checkedRevision = 'main';
    expect(() => parseCatalogue(badRev)).toThrow();
  });

  it('formats sizes as the Hub shows them', () => {
    expect([hubBytes(805), hubBytes(2_110_000), hubBytes(1_387_964_784)]).toEqual(['805 B', '2.11 MB', '1.39 GB']);
  });
});

describe('Hugging Face cache locations', () => {
  it('follows huggingface_hub: HF_HUB_CACHE, then HF_HOME/hub, then XDG_CACHE_HOME, then ~/.cache/huggingface/hub', () => {
    expect(hfCacheDirs({}, '/home/a')).toEqual(['/home/a/.cache/huggingface/hub']);
    expect(hfCacheDirs({ HF_HOME: '/data/hf' }, '/home/a')).toEqual(['/data/hf/hub', '/home/a/.cache/huggingface/hub']);
    expect(hfCacheDirs({ HF_HUB_CACHE: '~/hub', HF_HOME: '/data/hf', XDG_CACHE_HOME: '/xdg' }, '/home/a')).toEqual([
      '/home/a/hub',
      '/data/hf/hub',
      '/xdg/huggingface/hub',
      '/home/a/.cache/huggingface/hub',
    ]);
    expect(hfCacheDirs({ HUGGINGFACE_HUB_CACHE: '/old', XDG_CACHE_HOME: '/home/a/.cache' }, '/home/a')).toEqual(['/old', '/home/a/.cache/huggingface/hub']);
  });

  it('names repo folders as huggingface_hub does', () => {
    expect(repoFolderName('cvssp/audioldm2-large')).toBe('models--cvssp--audioldm2-large');
    expect(repoFromFolderName('models--cvssp--audioldm2-large')).toBe('cvssp/audioldm2-large');
    expect(repoFromFolderName('datasets--a--b')).toBeUndefined();
  });
});
