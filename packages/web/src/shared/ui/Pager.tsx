import { useTranslation } from 'react-i18next';

/** Keyset paging: a stack of cursors; "next" pushes the page's nextCursor, "back" pops. */
export function KeysetPager({ cursors, nextCursor, onChange }: { cursors: string[]; nextCursor: string | null | undefined; onChange: (cursors: string[]) => void }) {
  const { t } = useTranslation();
  return (
    <nav className="pager" aria-label={t('common.paging')}>
      <button type="button" disabled={cursors.length === 0} onClick={() => onChange(cursors.slice(0, -1))}>
        {t('common.prev')}
      </button>
      <span>{t('common.page', { n: cursors.length + 1 })}</span>
      <button type="button" disabled={!nextCursor} onClick={() => nextCursor && onChange([...cursors, nextCursor])}>
        {t('common.next')}
      </button>
    </nav>
  );
}

/** Offset paging for short directories that report a total. */
export function OffsetPager({ offset, limit, total, count, onChange }: { offset: number; limit: number; total?: number; count: number; onChange: (offset: number) => void }) {
  const { t } = useTranslation();
  const hasNext = total === undefined ? count === limit : offset + limit < total;
  return (
    <nav className="pager" aria-label={t('common.paging')}>
      <button type="button" disabled={offset === 0} onClick={() => onChange(Math.max(0, offset - limit))}>
        {t('common.prev')}
      </button>
      <span>{total === undefined ? t('common.page', { n: offset / limit + 1 }) : t('common.range', { from: total === 0 ? 0 : offset + 1, to: offset + count, total })}</span>
      <button type="button" disabled={!hasNext} onClick={() => onChange(offset + limit)}>
        {t('common.next')}
      </button>
    </nav>
  );
}
