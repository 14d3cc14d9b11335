/**
 * Name resolution that checks what it returns: every address a tenant's host name resolves to must
 * pass the outbound policy, at the moment the connection is made (a DNS answer can change between a
 * check and a connect, so the check is the lookup the socket uses). IP literals never reach a
 * lookup: `policy.target` has classified them already.
 */
import { type LookupAddress, lookup } from "node:dns";
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import type { LookupFunction } from "node:net";
import type { OutboundTarget } from "@parley/shared";
import { outboundPolicy } from "./outbound-policy.js";

/** Resolves `hostname` and checks every answer; one refused address refuses the name. */
export function resolveChecked(target: OutboundTarget, hostname = target.host): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => {
    lookup(hostname, { all: true, verbatim: true }, (error, addresses) => {
      if (error) return reject(error);
      try {
        for (const a of addresses) outboundPolicy().checkResolved({ ...target, host: hostname }, a.address);
      } catch (refused) {
        return reject(refused);
      }
      resolve(addresses);
    });
  });
}

/** A `lookup` for net/http/tls sockets to `target` (or names under it, as S3 virtual-hosted buckets are). */
export function guardedLookup(target: OutboundTarget): LookupFunction {
  return (hostname, options, callback) => {
    resolveChecked(target, hostname).then(
      (addresses) => {
        const wanted = options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
        if (options.all) return callback(null, wanted);
        const first = wanted[0];
        if (!first)
          return callback(Object.assign(new Error(`${hostname} has no IPv${options.family} address`), { code: "ENOTFOUND" }), "", 0);
        callback(null, first.address, first.family);
      },
      (error: Error) => callback(error as NodeJS.ErrnoException, "", 0),
    );
  };
}

/** HTTP and HTTPS agents whose sockets resolve through `guardedLookup` (for clients like the S3 SDK). */
export function guardedAgents(target: OutboundTarget): { httpAgent: HttpAgent; httpsAgent: HttpsAgent } {
  const options = { keepAlive: true, lookup: guardedLookup(target) };
  return { httpAgent: new HttpAgent(options), httpsAgent: new HttpsAgent(options) };
}
