// The published language between cabinet-front (DMZ) and cabinet-back (LAN): bus topics and the
// schemas of their payloads. It is the only code both sides share; it holds no logic.
export * from './status.js';
