// Public surface of @app/cabinet-front.
export { createCabinetFrontApp } from './server.js';
export { CabinetFrontSettings } from './config.js';
export { cabinetFrontMigrations } from './migrations.js';
export { seedCabinetFrontDemo, demoConsumers } from './demo.js';
