import Type from 'typebox';

export { ROLES } from './roles.js';

/** Roles, each including the ones after it: admin ⊃ operator ⊃ readonly. `service` is for service principals. */
export const Role = Type.Union([Type.Literal('admin'), Type.Literal('operator'), Type.Literal('readonly')]);
export type Role = Type.Static<typeof Role>;

/** Who is calling: a user (API key, JWT, client certificate) or a service acting for one. */
export const Principal = Type.Object({
  /** `user:<id>` or `service:<name>`. */
  id: Type.String(),
  kind: Type.Union([Type.Literal('user'), Type.Literal('service')]),
  role: Type.Union([Role, Type.Literal('service')]),
  /** How the caller proved who it is. */
  via: Type.Union([Type.Literal('api_key'), Type.Literal('jwt'), Type.Literal('mtls'), Type.Literal('internal'), Type.Literal('anonymous')]),
  key_id: Type.Optional(Type.String()),
  subject: Type.Optional(Type.String()),
  /** Set when a service acts for a user: the user's principal id. */
  on_behalf_of: Type.Optional(Type.String()),
});
export type Principal = Type.Static<typeof Principal>;

export const ApiKeyInfo = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: Role,
  created_at: Type.String({ format: 'date-time' }),
  created_by: Type.Union([Type.String(), Type.Null()]),
  last_used_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  revoked_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export type ApiKeyInfo = Type.Static<typeof ApiKeyInfo>;

export const ApiKeyCreateParams = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9][A-Za-z0-9 ._-]*$' }),
    role: Role,
  },
  { additionalProperties: false },
);
export type ApiKeyCreateParams = Type.Static<typeof ApiKeyCreateParams>;

/** The one answer that carries the key itself: it is shown once and never stored. */
export const ApiKeyCreated = Type.Intersect([ApiKeyInfo, Type.Object({ key: Type.String() })]);
export type ApiKeyCreated = Type.Static<typeof ApiKeyCreated>;

export const ApiKeyList = Type.Object({ data: Type.Array(ApiKeyInfo) });
export type ApiKeyList = Type.Static<typeof ApiKeyList>;

export const TokenCreateParams = Type.Object(
  {
    role: Role,
    /** Seconds, or a duration like `15m`, `1h`, `7d`. */
    ttl: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.String({ pattern: '^\\d+[smhd]$' })])),
    subject: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type TokenCreateParams = Type.Static<typeof TokenCreateParams>;

export const TokenCreated = Type.Object({
  token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_at: Type.String({ format: 'date-time' }),
  role: Role,
  subject: Type.String(),
});
export type TokenCreated = Type.Static<typeof TokenCreated>;
