/**
 * Who may call a route. Every route states it (`config: { access }`); a route without a statement
 * stops the app at start, so "forgot the guard" cannot ship. The route table built from these
 * statements is what the authorization-matrix tests iterate.
 */
export type Access = 'public' | 'authenticated' | { roles: readonly string[] };

export interface RouteAccess {
  method: string;
  url: string;
  access: Access;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /** false on the few routes a session cookie may call without the CSRF header (login). */
    csrf?: boolean;
  }
}

/**
 * Roles that include others (prepaid: a manager is also a settlement specialist and an operator).
 * `{ manager: ['settlement'], settlement: ['operator'] }` — transitive.
 */
export type RoleHierarchy = Readonly<Record<string, readonly string[]>>;

export function effectiveRoles(roles: readonly string[], hierarchy: RoleHierarchy = {}): Set<string> {
  const result = new Set<string>();
  const visit = (role: string) => {
    if (result.has(role)) return;
    result.add(role);
    for (const implied of hierarchy[role] ?? []) visit(implied);
  };
  roles.forEach(visit);
  return result;
}

export function allows(access: Access, user: { roles: readonly string[] } | null, hierarchy?: RoleHierarchy): 'ok' | 'unauthenticated' | 'forbidden' {
  if (access === 'public') return 'ok';
  if (!user) return 'unauthenticated';
  if (access === 'authenticated') return 'ok';
  const held = effectiveRoles(user.roles, hierarchy);
  return access.roles.some((role) => held.has(role)) ? 'ok' : 'forbidden';
}
