/** Statuses of a contract application, in the order they usually come (cabinet-front applications.schema.ts). */
export const applicationStatuses = ['draft', 'submitted', 'in_review', 'needs_info', 'contract_issued', 'signed', 'rejected', 'withdrawn'] as const;
export type ApplicationStatus = (typeof applicationStatuses)[number];
/** The way from a draft to a signed contract, shown as steps. */
export const applicationPath: ApplicationStatus[] = ['draft', 'submitted', 'in_review', 'contract_issued', 'signed'];
