import { execFileSync } from 'node:child_process';
import { fastHashingForTests, type HttpApp } from '@app/kernel';
import { createTestRuntime, testConfig } from '@app/kernel/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedPrepaidDemo } from '../../demo.js';
import { prepaidMigrations } from '../../migrations.js';
import { createPrepaidApp } from '../../server.js';
import { escapeFilterValue, parseGroupRoles } from './ldap-login.js';
import { ROOT_DN, ROOT_PW, startSlapd, SUFFIX } from './slapd.fixture.js';

const hash = (password: string) => execFileSync('slappasswd', ['-s', password]).toString().trim();
const ldif = () => `
dn: ${SUFFIX}
objectClass: dcObject
objectClass: organization
o: Prepaid test
dc: prepaid

dn: ou=people,${SUFFIX}
objectClass: organizationalUnit
ou: people

dn: ou=groups,${SUFFIX}
objectClass: organizationalUnit
ou: groups

dn: uid=a.orlova,ou=people,${SUFFIX}
objectClass: inetOrgPerson
uid: a.orlova
cn: Орлова Анна
sn: Орлова
displayName: Орлова Анна Сергеевна
userPassword: ${hash('Orlova-pass-1')}

dn: uid=b.kim,ou=people,${SUFFIX}
objectClass: inetOrgPerson
uid: b.kim
cn: Ким Борис
sn: Ким
userPassword: ${hash('Kim-pass-1')}

dn: uid=c.guest,ou=people,${SUFFIX}
objectClass: inetOrgPerson
uid: c.guest
cn: Гость
sn: Гость
userPassword: ${hash('Guest-pass-1')}

dn: cn=prepaid-operators,ou=groups,${SUFFIX}
objectClass: groupOfNames
cn: prepaid-operators
member: uid=a.orlova,ou=people,${SUFFIX}

dn: cn=Prepaid Managers,ou=groups,${SUFFIX}
objectClass: groupOfNames
cn: Prepaid Managers
member: uid=b.kim,ou=people,${SUFFIX}

dn: cn=canteen-staff,ou=groups,${SUFFIX}
objectClass: groupOfNames
cn: canteen-staff
member: uid=c.guest,ou=people,${SUFFIX}
`;

let slapd: Awaited<ReturnType<typeof startSlapd>>;
let runtime: Awaited<ReturnType<typeof createTestRuntime>>;
let app: HttpApp;

beforeAll(async () => {
  slapd = await startSlapd(ldif());
  runtime = await createTestRuntime('prepaid', prepaidMigrations);
  await seedPrepaidDemo(runtime.database, fastHashingForTests);
  const config = {
    ...testConfig,
    LDAP_URL: slapd.url,
    LDAP_BIND_DN: ROOT_DN,
    LDAP_BIND_PASSWORD: ROOT_PW,
    LDAP_BASE_DN: SUFFIX,
    LDAP_USER_FILTER: '(|(uid={login})(sAMAccountName={login}))',
    // One group by DN, one by CN, as an AD admin would write them.
    LDAP_GROUP_ROLES: `cn=prepaid-operators,ou=groups,${SUFFIX}=operator; Prepaid Managers=manager`,
  };
  app = await createPrepaidApp(runtime, config, { hashing: fastHashingForTests });
  await app.ready();
}, 120_000);
afterAll(async () => {
  await app?.close();
  await runtime?.close();
  await slapd?.stop();
});

const login = (l: string, password: string) => app.inject({ method: 'POST', url: '/auth/login', payload: { login: l, password } });

describe('staff login against LDAP (a real slapd)', () => {
  it('logs in directory users with the roles their groups map to, and the role model applies', async () => {
    const orlova = await login('a.orlova', 'Orlova-pass-1');
    expect(orlova.statusCode, orlova.body).toBe(200);
    expect(orlova.json()).toMatchObject({ login: 'a.orlova', displayName: 'Орлова Анна Сергеевна', roles: ['operator'] });
    const cookies = Object.fromEntries(orlova.cookies.map((c) => [c.name, c.value]));
    expect((await app.inject({ method: 'GET', url: '/api/products', cookies })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/api/staff/users', cookies })).statusCode).toBe(403);

    expect((await login('b.kim', 'Kim-pass-1')).json()).toMatchObject({ displayName: 'Ким Борис', roles: ['manager'] });
  });

  it('refuses a wrong password, a user in no mapped group, an unknown user and a filter injection; local logins still work', async () => {
    expect((await login('a.orlova', 'wrong')).json()).toMatchObject({ status: 401, code: 'invalid_credentials' });
    expect((await login('c.guest', 'Guest-pass-1')).statusCode).toBe(401);
    expect((await login('nobody', 'x')).statusCode).toBe(401);
    expect((await login('*', 'Orlova-pass-1')).statusCode).toBe(401);
    expect((await login('a.orlova)(uid=*', 'Orlova-pass-1')).statusCode).toBe(401);
    expect((await login('operator', 'Prepaid-2026!')).json()).toMatchObject({ roles: ['operator'] });
  });

  it('parses the group mapping and escapes filter values', () => {
    expect([...parseGroupRoles('cn=a,dc=x=operator; B Team=manager')]).toEqual([['cn=a,dc=x', 'operator'], ['b team', 'manager']]);
    expect(() => parseGroupRoles('cn=a=superuser')).toThrow(/LDAP_GROUP_ROLES/);
    expect(escapeFilterValue('a*)(uid=\\')).toBe('a\\2a\\29\\28uid=\\5c');
  });
});
