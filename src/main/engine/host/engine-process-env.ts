/**
 * The environment the engine process starts with.
 *
 * On Linux, glibc's malloc is asked to back its large blocks with transparent huge pages
 * (`glibc.malloc.hugetlb=1`, glibc 2.35+; older glibc and other libcs ignore the tunable, and a
 * system with THP off ignores the advice). ONNX Runtime writes the UNet's and GPT-2's packed weights
 * (1.7 GB on the published checkpoint) into fresh memory at session creation, and faulting that in
 * 4 KiB pages was a quarter of the load's CPU time: the full random bundle's sessions took 11.9–13.6
 * CPU-seconds to create without it and 9.1–9.8 with it (2 cores, 2026-12-03, three runs each), while a
 * UNet step took the same CPU time either way (2.05–2.07 s at best). glibc reads tunables only when a
 * process starts, so they are set for the child, not in it.
 */
const HUGE_PAGES = 'glibc.malloc.hugetlb=1';

export function engineProcessEnv(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): NodeJS.ProcessEnv {
  if (platform !== 'linux') return env;
  const tunables = env.GLIBC_TUNABLES ?? '';
  // The user's own setting wins.
  if (/(^|:)glibc\.malloc\.hugetlb=/.test(tunables)) return env;
  return { ...env, GLIBC_TUNABLES: tunables ? `${tunables}:${HUGE_PAGES}` : HUGE_PAGES };
}
