// npm run docs: regenerates the tables in docs/ that are derived from code (configuration, errors, permissions),
// the API reference (docs/api.md) and the SDK reference (docs/sdk/).
await import('./config-doc.mjs');
await import('./errors-doc.mjs');
await import('./security-doc.mjs');
await import('./api-doc.mjs');
await import('./sdk-doc.mjs');
