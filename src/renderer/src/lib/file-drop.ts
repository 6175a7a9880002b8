/**
 * Dropping files on an element (the reference lane, the library): a drag counter that survives
 * the child elements' enter/leave pairs, and a window guard so a file dropped beside the target
 * does not make the browser navigate to it. DOM glue only: no state of its own beyond the counter.
 */
export interface FileDropHandlers {
  ondragenter: (event: DragEvent) => void;
  ondragover: (event: DragEvent) => void;
  ondragleave: (event: DragEvent) => void;
  ondrop: (event: DragEvent) => void;
}

export const carriesFiles = (event: DragEvent): boolean => event.dataTransfer?.types.includes('Files') ?? false;

/** Handlers for a drop target; `onHover` says when a file drag is over it, `onFiles` gets the drop. */
export function fileDrop(onHover: (hovering: boolean) => void, onFiles: (files: FileList) => void): FileDropHandlers {
  let depth = 0;
  return {
    ondragenter(event) {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      depth++;
      onHover(true);
    },
    ondragover(event) {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
    },
    ondragleave() {
      depth = Math.max(0, depth - 1);
      if (depth === 0) onHover(false);
    },
    ondrop(event) {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      depth = 0;
      onHover(false);
      const files = event.dataTransfer?.files;
      if (files && files.length > 0) onFiles(files);
    },
  };
}

/** An attachment: files dropped anywhere else in the window are ignored instead of opened. */
export function guardWindowDrops(_node: HTMLElement): () => void {
  const stray = (event: DragEvent) => {
    if (carriesFiles(event)) event.preventDefault();
  };
  window.addEventListener('dragover', stray);
  window.addEventListener('drop', stray);
  return () => {
    window.removeEventListener('dragover', stray);
    window.removeEventListener('drop', stray);
  };
}
