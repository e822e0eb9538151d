import { Type } from 'typebox';
import { commonSettings, portSetting } from '@app/kernel';

export const CabinetFrontSettings = Type.Object({
  ...commonSettings,
  PORT: portSetting(3100),
  // Personal data keys (src/crypto/keys.ts). Required in production; development keys otherwise.
  FIELD_KEYS: Type.Optional(Type.String({ minLength: 1, description: 'id:base64-32-byte-key[,id:key…], every key still in use' })),
  FIELD_KEY_CURRENT: Type.Optional(Type.String({ minLength: 1, description: 'the key id new values are encrypted with' })),
  BLIND_INDEX_KEY: Type.Optional(Type.String({ minLength: 1, description: 'base64, ≥ 32 bytes; never rotated silently (logins are looked up by it)' })),
  SUPPLIER_TIME_ZONE: Type.String({ default: 'Europe/Moscow', description: 'the zone readings are dated in' }),
  // The cabinet's public address (links in e-mails, the bank's return URL).
  CABINET_PUBLIC_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  // One-time codes and notices (auth/otp-sender.ts): production needs SMTP_URL or SMS_RU_API_ID.
  SMTP_URL: Type.Optional(Type.String({ pattern: '^smtps?://' })),
  MAIL_FROM: Type.Optional(Type.String({ minLength: 3 })),
  SMS_RU_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  SMS_RU_API_ID: Type.Optional(Type.String({ minLength: 1 })),
  SMS_RU_FROM: Type.Optional(Type.String({ minLength: 1 })),
  // Card payments (payments/, self-service.ts): T-Bank Acquiring API v2; notifications only from these networks.
  ACQUIRING_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  ACQUIRING_TERMINAL_KEY: Type.Optional(Type.String({ minLength: 1 })),
  ACQUIRING_PASSWORD: Type.Optional(Type.String({ minLength: 1 })),
  ACQUIRING_NOTIFY_NETWORKS: Type.Optional(Type.String({ minLength: 1, description: 'CIDR list, comma-separated' })),
  // Electronic signatures (signatures/trust.ts): trusted roots, CRLs and what an unknown revocation status means.
  SIGNATURE_TRUSTED_ROOTS: Type.Optional(Type.String({ minLength: 1, description: 'paths of DER/PEM root certificates, comma-separated' })),
  SIGNATURE_TRUSTED_ROOTS_PEM: Type.Optional(Type.String({ minLength: 1 })),
  SIGNATURE_CRLS: Type.Optional(Type.String({ minLength: 1, description: 'paths of CRL files, comma-separated' })),
  SIGNATURE_CRLS_PEM: Type.Optional(Type.String({ minLength: 1 })),
  SIGNATURE_REVOCATION_POLICY: Type.Optional(Type.Union([Type.Literal('strict'), Type.Literal('warn')])),
});
