import { DEMO } from "./index.js";

/** The CLI of scripts/fake-clouds.ts (documented there), parsed without Node APIs so it is unit-tested. */
export interface FakeCloudArgs {
  port: number;
  awsKeys: Record<string, string>;
  groups: { name: string; capacity: number; min: number; max: number }[];
}

export function parseFakeCloudArgs(argv: readonly string[]): FakeCloudArgs {
  const out: FakeCloudArgs = { port: 0, awsKeys: { ...DEMO.awsKeys }, groups: [] };
  let customKey = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === "--port") {
      out.port = Number(value);
      if (!Number.isInteger(out.port) || out.port < 0 || out.port > 65535) throw new Error(`--port: not a port: ${value}`);
    } else if (flag === "--aws-key") {
      const [id, secret] = value.split(/:(.*)/s);
      if (!id || !secret) throw new Error("--aws-key wants ID:SECRET");
      if (!customKey) out.awsKeys = {};
      customKey = true;
      out.awsKeys[id] = secret;
    } else if (flag === "--seed-aws") {
      const [name, desired, min, max] = value.split(":");
      const nums = [desired, min, max].map(Number);
      if (!name || nums.some((n) => !Number.isInteger(n))) throw new Error("--seed-aws wants name:desired:min:max");
      out.groups.push({ name, capacity: nums[0] ?? 0, min: nums[1] ?? 0, max: nums[2] ?? 0 });
    } else throw new Error(`unknown flag ${flag}`);
    i++;
  }
  return out;
}
