// Builds a sampler from the checkpoint's scheduler_config.json (a DDIMScheduler config for every
// AudioLDM 2 checkpoint). DPM-Solver++ is created from that same config, like the blog's
// `DPMSolverMultistepScheduler.from_config(pipe.scheduler.config)`.
import { DdimScheduler } from './ddim-scheduler.ts';
import { DpmSolverMultistepScheduler } from './dpm-solver-multistep.ts';
import type { Scheduler, SchedulerConfig, SchedulerName } from './scheduler.ts';

export function createScheduler(name: SchedulerName, config: SchedulerConfig): Scheduler {
  switch (name) {
    case 'ddim':
      return new DdimScheduler(config);
    case 'dpmpp':
      // `pipe.scheduler.config` already holds DDIM's defaults, so a JSON without timestep_spacing
      // still hands DPM "leading" (DDIM's default), not DPM's own "linspace".
      return new DpmSolverMultistepScheduler({ timestep_spacing: 'leading', ...config });
    default:
      throw new Error(`Unknown scheduler "${String(name)}" (use "ddim" or "dpmpp")`);
  }
}
