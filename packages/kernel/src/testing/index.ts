// Test helpers for every package's suites: fresh databases and real-service switches.
export * from './database.js';
export * from './wait-for.js';
export * from './tcp-proxy.js';
export * from './runtime.js';
export * from './browser.js';
export * from './two-factor.js';
export * from './zip-order.js';
