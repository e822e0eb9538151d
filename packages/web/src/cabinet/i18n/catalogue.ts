/**
 * The cabinet's message catalogues: i18n/ru.json + en.json (shell, common texts, errors) and any
 * `<area>/i18n/ru.json` + `en.json` an area keeps beside its screens (requests, money, …), merged into
 * one tree per language. Two files may not define the same key (the catalogue test checks that, and
 * that both languages have the same keys).
 */
type Tree = { [key: string]: string | Tree };

const files = import.meta.glob<{ default: Tree }>(['./*.json', '../*/i18n/*.json', '../*/*/i18n/*.json'], { eager: true });

export function merge(into: Tree, from: Tree): Tree {
  for (const [key, value] of Object.entries(from)) {
    const existing = into[key];
    if (typeof value === 'object' && typeof existing === 'object') merge(existing, value);
    else into[key] = typeof value === 'object' ? merge({}, value) : value;
  }
  return into;
}

export function catalogue(lang: 'ru' | 'en'): Tree {
  const tree: Tree = {};
  for (const [path, module] of Object.entries(files)) if (path.endsWith(`/${lang}.json`)) merge(tree, module.default);
  return tree;
}
