/** The parley CLI as a user runs it: a spawned process, its output and exit code, against a real local edge. */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEdge, startEdge } from "../../infra/dev/edge.js";
import { claimsOf } from "../../test/e2e/support/jwt.js";
import { cleanEnv, parley, run } from "../../test/e2e/support/processes.js";
import { SignalMember } from "../../test/e2e/support/signal-member.js";
import { type AppSecretCredentials, AppsClient } from "../src/index.js";

const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;

let edge: RunningEdge;
let devApp: AppSecretCredentials;
/** A project folder with its own `.parley/` (dev app, operator key), as `npm start` leaves it. */
let project: string;
/** A folder with no `.parley/` anywhere above it. */
let bare: string;
let env: Record<string, string>;

beforeAll(async () => {
  edge = await startEdge({ state: "temp" });
  const created = await new AppsClient(edge.url, edge.operatorKey).create({ name: "cli dev app" });
  devApp = { appKey: created.appKey, appSecret: created.appSecret };
  const root = await mkdtemp(path.join(os.tmpdir(), "parley-cli-"));
  project = path.join(root, "project");
  bare = path.join(root, "bare");
  await mkdir(path.join(project, ".parley"), { recursive: true });
  await mkdir(bare);
  await writeFile(path.join(project, ".parley", "dev-app.json"), JSON.stringify(devApp));
  await writeFile(path.join(project, ".parley", "operator-key"), `${edge.operatorKey}\n`);
  env = { PARLEY_URL: edge.url };
});

afterAll(async () => {
  await edge?.stop();
  if (project) await rm(path.dirname(project), { recursive: true, force: true });
});

describe("parley token", () => {
  it("prints only a token, signed with the dev app, that the edge accepts for a join", async () => {
    const out = await parley(["token", "--room", "demo", "--user", "alice", "--name", "Alice", "--grant", "admin"], { cwd: project });
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    const token = out.stdout.trim();
    expect(out.stdout).toBe(`${token}\n`);
    expect(token).toMatch(JWT);
    expect(claimsOf(token)).toMatchObject({ iss: devApp.appKey, sub: "alice", room: "demo", name: "Alice", grants: { admin: true } });
    const { member, id } = await SignalMember.join(edge.url, "demo", token);
    expect(id).toMatch(/^m_/);
    member.close();
  });

  it("takes credentials from flags or PARLEY_APP_KEY/PARLEY_APP_SECRET, and honours --ttl and --deny", async () => {
    const viaFlags = await parley(["token", "--room", "r", "--user", "u", "--app-key", "ak_flagflagflagflagflag", "--app-secret", "s"], {
      cwd: bare,
    });
    expect(viaFlags.code).toBe(0);
    expect(claimsOf(viaFlags.stdout.trim()).iss).toBe("ak_flagflagflagflagflag");

    const viaEnv = await parley(["token", "--room", "*", "--user", "u", "--ttl", "60", "--deny", "publish"], {
      cwd: bare,
      env: { PARLEY_APP_KEY: devApp.appKey, PARLEY_APP_SECRET: devApp.appSecret },
    });
    expect(viaEnv.code).toBe(0);
    const claims = claimsOf(viaEnv.stdout.trim());
    expect(claims).toMatchObject({ iss: devApp.appKey, room: "*", grants: { publish: false } });
    expect(claims.exp - claims.iat).toBe(60);
  });

  it("works through npx from the repo root", async () => {
    const out = await run("npx", [
      "--no",
      "parley",
      "token",
      "--room",
      "r",
      "--user",
      "u",
      "--app-key",
      "ak_npxnpxnpxnpxnpxnpx",
      "--app-secret",
      "s",
    ]);
    expect(out.code).toBe(0);
    expect(out.stdout.trim()).toMatch(JWT);
  });

  // independent processes: run them side by side
  it.concurrent.each([
    [["token", "--room", "r", "--user", "u", "--bogus"], /unknown option '--bogus'/],
    [["token", "--room", "r"], /required option '--user <user>' not specified/],
    [["token", "--room", "r", "--user", "not ok"], /--user: user id may only use letters, digits/],
    [["token", "--room", "r", "--user", "u", "--ttl", "soon"], /--ttl.*must be a whole number/],
    [["token", "--room", "r", "--user", "u", "--ttl", "99999999"], /--ttl must be from 1 to 604800 seconds/],
    [["token", "--room", "r", "--user", "u", "--grant", "superuser"], /--grant: must be one of publish, subscribe/],
    [["token", "--room", "r", "--user", "u", "--app-key", "ak_onlyonlyonlyonlyonly"], /--app-key and --app-secret go together/],
  ])("refuses bad input %j with exit code 2 and a message", async (args, message) => {
    const out = await parley(args, { cwd: project });
    expect(out.code).toBe(2);
    expect(out.stdout).toBe("");
    expect(out.stderr).toMatch(message);
  });

  it("explains where credentials come from when there are none", async () => {
    const out = await parley(["token", "--room", "r", "--user", "u"], { cwd: bare });
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/no app credentials: pass --app-key and --app-secret, set PARLEY_APP_KEY/);
  });
});

describe("parley apps", () => {
  it("creates an app and lists it", async () => {
    const created = await parley(["apps", "create", "--name", "shop", "--max-users", "5"], { cwd: project, env });
    expect(created.stderr).toBe("");
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/Created app "shop"/);
    const appKey = /AppKey:\s+(ak_\w+)/.exec(created.stdout)?.[1];
    expect(appKey).toBeTruthy();
    expect(created.stdout).toMatch(/AppSecret: as_\w+ +\(slot 1; shown only now/);
    expect(created.stdout).toMatch(/Licence:\s+unlimited rooms, 5 users, no expiry/);

    const listed = await parley(["apps", "list"], { cwd: project, env });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^APPKEY\s+STATUS\s+SLOTS\s+CREATED\s+NAME/);
    expect(listed.stdout).toMatch(new RegExp(`${appKey}\\s+enabled\\s+1\\s+\\S+\\s+shop`));

    const json = await parley(["apps", "list", "--json"], { cwd: project, env });
    expect(JSON.parse(json.stdout).apps.map((a: { appKey: string }) => a.appKey)).toContain(appKey);
  });

  it("disables, re-licences and shows an app", async () => {
    const key = devApp.appKey;
    expect((await parley(["apps", "disable", key], { cwd: project, env })).stdout).toBe(`${key} is now disabled\n`);
    expect((await parley(["apps", "enable", key], { cwd: project, env })).stdout).toBe(`${key} is now enabled\n`);
    const licence = await parley(["apps", "licence", key, "--max-rooms", "3", "--expires", "2099-12-31T00:00:00Z"], { cwd: project, env });
    expect(licence.stdout).toBe(`${key} licence: 3 rooms, unlimited users, expires 2099-12-31T00:00:00Z\n`);
    const shown = await parley(["apps", "show", key], { cwd: project, env });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/Status:\s+enabled/);
    expect(shown.stdout).toMatch(/Usage:\s+\d+ rooms, \d+ users live/);
  });

  it("prints the edge's code and message and exits 1 when the API refuses", async () => {
    const missing = await parley(["apps", "show", "ak_0000000000000000gone"], { cwd: project, env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe("error: NOT_FOUND: no app with AppKey ak_0000000000000000gone\n");

    const wrongKey = await parley(["apps", "list"], { cwd: bare, env: { ...env, PARLEY_OPERATOR_KEY: "w".repeat(40) } });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toMatch(/^error: UNAUTHORIZED: operator key is not valid/);
  });

  it("says when the edge cannot be reached", async () => {
    const out = await parley(["apps", "list", "--url", "http://127.0.0.1:9"], { cwd: project });
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/cannot reach Parley at http:\/\/127\.0\.0\.1:9[\s\S]*npm start/);
  });

  it("refuses a bad app key or slot with exit code 2", async () => {
    expect((await parley(["apps", "show", "nope"], { cwd: project, env })).stderr).toMatch(/appKey: AppKey looks like ak_/);
    const slot = await parley(["apps", "revoke-secret", devApp.appKey, "3"], { cwd: project, env });
    expect(slot.code).toBe(2);
    expect(slot.stderr).toMatch(/^error: slot/);
  });
});

describe("parley sessions / notify", () => {
  it("lists a user's sessions and notifies them on their socket", async () => {
    const token = (await parley(["token", "--room", "hall", "--user", "frank"], { cwd: project })).stdout.trim();
    const { member, id } = await SignalMember.join(edge.url, "hall", token);

    const sessions = await parley(["sessions", "frank"], { cwd: project, env });
    expect(sessions.code).toBe(0);
    expect(sessions.stdout).toMatch(new RegExp(`hall\\s+${id}\\s+connected`));

    const arrived = member.event("notification");
    const notify = await parley(["notify", "frank", "--data", '{"invite":"stage"}'], { cwd: project, env });
    expect(notify.stdout).toBe("delivered to 1 session of frank\n");
    expect((await arrived).data).toEqual({ invite: "stage" });
    member.close();
  });

  it("refuses --data that is not a JSON object with exit code 2", async () => {
    for (const data of ["nope", "[1,2]"]) {
      const out = await parley(["notify", "frank", "--data", data], { cwd: project, env });
      expect(out.code).toBe(2);
      expect(out.stderr).toMatch(/--data (is not valid JSON|must be a JSON object)/);
    }
  });
});

/** A fresh app of its own (the dev app's rooms and licence are shared with the tests above), as env credentials. */
async function ownApp(): Promise<Record<string, string>> {
  const created = await new AppsClient(edge.url, edge.operatorKey).create({ name: "cli rooms" });
  return { ...env, PARLEY_APP_KEY: created.appKey, PARLEY_APP_SECRET: created.appSecret };
}

describe("parley rooms", () => {
  it("lists live rooms and members, kicks a user, refuses bad input with exit code 2", async () => {
    const appEnv = await ownApp();
    const token = (await parley(["token", "--room", "stage", "--user", "gus"], { cwd: bare, env: appEnv })).stdout.trim();
    const { member, id } = await SignalMember.join(edge.url, "stage", token);

    const list = await parley(["rooms", "list"], { cwd: bare, env: appEnv });
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/ROOM\s+MEMBERS\s+CONNECTED\s+SINCE/);
    expect(list.stdout).toMatch(/stage\s+1\s+1\s+/);
    const json = await parley(["rooms", "list", "--json"], { cwd: bare, env: appEnv });
    expect(JSON.parse(json.stdout).rooms).toEqual([expect.objectContaining({ room: "stage", members: 1 })]);
    const show = await parley(["rooms", "show", "stage"], { cwd: bare, env: appEnv });
    expect(show.stdout).toMatch(new RegExp(`${id}\\s+gus\\s+connected`));

    const mute = await parley(["rooms", "mute", "stage", "gus", "--kind", "audio"], { cwd: bare, env: appEnv });
    expect(mute).toMatchObject({ code: 0, stdout: "gus has no unmuted matching track in room stage\n" });
    const badKind = await parley(["rooms", "mute", "stage", "gus", "--kind", "smell"], { cwd: bare, env: appEnv });
    expect(badKind.code).toBe(2);
    expect(badKind.stderr).toMatch(/^error: --kind\/--source\.kind/);

    const kicked = member.event("kicked");
    const kick = await parley(["rooms", "kick", "stage", "gus", "--reason", "rules"], { cwd: bare, env: appEnv });
    expect(kick.code).toBe(0);
    expect(kick.stdout).toBe("gus removed from room stage (1 member); their tokens issued until now are refused there\n");
    expect(await kicked).toMatchObject({ by: "app", reason: "rules" });
    expect((await member.closed).code).toBe(4001);
    expect((await parley(["rooms", "list"], { cwd: bare, env: appEnv })).stdout).toBe("no live rooms\n");

    const badUser = await parley(["rooms", "kick", "stage", "not a user"], { cwd: bare, env: appEnv });
    expect(badUser.code).toBe(2);
    expect(badUser.stderr).toMatch(/^error: user/);
  });
});

describe("PARLEY_TOKEN", () => {
  it("an admin access token stands in for the AppSecret; one for another room is refused with the edge's code", async () => {
    const appEnv = await ownApp();
    const mint = async (room: string) =>
      (await parley(["token", "--room", room, "--user", "ops", "--grant", "admin"], { cwd: bare, env: appEnv })).stdout.trim();
    const userToken = (await parley(["token", "--room", "desk", "--user", "ivy"], { cwd: bare, env: appEnv })).stdout.trim();
    const { member } = await SignalMember.join(edge.url, "desk", userToken);
    // no AppKey/AppSecret anywhere: only the token
    const tokenEnv = { ...env, PARLEY_TOKEN: await mint("*") };
    const list = await parley(["rooms", "list", "--json"], { cwd: bare, env: tokenEnv });
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout).rooms).toEqual([expect.objectContaining({ room: "desk", members: 1 })]);
    const roomOnly = { ...env, PARLEY_TOKEN: await mint("desk") };
    const refused = await parley(["rooms", "list"], { cwd: bare, env: roomOnly });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("TOKEN_WRONG_ROOM");
    expect((await parley(["rooms", "show", "desk"], { cwd: bare, env: roomOnly })).stdout).toContain("ivy");
    member.close();
  });
});

describe("parley calls", () => {
  it("lists calls by room and shows one; an unknown call exits 1, a malformed id 2", async () => {
    const appEnv = await ownApp();
    const token = (await parley(["token", "--room", "cdr-cli", "--user", "hana"], { cwd: bare, env: appEnv })).stdout.trim();
    const { member } = await SignalMember.join(edge.url, "cdr-cli", token);
    await member.ok("leave");
    let page: { calls: { id: string; endedAt: string | null }[] } = { calls: [] };
    for (let i = 0; i < 50 && !page.calls[0]?.endedAt; i++) {
      page = JSON.parse(
        (await parley(["calls", "list", "--room", "cdr-cli", "--user", "hana", "--json"], { cwd: bare, env: appEnv })).stdout,
      );
    }
    const callId = page.calls[0]?.id as string;
    expect(callId).toMatch(/^c_/);
    const list = await parley(["calls", "list", "--room", "cdr-cli"], { cwd: bare, env: appEnv });
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`${callId}\\s+cdr-cli\\s+`));

    const show = await parley(["calls", "show", callId], { cwd: bare, env: appEnv });
    expect(show.code).toBe(0);
    expect(show.stdout).toContain(`Call:     ${callId}`);
    expect(show.stdout).toMatch(/m_\w+\s+hana\s+\S+\s+\S+\s+left/);

    const unknown = await parley(["calls", "show", "c_00000000none"], { cwd: bare, env: appEnv });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error: NOT_FOUND: /);
    const malformed = await parley(["calls", "show", "nope"], { cwd: bare, env: appEnv });
    expect(malformed.code).toBe(2);
    const badFrom = await parley(["calls", "list", "--from", "yesterday"], { cwd: bare, env: appEnv });
    expect(badFrom.code).toBe(2);
  });
});

describe("parley recordings", () => {
  it("lists none, refuses an unknown recording with exit 1 and bad composite options with exit 2", async () => {
    const appEnv = await ownApp();
    const list = await parley(["recordings", "list"], { cwd: bare, env: appEnv });
    expect(list).toMatchObject({ code: 0, stdout: "no recordings\n" });
    const missing = await parley(["recordings", "show", "rec_missing01"], { cwd: bare, env: appEnv });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: RECORDING_NOT_FOUND: /);
    const layout = await parley(["recordings", "start", "r", "--layout", "mosaic"], { cwd: bare, env: appEnv });
    expect(layout.code).toBe(2);
    expect(layout.stderr).toMatch(/^error: recording\.composite\.layout: unknown layout/);
    const expires = await parley(["recordings", "url", "rec_missing01", "--expires", "5"], { cwd: bare, env: appEnv });
    expect(expires.code).toBe(2);
  });

  it("reads and replaces the app's recording settings, and a room's auto-record", async () => {
    const appEnv = await ownApp();
    const none = await parley(["recordings", "settings"], { cwd: bare, env: appEnv });
    expect(none.code).toBe(0);
    expect(none.stdout).toMatch(/^Version: +0 \(none stored/);
    const set = JSON.stringify({ storage: { kind: "nas", folder: "team-a" }, autoRecord: { mode: "tracks" } });
    const stored = await parley(["recordings", "settings", "--set", set, "--json"], { cwd: bare, env: appEnv });
    expect(stored.code).toBe(0);
    expect(JSON.parse(stored.stdout)).toMatchObject({ version: 1, storage: { kind: "nas", folder: "team-a" } });
    const bad = await parley(["recordings", "settings", "--set", '{"storage":{"kind":"nas","folder":"../x"}}'], { cwd: bare, env: appEnv });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: settings\.storage\.folder: folder must be relative/);
    const room = await parley(["rooms", "options", "lobby"], { cwd: bare, env: appEnv });
    expect(room.stdout).toBe('room lobby: auto-record {"mode":"tracks"} (from the app\'s settings)\n');
    const off = await parley(["rooms", "options", "lobby", "--auto-record", "off"], { cwd: bare, env: appEnv });
    expect(off.stdout).toBe("room lobby: auto-record off (from the room's option)\n");
    const wrong = await parley(["rooms", "options", "lobby", "--auto-record", "{oops"], { cwd: bare, env: appEnv });
    expect(wrong).toMatchObject({ code: 2, stderr: expect.stringMatching(/--auto-record: not valid JSON/) });
  });
});

describe("parley rtmp", () => {
  it("lists none, refuses an unknown push with exit 1, a bad URL or a missing source with exit 2, and reads the URL from stdin", async () => {
    const appEnv = await ownApp();
    const list = await parley(["rtmp", "list", "r"], { cwd: bare, env: appEnv });
    expect(list).toMatchObject({ code: 0, stdout: "no RTMP pushes in room r\n" });
    const missing = await parley(["rtmp", "stop", "r", "rtmp_missing00"], { cwd: bare, env: appEnv });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: RTMP_PUSH_NOT_FOUND: /);
    const badUrl = await parley(["rtmp", "start", "r", "--composite", "--to", "http://h/live/k"], { cwd: bare, env: appEnv });
    expect(badUrl).toMatchObject({ code: 2, stderr: "error: push.url: url must be rtmp:// or rtmps://\n" });
    const noSource = await parley(["rtmp", "start", "r", "--to", "rtmp://h/live/k"], { cwd: bare, env: appEnv });
    expect(noSource).toMatchObject({ code: 2, stderr: "error: give either --member <member> or --composite\n" });
    const fromStdin = await parley(["rtmp", "start", "r", "--layout", "grid", "--to", "-"], {
      cwd: bare,
      env: appEnv,
      stdin: "rtmp://live.example.com/live/secret-key\n",
    });
    expect(fromStdin.code).toBe(1);
    expect(fromStdin.stderr).toMatch(/^error: NOT_IN_ROOM: /);
    expect(fromStdin.stderr).not.toContain("secret-key");
  });
});

describe("parley --help", () => {
  it("lists the commands and where credentials come from", async () => {
    const out = await parley(["--help"], { cwd: bare, env: cleanEnv() as Record<string, string> });
    expect(out.code).toBe(0);
    for (const word of [
      "token",
      "apps",
      "sessions",
      "notify",
      "rooms",
      "calls",
      "recordings",
      "rtmp",
      "PARLEY_OPERATOR_KEY",
      ".parley/dev-app.json",
    ])
      expect(out.stdout).toContain(word);
  });
});
