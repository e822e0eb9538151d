import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, type ReactNode } from 'react';
import { ApiError, api, call, type Ok } from './api/client.js';
import { can, type Role } from './access.js';

export type Me = Ok<'/auth/me', 'get'>;

const SessionContext = createContext<{ me: Me; can: (...roles: Role[]) => boolean } | null>(null);

/** Who is logged in: GET /auth/me; a 401 means the login screen. */
export function useMe() {
  return useQuery({
    queryKey: ['me'],
    queryFn: async () => {
      try {
        return await call(api.GET('/auth/me'));
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },
    staleTime: 60_000,
  });
}

export function SessionProvider({ me, children }: { me: Me; children: ReactNode }) {
  return <SessionContext.Provider value={{ me, can: (...roles) => can(me.roles, roles) }}>{children}</SessionContext.Provider>;
}

export function useSession() {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a session');
  return session;
}

export function useLogout() {
  const client = useQueryClient();
  return async () => {
    await call(api.POST('/auth/logout')).catch(() => undefined);
    // Who is logged in changes first (the login screen replaces the shell), then the rest of the cache goes.
    client.setQueryData(['me'], null);
    client.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' });
  };
}
