/**
 * RFC 8785 (JSON Canonicalization Scheme) for values that came from JSON: object members sorted by the
 * UTF-16 code units of their names, no whitespace, numbers and strings serialised as ECMAScript's
 * JSON.stringify does (which is what RFC 8785 §3.2.2 prescribes).
 * @throws TypeError for a non-finite number, a lone surrogate, or a value JSON cannot hold.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonical JSON cannot hold a non-finite number');
      return JSON.stringify(value);
    case 'string':
      if (LONE_SURROGATE.test(value)) throw new TypeError('canonical JSON cannot hold a lone surrogate');
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((item: unknown) => canonicalJson(item)).join(',')}]`;
      const record = value as Record<string, unknown>;
      // The default sort compares UTF-16 code units, as RFC 8785 §3.2.3 asks.
      const names = Object.keys(record)
        .filter((name) => record[name] !== undefined)
        .sort();
      return `{${names.map((name) => `${canonicalJson(name)}:${canonicalJson(record[name])}`).join(',')}}`;
    }
    default:
      throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The UTF-8 bytes of {@link canonicalJson}. */
export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalJson(value), 'utf8');
}
