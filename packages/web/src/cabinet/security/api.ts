import { raw } from '../api/client.js';

/** The security area's calls (plain JSON over the same client: CSRF header, problem+json errors). */
export const json = async <T,>(method: string, url: string, body?: object): Promise<T> => {
  const response = await raw(method, url, body);
  return (response.status === 204 ? null : await response.json()) as T;
};

export const RIGHTS = ['view', 'submit_readings', 'pay', 'sign'] as const;

export interface Consumer {
  consumerRef: string;
  role: string;
  rights: string[];
  name?: string;
}
export interface Member {
  userId: string;
  login: string;
  displayName: string;
  role: string;
  rights: string[];
  since: string;
}
export interface Invitation {
  id: string;
  email: string;
  rights: string[];
  status: string;
  expiresAt: string;
}
export interface HistoryItem {
  at: string;
  login: string;
  displayName: string;
  role: string;
  action: string;
  contractId?: string;
  contractNumber?: string;
}
export interface Visit {
  at: string;
  until: string;
  employee: { login: string; name: string };
  reason: string | null;
}
