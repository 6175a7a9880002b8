import { DEFAULT_GENERATE, SCHEDULERS } from '../../shared/engine/generate-params.ts';

export const USAGE = `Usage:
  npm run loa -- generate "<prompt>" --out <file.wav> [--model <dir>] [--seconds ${DEFAULT_GENERATE.seconds}] [--steps ${DEFAULT_GENERATE.steps}]
      [--scheduler ${SCHEDULERS.join('|')}] [--guidance ${DEFAULT_GENERATE.guidance}] [--negative "${DEFAULT_GENERATE.negativePrompt}"] [--seed <n>] [--takes 1]
      [--device auto|cpu|cuda|dml|coreml|webgpu] [--threads <n>]
  npm run loa -- generate --prompts <list.txt> --out <folder> [the same options]
      (one job per line, on one loaded model; "prompt|name" names the file, # starts a comment)
      (generate, --prompts lists and the four audio-to-audio commands take --farm <redis-url> to run on a render farm's
       workers instead; --farm env reads the URL from LOA_FARM_URL; takes come back into --out and --library)
  npm run loa -- continue --reference <in> --prompt "<p>" --seconds <new> --out <f> [--crossfade-ms 50] [--resample 0]
  npm run loa -- vary --reference <in> --prompt "<p>" --strength 0.5 --seed <n> --out <f> [--strengths 0.3,0.5,0.7 --takes 4]
  npm run loa -- inpaint --reference <in> --from <s> --to <s> --prompt "<p>" --out <f> [--crossfade-ms 50] [--resample 0]
  npm run loa -- loop --reference <in> --prompt "<p>" --out <f> [--seam 1] [--crossfade-ms 50]
      (all four also take --model, --steps, --scheduler, --guidance, --negative, --seed, --takes, --device, --threads;
       continue, inpaint and loop run DDIM, 50 steps by default; each take gets a <file>.json with its lineage)
  npm run loa -- regenerate <take.wav> --out <f> [--model <dir>] [--reference <file>]
      (makes a take again, bit-identically on the same device, from the recipe inside the WAV or its .json)
  npm run loa -- library list|search "<q>"|similar <id>|show <id>|export <id> --out <f> [--json] [--library <dir>]
      (generate and the audio-to-audio commands take --library <dir> to save their takes into a library too)
  npm run loa -- models build <checkpoint-dir> --out <bundle-dir> [--repo <id> --revision <rev>] [--fp16]
      (writes the engine's graphs from a diffusers AudioLDM 2 checkpoint; its weights are shared, not copied;
       --fp16 adds half-precision graphs and converted weights, which GPU providers use)
  npm run loa -- models verify <dir> [--run]
      (checks every file and graph contract; --run also runs every graph at two sizes of each dynamic dimension)
  npm run loa -- models install <repo-id> [--revision <rev>] [--hub-url <url>] [--cache-dir <dir>] [--dir <models folder>] [--no-cache]
      (downloads the safetensors, configs and tokenizers into the Hugging Face cache, resumable and checksummed, or
       reuses a copy already there, then builds the model into <models folder>/<org>--<name>, the folder --model takes;
       HF_TOKEN is the access token for gated or private repos; cvssp/audioldm2 is the default model)
  npm run loa -- models list [--dir <models folder>] [--cache-dir <dir>] [--json]
      (installed models and the checkpoints in the Hugging Face cache, with sizes and licences)
  npm run loa -- models remove <id> [--dir <models folder>] [--cache-dir <dir>] [--yes | --keep-cache]
      (removes an installed model; asks before deleting its Hugging Face cache copy, which Python tools share)
  npm run loa -- worker --redis <redis[s]://[user:password@]host:port> [--model <bundle, checkpoint or repo id>]... [--device auto]
      [--concurrency 1] [--name <name>] [--threads <n>] [--lock-ms 30000] [--drain-seconds 30]
      (a render-farm worker: runs generate and audio-to-audio jobs from the queue; without --redis it reads LOA_FARM_URL;
       SIGTERM lets the running job finish, then hands it back; see docs/render-farm.md)`;
