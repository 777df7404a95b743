import { createError } from '@maximus/kit/errors';

/** The eikos error catalogue (docs/errors.md lists every code). */
export const EikosErrors = {
  EntryNotFound: createError('EIKOS_ERR_EVIDENCE_NOT_FOUND', 'No ledger entry with index %s', 404),
  PayloadInvalid: createError('EIKOS_ERR_EVIDENCE_PAYLOAD_INVALID', 'The payload cannot be canonicalised (RFC 8785): %s', 400),
  TreeSizeBeyondLog: createError('EIKOS_ERR_LEDGER_SIZE_BEYOND_LOG', 'The ledger holds %s entries; a tree of %s does not exist yet', 400),
  RangeInvalid: createError('EIKOS_ERR_LEDGER_RANGE_INVALID', '%s', 400),
} as const;
