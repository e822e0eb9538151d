/**
 * Staff roles of the prepaid workplace (seed 004): each includes the previous one —
 * operator (оператор) < settlement (специалист по расчётам) < manager (менеджер). The admin manages
 * users and technical settings and is deliberately not a superset of the business roles.
 */
export const prepaidRoles = ['operator', 'settlement', 'manager', 'admin'] as const;
export type PrepaidRole = (typeof prepaidRoles)[number];

export const prepaidRoleHierarchy = {
  manager: ['settlement'],
  settlement: ['operator'],
} as const satisfies Record<string, readonly PrepaidRole[]>;
