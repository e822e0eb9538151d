import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

export interface Column<T> {
  key: string;
  title: string;
  render: (row: T) => ReactNode;
  numeric?: boolean;
}

/**
 * A table that turns into labelled cards on a phone (CSS uses data-label), with an empty state and a
 * loading state; the rows come paged and filtered from the server.
 */
export function DataTable<T>({ columns, rows, rowKey, loading, caption }: { columns: Column<T>[]; rows: T[] | undefined; rowKey: (row: T) => string; loading?: boolean; caption: string }) {
  const { t } = useTranslation();
  return (
    <div className="table-wrap" aria-busy={loading ? 'true' : 'false'}>
      <table>
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.key} scope="col" className={c.numeric ? 'num' : undefined}>
                {c.title}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows?.map((row) => (
            <tr key={rowKey(row)}>
              {columns.map((c) => (
                <td key={c.key} data-label={c.title} className={c.numeric ? 'num' : undefined}>
                  {c.render(row)}
                </td>
              ))}
            </tr>
          ))}
          {rows && rows.length === 0 && (
            <tr>
              <td colSpan={columns.length} className="empty">
                {t('common.empty')}
              </td>
            </tr>
          )}
          {!rows && (
            <tr>
              <td colSpan={columns.length} className="empty">
                {t('common.loading')}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
