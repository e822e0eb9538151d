import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, match, useRouter } from '../shared/router.js';
import { BillingIndicator } from './billing/BillingIndicator.js';
import { LoginScreen, TotpEnrolment } from './login/LoginScreen.js';
import { home, menuGroups, screens } from './screens.js';
import { SessionProvider, useLogout, useMe, useSession } from './session.js';

/** The app shell: login, or the menu of the screens the user's roles open, and the current screen. */
export function App() {
  const { t } = useTranslation();
  const me = useMe();
  const logout = useLogout();
  if (me.isLoading) return <p className="loading">{t('common.loading')}</p>;
  if (!me.data) return <LoginScreen />;
  if (me.data.restriction === 'totp_enrolment') return <TotpEnrolment onDone={() => void me.refetch()} onLogout={() => void logout()} />;
  return (
    <SessionProvider me={me.data}>
      <Shell />
    </SessionProvider>
  );
}

function Shell() {
  const { t, i18n } = useTranslation();
  const { me, can } = useSession();
  const { path, navigate } = useRouter();
  const logout = useLogout();
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => {
    if (path === '/' || path === '') navigate(home(can), { replace: true });
  }, [path, can, navigate]);
  useEffect(() => setMenuOpen(false), [path]);

  const found = screens.map((s) => ({ screen: s, params: match(s.path, path) })).find((m) => m.params);
  const current = found?.screen;
  useEffect(() => {
    document.title = `${current ? t(current.title) : t('app.notFound')} — ${t('app.title')}`;
  }, [current, t]);

  return (
    <div className="shell">
      <a className="skip" href="#content">
        {t('app.skip')}
      </a>
      <header className="top">
        <button type="button" className="menu-toggle" aria-expanded={menuOpen} aria-controls="menu" onClick={() => setMenuOpen(!menuOpen)}>
          {t('app.menu')}
        </button>
        <strong className="brand">{t('app.title')}</strong>
        {can('employee') && <BillingIndicator />}
        <span className="who" data-testid="who">
          {me.displayName} ({me.roles.map((r) => t(`roles.${r}`, { defaultValue: r })).join(', ')})
        </span>
        <label className="lang">
          <span className="sr-only">{t('app.language')}</span>
          <select value={i18n.language} onChange={(e) => void i18n.changeLanguage(e.target.value)}>
            <option value="ru" lang="ru">
              Русский
            </option>
            <option value="en" lang="en">
              English
            </option>
          </select>
        </label>
        <button type="button" onClick={() => void logout()}>
          {t('app.logout')}
        </button>
      </header>
      <nav id="menu" className={menuOpen ? 'menu open' : 'menu'} aria-label={t('app.menu')}>
        {menuGroups.map((group) => {
          const items = screens.filter((s) => s.menu === group && can(...s.roles));
          if (!items.length) return null;
          return (
            <div key={group} className="menu-group">
              <h2>{t(`nav.group.${group}`)}</h2>
              <ul>
                {items.map((s) => (
                  <li key={s.path}>
                    <Link to={s.path} aria-current={path === s.path || path.startsWith(`${s.path}/`) ? 'page' : undefined}>
                      {t(s.title)}
                    </Link>
                  </li>
                ))}
              </ul>
            </div>
          );
        })}
      </nav>
      <main className="content" id="content" tabIndex={-1}>
        {!found && <h1>{t('app.notFound')}</h1>}
        {found && !can(...found.screen.roles) && (
          <section role="alert" className="denied" data-testid="access-denied">
            <h1>{t('app.denied.title')}</h1>
            <p>{t('app.denied.text', { roles: found.screen.roles.map((r) => t(`roles.${r}`)).join(', ') })}</p>
          </section>
        )}
        {found && can(...found.screen.roles) && <found.screen.component params={found.params!} />}
      </main>
    </div>
  );
}
