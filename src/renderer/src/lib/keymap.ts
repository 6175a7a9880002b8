/**
 * The audition keys (docs/ux-conventions.md §1: Pro Tools DigiBase, Sononym, Ableton), as pure data:
 * a key event in, a command out. The controller that runs them is `state/audition-keys.ts`.
 */
export type AuditionCommand =
  | { kind: 'toggle-play' }
  | { kind: 'stop' }
  | { kind: 'select'; delta: 1 | -1 }
  | { kind: 'seek'; seconds: number }
  | { kind: 'seek-edge'; edge: 'start' | 'end' }
  | { kind: 'loop' }
  | { kind: 'regenerate' }
  | { kind: 'rate'; rating: 0 | 1 | 2 | 3 | 4 | 5 }
  | { kind: 'favourite' }
  | { kind: 'ab-mark'; slot: 'a' | 'b' }
  | { kind: 'ab-toggle' }
  /** C continues the reference in the lane (or the selected take), V makes variations of it. */
  | { kind: 'continue' }
  | { kind: 'vary' }
  /** Shift+R: the selected take (its selection, if any) becomes the reference. */
  | { kind: 'use-as-reference' }
  /** Shift+L: the library panel in and out. */
  | { kind: 'toggle-library' }
  /** Delete: the selected take goes to the trash (Ctrl/Cmd+Z or the toast's Undo brings it back). */
  | { kind: 'delete' }
  /** M: the library's takes that sound most like the selected one. */
  | { kind: 'more-like-this' }
  /** I / O: the selected take's region starts / ends at the play cursor (regions without a mouse). */
  | { kind: 'region-edge'; edge: 'in' | 'out' }
  /** Enter: the selected take opens as a full card in the workspace, or folds back to a row. */
  | { kind: 'toggle-card' };

export interface KeyLike {
  key: string;
  shiftKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
}

/** Ctrl+Enter (Cmd+Enter on a Mac) generates, from anywhere, text fields included. */
export function isGenerateShortcut(event: KeyLike): boolean {
  return event.key === 'Enter' && (event.ctrlKey || event.metaKey) && !event.altKey;
}

/** Ctrl+Z (Cmd+Z on a Mac) undoes the last library action, outside text fields (docs/ux-conventions.md §1). */
export function isUndoShortcut(event: KeyLike): boolean {
  return (event.key === 'z' || event.key === 'Z') && (event.ctrlKey || event.metaKey) && !event.shiftKey && !event.altKey;
}

export function commandForKey(event: KeyLike): AuditionCommand | null {
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  switch (event.key) {
    case ' ':
    case 'Spacebar':
      return { kind: 'toggle-play' };
    case 'Escape':
      return { kind: 'stop' };
    case 'ArrowUp':
      return { kind: 'select', delta: -1 };
    case 'ArrowDown':
      return { kind: 'select', delta: 1 };
    case 'ArrowLeft':
      return event.shiftKey ? { kind: 'seek-edge', edge: 'start' } : { kind: 'seek', seconds: -1 };
    case 'ArrowRight':
      return event.shiftKey ? { kind: 'seek-edge', edge: 'end' } : { kind: 'seek', seconds: 1 };
    case 'Delete':
      return event.shiftKey ? null : { kind: 'delete' };
    case 'Enter':
      return event.shiftKey ? null : { kind: 'toggle-card' };
  }
  const key = event.key.length === 1 ? event.key.toUpperCase() : event.key;
  if (event.shiftKey) return key === 'R' ? { kind: 'use-as-reference' } : key === 'L' ? { kind: 'toggle-library' } : null;
  switch (key) {
    case 'L':
      return { kind: 'loop' };
    case 'R':
      return { kind: 'regenerate' };
    case 'F':
      return { kind: 'favourite' };
    case 'A':
      return { kind: 'ab-mark', slot: 'a' };
    case 'B':
      return { kind: 'ab-mark', slot: 'b' };
    case 'X':
      return { kind: 'ab-toggle' };
    case 'C':
      return { kind: 'continue' };
    case 'V':
      return { kind: 'vary' };
    case 'M':
      return { kind: 'more-like-this' };
    case 'I':
      return { kind: 'region-edge', edge: 'in' };
    case 'O':
      return { kind: 'region-edge', edge: 'out' };
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
      return { kind: 'rate', rating: Number(key) as 0 | 1 | 2 | 3 | 4 | 5 };
  }
  return null;
}

const NON_TEXT_INPUTS = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file', 'image']);

interface ElementLike {
  tagName?: string;
  type?: string;
  isContentEditable?: boolean;
}

/** True while the user is typing: a text field, a number box, a select, or editable text. */
export function isTextEntry(target: unknown): boolean {
  if (typeof target !== 'object' || target === null) return false;
  const element = target as ElementLike;
  if (element.isContentEditable) return true;
  const tag = element.tagName?.toUpperCase();
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') return !NON_TEXT_INPUTS.has((element.type ?? 'text').toLowerCase());
  return false;
}

/** Enter on a focused button or link is its own click, not the audition key. */
export function activatesOnEnter(target: unknown): boolean {
  const tag = (target as ElementLike | null)?.tagName?.toUpperCase();
  return tag === 'BUTTON' || tag === 'A' || tag === 'SUMMARY';
}

/** A slider keeps its own arrow keys (zoom, volume); every other audition key still works on it. */
export function keepsArrowKeys(target: unknown): boolean {
  const element = target as ElementLike | null;
  return element?.tagName?.toUpperCase() === 'INPUT' && element.type === 'range';
}

/** The legend the status bar shows, so nobody needs a manual. */
export const KEY_LEGEND: readonly (readonly [string, string])[] = [
  ['Space', 'play / stop'],
  ['Esc', 'stop'],
  ['↑ ↓', 'take'],
  ['← →', '±1 s'],
  ['L', 'repeat'],
  ['R', 'new seed'],
  ['⇧R', 'use as reference'],
  ['C', 'continue'],
  ['V', 'vary'],
  ['1–5', 'rate'],
  ['F', 'favourite'],
  ['M', 'like this'],
  ['I O', 'region in / out'],
  ['A B X', 'A/B'],
  ['⇧L', 'library'],
  ['Del', 'trash'],
  ['Ctrl+↵', 'generate'],
];
