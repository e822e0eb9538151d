/**
 * The role model as the UI uses it to show or hide screens and buttons. The server is the authority
 * (every route checks its roles); this mirrors packages/cabinet-back/src/roles.ts: employee
 * (сотрудник) < supervisor (руководитель); support (поддержка) opens a consumer's cabinet read-only,
 * and a supervisor may too; admin manages staff users only.
 */
export type Role = 'employee' | 'supervisor' | 'support' | 'admin';
export const ROLES: Role[] = ['employee', 'supervisor', 'support', 'admin'];
const includes: Record<string, Role[]> = { supervisor: ['employee', 'support'] };

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
