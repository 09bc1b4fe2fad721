/**
 * Human-readable "found" text for decode errors: the value's type and a short
 * preview, so a person reading `expected an integer, found string "12a"` can find
 * the record without the decoder echoing whole (possibly huge) values.
 */

const PREVIEW_LENGTH = 40;
const PREVIEW_KEYS = 5;

/**
 * `string "abc"`, `number 1.5`, `null`, `object with keys id, name`, `array of 3 items`,
 * or `nothing` for a missing value.
 */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'undefined':
      return 'nothing';
    case 'string':
      return `string ${preview(value)}`;
    case 'number':
    case 'bigint':
    case 'boolean':
      return `${typeof value} ${String(value)}`;
    case 'object':
      return describeObject(value);
    default:
      return typeof value;
  }
}

/** A string shown JSON-quoted and cut to a readable length. */
export function preview(text: string): string {
  const cut = text.length > PREVIEW_LENGTH ? `${text.slice(0, PREVIEW_LENGTH)}…` : text;
  return JSON.stringify(cut);
}

function describeObject(value: object | null): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `array of ${value.length} item${value.length === 1 ? '' : 's'}`;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    // A Date, Map, class instance…: name it rather than list its keys.
    const name = typeof value.constructor === 'function' ? value.constructor.name : '';
    return name === '' ? 'a non-plain object' : `a ${name} object`;
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return 'empty object';
  const shown = keys.slice(0, PREVIEW_KEYS).map((k) => preview(k).slice(1, -1));
  return `object with keys ${shown.join(', ')}${keys.length > PREVIEW_KEYS ? ', …' : ''}`;
}
