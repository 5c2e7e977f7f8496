/**
 * Benchmark runner: `npm run bench` runs every scenario, `npm run bench -- store` one
 * (several names allowed). `--quick` uses tiny sizes. Prints a table per scenario and writes
 * bench-results/<scenario>-<timestamp>.json (rows + machine info).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatTable, machineInfo, runScenario, selectScenarios } from './harness.js';
import { scenarios } from './scenarios/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

async function main(argv: string[]): Promise<void> {
  const quick = argv.includes('--quick');
  const names = argv.filter((a) => !a.startsWith('--'));
  const selected = selectScenarios(scenarios, names);
  const m = machineInfo();
  process.stdout.write(`machine: ${m.cpus} x ${m.cpuModel}, ${m.totalMemGiB} GiB, ${m.platform} ${m.release}, node ${m.node}, load average ${m.loadAvg1}\n`);
  for (const scenario of selected) {
    process.stdout.write(`\n== ${scenario.name}: ${scenario.description}\n`);
    const result = await runScenario(scenario, {
      outDir: path.join(root, 'bench-results'),
      quick,
      log: (line) => process.stderr.write(`  ${line}\n`),
    });
    process.stdout.write(`${formatTable(result.rows)}\n(${result.durationMs} ms) -> ${path.relative(root, result.file)}\n`);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
