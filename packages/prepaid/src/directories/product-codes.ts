import { AppError, type Database } from '@app/kernel';
import type { PrepaidDb } from '../tables.js';

/**
 * The product codes that exist, kept in memory for the hot path. A code not in the set triggers one
 * reload before it is called unknown, so a product created on another instance is seen at once.
 */
export class ProductCodes {
  private known = new Set<string>();
  constructor(private readonly database: Database<PrepaidDb>) {}

  /** Throws `unknown_product` (422) naming the basket line of the first code that does not exist. */
  async assertKnown(codes: string[], field: (index: number) => string) {
    if (codes.every((c) => this.known.has(c))) return;
    this.known = new Set((await this.database.db.selectFrom('products').select('code').execute()).map((r) => r.code));
    const index = codes.findIndex((c) => !this.known.has(c));
    if (index >= 0) {
      throw new AppError('unknown_product', 422, `There is no product "${codes[index]}"`, { field: field(index), errors: [{ field: field(index), code: 'unknown_product', message: 'No such product' }] });
    }
  }
}
