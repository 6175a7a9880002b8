/**
 * The samplers the studio offers, one row each: the request validators accept these ids, the
 * engine builds a sampler for each (engine/schedulers/create-scheduler.ts), and every label the UI
 * and the recipes show comes from here. docs/recipes/add-a-scheduler.md walks through adding one.
 */

export interface SchedulerInfo {
  /** What requests, recipes and the CLI's --scheduler carry. */
  readonly id: string;
  /** Short: take cards, the library, recipe lines. */
  readonly label: string;
  /** The prompt editor's choice. */
  readonly title: string;
  /** The steps the prompt editor starts from with this sampler, and audio-to-audio's default when it runs it. */
  readonly defaultSteps: number;
  /**
   * Whether continue, inpaint and loop may run it: they paste the reference back in between steps,
   * which only a sampler whose step reads nothing but the current sample survives.
   */
  readonly masked: boolean;
}

export const SCHEDULER_INFO = {
  ddim: { id: 'ddim', label: 'DDIM', title: 'DDIM', defaultSteps: 50, masked: true },
  // diffusers' "AudioLDM 2, but faster": DPM-Solver++ at 20–25 steps in place of 200 DDIM steps.
  dpmpp: { id: 'dpmpp', label: 'DPM++', title: 'DPM-Solver++ 2M', defaultSteps: 25, masked: false },
} as const satisfies Record<string, SchedulerInfo>;

export type SchedulerName = keyof typeof SCHEDULER_INFO;

/** Every sampler id, in the order the prompt editor lists them. */
export const SCHEDULERS = Object.keys(SCHEDULER_INFO) as SchedulerName[];

export function isSchedulerName(value: unknown): value is SchedulerName {
  return typeof value === 'string' && Object.hasOwn(SCHEDULER_INFO, value);
}

/** The short label; an id this build does not know (a recipe from a newer studio) is shown as written. */
export function schedulerLabel(id: string): string {
  return isSchedulerName(id) ? SCHEDULER_INFO[id].label : id;
}
