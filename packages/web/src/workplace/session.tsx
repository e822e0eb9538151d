import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, type ReactNode } from 'react';
import { ApiError, json } from '../shared/api/client.js';
import { can, type Role } from './access.js';

export interface Me {
  id: string;
  login: string;
  displayName: string;
  roles: string[];
  csrfToken: string;
}

const SessionContext = createContext<{ me: Me; can: (...roles: Role[]) => boolean } | null>(null);

/** Who is logged in: GET /auth/me; a 401 means the login screen. */
export function useMe() {
  return useQuery({
    queryKey: ['me'],
    queryFn: async () => {
      try {
        return await json<Me>('GET', '/auth/me');
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
    await json('POST', '/auth/logout').catch(() => undefined);
    client.clear();
    client.setQueryData(['me'], null);
  };
}
