/**
 * The real-record variants emnify streams show (see docs/testing.md), as bits of a
 * record's `messy` mask. A mask of 0 renders the canonical shape of emnify's examples.
 */
export const Messy = {
  /** Two bits: 0 canonical `…000Z`, 1 `+0000` offset, 2 no milliseconds, 3 `YYYY-MM-DD hh:mm:ss`. */
  TimestampStyle: 0b11,
  /** `alert` as `1` / `0`. */
  AlertNumber: 1 << 2,
  /** `event_source` / `event_severity` carry `name` (severity in capitals) instead of `description`. */
  CodeName: 1 << 3,
  /** Numbers as strings: `"gtp_version":"2"`, quota `"volume":"0.015085"`, negative float artefacts. */
  NumericStrings: 1 << 4,
  /** `sim: null`. */
  NullSim: 1 << 5,
  /** `imsi: null`. */
  NullImsi: 1 << 6,
  /** `user: null` on device records and `endpoint.imei: null`. */
  NullUser: 1 << 7,
  /** Quota assigned detail as a 1NCE string with snake_case keys and unquoted dates (not JSON). */
  StringDetail: 1 << 8,
  /** Free key order: 1NCE records start with `imsi`; `event_type` lists `description` first. */
  KeyOrder: 1 << 9,
  /** ICCID and IMSI as bare JSON numbers (a 19–20 digit ICCID exceeds 2^53). */
  BareNumbers: 1 << 10,
  /** `endpoint.tags` as a string. */
  TagsString: 1 << 11,
  /** An unknown top-level key added by an integration (`keen`). */
  ExtraKey: 1 << 12,
  /** `session_id` directly under `detail` instead of inside `pdp_context`. */
  SessionIdInDetail: 1 << 13,
  /** `breakout_ip: "unavailable"` and `apn: null`. */
  NoBreakout: 1 << 14,
  /** `sim.msisdn` present. */
  Msisdn: 1 << 15,
  /** `endpoint: null` on organisation records. */
  NullEndpoint: 1 << 16,
  /**
   * `endpoint.name` in another shape, by the record's random word (`nameMember`): missing,
   * `null`, `""`, renamed, with a `\u` escape of a non-ASCII letter, or with escaped quotes.
   * The simulator writes ASCII bytes only, so raw non-ASCII names are left to other tests.
   */
  NameVariants: 1 << 17,
} as const;

/** All variant bits. */
export const MESSY_ALL = (1 << 18) - 1;

/** The shapes of `endpoint.name` under `Messy.NameVariants`. */
export const NAME_VARIANTS = ['missing', 'null', 'empty', 'renamed', 'unicodeEscape', 'escapedQuotes'] as const;

/**
 * The `"name":…,` member of an endpoint object for a device named `name`, in the shape the
 * record's random word picks (`''` when the key is missing).
 *
 * @example
 * nameMember('Test Sim 2', 3 << 26) // '"name":"Test Sim 2 (renamed)",'
 */
export function nameMember(name: string, random: number): string {
  switch (NAME_VARIANTS[(random >>> 26) % NAME_VARIANTS.length]) {
    case 'missing':
      return '';
    case 'null':
      return '"name":null,';
    case 'empty':
      return '"name":"",';
    case 'renamed':
      return `"name":"${name} (renamed)",`;
    case 'unicodeEscape':
      return `"name":"${name} K\\u00fchlkette",`;
    default:
      return `"name":"${name} \\"B\\"",`;
  }
}
