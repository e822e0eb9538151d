// Public surface of @app/pos-sdk; see README.md for its role. Filled in by its issue.
export {};
