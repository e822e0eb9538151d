import type { ColumnType, Generated } from 'kysely';

type Default<T> = ColumnType<T, T | undefined, T>;

/** Kysely types of migrations/0008_partners.sql. */
export interface PartnerTables {
  partners: { id: Generated<string>; code: string; name: string; status: Default<'active' | 'blocked'>; created_at: Generated<Date> };
  partner_api_keys: {
    id: string;
    partner_id: string;
    secret_sha256: string;
    scopes: string[];
    label: Default<string>;
    created_by: string;
    created_at: Generated<Date>;
    expires_at: Default<Date | null>;
    revoked_at: Default<Date | null>;
    last_used_at: Default<Date | null>;
  };
}
