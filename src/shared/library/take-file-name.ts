/** Library takes are named `<prompt-slug>_<seed>_<id>.wav` (main's take-paths.ts): the id back from a name; pure. */
export function takeIdInFileName(name: string): string | null {
  return /_([0-9a-f]{32})\.wav$/i.exec(name)?.[1].toLowerCase() ?? null;
}
