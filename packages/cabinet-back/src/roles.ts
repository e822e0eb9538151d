/**
 * Back-office roles of the supplier's staff: employee (сотрудник: answers requests, handles
 * applications) < supervisor (руководитель: also reassigns, acts as a consumer read-only); admin manages users.
 */
export const backOfficeRoles = ['employee', 'supervisor', 'admin'] as const;
export type BackOfficeRole = (typeof backOfficeRoles)[number];
export const backOfficeRoleHierarchy = { supervisor: ['employee'] } as const satisfies Record<string, readonly BackOfficeRole[]>;
