// The protocol of a bench part run as a script (bench/run.mjs reads it): the table on
// stderr, and `{"figures":…}` as the last line of stdout.

/** Runs `run()` and prints its result when the module at `metaUrl` is the script node was given. */
export async function runAsMain(metaUrl, run, pad = 24) {
  if (metaUrl !== `file://${process.argv[1]}`) return;
  const out = await run();
  for (const row of out.table) console.error(row.map((c) => String(c).padEnd(pad)).join(""));
  console.log(JSON.stringify({ figures: out.figures }));
}
