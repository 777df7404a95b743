// The composition root: the CLI is the one deployable that carries every service (STYLE.md: apps never
// import each other; the CLI assembles them for `maximus up` and `maximus serve <service>`).
import type { ServiceName } from '@maximus/contracts';
import type { ServiceDefinition } from '@maximus/kit/service';
import { service as core } from '@maximus/core';
import { service as penelope } from '@maximus/penelope';
import { service as maba } from '@maximus/maba';
import { service as nis } from '@maximus/nis';
import { service as adw } from '@maximus/adw';
import { service as eikos } from '@maximus/eikos';
import { service as thoth } from '@maximus/thoth';
import { service as hermes } from '@maximus/hermes';

export const SERVICE_DEFINITIONS: Readonly<Record<ServiceName, ServiceDefinition>> = { core, penelope, maba, nis, adw, eikos, thoth, hermes };
