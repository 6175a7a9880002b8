/**
 * The shape limits every Studio API payload must fit before any validator looks at it.
 *
 * The validators (and JSON.stringify in their messages) recurse into what they are given, so a
 * payload nested 100 000 levels deep would overflow the stack and come back as an internal error.
 * This walk is iterative (its own stack, not the call stack) and stops at the first limit it
 * crosses, so its cost is bounded by the limits, not by the payload. Pure: no Node, no DOM.
 */
import { InvalidRequestError } from '../errors.ts';

/** No real call nests deeper than ~5 (an export request's options.normalize); 32 leaves room for growth. */
export const MAX_PAYLOAD_DEPTH = 32;
/** Values in one call: trashTakes' 10 000 ids or a 200 kB recipe fit many times over. */
export const MAX_PAYLOAD_VALUES = 200_000;
/** Characters across all strings and keys in one call (a WebSocket frame is at most 1 MB anyway; IPC has no cap of its own). */
export const MAX_PAYLOAD_CHARS = 16 * 1024 * 1024;

const HINT = 'Send a smaller request; if the studio itself sent this, report it as a bug.';

/** Throws InvalidRequestError when `value` is nested too deeply or holds too much; otherwise returns nothing. */
export function checkPayloadBounds(value: unknown, field = 'args'): void {
  const stack: Array<[value: unknown, depth: number]> = [[value, 0]];
  let values = 1;
  let chars = 0;
  // Counted as they are queued, so even one huge array stops at the limit, not after it.
  const queue = (item: unknown, depth: number) => {
    if (++values > MAX_PAYLOAD_VALUES) throw new InvalidRequestError(field, `The request holds more than ${MAX_PAYLOAD_VALUES} values.`, HINT);
    stack.push([item, depth]);
  };
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (typeof current === 'string') {
      chars += current.length;
    } else if (typeof current === 'object' && current !== null) {
      if (depth >= MAX_PAYLOAD_DEPTH) throw new InvalidRequestError(field, `The request is nested more than ${MAX_PAYLOAD_DEPTH} levels deep.`, HINT);
      if (Array.isArray(current)) {
        for (let i = 0; i < current.length; i++) queue(current[i], depth + 1);
      } else {
        for (const key of Object.keys(current)) {
          chars += key.length;
          queue((current as Record<string, unknown>)[key], depth + 1);
        }
      }
    }
    if (chars > MAX_PAYLOAD_CHARS) throw new InvalidRequestError(field, `The request holds more than ${MAX_PAYLOAD_CHARS / 1024 ** 2} MB of text.`, HINT);
  }
}
