/** One README example: its TypeScript program and the output the README says it prints. */
export interface ReadmeExample {
  readonly code: string;
  /** The ```text block that follows the program ('' when there is none). */
  readonly prints: string;
}

/**
 * The ```ts blocks of a README, each with the ```text block after it, if any, before the
 * next ```ts block.
 *
 * @example
 * readmeExamples('```ts\nconsole.log(1);\n```\nprints\n```text\n1\n```\n');
 * // [{ code: 'console.log(1);\n', prints: '1\n' }]
 */
export function readmeExamples(markdown: string): ReadmeExample[] {
  const blocks = [...markdown.matchAll(/^```(\w+)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1], body: m[2] ?? '' }));
  const examples: ReadmeExample[] = [];
  blocks.forEach((block, i) => {
    if (block.lang !== 'ts') return;
    const next = blocks[i + 1];
    examples.push({ code: block.body, prints: next?.lang === 'text' ? next.body : '' });
  });
  return examples;
}
