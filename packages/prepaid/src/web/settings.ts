import { Type } from 'typebox';

/**
 * Settings of the workplace's background work and login options (read with the prepaid worker settings):
 * notification gateways, report polling, and the optional LDAP / Active Directory login.
 */
export const workplaceSettings = {
  NOTIFY_SMTP_URL: Type.Optional(Type.String({ pattern: '^smtps?://', description: 'SMTP server for e-mail notices, e.g. smtp://user:pass@mail:587; unset = e-mail notices wait' })),
  NOTIFY_EMAIL_FROM: Type.String({ minLength: 3, default: 'noreply@prepaid.local', description: 'From address of e-mail notices' }),
  NOTIFY_SMS_URL: Type.Optional(Type.String({ pattern: '^https?://', description: 'SMS.ru API root (https://sms.ru) or the local emulator; unset = SMS notices wait' })),
  NOTIFY_SMS_API_ID: Type.Optional(Type.String({ minLength: 1, description: 'SMS.ru api_id' })),
  NOTIFY_SMS_FROM: Type.Optional(Type.String({ minLength: 1, maxLength: 11, description: 'SMS sender name approved at SMS.ru' })),
  NOTIFY_POLL_MS: Type.Integer({ minimum: 50, maximum: 600_000, default: 2000, description: 'how often new operations are read into notices and due notices sent' }),
  REPORTS_POLL_MS: Type.Integer({ minimum: 50, maximum: 600_000, default: 1000, description: 'how often an idle instance looks for queued reports' }),
  LDAP_URL: Type.Optional(Type.String({ pattern: '^ldaps?://', description: 'LDAP / Active Directory for staff login; unset = local passwords only' })),
  LDAP_BIND_DN: Type.Optional(Type.String({ minLength: 1, description: 'service account that searches users' })),
  LDAP_BIND_PASSWORD: Type.Optional(Type.String({ minLength: 1 })),
  LDAP_BASE_DN: Type.Optional(Type.String({ minLength: 1, description: 'where users are searched' })),
  LDAP_USER_FILTER: Type.String({ minLength: 3, default: '(|(uid={login})(sAMAccountName={login}))', description: '{login} is replaced by the escaped login' }),
  LDAP_GROUP_ROLES: Type.Optional(Type.String({ minLength: 3, description: 'group DN or CN = role, separated by ";", e.g. "cn=prepaid-operators,ou=groups,dc=corp=operator;Prepaid Managers=manager"' })),
};
