import { Type, type TProperties } from 'typebox';
import { sql, type RawBuilder } from 'kysely';

/** Every list pages on the server: limit (≤ 200) and offset, answered with the total. */
export const pageProperties = {
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
};
export const pageQuery = <P extends TProperties>(filters: P) => Type.Object({ ...pageProperties, ...filters }, { additionalProperties: false });
export const pageOf = <T extends Parameters<typeof Type.Array>[0]>(item: T) =>
  Type.Object({ items: Type.Array(item), total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer() });

/** A date column as YYYY-MM-DD text: drivers would turn `date` into a Date at some time zone's midnight. */
export const day = (column: string): RawBuilder<string> => sql<string>`to_char(${sql.ref(column)}, 'YYYY-MM-DD')`;
export const DateOnlyParam = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', format: 'date' });
export const MonthParam = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}$' });

/** The supplier's calendar day (readings are dated in it, not in the server's zone). */
export function todayIn(timeZone: string, now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}
