// The kernel's public surface: what business packages may use. Nothing else is imported from
// inside the kernel's folders by other packages.
export * from './config/config.js';
export * from './config/common.js';
export * from './log/logger.js';
export * from './errors/app-error.js';
export * from './db/database.js';
export * from './db/migrate.js';
