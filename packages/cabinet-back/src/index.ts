// Public surface of @app/cabinet-back.
export { createCabinetBackApp } from './server.js';
export { CabinetBackSettings } from './config.js';
export { cabinetBackMigrations } from './migrations.js';
export { answerStatusRequests } from './status.js';
export { seedCabinetBackDemo, demoBackOfficeStaff } from './demo.js';
export { backOfficeRoles, backOfficeRoleHierarchy } from './roles.js';
