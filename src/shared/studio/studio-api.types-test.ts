/**
 * Compile-time checks, run by `npm run typecheck` (tsc compiles this file; nothing here runs): the
 * STUDIO_METHODS check in studio-api.ts passes for the real list and fails for a list that misses a method.
 */
import type { NoneMissing, StudioMethodsListEveryMethod, UnlistedStudioMethods } from './studio-api.ts';

export type RealListIsComplete = StudioMethodsListEveryMethod;

// @ts-expect-error a list without most methods must not compile
export type ShortListFails = NoneMissing<UnlistedStudioMethods<['generate', 'cancel']>>;
