import { ParleyError } from "@parley/shared";
import { config } from "../config/index.js";
import type { Env } from "../env.js";
import { fleetStub } from "../fleet/fleet-do.js";
import { appStub } from "../licences/app-do.js";
import type { MemberStore } from "../members/member-store.js";
import { NodeControl } from "./node-control.js";

interface Placement {
  node: string;
  controlUrl: string;
}

/**
 * The media node carrying a room: chosen by the region's Fleet DO on first use (a chat-only room
 * never needs one) and kept in the room's SQLite while the room lives, and the other nodes of
 * the region for work on a recording that another node holds or that any node can do.
 */
export class RoomNode {
  #members: MemberStore;
  #env: Env;
  #control: NodeControl | null = null;

  constructor(members: MemberStore, env: Env) {
    this.#members = members;
    this.#env = env;
  }

  /** The node's id, if one was placed. */
  id(): string | null {
    return this.#placement()?.node ?? null;
  }

  /** The room's node, placed now if it has none. */
  async placed(): Promise<NodeControl> {
    const existing = this.existing();
    if (existing) return existing;
    const { fleetSecret, defaultRegion } = config(this.#env);
    if (!fleetSecret) throw new ParleyError("NODE_UNAVAILABLE", "media is not configured on this edge (no FLEET_SECRET)");
    const placement = await fleetStub(this.#env, defaultRegion).place();
    if (!placement) throw new ParleyError("NODE_UNAVAILABLE", `no media node is up in region ${defaultRegion}; try again shortly`);
    this.#members.setMeta("mediaNode", JSON.stringify(placement));
    // the app's live-rooms view shows which node carries each room
    await appStub(this.#env, this.#members.getMeta("appKey") as string).setRoomNode(
      this.#members.getMeta("room") as string,
      placement.node,
    );
    this.#control = new NodeControl({ ...placement, room: this.#roomId(), secret: fleetSecret });
    return this.#control;
  }

  /** The room's node with the room's router created on it (recordings need one). */
  async withRouter(): Promise<NodeControl> {
    const node = await this.placed();
    await node.call("getOrCreateRouter", {});
    return node;
  }

  /** The room's node if one was placed; never places one. */
  existing(): NodeControl | null {
    if (this.#control) return this.#control;
    const placement = this.#placement();
    const secret = config(this.#env).fleetSecret;
    if (!placement || !secret) return null;
    this.#control = new NodeControl({ ...placement, room: this.#roomId(), secret });
    return this.#control;
  }

  /** The room's router is gone (the room emptied, or the node closed it): the next use places again. */
  forget(): void {
    this.#members.setMeta("mediaNode", "");
    this.#control = null;
  }

  /** A specific node of the region (e.g. the one holding a recording), whether or not it is the room's. */
  async controlFor(node: string): Promise<NodeControl> {
    const { fleetSecret, defaultRegion } = config(this.#env);
    if (!fleetSecret) throw new ParleyError("NODE_UNAVAILABLE", "media is not configured on this edge (no FLEET_SECRET)");
    const found = (await fleetStub(this.#env, defaultRegion).nodes()).find((n) => n.node === node && n.status !== "down");
    if (!found) throw new ParleyError("NODE_UNAVAILABLE", `media node ${node}, which holds this recording or push, is not up`);
    return new NodeControl({ node, controlUrl: found.controlUrl, room: this.#roomId(), secret: fleetSecret });
  }

  /**
   * Nodes for work any node can do from storage (exports): `preferred` first while it is up, then
   * the region's least-loaded live node. Empty when no node is up.
   */
  async controlsFor(preferred: string): Promise<NodeControl[]> {
    const { fleetSecret, defaultRegion } = config(this.#env);
    if (!fleetSecret) throw new ParleyError("NODE_UNAVAILABLE", "media is not configured on this edge (no FLEET_SECRET)");
    const fleet = fleetStub(this.#env, defaultRegion);
    const up = (await fleet.nodes()).find((n) => n.node === preferred && n.status === "up");
    const placed = await fleet.place(preferred);
    const nodes = [up, placed].filter((n) => n !== null && n !== undefined);
    return nodes.map((n) => new NodeControl({ node: n.node, controlUrl: n.controlUrl, room: this.#roomId(), secret: fleetSecret }));
  }

  #placement(): Placement | null {
    const raw = this.#members.getMeta("mediaNode");
    return raw ? (JSON.parse(raw) as Placement) : null;
  }

  #roomId(): string {
    return `${this.#members.getMeta("appKey")}:${this.#members.getMeta("room")}`;
  }
}
