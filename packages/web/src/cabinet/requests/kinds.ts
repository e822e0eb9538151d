/** The kinds and statuses of requests, as cabinet-front names them (requests.schema.ts). */
export const requestKinds = ['link_contract', 'correct_details', 'terminate_contract', 'meter_replacement', 'free_form', 'support'] as const;
export type RequestKind = (typeof requestKinds)[number];
export const requestStatuses = ['new', 'in_progress', 'needs_info', 'answered', 'closed'] as const;
export type RequestStatus = (typeof requestStatuses)[number];
