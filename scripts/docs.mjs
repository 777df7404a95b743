// npm run docs: regenerates the tables in docs/ that are derived from code (configuration, errors, permissions).
await import('./config-doc.mjs');
await import('./errors-doc.mjs');
await import('./security-doc.mjs');
await import('./api-doc.mjs');
