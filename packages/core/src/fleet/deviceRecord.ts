/**
 * The layout of one device in `FleetStore`'s record buffer (array of structs).
 *
 * Why a record and not one typed array per field: a replay touches devices in random
 * order, so with ~25 separate arrays an event costs ~25 cache misses (one per array); in
 * a 96-byte record (hot fields in its first 64 bytes) it costs two. 96 and not 128: on a
 * million devices the record buffer is the biggest single allocation, and every field but
 * the organisation id fits (that one is the organisation's, found by its index). The buffer is
 * seen through three views: `f64` (indexes `d * RECORD_F64 + F_*`), `u32` and `i32`
 * (indexes `d * RECORD_U32 + U_*` / `I_*`).
 */

/** Float64 slots per record (96 bytes). */
export const RECORD_F64 = 12;
/** 32-bit slots per record. */
export const RECORD_U32 = RECORD_F64 * 2;

// --- first cache line: what every event reads or writes ---
/** Time of the last applied event, UTC epoch ms; NaN = no event yet. */
export const F_LAST_AT = 0;
/** When connectivity last changed; NaN = never. */
export const F_SINCE = 1;
/** Event id of the last applied event, high and low 32 bits. */
export const U_LAST_HI = 4;
export const U_LAST_LO = 5;
/** The region states as one product code (reducer/productTable.ts). */
export const U_STATE = 6;
/** Index of the device's organisation; -1 = none. */
export const I_ORGANISATION_INDEX = 7;
export const U_ATTACHES = 8;
export const U_SESSIONS = 9;
export const U_REJECTIONS = 10;
/** -1 = none. */
export const I_RAT_TYPE = 11;
/** 255 = none. */
export const U_REJECTION_REASON = 12;
/** String pool references (0 = none). */
export const U_ICCID = 13;
/** The endpoint id (u32 slots 14–15; the endpoint index keeps its own copy next to its slots). */
export const F_ID = 7;
// --- second cache line ---
export const U_IMSI = 16;
export const U_IMEI = 17;
export const U_IP_ADDRESS = 18;
export const U_APN = 19;
export const U_OPERATOR = 20;
/** The endpoint's name (a pool reference, 0 = none). */
export const U_NAME = 21;
/** NaN = none. (The organisation id is `organisationIds[I_ORGANISATION_INDEX]`.) */
export const F_SIM_ID = 11;
