/**
 * One tab stop for a row of buttons (a card's tools, the rating stars): Tab enters and leaves the
 * row, ←/→ (Home/End) move inside it — the ARIA toolbar pattern with a roving tabindex. So a take
 * card costs a keyboard user a handful of Tab presses, not seventeen (issue 13 item 14). Arrow keys
 * used here do not reach the audition keys (they would seek). A slider in the row keeps its own
 * arrows and its own tab stop.
 */
const ITEMS = 'button:not(:disabled)';

export function rovingFocus(node: HTMLElement): () => void {
  let current = 0;
  const items = (): HTMLElement[] => Array.from(node.querySelectorAll<HTMLElement>(ITEMS));

  const sync = (): void => {
    const list = items();
    if (current >= list.length) current = Math.max(0, list.length - 1);
    list.forEach((el, i) => {
      // The attribute, not only the property: a button's tabIndex is already 0 without one.
      const tabIndex = i === current ? '0' : '-1';
      if (el.getAttribute('tabindex') !== tabIndex) el.setAttribute('tabindex', tabIndex);
    });
  };

  const onFocusIn = (event: FocusEvent): void => {
    const at = items().indexOf(event.target as HTMLElement);
    if (at >= 0 && at !== current) {
      current = at;
      sync();
    }
  };

  const onKeyDown = (event: KeyboardEvent): void => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const list = items();
    const at = list.indexOf(event.target as HTMLElement);
    if (at < 0) return;
    const next =
      event.key === 'ArrowRight' ? (at + 1) % list.length : event.key === 'ArrowLeft' ? (at - 1 + list.length) % list.length : event.key === 'Home' ? 0 : event.key === 'End' ? list.length - 1 : -1;
    if (next < 0) return;
    event.preventDefault();
    event.stopPropagation();
    current = next;
    sync();
    list[next].focus();
  };

  sync();
  // Buttons come and go (a region's ▶/✕, a disabled state): the one tab stop follows.
  const observer = new MutationObserver(sync);
  observer.observe(node, { childList: true, subtree: true, attributes: true, attributeFilter: ['disabled'] });
  node.addEventListener('focusin', onFocusIn);
  node.addEventListener('keydown', onKeyDown);
  return () => {
    observer.disconnect();
    node.removeEventListener('focusin', onFocusIn);
    node.removeEventListener('keydown', onKeyDown);
  };
}
