// Test helpers of @app/billing-ref, for its own suites and cabinet-back's adapter tests.
export { pdfStructure } from './pdf-structure.js';
