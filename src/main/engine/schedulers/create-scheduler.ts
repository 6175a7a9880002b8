// Builds a sampler from the checkpoint's scheduler_config.json (a DDIMScheduler config for every
// AudioLDM 2 checkpoint). DPM-Solver++ is created from that same config, like the blog's
// `DPMSolverMultistepScheduler.from_config(pipe.scheduler.config)`.
// The ids, labels and defaults live in shared/engine/schedulers.ts; this table is the engine's half.
import { isSchedulerName, SCHEDULERS } from '../../../shared/engine/schedulers.ts';
import { DdimScheduler } from './ddim-scheduler.ts';
import { DpmSolverMultistepScheduler } from './dpm-solver-multistep.ts';
import type { Scheduler, SchedulerConfig, SchedulerName } from './scheduler.ts';

/** One constructor per registry id: a sampler added to the registry without one here fails to type-check. */
const SAMPLERS: Record<SchedulerName, (config: SchedulerConfig) => Scheduler> = {
  ddim: (config) => new DdimScheduler(config),
  // `pipe.scheduler.config` already holds DDIM's defaults, so a JSON without timestep_spacing
  // still hands DPM "leading" (DDIM's default), not DPM's own "linspace".
  dpmpp: (config) => new DpmSolverMultistepScheduler({ timestep_spacing: 'leading', ...config }),
};

export function createScheduler(name: SchedulerName, config: SchedulerConfig): Scheduler {
  if (!isSchedulerName(name)) throw new Error(`Unknown scheduler "${String(name)}" (use ${SCHEDULERS.map((id) => `"${id}"`).join(' or ')})`);
  return SAMPLERS[name](config);
}
