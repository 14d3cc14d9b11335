import { decodeBase64, encodeBase64 } from "../config/index.js";

/**
 * Seals app secrets at rest with AES-256-GCM under the MASTER_KEY binding.
 * The additional data binds a sealed value to its app and slot, so a sealed secret
 * copied into another row does not open.
 */
export class SecretBox {
  #key: Promise<CryptoKey>;

  constructor(masterKey: Uint8Array) {
    this.#key = crypto.subtle.importKey("raw", masterKey, "AES-GCM", false, ["encrypt", "decrypt"]);
  }

  async seal(plain: string, context: string): Promise<string> {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const sealed = await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: new TextEncoder().encode(context) },
      await this.#key,
      new TextEncoder().encode(plain),
    );
    const out = new Uint8Array(iv.byteLength + sealed.byteLength);
    out.set(iv);
    out.set(new Uint8Array(sealed), iv.byteLength);
    return encodeBase64(out);
  }

  async open(sealed: string, context: string): Promise<string> {
    const bytes = decodeBase64(sealed);
    if (!bytes || bytes.byteLength < 13) throw new Error("sealed secret is corrupt");
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: bytes.subarray(0, 12), additionalData: new TextEncoder().encode(context) },
      await this.#key,
      bytes.subarray(12),
    );
    return new TextDecoder().decode(plain);
  }
}

const boxes = new WeakMap<Uint8Array, SecretBox>();

/** One box per master key, so its imported CryptoKey is reused across requests. */
export function boxFor(masterKey: Uint8Array): SecretBox {
  let box = boxes.get(masterKey);
  if (!box) boxes.set(masterKey, (box = new SecretBox(masterKey)));
  return box;
}
