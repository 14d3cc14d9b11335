import { existsSync, readdirSync, statSync } from "node:fs";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Region } from "@parley/shared";
import type { Command } from "commander";
import { z } from "zod";
import { findCheckout, planDeployment } from "../deploy/plan.js";
import { DEPLOY_SIZES, SIZE_PLANS } from "../deploy/sizes.js";
import { printLines } from "../format.js";
import { parseInput, UsageError } from "../usage-error.js";

interface InitOptions {
  size?: string;
  region?: string;
  out?: string;
  domain: string;
  repo?: string;
  force?: boolean;
}

const Size = z.enum(DEPLOY_SIZES, { error: `must be one of ${DEPLOY_SIZES.join(", ")}` });
const Domain = z
  .string()
  .max(253)
  .regex(/^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/i, "must be a host name such as parley.example.com");
const Folder = z.string().min(1, "is empty").max(4096);

/** The env files hold secrets once filled in: private to their owner from the start. */
const PRIVATE_FILE = /\.env$/;

export function deployCommand(program: Command): void {
  const deploy = program.command("deploy").description("production deployment files: the edge Worker, media nodes, Redis, monitoring");
  deploy
    .command("init")
    .description("write a ready-to-edit deployment for one size into a folder (docs/deploy.md describes the sizes)")
    .option("--size <size>", `${DEPLOY_SIZES.join(" | ")}`)
    .option("--region <name>", "the media region (the nodes' REGION, the edge's DEFAULT_REGION), e.g. eu-west")
    .option("--out <dir>", "folder to write (default: ./parley-<size>-<region>); must be empty unless --force")
    .option("--domain <host>", "the edge's public host name", "parley.example.com")
    .option("--repo <dir>", "the Parley checkout to render from (default: the one around the working directory)")
    .option("--force", "write into a folder that already has files (overwrites the ones it writes)")
    .addHelpText(
      "after",
      [
        "",
        "Sizes:",
        ...DEPLOY_SIZES.map((s) => `  ${s.padEnd(9)} ${SIZE_PLANS[s].summary}`),
        "",
        "Example:",
        "  npx parley deploy init --size standard --region eu-west --domain parley.example.com --out deploy/eu-west",
      ].join("\n"),
    )
    .action(async (options: InitOptions) => {
      if (options.size === undefined) throw new UsageError(`--size is required: ${DEPLOY_SIZES.join(", ")}`);
      if (options.region === undefined) throw new UsageError("--region is required, e.g. --region eu-west");
      const size = parseInput(Size, options.size, "--size");
      const region = parseInput(Region, options.region, "--region");
      const domain = parseInput(Domain, options.domain, "--domain").toLowerCase();
      const outDir = path.resolve(parseInput(Folder, options.out ?? `parley-${size}-${region}`, "--out"));
      const repoDir = checkout(options.repo);
      refuseToOverwrite(outDir, options.force === true);

      const files = await planDeployment({ size, region, domain, outDir, repoDir });
      for (const file of files) {
        const target = path.join(outDir, file.path);
        await mkdir(path.dirname(target), { recursive: true });
        await writeFile(target, file.content, PRIVATE_FILE.test(file.path) ? { mode: 0o600 } : {});
        // writeFile keeps an existing file's mode: --force must not leave an env file readable
        if (PRIVATE_FILE.test(file.path)) await chmod(target, 0o600);
      }
      printLines([
        `Wrote the ${size} deployment for region ${region} to ${outDir}:`,
        ...files.map((f) => `  ${f.path}`),
        `Next: ${path.join(outDir, "README.md")} (fill in the REQUIRED lines of the env files; secrets go to wrangler secret put)`,
      ]);
    });
}

function checkout(repo: string | undefined): string {
  if (repo !== undefined) {
    const dir = path.resolve(parseInput(Folder, repo, "--repo"));
    const found = findCheckout(dir);
    if (found !== dir) throw new UsageError(`--repo ${dir} is not a Parley checkout (no infra/deploy/templates and edge/src/index.ts)`);
    return dir;
  }
  const found = findCheckout(process.cwd()) ?? findCheckout(path.dirname(fileURLToPath(import.meta.url)));
  if (!found) {
    throw new UsageError(
      "deploy init renders the templates and Worker sources of a Parley checkout: run it inside one, or pass --repo <checkout>",
    );
  }
  return found;
}

function refuseToOverwrite(outDir: string, force: boolean): void {
  if (!existsSync(outDir)) return;
  if (!statSync(outDir).isDirectory()) throw new UsageError(`--out ${outDir} exists and is not a folder`);
  if (!force && readdirSync(outDir).length > 0) {
    throw new UsageError(`--out ${outDir} is not empty: choose another folder, or pass --force to overwrite the files it writes`);
  }
}
