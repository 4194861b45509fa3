/**
 * `npm run bench [name...]`: runs the benchmark modules listed here (each exports `run(): Promise<void>` and
 * prints its own table), all of them or those named on the command line.
 */
const BENCHMARKS: Record<string, () => Promise<{ run(): Promise<void> }>> = {
  cli: () => import("./cli.bench"),
  engine: () => import("./engine.bench"),
  matmulnbits: () => import("./matmulnbits.bench"),
  metrics: () => import("./metrics.bench"),
  results: () => import("./results.bench"),
  scale: () => import("./scale.bench"),
};

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  for (const name of wanted)
    if (!(name in BENCHMARKS)) throw new Error(`bench: unknown benchmark '${name}' (known: ${Object.keys(BENCHMARKS).join(", ")})`);
  for (const name of wanted.length ? wanted : Object.keys(BENCHMARKS)) {
    console.log(`\n== ${name} ==`);
    await (await BENCHMARKS[name]()).run();
  }
}

main().catch((err) => {
  console.error((err as Error).message);
  process.exitCode = 1;
});
