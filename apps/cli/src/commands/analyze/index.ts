import type { QueryResponse } from '@maximus/contracts';
import { defineCommand, ExitError } from '../../spec.js';
import { gatewayClient, URL_OPTION } from '../../client.js';
import { describeApiError } from '../../errors.js';
import { painter } from '../../output.js';
import { collectSources } from './sources.js';

interface AnalyzeOptions {
  url?: string;
  question?: string;
  language?: string;
  json?: boolean;
  stream?: boolean;
}

export const DEFAULT_QUESTION = 'Analyse this code: what is wrong with it, what is risky, and what should be fixed first?';

/** The confidence as a whole percentage. */
export function percent(score: number): string {
  return `${Math.round(score * 100)}%`;
}

/** The footer under the answer: confidence, provider, tools and their outcome. */
export function footer(answer: QueryResponse, stream: NodeJS.WriteStream): string {
  const c = painter(stream);
  const score = answer.confidence_score;
  const colour = score >= 0.8 ? c.green : score >= 0.5 ? c.yellow : c.red;
  const tools = answer.tool_execution_results.map((t) => `${t.tool} ${t.status === 'ok' ? c.green('ok') : c.red('failed')}`).join(', ') || 'none';
  return `\nConfidence: ${colour(percent(score))}  (provider ${answer.provider}${answer.model ? ` ${answer.model}` : ''}; tools: ${tools}; ${answer.processing_time_seconds.toFixed(2)} s)\n`;
}

export const analyze = defineCommand<AnalyzeOptions>({
  name: 'analyze',
  summary: 'Send code for analysis and print the answer (Markdown) with its confidence',
  description:
    'Reads a file, a directory\'s source files (.py .ts .tsx .js .jsx .mjs .cjs; node_modules, dist, build and hidden folders skipped; ' +
    'at most 200 files) or stdin (`-`), sends them to the query pipeline (POST /core/api/v1/query; PENELOPE diagnoses the code), and ' +
    'prints the Markdown answer and the confidence as a percentage. Needs an operator key. Exit code 1 when the query fails.',
  args: [{ name: 'path', description: 'a file, a directory, or - for stdin', required: true }],
  options: [
    URL_OPTION,
    { flags: '--question <text>', description: 'what to ask about the code (default: what is wrong, what is risky, what to fix)' },
    { flags: '--language <language>', description: 'python, typescript or javascript (default: from the file names)' },
    { flags: '--stream', description: 'print the answer as it is written' },
    { flags: '--json', description: 'print the whole response as JSON' },
  ],
  examples: [
    { command: 'maximus analyze src/handler.py', explains: 'one file' },
    { command: 'maximus analyze ./services/billing --question "any injection risks?"', explains: 'a directory, with a question' },
    { command: 'git diff --cached | maximus analyze - --language typescript', explains: 'from stdin' },
    { command: 'maximus analyze app.js --json | jq .confidence_score', explains: 'for scripts' },
  ],
  async run(args, options, io) {
    const [target] = args;
    if (!target) throw new ExitError('analyze needs a path, or - for stdin', 2);
    const sources = await collectSources(target, process.stdin, options.language);
    for (const skipped of sources.skipped) io.stderr.write(`maximus: left out ${skipped}\n`);
    const { client } = gatewayClient(options, io, { maxRetries: 1, timeout: 300_000, deadline: 600_000 });
    const params = { query: options.question ?? DEFAULT_QUESTION, context: sources.context };
    try {
      let answer: QueryResponse;
      if (options.stream && !options.json) {
        const stream = client.query.stream(params);
        for await (const event of stream) if (event.type === 'delta') io.stdout.write(event.text);
        answer = await stream.finalResponse();
      } else {
        answer = await client.query(params);
        if (!options.json) io.stdout.write(answer.final_response.endsWith('\n') ? answer.final_response : `${answer.final_response}\n`);
      }
      if (options.json) io.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
      else io.stdout.write(footer(answer, io.stdout));
      return 0;
    } catch (error) {
      throw describeApiError(error);
    } finally {
      await client.close();
    }
  },
});
