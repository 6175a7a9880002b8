/**
 * electron-builder afterPack hook (engineering.md §1.9, §5.2; the check OpenWhispr#1221 added).
 * ONNX Runtime ships every platform's binaries (~290 MB); this hook deletes all but the target's
 * `<platform>/<arch>` from app.asar.unpacked, then fails the build unless that binding is really
 * there. (Per-platform `files` negations cannot do it: in electron-builder 26 a negation-only
 * platform `files` list makes it pack the whole repository.) It also fails the build if model
 * weights slipped into the app: models download on first run.
 * CommonJS because package.json says "type": "module" and electron-builder require()s hooks.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

// builder-util's Arch enum, by value.
const ARCH_NAMES = ['ia32', 'x64', 'armv7l', 'arm64', 'universal'];
const ORT_BIN = path.join('node_modules', 'onnxruntime-node', 'bin', 'napi-v6');
const BINDING = 'onnxruntime_binding.node';

/**
 * Removes every `<platform>/<arch>` folder under ONNX Runtime's bin dir except the target's, and
 * returns the removed folders (relative). Throws when the target binding is missing: the packaged
 * app would start, then fail to generate anything (`Cannot find module …/darwin/x64/…`).
 */
function pruneOnnxBindings(binDir, platform, arch) {
  const binding = path.join(binDir, platform, arch, BINDING);
  if (!fs.existsSync(binding)) {
    throw new Error(
      `ONNX Runtime has no binding for ${platform}/${arch} (expected ${binding}). ` + 'onnxruntime-node 1.30 ships no Intel macOS build (microsoft/onnxruntime#27961); build for a supported target.',
    );
  }
  const removed = [];
  for (const os of fs.readdirSync(binDir)) {
    const osDir = path.join(binDir, os);
    if (!fs.statSync(osDir).isDirectory()) continue;
    if (os !== platform) {
      fs.rmSync(osDir, { recursive: true, force: true });
      removed.push(os);
      continue;
    }
    for (const cpu of fs.readdirSync(osDir)) {
      if (cpu === arch) continue;
      fs.rmSync(path.join(osDir, cpu), { recursive: true, force: true });
      removed.push(`${os}/${cpu}`);
    }
  }
  return removed;
}

/** Paths inside the app that look like model weights; there must be none. */
function findModelWeights(paths) {
  return paths.filter((p) => /\.onnx(_data)?$|\.safetensors$/i.test(p) || /^[/\\]?models[/\\]/.test(p));
}

function listFiles(dir, base = dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? listFiles(full, base) : [path.relative(base, full)];
  });
}

async function afterPack(context) {
  const platform = context.electronPlatformName === 'mas' ? 'darwin' : context.electronPlatformName;
  const arch = ARCH_NAMES[context.arch];
  const resources = context.packager.getResourcesDir(context.appOutDir);
  const unpacked = path.join(resources, 'app.asar.unpacked');
  const removed = pruneOnnxBindings(path.join(unpacked, ORT_BIN), platform, arch);
  console.log(`  • after-pack: kept onnxruntime-node ${platform}/${arch}, removed ${removed.join(', ') || 'nothing'}`);

  // Weights are GBs (NSIS breaks above 2 GB, asar caps at 4.2 GB): they must never be packed.
  let packed = listFiles(unpacked);
  const asarFile = path.join(resources, 'app.asar');
  if (fs.existsSync(asarFile)) packed = packed.concat(require('@electron/asar').listPackage(asarFile, { isPack: false }));
  const weights = findModelWeights(packed);
  if (weights.length > 0) throw new Error(`Model weights must not be packaged, found: ${weights.slice(0, 5).join(', ')}`);
}

module.exports = { afterPack, default: afterPack, pruneOnnxBindings, findModelWeights };
