/**
 * Back-office roles of the supplier's staff: employee (сотрудник: answers requests, handles
 * applications) < supervisor (руководитель: also reassigns, acts as a consumer read-only); support
 * (поддержка: opens a consumer's cabinet read-only, support/); admin manages users.
 */
export const backOfficeRoles = ['employee', 'supervisor', 'support', 'admin'] as const;
export type BackOfficeRole = (typeof backOfficeRoles)[number];
export const backOfficeRoleHierarchy = { supervisor: ['employee', 'support'] } as const satisfies Record<string, readonly BackOfficeRole[]>;
