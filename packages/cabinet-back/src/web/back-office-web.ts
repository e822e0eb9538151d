import { registerSpa, type Database, type HttpApp } from '@app/kernel';
import type { CabinetBackDb } from '../tables.js';
import { registerPaymentRoutes } from './payments.routes.js';

export interface BackOfficeWebOptions {
  /** Folder of the built SPA (default packages/web/dist/back-office). */
  webRoot?: string;
}

/** The back-office web app on cabinet-back (LAN): the read routes only it needs, and the SPA itself at `/`. */
export function registerBackOfficeWeb(app: HttpApp, deps: { database: Database<CabinetBackDb> }, options: BackOfficeWebOptions = {}) {
  registerPaymentRoutes(app, deps);
  registerSpa(app, { name: 'back-office', root: options.webRoot });
}
