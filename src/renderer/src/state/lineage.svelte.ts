/** The lineage tree of the library's selected take (issue 5 §6), loaded when the selection changes. */
import type { LineageNode, StudioApi } from '../../../shared/studio/studio-api.ts';
import { errorText, type ErrorText } from '../lib/error-text.ts';

export class LineageState {
  takeId = $state<string | null>(null);
  tree = $state.raw<LineageNode | null>(null);
  loading = $state(false);
  error = $state<ErrorText | null>(null);

  private request = 0;

  constructor(private readonly api: StudioApi) {}

  /** The tree around `takeId`; a newer call wins over an older one still on its way. */
  load = async (takeId: string | null): Promise<void> => {
    const request = ++this.request;
    if (takeId !== this.takeId) this.tree = null;
    this.takeId = takeId;
    this.error = null;
    if (!takeId) {
      this.loading = false;
      return;
    }
    this.loading = true;
    try {
      const tree = await this.api.lineageTree(takeId);
      if (request === this.request) this.tree = tree;
    } catch (error) {
      if (request !== this.request) return;
      this.error = errorText(error);
    } finally {
      if (request === this.request) this.loading = false;
    }
  };

  /** A take or reference arrived that may belong to the tree on screen. */
  reload = (): void => {
    if (this.takeId) void this.load(this.takeId);
  };
}
