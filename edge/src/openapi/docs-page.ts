/**
 * `/v1/docs`: the OpenAPI document rendered to one HTML page on the server. No script, font or
 * stylesheet comes from elsewhere, so it reads the same on an air-gapped deployment.
 */
import type { OpenApiDocument } from "./document.js";

type Json = Record<string, unknown>;

const esc = (v: unknown) => String(v).replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");

const AUTH: Record<string, string> = {
  operatorKey: "operator (Bearer)",
  appCredentials: "app (Basic AppKey:AppSecret)",
  accessToken: "access token (?token=)",
};

/** A compact, readable type for a JSON schema; named components link to their section. */
function typeOf(schema: Json | undefined, depth = 0): string {
  if (!schema) return "";
  if (typeof schema.$ref === "string") {
    const name = schema.$ref.split("/").at(-1) as string;
    return `<a href="#schema-${esc(name)}">${esc(name)}</a>`;
  }
  for (const key of ["anyOf", "oneOf", "allOf"] as const) {
    const list = schema[key] as Json[] | undefined;
    if (list) return list.map((s) => typeOf(s, depth)).join(key === "allOf" ? " &amp; " : " | ");
  }
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => `<code>${esc(JSON.stringify(v))}</code>`).join(" | ");
  const type = Array.isArray(schema.type) ? schema.type.join(" | ") : String(schema.type ?? "any");
  if (type.includes("array")) return `${typeOf(schema.items as Json, depth)}[]${type.includes("null") ? " | null" : ""}`;
  if (type.includes("object") && schema.properties && depth < 3) return fields(schema, depth + 1);
  const limits = ["format", "pattern", "minimum", "maximum", "minLength", "maxLength"].filter((k) => schema[k] !== undefined);
  return `${esc(type)}${limits.length ? ` <small>(${limits.map((k) => `${k} ${esc(schema[k])}`).join(", ")})</small>` : ""}`;
}

function fields(schema: Json, depth = 0): string {
  const props = (schema.properties ?? {}) as Record<string, Json>;
  const required = new Set((schema.required ?? []) as string[]);
  const rows = Object.entries(props).map(
    ([name, p]) =>
      `<tr><td><code>${esc(name)}</code>${required.has(name) ? "" : "?"}</td><td>${typeOf(p, depth)}</td><td>${esc(p.description ?? "")}${
        p.default !== undefined ? ` <small>default ${esc(JSON.stringify(p.default))}</small>` : ""
      }</td></tr>`,
  );
  return `<table class="fields">${rows.join("")}</table>`;
}

function operation(method: string, path: string, op: Json): string {
  const security = (op.security ?? []) as Record<string, unknown>[];
  const auth = security.length ? security.map((s) => Object.keys(s).map((k) => AUTH[k] ?? k)).join(", ") : "none";
  const params = ((op.parameters ?? []) as Json[]).map(
    (p) =>
      `<tr><td><code>${esc(p.name)}</code>${p.required ? "" : "?"}</td><td>${esc(p.in)}</td><td>${typeOf(p.schema as Json)}</td><td>${esc(p.description ?? "")}</td></tr>`,
  );
  const body = (op.requestBody as Json | undefined)?.content as Record<string, Json> | undefined;
  const responses = Object.entries((op.responses ?? {}) as Record<string, Json>).map(([status, r]) => {
    const content = r.content as Record<string, Json> | undefined;
    const schema = content?.["application/json"]?.schema as Json | undefined;
    return `<tr><td><b>${esc(status)}</b></td><td>${esc(r.description)}</td><td>${schema ? typeOf(schema) : content ? esc(Object.keys(content).join(", ")) : "—"}</td></tr>`;
  });
  const id = `${method}-${path}`.replace(/[^A-Za-z0-9]+/g, "-");
  return `<section class="op" id="${esc(id)}">
<h3><span class="m ${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code></h3>
<p>${esc(op.summary ?? "")}${op.description ? `<br><small>${esc(op.description)}</small>` : ""}</p>
<p><b>Auth:</b> ${esc(auth)}</p>
${params.length ? `<h4>Parameters</h4><table><tr><th>name</th><th>in</th><th>type</th><th></th></tr>${params.join("")}</table>` : ""}
${body ? `<h4>Request body (JSON)</h4>${typeOf(body["application/json"]?.schema as Json)}` : ""}
<h4>Responses</h4><table>${responses.join("")}</table>
</section>`;
}

export function renderDocsPage(doc: OpenApiDocument): string {
  const json = doc as unknown as Json;
  const paths = json.paths as Record<string, Record<string, Json>>;
  const tags = (json.tags ?? []) as { name: string; description?: string }[];
  const ops = Object.entries(paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op })));
  const sections = tags.map((tag) => {
    const mine = ops.filter((o) => ((o.op.tags ?? []) as string[]).includes(tag.name));
    return `<h2 id="tag-${esc(tag.name)}">${esc(tag.name)}</h2><p>${esc(tag.description ?? "")}</p>${mine.map((o) => operation(o.method, o.path, o.op)).join("")}`;
  });
  const schemas = Object.entries(((json.components as Json)?.schemas ?? {}) as Record<string, Json>).map(
    ([name, s]) => `<section id="schema-${esc(name)}"><h3>${esc(name)}</h3>${s.properties ? fields(s) : typeOf(s)}</section>`,
  );
  const codes = Object.entries((json["x-error-codes"] ?? {}) as Record<string, number>)
    .map(([code, status]) => `<tr><td><code>${esc(code)}</code></td><td>${esc(status)}</td></tr>`)
    .join("");
  const info = json.info as { title: string; description?: string };
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(info.title)} reference</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:70rem;margin:0 auto;padding:1rem 2rem;color:#1b1f24}
nav{columns:3;font-size:.9rem}code{font:13px ui-monospace,monospace}small{color:#57606a}
table{border-collapse:collapse;margin:.3rem 0}td,th{border:1px solid #d0d7de;padding:.2rem .5rem;text-align:left;vertical-align:top}
.fields{margin:0}.op{border-top:1px solid #d0d7de;padding:.5rem 0}
.m{display:inline-block;min-width:4rem;font-size:.8rem;color:#fff;border-radius:3px;padding:0 .3rem;text-align:center;background:#57606a}
.get{background:#0969da}.post{background:#1a7f37}.patch,.put{background:#9a6700}.delete{background:#cf222e}
</style></head><body>
<h1>${esc(info.title)}</h1><p>${esc(info.description ?? "")}</p>
<p>Machine-readable: <a href="/v1/openapi.json">/v1/openapi.json</a> (OpenAPI 3.1).</p>
<nav>${ops.map((o) => `<div><a href="#${esc(`${o.method}-${o.path}`.replace(/[^A-Za-z0-9]+/g, "-"))}">${esc(o.method.toUpperCase())} ${esc(o.path)}</a></div>`).join("")}</nav>
${sections.join("\n")}
<h2 id="schemas">Schemas</h2>${schemas.join("\n")}
<h2 id="errors">Error codes</h2><p>Every refusal is <code>{"error": {"code", "message"}}</code> with this status.</p><table><tr><th>code</th><th>status</th></tr>${codes}</table>
</body></html>`;
}
