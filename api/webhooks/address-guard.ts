import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import type { LookupFunction } from "node:net";
import ipaddr from "ipaddr.js";

/** Address ranges a webhook may never reach in production: the service's own host and networks (SSRF). */
const FORBIDDEN = new Set([
  "unspecified",
  "broadcast",
  "multicast",
  "linkLocal",
  "loopback",
  "private",
  "carrierGradeNat",
  "uniqueLocal",
  "reserved",
  "benchmarking",
  "amt",
  "as112",
  "as112v6",
  "deprecated",
  "orchid2",
  "droneRemoteIdProtocolEntityTags",
  "rfc6145",
  "rfc6052",
  "6to4",
  "teredo",
  "discard",
]);

export class BlockedAddress extends Error {
  constructor(
    readonly host: string,
    readonly address: string,
    readonly range: string,
  ) {
    super(`${host} resolves to ${address}, a ${range} address webhooks may not reach`);
  }
}

/** The range name of a forbidden address, or undefined when it is public. IPv4-mapped IPv6 counts as IPv4. */
export function forbiddenRange(address: string): string | undefined {
  if (!ipaddr.isValid(address)) return "invalid";
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress())
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  const range = parsed.range();
  return FORBIDDEN.has(range) ? range : undefined;
}

/**
 * A DNS lookup for outgoing webhook connections that refuses forbidden addresses at connect time, so a name
 * that resolves to a public address when registered and to an internal one later (DNS rebinding) is still
 * refused. `allowPrivate` is the explicit local-development allowance (WEBHOOK_ALLOW_PRIVATE_ADDRESSES).
 */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, "", 0);
      const list = addresses as LookupAddress[];
      if (!allowPrivate)
        for (const a of list) {
          const range = forbiddenRange(a.address);
          if (range) return callback(new BlockedAddress(hostname, a.address, range), "", 0);
        }
      if ((options as { all?: boolean }).all)
        return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      const first = list[0] as LookupAddress;
      return callback(null, first.address, first.family);
    });
  };
}
