/**
 * The role model as the UI uses it to show or hide screens and buttons. The server is the authority
 * (every route checks its roles); this mirrors packages/cabinet-back/src/roles.ts: employee
 * (сотрудник) < supervisor (руководитель); admin manages staff users only.
 */
export type Role = 'employee' | 'supervisor' | 'admin';
export const ROLES: Role[] = ['employee', 'supervisor', 'admin'];
const includes: Record<string, Role[]> = { supervisor: ['employee'] };

export function effectiveRoles(roles: readonly string[]): Set<string> {
  const held = new Set<string>();
  const visit = (r: string) => {
    if (held.has(r)) return;
    held.add(r);
    (includes[r] ?? []).forEach(visit);
  };
  roles.forEach(visit);
  return held;
}

export const can = (roles: readonly string[], needed: readonly Role[]) => {
  const held = effectiveRoles(roles);
  return needed.some((r) => held.has(r));
};
