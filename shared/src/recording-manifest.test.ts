import { describe, expect, it } from "vitest";
import { RecordingManifest } from "./recording-manifest.js";

const valid = {
  version: 1,
  recordingId: "rec-1",
  room: "ak_x:room",
  mode: "tracks",
  segmentSeconds: 2,
  startedAt: 1_700_000_000_000,
  tracks: [{ producerId: "p1", member: "m_alice", kind: "audio", codec: "opus", startedAt: 1_700_000_000_100 }],
  files: [{ file: "m_alice/p1-audio-00000.ogg", producerId: "p1", segment: 0, bytes: 10, sha256: "a".repeat(64), location: "/nas/x" }],
};

const issue = (value: unknown) => RecordingManifest.safeParse(value).error?.issues[0];

describe("RecordingManifest", () => {
  it("accepts a per-track recording's manifest", () => {
    expect(RecordingManifest.parse(valid)).toEqual(valid);
  });

  it("refuses files that escape the recording's folder, belong to no track, or carry no digest", () => {
    expect(issue({ ...valid, files: [{ ...valid.files[0], file: "../other/x.ogg" }] })).toMatchObject({ path: ["files", 0, "file"] });
    expect(issue({ ...valid, files: [{ ...valid.files[0], file: "/etc/passwd" }] })).toMatchObject({ path: ["files", 0, "file"] });
    expect(issue({ ...valid, files: [{ ...valid.files[0], producerId: "p2" }] })).toMatchObject({
      path: ["files"],
      message: "every file must belong to one of the manifest's tracks",
    });
    expect(issue({ ...valid, files: [{ ...valid.files[0], sha256: "xyz" }] })).toMatchObject({ path: ["files", 0, "sha256"] });
  });

  it("refuses other modes, versions and unknown fields", () => {
    expect(issue({ ...valid, mode: "composite" })).toMatchObject({ path: ["mode"] });
    expect(issue({ ...valid, version: 2 })).toMatchObject({ path: ["version"] });
    expect(issue({ ...valid, extra: true })).toMatchObject({ code: "unrecognized_keys" });
  });
});
