import { useTranslation } from 'react-i18next';
import { Link, useRouter } from '../../shared/router.js';
import { LanguageSwitch } from '../shell/LanguageSwitch.js';
import { LoginScreen } from './LoginScreen.js';
import { RecoverScreen } from './RecoverScreen.js';
import { RegisterScreen } from './RegisterScreen.js';

const AUTH_PATHS = ['/login', '/register', '/recover'];
export const isAuthPath = (path: string) => AUTH_PATHS.includes(path);

/**
 * Before login: registration, login, password recovery. Any other address shows the login form and,
 * once logged in, stays where it was (a deep link from an e-mail survives the login).
 */
export function AuthArea() {
  const { t } = useTranslation();
  const { path } = useRouter();
  return (
    <div className="auth">
      <header className="auth-top">
        <strong className="brand">{t('app.title')}</strong>
        <LanguageSwitch />
      </header>
      <main className="auth-main" id="content">
        {path === '/register' ? <RegisterScreen /> : path === '/recover' ? <RecoverScreen /> : <LoginScreen />}
        <nav className="auth-links" aria-label={t('auth.links')}>
          {path !== '/register' && <Link to="/register">{t('auth.toRegister')}</Link>}
          {path !== '/recover' && <Link to="/recover">{t('auth.toRecover')}</Link>}
          {(path === '/register' || path === '/recover') && <Link to="/login">{t('auth.toLogin')}</Link>}
        </nav>
      </main>
    </div>
  );
}
