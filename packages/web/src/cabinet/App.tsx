import { Suspense, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, match, useRouter } from '../shared/router.js';
import { AuthArea, isAuthPath } from './auth/AuthArea.js';
import { navGroups, screens } from './screens.js';
import { SessionProvider, useLogout, useMe, useSession } from './session.js';
import { LanguageSwitch } from './shell/LanguageSwitch.js';
import { SupportBanner } from './support/SupportBanner.js';

/** The app shell: the public screens (login, registration, recovery) or the cabinet with its menu and the current screen. */
export function App() {
  const { t } = useTranslation();
  const me = useMe();
  if (me.isLoading) return <p className="loading">{t('common.loading')}</p>;
  if (!me.data) return <AuthArea />;
  return (
    <SessionProvider me={me.data}>
      <Shell />
    </SessionProvider>
  );
}

function Shell() {
  const { t } = useTranslation();
  const { me } = useSession();
  const { path, navigate } = useRouter();
  const logout = useLogout();
  const [menuOpen, setMenuOpen] = useState(false);
  // Logged in on a public address (after login or registration): go home.
  useEffect(() => {
    if (isAuthPath(path)) navigate('/', { replace: true });
  }, [path, navigate]);
  useEffect(() => setMenuOpen(false), [path]);

  const found = screens.map((s) => ({ screen: s, params: match(s.path, path) })).find((m) => m.params);
  const current = found?.screen;
  useEffect(() => {
    document.title = `${current ? t(current.title) : t('app.notFound')} — ${t('app.title')}`;
  }, [current, t]);
  const active = (p: string) => (p === '/' ? path === '/' : path === p || path.startsWith(`${p}/`));

  return (
    <div className="shell">
      <a className="skip" href="#content">
        {t('app.skip')}
      </a>
      <header className="top">
        <button type="button" className="menu-toggle" aria-expanded={menuOpen} aria-controls="menu" onClick={() => setMenuOpen(!menuOpen)}>
          <span aria-hidden="true">☰ </span>
          {t('app.menu')}
        </button>
        <Link to="/" className="brand">
          {t('app.title')}
        </Link>
        <Link to="/profile" className="who" data-testid="who">
          {me.displayName || me.login}
        </Link>
        <LanguageSwitch />
        <button type="button" onClick={() => void logout().then(() => navigate('/login', { replace: true }))}>
          {t('app.logout')}
        </button>
      </header>
      <nav id="menu" className={menuOpen ? 'menu open' : 'menu'} aria-label={t('app.menu')}>
        {navGroups.map((group) => {
          const items = screens.filter((s) => s.nav === group);
          if (!items.length) return null;
          return (
            <div key={group} className="menu-group">
              <h2>{t(`nav.group.${group}`)}</h2>
              <ul>
                {items.map((s) => (
                  <li key={s.path}>
                    <Link to={s.path} aria-current={active(s.path) ? 'page' : undefined}>
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
        <SupportBanner />
        {!found && <NotFound />}
        {found && (
          <Suspense fallback={<p className="loading">{t('common.loading')}</p>}>
            <found.screen.component params={found.params!} />
          </Suspense>
        )}
      </main>
    </div>
  );
}

export function NotFound() {
  const { t } = useTranslation();
  return (
    <section data-testid="not-found">
      <h1>{t('app.notFound')}</h1>
      <p>
        <Link to="/">{t('app.toHome')}</Link>
      </p>
    </section>
  );
}
