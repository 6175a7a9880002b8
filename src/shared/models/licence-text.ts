/**
 * A model's licence as the studio shows it. Manifests carry one free-text line, e.g. the Hub
 * installer's "CC-BY-NC-SA-4.0 (Creative Commons …: non-commercial, attribution, share-alike)
 * https://…" or a plain sentence for a folder built without a known licence.
 */
export interface LicenceSummary {
  /** An SPDX-style id when the text starts with one (CC-BY-NC-SA-4.0, MIT), else the text itself, shortened. */
  id: string;
  /** The plain-words terms after a colon inside parentheses, when given. */
  terms: string;
  url: string | null;
}

const SPDX_LIKE = /^[A-Z][A-Za-z0-9.+-]*$/;

export function licenceSummary(text: string): LicenceSummary {
  const first = text.trim().split(/[\s(]/)[0] ?? '';
  // "MIT", "CC-BY-NC-SA-4.0", "Apache-2.0" — not an ordinary word such as "See" or "Unknown".
  const isId = SPDX_LIKE.test(first) && (/[0-9-]/.test(first) || first === first.toUpperCase());
  const plain = text.trim();
  const id = isId ? first : plain.length > 48 ? `${plain.slice(0, 47)}…` : plain;
  const terms = /:\s*([^)]*)\)/.exec(text)?.[1]?.trim() ?? '';
  const url = /https:\/\/\S+/.exec(text)?.[0] ?? null;
  return { id, terms, url };
}
