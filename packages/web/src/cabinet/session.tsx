import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, type ReactNode } from 'react';
import { ApiError, raw } from './api/client.js';

/** The logged-in consumer as GET /auth/me tells it (the session cookie is HttpOnly; the CSRF token comes with it). */
export interface Me {
  id: string;
  login: string;
  displayName: string;
  roles: string[];
  csrfToken: string;
}

const SessionContext = createContext<{ me: Me } | null>(null);

/** Who is logged in; a 401 means the public screens (login, registration, recovery). */
export function useMe() {
  return useQuery({
    queryKey: ['me'],
    queryFn: async () => {
      try {
        return (await (await raw('GET', '/auth/me')).json()) as Me;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },
    staleTime: 60_000,
  });
}

export function SessionProvider({ me, children }: { me: Me; children: ReactNode }) {
  return <SessionContext.Provider value={{ me }}>{children}</SessionContext.Provider>;
}

export function useSession() {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a session');
  return session;
}

/** After a successful login: the answer of /auth/login is the same shape as /auth/me. */
export function useLoggedIn() {
  const client = useQueryClient();
  return (me: Me) => client.setQueryData(['me'], me);
}

export function useLogout() {
  const client = useQueryClient();
  return async () => {
    await raw('POST', '/auth/logout').catch(() => undefined);
    // Keep the ['me'] query (the App observes it) and set it to "nobody"; drop every other answer.
    client.setQueryData(['me'], null);
    client.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' });
  };
}
