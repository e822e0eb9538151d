import { Client, EqualityFilter, InvalidCredentialsError, OrFilter } from 'ldapts';
import { prepaidRoles, type PrepaidRole } from '../../roles.js';

/**
 * Staff login against LDAP / Active Directory (the kernel's externalLogin hook): a service account finds
 * the user by the filter, the user's own bind checks the password, and the groups the user is in map to
 * roles. Groups come from the entry's memberOf (AD, OpenLDAP's memberof overlay) and from groupOfNames /
 * groupOfUniqueNames entries naming the user (plain OpenLDAP). A person in no mapped group gets no login.
 */
export interface LdapSettings {
  url: string;
  bindDn: string;
  bindPassword: string;
  baseDn: string;
  userFilter: string;
  /** "group DN or CN=role;…" */
  groupRoles: string;
  timeoutMs?: number;
}

/** RFC 4515: a login typed into a form cannot change the filter. */
export const escapeFilterValue = (value: string) => value.replace(/[\\*()\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

export function parseGroupRoles(text: string): Map<string, PrepaidRole> {
  const map = new Map<string, PrepaidRole>();
  for (const part of text.split(';').map((p) => p.trim()).filter(Boolean)) {
    const at = part.lastIndexOf('=');
    const group = part.slice(0, at).trim().toLowerCase();
    const role = part.slice(at + 1).trim() as PrepaidRole;
    if (at <= 0 || !prepaidRoles.includes(role)) throw new Error(`LDAP_GROUP_ROLES: "${part}" must be <group DN or CN>=<${prepaidRoles.join('|')}>`);
    map.set(group, role);
  }
  return map;
}

const cnOf = (dn: string) => /^cn=([^,]+)/i.exec(dn)?.[1]?.toLowerCase();
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)]);

export function ldapLogin(settings: LdapSettings) {
  const groupRoles = parseGroupRoles(settings.groupRoles);
  const timeout = settings.timeoutMs ?? 5000;
  return async (login: string, password: string): Promise<{ displayName: string; roles: string[] } | null> => {
    // An empty password would be an "unauthenticated bind" that LDAP servers accept: never a login.
    if (!password) return null;
    const service = new Client({ url: settings.url, timeout, connectTimeout: timeout });
    let dn: string;
    let displayName: string;
    const groups = new Set<string>();
    try {
      await service.bind(settings.bindDn, settings.bindPassword);
      const filter = settings.userFilter.replaceAll('{login}', escapeFilterValue(login.trim()));
      const { searchEntries } = await service.search(settings.baseDn, { scope: 'sub', filter, attributes: ['cn', 'displayName', 'memberOf'], sizeLimit: 2 });
      if (searchEntries.length !== 1) return null;
      const entry = searchEntries[0]!;
      dn = entry.dn;
      displayName = list(entry.displayName)[0] ?? list(entry.cn)[0] ?? login;
      for (const g of list(entry.memberOf)) groups.add(g.toLowerCase());
      const member = new OrFilter({ filters: [new EqualityFilter({ attribute: 'member', value: dn }), new EqualityFilter({ attribute: 'uniqueMember', value: dn })] });
      const found = await service.search(settings.baseDn, { scope: 'sub', filter: member, attributes: ['cn'] });
      for (const g of found.searchEntries) groups.add(g.dn.toLowerCase());
    } finally {
      await service.unbind().catch(() => undefined);
    }
    const user = new Client({ url: settings.url, timeout, connectTimeout: timeout });
    try {
      await user.bind(dn, password);
    } catch (error) {
      if (error instanceof InvalidCredentialsError) return null;
      throw error;
    } finally {
      await user.unbind().catch(() => undefined);
    }
    const roles = new Set<string>();
    for (const g of groups) {
      const role = groupRoles.get(g) ?? groupRoles.get(cnOf(g) ?? '');
      if (role) roles.add(role);
    }
    return { displayName, roles: [...roles] };
  };
}

/** The hook from the LDAP_* settings (src/web/settings.ts); undefined when LDAP_URL is not set. */
export function ldapLoginFromConfig(config: object) {
  const c = config as { LDAP_URL?: string; LDAP_BIND_DN?: string; LDAP_BIND_PASSWORD?: string; LDAP_BASE_DN?: string; LDAP_USER_FILTER?: string; LDAP_GROUP_ROLES?: string };
  if (!c.LDAP_URL) return undefined;
  if (!c.LDAP_BIND_DN || !c.LDAP_BIND_PASSWORD || !c.LDAP_BASE_DN || !c.LDAP_GROUP_ROLES) throw new Error('LDAP_URL needs LDAP_BIND_DN, LDAP_BIND_PASSWORD, LDAP_BASE_DN and LDAP_GROUP_ROLES');
  return ldapLogin({ url: c.LDAP_URL, bindDn: c.LDAP_BIND_DN, bindPassword: c.LDAP_BIND_PASSWORD, baseDn: c.LDAP_BASE_DN, userFilter: c.LDAP_USER_FILTER ?? '(|(uid={login})(sAMAccountName={login}))', groupRoles: c.LDAP_GROUP_ROLES });
}
