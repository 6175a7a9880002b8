import { describe, expect, it } from 'vitest';
import { activatesOnEnter, commandForKey, isGenerateShortcut, isTextEntry, isUndoShortcut, keepsArrowKeys } from './keymap.ts';

const key = (k: string, mods: Partial<{ shiftKey: boolean; ctrlKey: boolean; metaKey: boolean; altKey: boolean }> = {}) => ({
  key: k,
  shiftKey: false,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  ...mods,
});

describe('audition keys (docs/ux-conventions.md §1)', () => {
  it('maps the transport keys', () => {
    expect(commandForKey(key(' '))).toEqual({ kind: 'toggle-play' });
    expect(commandForKey(key('Escape'))).toEqual({ kind: 'stop' });
    expect(commandForKey(key('ArrowUp'))).toEqual({ kind: 'select', delta: -1 });
    expect(commandForKey(key('ArrowDown'))).toEqual({ kind: 'select', delta: 1 });
    expect(commandForKey(key('ArrowLeft'))).toEqual({ kind: 'seek', seconds: -1 });
    expect(commandForKey(key('ArrowRight'))).toEqual({ kind: 'seek', seconds: 1 });
    expect(commandForKey(key('ArrowLeft', { shiftKey: true }))).toEqual({ kind: 'seek-edge', edge: 'start' });
    expect(commandForKey(key('ArrowRight', { shiftKey: true }))).toEqual({ kind: 'seek-edge', edge: 'end' });
  });

  it('maps the library keys, either case', () => {
    expect(commandForKey(key('l'))).toEqual({ kind: 'loop' });
    expect(commandForKey(key('R'))).toEqual({ kind: 'regenerate' });
    expect(commandForKey(key('f'))).toEqual({ kind: 'favourite' });
    expect(commandForKey(key('0'))).toEqual({ kind: 'rate', rating: 0 });
    expect(commandForKey(key('5'))).toEqual({ kind: 'rate', rating: 5 });
    expect(commandForKey(key('x'))).toEqual({ kind: 'ab-toggle' });
    expect(commandForKey(key('a'))).toEqual({ kind: 'ab-mark', slot: 'a' });
    expect(commandForKey(key('c'))).toEqual({ kind: 'continue' });
    expect(commandForKey(key('V'))).toEqual({ kind: 'vary' });
    expect(commandForKey(key('m'))).toEqual({ kind: 'more-like-this' });
    expect(commandForKey(key('i'))).toEqual({ kind: 'region-edge', edge: 'in' });
    expect(commandForKey(key('o'))).toEqual({ kind: 'region-edge', edge: 'out' });
    expect(commandForKey(key('M', { shiftKey: true }))).toBeNull();
    // Shift+R sends the take to the reference lane; R alone still regenerates.
    expect(commandForKey(key('R', { shiftKey: true }))).toEqual({ kind: 'use-as-reference' });
    expect(commandForKey(key('r', { shiftKey: true }))).toEqual({ kind: 'use-as-reference' });
    expect(commandForKey(key('C', { shiftKey: true }))).toBeNull();
    // Shift+L shows or hides the library; L alone still loops.
    expect(commandForKey(key('L', { shiftKey: true }))).toEqual({ kind: 'toggle-library' });
    expect(commandForKey(key('Delete'))).toEqual({ kind: 'delete' });
    expect(commandForKey(key('Enter'))).toEqual({ kind: 'toggle-card' });
    expect(commandForKey(key('Enter', { shiftKey: true }))).toBeNull();
    // A focused button keeps Enter for its own click.
    expect(activatesOnEnter({ tagName: 'BUTTON' })).toBe(true);
    expect(activatesOnEnter({ tagName: 'DIV' })).toBe(false);
  });

  it('undoes library actions on Ctrl+Z or Cmd+Z only', () => {
    expect(isUndoShortcut(key('z', { ctrlKey: true }))).toBe(true);
    expect(isUndoShortcut(key('z', { metaKey: true }))).toBe(true);
    expect(isUndoShortcut(key('z'))).toBe(false);
    expect(isUndoShortcut(key('Z', { ctrlKey: true, shiftKey: true }))).toBe(false); // redo
  });

  it('leaves modified and unknown keys alone', () => {
    expect(commandForKey(key('6'))).toBeNull();
    expect(commandForKey(key('r', { ctrlKey: true }))).toBeNull(); // reload stays the browser's
    expect(commandForKey(key('f', { metaKey: true }))).toBeNull();
    expect(commandForKey(key('K', { shiftKey: true }))).toBeNull();
    expect(commandForKey(key('Delete', { shiftKey: true }))).toBeNull();
    expect(commandForKey(key('R', { shiftKey: true, ctrlKey: true }))).toBeNull();
    expect(commandForKey(key('Tab'))).toBeNull();
  });

  it('generates on Ctrl+Enter or Cmd+Enter only', () => {
    expect(isGenerateShortcut(key('Enter', { ctrlKey: true }))).toBe(true);
    expect(isGenerateShortcut(key('Enter', { metaKey: true }))).toBe(true);
    expect(isGenerateShortcut(key('Enter'))).toBe(false);
    expect(isGenerateShortcut(key('Enter', { ctrlKey: true, altKey: true }))).toBe(false);
  });

  it('knows when the user is typing', () => {
    expect(isTextEntry({ tagName: 'TEXTAREA' })).toBe(true);
    expect(isTextEntry({ tagName: 'SELECT' })).toBe(true);
    expect(isTextEntry({ tagName: 'INPUT', type: 'text' })).toBe(true);
    expect(isTextEntry({ tagName: 'INPUT', type: 'number' })).toBe(true);
    expect(isTextEntry({ tagName: 'INPUT', type: 'search' })).toBe(true);
    expect(isTextEntry({ tagName: 'DIV', isContentEditable: true })).toBe(true);
    expect(isTextEntry({ tagName: 'INPUT', type: 'checkbox' })).toBe(false);
    expect(isTextEntry({ tagName: 'INPUT', type: 'range' })).toBe(false);
    expect(isTextEntry({ tagName: 'BUTTON' })).toBe(false);
    expect(isTextEntry(null)).toBe(false);
    expect(keepsArrowKeys({ tagName: 'INPUT', type: 'range' })).toBe(true);
    expect(keepsArrowKeys({ tagName: 'BUTTON' })).toBe(false);
  });
});
