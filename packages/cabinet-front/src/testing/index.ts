// Test helpers other suites may use (the repository's end-to-end tests): the test CA and signing.
export { createRoot, issue, issueCrl, crlPem, opensslSign, gostEngineAvailable, gostPki, type Issued, type KeyAlgorithm } from '../signatures/testing/test-ca.js';
