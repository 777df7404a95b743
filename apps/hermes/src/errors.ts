import { createError } from '@maximus/kit/errors';

/** hermes's error catalogue (docs/errors.md lists every code). */
export const HermesErrors = {
  TopicsInvalid: createError('HERMES_ERR_SUBSCRIBE_TOPICS_INVALID', 'Invalid topics: %s', 400),
  LastEventIdInvalid: createError('HERMES_ERR_SUBSCRIBE_LAST_EVENT_ID_INVALID', 'Last-Event-ID must be a position (digits), not "%s"', 400),
  MessageIdConflict: createError('HERMES_ERR_EVENTS_MESSAGE_ID_CONFLICT', 'Message id %s was published on topic %s within the deduplication window, not on %s', 409),
  InstanceNotFound: createError('HERMES_ERR_REGISTRY_INSTANCE_NOT_FOUND', 'No registered service instance %s', 404),
} as const;
