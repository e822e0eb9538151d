// Test helpers other suites may use (the repository's end-to-end tests and benches): the test CA and
// signing; a front on the test runtime with a consumer's snapshot; hourly workbooks.
export { createRoot, issue, issueCrl, crlPem, opensslSign, gostEngineAvailable, gostPki, type Issued, type KeyAlgorithm } from '../signatures/testing/test-ca.js';
export { sampleSnapshot, startFront, type Front } from './fixture.js';
export { withIntervalPoints, writeHourlyWorkbook } from '../uploads/uploads.fixture.js';
