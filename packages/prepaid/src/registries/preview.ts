import type { RegistryKind } from '../tables.js';
import type { ClientLine } from './line.js';
import type { Db } from './registry.repo.js';

/**
 * What applying each line of a page would change, computed from the current state when the page is
 * read (so a preview is never stale and never writes). Amounts are kopecks as JSON numbers, as in the
 * rest of the API.
 */
interface PageLine {
  line_no: number;
  action: string | null;
  data: Record<string, unknown>;
  client_id: string | null;
  account_id: string | null;
  product_code: string | null;
  amount: bigint | null;
  planned: string | null;
}

export async function previewChanges(db: Db, kind: RegistryKind, lines: PageLine[]): Promise<Map<number, Record<string, unknown>>> {
  if (lines.length === 0) return new Map();
  return kind === 'credits' ? credits(db, lines) : clients(db, lines);
}

async function credits(db: Db, lines: PageLine[]) {
  const accountIds = [...new Set(lines.map((l) => l.account_id!).filter(Boolean))];
  const accounts = accountIds.length ? await db.selectFrom('accounts').select(['id', 'number']).where('id', 'in', accountIds).execute() : [];
  const wallets = accountIds.length ? await db.selectFrom('wallets').select(['account_id', 'product_code', 'balance']).where('account_id', 'in', accountIds).execute() : [];
  // Lines of one wallet follow each other: each starts from the balance the previous one would leave.
  const running = new Map(wallets.map((w) => [`${w.account_id}/${w.product_code}`, w.balance]));
  const changes = new Map<number, Record<string, unknown>>();
  for (const l of lines) {
    const key = `${l.account_id}/${l.product_code}`;
    const before = running.get(key);
    const after = (before ?? 0n) + (l.amount ?? 0n);
    running.set(key, after);
    changes.set(l.line_no, {
      kind: l.action,
      accountNumber: accounts.find((a) => a.id === l.account_id)?.number ?? null,
      product: l.product_code,
      amount: Number(l.amount),
      opensWallet: before === undefined,
      balanceBefore: Number(before ?? 0n),
      balanceAfter: Number(after),
      ...(l.planned ? { plannedDate: l.planned } : {}),
    });
  }
  return changes;
}

async function clients(db: Db, lines: PageLine[]) {
  const clientIds = [...new Set(lines.map((l) => l.client_id!).filter(Boolean))];
  const known = clientIds.length ? await db.selectFrom('clients').select(['id', 'full_name', 'phone', 'email']).where('id', 'in', clientIds).execute() : [];
  const accounts = clientIds.length
    ? await db.selectFrom('accounts').select(['id', 'client_id', 'number']).where('client_id', 'in', clientIds).where('status', '<>', 'closed').orderBy('created_at').execute()
    : [];
  const accountIds = accounts.map((a) => a.id);
  const wallets = accountIds.length ? await db.selectFrom('wallets').select(['account_id', 'product_code']).where('account_id', 'in', accountIds).execute() : [];
  const identifiers = accountIds.length
    ? await db.selectFrom('identifiers').select(['account_id', 'kind', 'value']).where('account_id', 'in', accountIds).where('status', '=', 'active').execute()
    : [];
  const changes = new Map<number, Record<string, unknown>>();
  for (const l of lines) {
    const d = l.data as unknown as Omit<ClientLine, 'action' | 'key'>;
    const ids = (d.identifiers ?? []).map((i) => `${i.kind}:${i.value}`);
    if (l.action === 'create') {
      changes.set(l.line_no, {
        createsClient: { externalId: d.clientId, fullName: d.fullName, phone: d.phone, email: d.email },
        opensAccount: d.accountNumber ?? 'new number',
        opensWallets: d.products ?? [],
        bindsIdentifiers: ids,
      });
      continue;
    }
    const client = known.find((c) => c.id === l.client_id);
    const own = accounts.filter((a) => a.client_id === l.client_id);
    const ownIds = new Set(identifiers.filter((i) => own.some((a) => a.id === i.account_id)).map((i) => `${i.kind}:${i.value}`));
    if (l.action === 'delete') {
      changes.set(l.line_no, { deletesClient: client?.full_name ?? null, closesAccounts: own.map((a) => a.number), unbindsIdentifiers: [...ownIds] });
      continue;
    }
    const fields: Record<string, { from: string | null; to: string }> = {};
    if (d.fullName !== null && d.fullName !== client?.full_name) fields.fullName = { from: client?.full_name ?? null, to: d.fullName };
    if (d.phone !== null && d.phone !== client?.phone) fields.phone = { from: client?.phone ?? null, to: d.phone };
    if (d.email !== null && d.email !== client?.email) fields.email = { from: client?.email ?? null, to: d.email };
    const account = own[0];
    const has = new Set(wallets.filter((w) => w.account_id === account?.id).map((w) => w.product_code));
    changes.set(l.line_no, {
      changes: fields,
      ...(account || !(d.products?.length || ids.length) ? {} : { opensAccount: 'new number' }),
      opensWallets: (d.products ?? []).filter((p) => !has.has(p)),
      bindsIdentifiers: ids.filter((i) => !ownIds.has(i)),
    });
  }
  return changes;
}
