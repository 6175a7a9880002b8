/**
 * A drag-out as Chromium starts it: a `dragstart` on the handle with a fresh DataTransfer, and
 * what the page put there for a drop target (`DownloadURL` = `type:name:url`). The test then
 * fetches that URL itself, as the desktop or a DAW would when the take is dropped on it.
 */
import type { Locator, Page } from 'playwright-core';

export interface OfferedDrag {
  type: string;
  name: string;
  url: string;
}

export async function startDragOut(page: Page, handle: Locator): Promise<OfferedDrag> {
  const dataTransfer = await page.evaluateHandle(() => new (globalThis as unknown as { DataTransfer: new () => unknown }).DataTransfer());
  await handle.dispatchEvent('dragstart', { dataTransfer });
  const offered = await dataTransfer.evaluate((d) => (d as { getData(type: string): string }).getData('DownloadURL'));
  const match = /^([^:]+):([^:]+):(.+)$/.exec(offered);
  if (!match) throw new Error(`The drag offered no DownloadURL (got ${JSON.stringify(offered)})`);
  return { type: match[1], name: match[2], url: match[3] };
}
