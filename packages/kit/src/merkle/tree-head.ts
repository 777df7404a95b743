import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalBytes } from './canonical-json.js';

/** The signed statement: the tree of `tree_size` leaves has root `root_hash` (lowercase hex), at `timestamp`. */
export interface TreeHead {
  readonly tree_size: number;
  readonly root_hash: string;
  readonly timestamp: string;
}

/** The bytes an STH signature covers: RFC 8785 canonical JSON of `{tree_size, root_hash, timestamp}`. */
export function treeHeadBytes(head: TreeHead): Buffer {
  return canonicalBytes({ tree_size: head.tree_size, root_hash: head.root_hash, timestamp: head.timestamp });
}

/** Ed25519 signature of {@link treeHeadBytes}. */
export function signTreeHead(head: TreeHead, privateKey: KeyObject): Buffer {
  return sign(null, treeHeadBytes(head), privateKey);
}

export function verifyTreeHead(head: TreeHead, signature: Uint8Array, publicKey: KeyObject): boolean {
  return verify(null, treeHeadBytes(head), publicKey, signature);
}

/** The key id: RFC 7638 JWK thumbprint (SHA-256, base64url) of the Ed25519 public key. */
export function keyId(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const jwk = publicKey.export({ format: 'jwk' });
  const members = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x });
  return createHash('sha256').update(members).digest('base64url');
}
