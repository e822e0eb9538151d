// Test helpers for every package's suites: fresh databases and real-service switches.
export * from './database.js';
