/**
 * An engine notice is one plain sentence a person can act on, then (after a line break) the detail
 * a bug report needs: the provider's own message and the setup hint. The studio shows the sentence
 * and folds the detail away; the CLI prints both. Pure: no Node, no DOM.
 */

export interface NoticeParts {
  summary: string;
  /** Empty when the notice is one sentence with nothing more to say. */
  detail: string;
}

export function joinNotice(summary: string, detail: string): string {
  return detail ? `${summary}\n${detail}` : summary;
}

export function splitNotice(notice: string): NoticeParts {
  const at = notice.indexOf('\n');
  return at < 0 ? { summary: notice, detail: '' } : { summary: notice.slice(0, at), detail: notice.slice(at + 1).trim() };
}
