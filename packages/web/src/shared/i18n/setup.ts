import i18n, { type Resource } from 'i18next';
import { initReactI18next } from 'react-i18next';

/** Russian by default; the choice of English is remembered in the browser. */
export const LANGUAGES = ['ru', 'en'] as const;
const KEY = 'lang';

export function setupI18n(resources: Resource) {
  const saved = localStorage.getItem(KEY);
  void i18n.use(initReactI18next).init({
    resources,
    lng: saved === 'en' ? 'en' : 'ru',
    fallbackLng: 'ru',
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  document.documentElement.lang = i18n.language;
  i18n.on('languageChanged', (lng) => {
    localStorage.setItem(KEY, lng);
    document.documentElement.lang = lng;
  });
  return i18n;
}
