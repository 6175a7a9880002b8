import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

/** One line naming the machine a benchmark ran on, for BENCHMARKS.md. */
export function describeMachine(): string {
  let model = cpus()[0]?.model ?? 'unknown CPU';
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    model = /model name\s*:\s*(.+)/.exec(info)?.[1] ?? model;
  } catch {
    // not Linux: os.cpus() is good enough
  }
  const gib = (totalmem() / 2 ** 30).toFixed(0);
  return `${model}, ${cpus().length} logical cores, ${gib} GiB RAM, ${process.platform}-${process.arch}, Node ${process.versions.node}`;
}

/** Replaces (or appends) the block between `<!-- bench:NAME -->` markers, keeping other sections. */
export function replaceSection(document: string, name: string, body: string): string {
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const block = `${start}\n${body.trim()}\n${end}`;
  const i = document.indexOf(start);
  const j = document.indexOf(end);
  if (i >= 0 && j > i) return document.slice(0, i) + block + document.slice(j + end.length);
  return `${document.trimEnd()}\n\n${block}\n`;
}
