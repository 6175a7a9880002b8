/**
 * Reads the `<USER>` text of an iXML chunk (http://www.ixml.info) from untrusted bytes.
 *
 * Why not regular expressions: the old reader stripped NUL padding with `/\0+$/`, found USER with a
 * lazy `<USER…>([\s\S]*?)</USER>` and split CDATA with another lazy pattern; each backtracks, so a
 * 300 KB chunk of `<USER ` or `<![CDATA[` or NULs took close to a minute on the service's thread.
 * Here the padding is trimmed by a loop from the end and the document goes through fast-xml-parser,
 * a maintained parser that reads in one pass and refuses unclosed CDATA, comments and deep nesting.
 * The chunk is capped first, so the work per file is bounded whatever it holds.
 */
import { XMLParser } from 'fast-xml-parser';

/**
 * Bigger iXML chunks are not read: a recipe is a few KB, and iXML from recorders tens of KB. At
 * this size the worst input the fuzzer found (entity floods) parses in tenths of a second.
 */
export const MAX_IXML_BYTES = 512 * 1024;

const utf8 = new TextDecoder('utf-8');

const parser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Keep text exactly as written: no number parsing, no trimming (the JSON is parsed by us).
  parseTagValue: false,
  trimValues: false,
  // The five XML entities and character references (&#13; &#x41;); CDATA is taken verbatim.
  processEntities: true,
  htmlEntities: true,
  // iXML is flat (BWFXML → element → at most a few levels); deeper is not iXML.
  maxNestedTags: 16,
});

/** Length of `bytes` without its trailing NULs (writers reserve room with them), in one pass. */
function withoutNulPadding(bytes: Uint8Array): Uint8Array {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  return bytes.subarray(0, end);
}

/**
 * The text of the first `<USER>` element directly under the `<BWFXML>` root, or null when the
 * chunk is too big, is not iXML, is malformed, or its USER holds elements rather than text.
 */
export function ixmlUserText(body: Uint8Array): string | null {
  if (body.length > MAX_IXML_BYTES) return null;
  const xml = utf8.decode(withoutNulPadding(body));
  let doc: unknown;
  try {
    doc = parser.parse(xml);
  } catch {
    return null; // malformed XML: unclosed CDATA or comment, nesting too deep, bad entities
  }
  if (typeof doc !== 'object' || doc === null) return null;
  const root = (doc as Record<string, unknown>).BWFXML;
  if (typeof root !== 'object' || root === null) return null;
  let user = (root as Record<string, unknown>).USER;
  if (Array.isArray(user)) user = user[0]; // iXML elements are unique; the first one counts
  return typeof user === 'string' ? user : null;
}
