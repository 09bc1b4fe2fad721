// Generated from packages/wasm/src/layout.ts by scripts/generateLayout.mjs: do not edit.
// The test test/layout.test.ts fails when this copy is stale.

export const REASON_PENDING: u8 = 254;
export const STATUS_BLANK: u8 = 3;
export const STATUS_FALLBACK: u8 = 1;
export const STATUS_HELD: u8 = 4;
export const STATUS_INVALID: u8 = 2;
export const STATUS_ROW: u8 = 0;

export const ROW_AT: i32 = 0;
export const ROW_ID_HI: i32 = 1;
export const ROW_ID_LO: i32 = 2;
export const ROW_ENDPOINT_ID: i32 = 3;
export const ROW_TYPE: i32 = 4;
export const ROW_ORGANISATION_ID: i32 = 5;
export const ROW_SIM_ID: i32 = 6;
export const ROW_ICCID: i32 = 7;
export const ROW_IMSI: i32 = 8;
export const ROW_IMEI: i32 = 9;
export const ROW_IP_ADDRESS: i32 = 10;
export const ROW_APN: i32 = 11;
export const ROW_OPERATOR: i32 = 12;
export const ROW_RAT_TYPE: i32 = 13;
export const ROW_REJECTION_REASON: i32 = 14;
export const ROW_NAME: i32 = 15;
export const ROW_DESCRIPTION_START: i32 = 16;
export const ROW_DESCRIPTION_END: i32 = 17;
export const ROW_COUNT: i32 = 18;
/** Bytes per element of each row column, in order. */
export const ROW_BYTES: StaticArray<u8> = [8, 4, 4, 8, 1, 8, 8, 4, 4, 4, 4, 4, 4, 2, 1, 4, 4, 4];

export const LINE_STATUS: i32 = 0;
export const LINE_START: i32 = 1;
export const LINE_END: i32 = 2;
export const LINE_ROW: i32 = 3;
export const LINE_COUNT: i32 = 4;
/** Bytes per element of each line column, in order. */
export const LINE_BYTES: StaticArray<u8> = [1, 4, 4, 4];
