import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { DataTable, type Column } from '../../shared/ui/DataTable.js';
import { ErrorNote, Field } from '../../shared/ui/Feedback.js';
import { OffsetPager } from '../../shared/ui/Pager.js';

/**
 * The shape every directory screen shares: a heading, "read-only" below manager, an optional server-side
 * search, the table (with an actions column only for those who may edit), the pager, and a create form
 * only for those who may edit. The screens keep their queries and mutations; this keeps them looking and
 * behaving alike.
 */
export function DirectoryPage<T>(props: {
  title: string;
  editable: boolean;
  error: unknown;
  rows: T[] | undefined;
  loading?: boolean;
  rowKey: (row: T) => string;
  columns: Column<T>[];
  /** Buttons of a row, shown to those who may edit. */
  actions?: (row: T) => ReactNode;
  search?: { value: string; onChange: (value: string) => void };
  pager?: { offset: number; limit: number; total?: number | undefined; onChange: (offset: number) => void };
  /** Shown between the table and the create form (an edit form of the chosen row). */
  children?: ReactNode;
  create?: { label: string; onSubmit: () => void; fields: ReactNode };
  /** After the create form: what it answered (a secret shown once). */
  footer?: ReactNode;
}) {
  const { t } = useTranslation();
  const { title, editable, rows, actions, search, pager, create } = props;
  const columns = editable && actions ? [...props.columns, { key: 'actions', title: t('common.actions'), render: actions }] : props.columns;
  return (
    <section>
      <h1>{title}</h1>
      {!editable && <p className="hint">{t('common.readOnly')}</p>}
      {search && (
        <form className="inline" role="search" onSubmit={(e) => e.preventDefault()}>
          <Field label={t('common.search')}>
            <input type="search" value={search.value} onChange={(e) => search.onChange(e.target.value)} />
          </Field>
        </form>
      )}
      <ErrorNote error={props.error} />
      <DataTable caption={title} rows={rows} loading={props.loading ?? false} rowKey={props.rowKey} columns={columns} />
      {pager && <OffsetPager offset={pager.offset} limit={pager.limit} total={pager.total} count={rows?.length ?? 0} onChange={pager.onChange} />}
      {props.children}
      {editable && create && (
        <form
          className="panel inline"
          aria-label={create.label}
          onSubmit={(e) => {
            e.preventDefault();
            create.onSubmit();
          }}
        >
          {create.fields}
          <button type="submit">{create.label}</button>
        </form>
      )}
      {props.footer}
    </section>
  );
}
