// Public surface of @app/billing-ref; see README.md for its role. Filled in by its issue.
export {};
