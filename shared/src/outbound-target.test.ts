import { describe, expect, it } from "vitest";
import { ParleyError } from "./errors.js";
import { classifyAddress, compositeTargets, OutboundAllowSetting, OutboundPolicy } from "./outbound-target.js";

const strict = new OutboundPolicy();

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ParleyError);
    expect((error as ParleyError).code).toBe("TARGET_NOT_ALLOWED");
    expect((error as ParleyError).message).toMatch(/^target not allowed: /);
    return (error as ParleyError).message;
  }
  throw new Error("was not refused");
}

describe("classifyAddress", () => {
  it.each([
    ["8.8.8.8", "public"],
    ["2606:4700::1111", "public"],
    ["127.0.0.1", "loopback"],
    ["127.1", "loopback"],
    ["2130706433", "loopback"],
    ["0x7f.1", "loopback"],
    ["0177.0.0.1", "loopback"],
    ["017700000001", "loopback"],
    ["::1", "loopback"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["64:ff9b::7f00:1", "loopback"],
    ["64:ff9b::808:808", "public"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["192.168.1.1", "private"],
    ["100.64.0.1", "private"],
    ["fd12::1", "private"],
    ["169.254.169.254", "metadata"],
    ["::ffff:169.254.169.254", "metadata"],
    ["fd00:ec2::254", "metadata"],
    ["169.254.1.1", "linkLocal"],
    ["fe80::1", "linkLocal"],
    ["224.0.0.1", "multicast"],
    ["255.255.255.255", "multicast"],
    ["ff02::1", "multicast"],
    ["0.0.0.0", "unspecified"],
    ["::", "unspecified"],
    ["192.0.2.1", "reserved"],
    ["::7f00:1", "reserved"],
    ["2002:7f00:1::", "reserved"],
  ])("%s is %s", (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });

  it("is null for host names", () => {
    expect(classifyAddress("example.com")).toBeNull();
  });
});

describe("OutboundPolicy", () => {
  it("lets public targets through and refuses internal literals in every spelling", () => {
    expect(strict.targetWithoutDns("https://example.com/hook", "url")).toMatchObject({ host: "example.com", port: 443, address: null });
    expect(strict.target("rtmp://203.0.114.9/live/k", "url")).toMatchObject({ address: "203.0.114.9", port: 1935 });
    for (const url of [
      "https://127.0.0.1/x",
      "https://2130706433/x",
      "http://0x7f.1:8080/x",
      "https://[::1]/x",
      "https://[::ffff:127.0.0.1]/x",
      "https://10.0.0.8/x",
      "http://169.254.169.254/latest/meta-data/",
      "https://[fe80::1]/x",
      "https://0.0.0.0/x",
      "rtmp://2130706433/live/k",
      "rtmp://0177.0.0.1/live/k",
      "rtmp://[::ffff:7f00:1]/live/k",
    ])
      refusal(() => strict.target(url, "url"));
    expect(refusal(() => strict.target("https://[::ffff:10.0.0.1]/x", "url"))).toBe(
      "target not allowed: url names 10.0.0.1, a private address (only public addresses, or hosts the operator allows in OUTBOUND_ALLOW)",
    );
  });

  it("refuses internal-looking names only where names cannot be resolved, metadata names everywhere", () => {
    for (const url of [
      "https://localhost/x",
      "https://a.localhost/x",
      "https://redis/x",
      "https://db.internal/x",
      "https://printer.local./x",
    ])
      refusal(() => strict.targetWithoutDns(url, "url"));
    expect(strict.target("https://localhost/x", "url").address).toBeNull();
    expect(refusal(() => strict.target("http://metadata.google.internal/", "url"))).toMatch(
      /a cloud metadata host \(refused on every deployment\)/,
    );
  });

  it("opens exactly the hosts and ports the operator names, never link-local or metadata", () => {
    const policy = OutboundPolicy.parse("127.0.0.1:7480, rgw.internal [::1]:9000,10.0.0.5");
    expect(policy.target("http://127.0.0.1:7480/b", "endpoint").allowListed).toBe(true);
    expect(policy.target("http://2130706433:7480/b", "endpoint").allowListed).toBe(true);
    refusal(() => policy.target("http://127.0.0.1:6379/", "endpoint"));
    expect(policy.targetWithoutDns("https://rgw.internal:1234/", "endpoint").allowListed).toBe(true);
    expect(policy.target("http://[::1]:9000/", "endpoint").allowListed).toBe(true);
    expect(policy.target("rtmp://10.0.0.5/live/k", "url").allowListed).toBe(true);
    expect(() => OutboundPolicy.parse("169.254.169.254")).toThrow(/link-local|metadata/);
    expect(() => OutboundPolicy.parse("[fe80::1]:80")).toThrow(/link-local/);
    expect(() => OutboundPolicy.parse("metadata.google.internal")).toThrow(/metadata/);
    expect(() => OutboundPolicy.parse("http://x")).toThrow(/not host or host:port/);
  });

  it("checks resolved addresses: public always, loopback or private only for allowed hosts, link-local never", () => {
    const policy = OutboundPolicy.parse("rgw.internal:7480");
    const listed = policy.target("http://rgw.internal:7480/", "endpoint");
    const other = policy.target("https://attacker.example/", "url");
    expect(() => policy.checkResolved(other, "93.184.216.34")).not.toThrow();
    expect(refusal(() => policy.checkResolved(other, "127.0.0.1"))).toMatch(/attacker.example resolves to a loopback address/);
    refusal(() => policy.checkResolved(other, "::ffff:10.1.1.1"));
    expect(() => policy.checkResolved(listed, "10.1.1.1")).not.toThrow();
    refusal(() => policy.checkResolved(listed, "169.254.169.254"));
  });

  it("reads OUTBOUND_ALLOW as a config field with a message naming the bad entry", () => {
    expect(OutboundAllowSetting.parse(undefined).allowed).toEqual([]);
    const bad = OutboundAllowSetting.safeParse("127.0.0.1:7480,169.254.169.254");
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toMatch(/^OUTBOUND_ALLOW: "169.254.169.254" is a cloud metadata address/);
  });

  it("lists a composite's image URLs with their field paths", () => {
    const composite = { watermarks: [{ kind: "text" }, { kind: "image", url: "https://cdn.example/logo.png" }, { kind: "image" }] };
    expect(compositeTargets(composite, "composite")).toEqual([
      { field: "composite.watermarks.1.url", url: "https://cdn.example/logo.png" },
    ]);
  });
});
