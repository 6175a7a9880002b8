/**
 * The one place errors and short confirmations go (Immich's notification manager): what happened
 * and what to do next, never a bare stack trace.
 */
import { errorText } from '../lib/error-text.ts';

export interface Notice {
  id: number;
  kind: 'error' | 'info';
  message: string;
  hint: string;
}

export class NoticeState {
  notices = $state<Notice[]>([]);
  private nextId = 1;

  /** Reports a failed action; `context` says what the user was doing ("Export failed"). */
  report = (error: unknown, context?: string): void => {
    const { message, hint } = errorText(error);
    this.push('error', context ? `${context}: ${message}` : message, hint);
  };

  info = (message: string, hint = ''): void => {
    this.push('info', message, hint);
  };

  dismiss = (id: number): void => {
    this.notices = this.notices.filter((n) => n.id !== id);
  };

  private push(kind: Notice['kind'], message: string, hint: string): void {
    const notice: Notice = { id: this.nextId++, kind, message, hint };
    this.notices = [...this.notices.slice(-4), notice];
    // Errors stay until dismissed; confirmations fade on their own.
    if (kind === 'info') setTimeout(() => this.dismiss(notice.id), 5000);
  }
}
