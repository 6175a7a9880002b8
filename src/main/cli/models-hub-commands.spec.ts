/**
 * `models install | list | remove` as a person runs them, against the local Hub stand-in: one
 * command installs the model, and `generate --model <that folder>` works straight after.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_CHECKPOINT } from '../engine/builder/testing/golden.ts';
import { HubStandIn } from '../models-hub/testing/hub-stand-in.ts';
import { runLoa } from './testing/run-cli.ts';

const COMMIT = createHash('sha1').update('cli fixture commit').digest('hex');
let root: string;
let hub: HubStandIn;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'loa-models-cli-'));
  const vits = join(root, 'vits');
  cpSync(FIXTURE_CHECKPOINT, vits, { recursive: true });
  const index = JSON.parse(readFileSync(join(vits, 'model_index.json'), 'utf8'));
  index.text_encoder_2 = ['transformers', 'VitsModel'];
  rmSync(join(vits, 'model_index.json'));
  writeFileSync(join(vits, 'model_index.json'), JSON.stringify(index));
  hub = await HubStandIn.start([
    { repo: 'cvssp/audioldm2', dir: FIXTURE_CHECKPOINT, commit: COMMIT },
    { repo: 'someone/audioldm2-vits', dir: vits, commit: COMMIT },
  ]);
});
afterAll(async () => {
  await hub.close();
  rmSync(root, { recursive: true, force: true });
});

const where = () => ['--hub-url', hub.url, '--cache-dir', join(root, 'hf'), '--dir', join(root, 'models')];

describe('models install / list / remove', () => {
  it('installs with one command, generates from the installed folder, lists it with its licence, and removes it', async () => {
    const install = await runLoa(['models', 'install', 'cvssp/audioldm2', ...where()], join(root, 'bundles'));
    expect(install.stderr).not.toMatch(/error/);
    expect(install.code).toBe(0);
    const dir = join(root, 'models', 'cvssp--audioldm2');
    expect(install.stdout).toContain(`installed: ${dir}\n`);
    expect(install.stdout).toMatch(/licence: CC-BY-NC-SA-4\.0 \(Creative Commons Attribution-NonCommercial-ShareAlike 4\.0: non-commercial, attribution, share-alike\)/);
    expect(install.stderr).toMatch(/^cvssp\/audioldm2@main = commit [0-9a-f]{40}\n/);
    expect(install.stderr).toMatch(/\n21 files, 14\.\d MB; 1 already in the cache; to download: 14\.\d MB \([\d.]+ [kMGT]?B free\)\n/);
    expect(install.stderr).toMatch(/100\.0% /);

    const out = join(root, 'a.wav');
    const generate = await runLoa(['generate', 'glass shattering', '--model', dir, '--seconds', '1', '--steps', '2', '--seed', '7', '--out', out], join(root, 'bundles'));
    expect(generate.stderr).not.toMatch(/error:/);
    expect(generate.code).toBe(0);
    expect(statSync(out).size).toBeGreaterThan(44);

    // Again: everything is in the cache, nothing is downloaded.
    const before = hub.downloads().length;
    const again = await runLoa(['models', 'install', 'cvssp/audioldm2', ...where()], join(root, 'bundles'));
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('(found in the Hugging Face cache: no download)');
    expect(hub.downloads().length).toBe(before);

    const list = await runLoa(['models', 'list', ...where()], join(root, 'bundles'));
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/Installed \(1\):\n {2}cvssp--audioldm2 {2}AudioLDM 2 \(cvssp\/audioldm2\)\n/);
    expect(list.stdout).toMatch(/licence: CC-BY-NC-SA-4\.0/);
    expect(list.stdout).toMatch(new RegExp(`Hugging Face cache \\(1\\):\\n {2}cvssp/audioldm2@${COMMIT.slice(0, 12)} \\(main\\) {2}14\\.\\d MB {2}complete`));
    expect(list.stdout).toContain('Catalogue: cvssp/audioldm2 (default), cvssp/audioldm2-large, cvssp/audioldm2-music');

    // Without --yes (and no terminal to ask on) the shared cache copy stays.
    const remove = await runLoa(['models', 'remove', 'cvssp--audioldm2', ...where()], join(root, 'bundles'));
    expect(remove.code).toBe(0);
    expect(remove.stdout).toContain(`removed: ${dir}\n`);
    expect(remove.stdout).toMatch(/kept in the Hugging Face cache: .*shared with Python tools — run again with --yes to delete it too/);
    expect(existsSync(dir)).toBe(false);
    const snapshot = join(root, 'hf', 'models--cvssp--audioldm2', 'snapshots', COMMIT);
    expect(existsSync(snapshot)).toBe(true);

    const purge = await runLoa(['models', 'remove', 'cvssp/audioldm2', '--yes', ...where()], join(root, 'bundles'));
    expect(purge.code).toBe(0);
    expect(purge.stdout).toContain(`removed from the Hugging Face cache: ${snapshot}`);
    expect(existsSync(join(root, 'hf', 'models--cvssp--audioldm2'))).toBe(false);
  }, 180_000);

  it("refuses an unsupported fine-tune in one line with the builder's reason, and a bad id as a usage error", async () => {
    const vits = await runLoa(['models', 'install', 'someone/audioldm2-vits', ...where()], join(root, 'bundles'));
    expect(vits.code).toBe(1);
    expect(vits.stderr).toMatch(
      /error: .*model_index\.json: "text_encoder_2" is VitsModel; the builder supports T5EncoderModel\. This checkpoint is not a text-to-audio AudioLDM 2 the builder supports/,
    );
    expect(vits.stderr).not.toMatch(/\n\s+at /);

    const bad = await runLoa(['models', 'install', 'not a repo', ...where()], join(root, 'bundles'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/error: "not a repo" is not a Hub repo id\. Give it as org\/name/);
  }, 60_000);
});
