// The all-in-one launcher is a program (src/main.ts), not a library; this entry exists for the workspace.
export { openDatabaseFor } from './databases.js';
