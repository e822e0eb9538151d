// The published language between cabinet-front (DMZ) and cabinet-back (LAN): bus topics and the
// schemas of their payloads. It is the only code both sides share; it holds no logic.
export * from './primitives.js';
export * from './status.js';
export * from './commands.js';
export * from './events.js';
export * from './payments.js';
export * from './hourly.js';
export * from './attachments.js';
export * from './applications.js';
export * from './requests.js';
export * from './signatures.js';
export * from './support.js';
