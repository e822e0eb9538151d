import { Type } from 'typebox';

/** An opaque identifier: billing's ids as they are (the front never interprets them), or the front's uuids. */
export const Id = Type.String({ minLength: 1, maxLength: 64 });
/** A calendar date, YYYY-MM-DD, in the supplier's time zone. */
export const DateOnly = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' });
/** A month, YYYY-MM. */
export const Month = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}$' });
/** A register reading as written on the dial: decimal text, never a float. */
export const ReadingValue = Type.String({ pattern: '^[0-9]{1,12}(\\.[0-9]{1,4})?$' });
/** Energy in kWh as decimal text (consumption, profile values). */
export const Kwh = Type.String({ pattern: '^-?[0-9]{1,15}(\\.[0-9]{1,6})?$' });
/** Money in kopecks as an integer in decimal text (JSON has no 64-bit integers). */
export const Kopecks = Type.String({ pattern: '^-?[0-9]{1,18}$' });
