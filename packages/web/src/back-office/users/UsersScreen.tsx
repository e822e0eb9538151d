import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DataTable } from '../../shared/ui/DataTable.js';
import { ErrorNote, Field, Notice } from '../../shared/ui/Feedback.js';
import { OffsetPager } from '../../shared/ui/Pager.js';
import { ROLES, type Role } from '../access.js';
import { api, call } from '../api/client.js';

const LIMIT = 25;

/** Back-office staff users and their roles (admin): create, change the role, disable, unlock. */
export function UsersScreen() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [q, setQ] = useState('');
  const [offset, setOffset] = useState(0);
  const list = useQuery({ queryKey: ['users', q, offset], placeholderData: keepPreviousData, queryFn: () => call(api.GET('/api/staff/users', { params: { query: { limit: LIMIT, offset, ...(q ? { q } : {}) } } })) });
  const [form, setForm] = useState({ login: '', displayName: '', password: '', role: 'employee' as Role });
  const done = () => client.invalidateQueries({ queryKey: ['users'] });
  const create = useMutation({
    mutationFn: () => call(api.POST('/api/staff/users', { body: { login: form.login, displayName: form.displayName, password: form.password, roles: [form.role] } })),
    onSuccess: () => (setForm({ login: '', displayName: '', password: '', role: 'employee' }), done()),
  });
  const patch = useMutation({
    mutationFn: (x: { id: string; body: { roles?: Role[]; status?: 'active' | 'disabled'; unlock?: true } }) => call(api.PATCH('/api/staff/users/{id}', { params: { path: { id: x.id } }, body: x.body })),
    onSuccess: done,
  });
  return (
    <section>
      <h1>{t('nav.users')}</h1>
      <form className="inline" role="search" onSubmit={(e) => e.preventDefault()}>
        <Field label={t('common.search')}>
          <input type="search" value={q} onChange={(e) => (setQ(e.target.value), setOffset(0))} />
        </Field>
      </form>
      <ErrorNote error={list.error ?? create.error ?? patch.error} />
      <DataTable
        caption={t('nav.users')}
        rows={list.data?.items}
        loading={list.isFetching}
        rowKey={(u) => u.id}
        columns={[
          { key: 'login', title: t('login.login'), render: (u) => <code>{u.login}</code> },
          { key: 'name', title: t('users.displayName'), render: (u) => u.displayName },
          {
            key: 'roles',
            title: t('users.role'),
            render: (u) => (
              <select aria-label={t('users.roleOf', { login: u.login })} value={u.roles[0]} onChange={(e) => patch.mutate({ id: u.id, body: { roles: [e.target.value as Role] } })}>
                {ROLES.map((r) => (
                  <option key={r} value={r}>
                    {t(`roles.${r}`)}
                  </option>
                ))}
              </select>
            ),
          },
          { key: 'status', title: t('common.status'), render: (u) => (u.lockedUntil ? t('users.locked') : t(`users.status.${u.status}`)) },
          {
            key: 'act',
            title: t('common.actions'),
            render: (u) => (
              <span className="row">
                <button type="button" onClick={() => patch.mutate({ id: u.id, body: { status: u.status === 'active' ? 'disabled' : 'active' } })}>
                  {u.status === 'active' ? t('users.disable') : t('users.enable')}
                </button>
                {u.lockedUntil && (
                  <button type="button" onClick={() => patch.mutate({ id: u.id, body: { unlock: true } })}>
                    {t('users.unlock')}
                  </button>
                )}
              </span>
            ),
          },
        ]}
      />
      <OffsetPager offset={offset} limit={LIMIT} total={list.data?.total} count={list.data?.items.length ?? 0} onChange={setOffset} />
      <form className="panel inline" aria-label={t('users.create')} onSubmit={(e) => (e.preventDefault(), create.mutate())}>
        <Field label={t('login.login')}>
          <input name="login" required value={form.login} onChange={(e) => setForm({ ...form, login: e.target.value })} />
        </Field>
        <Field label={t('users.displayName')}>
          <input name="displayName" required value={form.displayName} onChange={(e) => setForm({ ...form, displayName: e.target.value })} />
        </Field>
        <Field label={t('login.password')}>
          <input name="password" type="password" autoComplete="new-password" required value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} />
        </Field>
        <Field label={t('users.role')}>
          <select value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`roles.${r}`)}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit">{t('users.create')}</button>
        {create.isSuccess && <Notice>{t('users.created')}</Notice>}
      </form>
    </section>
  );
}
