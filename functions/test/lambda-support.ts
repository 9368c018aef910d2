/** What the Lambda tests share: a Lambda context, and the metrics a handler publishes. */
import type { Context } from 'aws-lambda';
import { vi } from 'vitest';

export function lambdaContext(remainingMs = 60_000): Context {
  return {
    awsRequestId: 'lambda-test',
    functionName: 'cbm-test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:000000000000:function:cbm-test',
    memoryLimitInMB: '256',
    logGroupName: '/aws/lambda/cbm-test',
    logStreamName: 'test',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** One CloudWatch EMF document, as CloudWatch reads it. */
export interface PublishedMetrics {
  readonly namespace: string;
  /** The dimension set, with its values. */
  readonly dimensions: Record<string, unknown>;
  readonly values: Record<string, unknown>;
  readonly units: Record<string, string>;
}

interface Emf {
  _aws: {
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [member: string]: unknown;
}

let sink: string[] | undefined;
let installed = false;

const isEmf = (line: string): boolean => line.startsWith('{') && line.includes('"_aws"');

/**
 * Keeps the EMF documents Powertools Metrics writes to stdout (one per invocation) out of the
 * test output: they go to an open capture, or nowhere. Everything else passes through.
 */
export function interceptMetrics(): () => void {
  const original = process.stdout.write.bind(process.stdout);
  const passThrough = original as (...args: unknown[]) => boolean;
  const write = vi
    .spyOn(process.stdout, 'write')
    .mockImplementation((chunk: unknown, ...rest: unknown[]) => {
      const text = String(chunk);
      if (text.split('\n').some(isEmf)) {
        sink?.push(text);
        return true;
      }
      return passThrough(chunk, ...rest);
    });
  installed = true;
  return () => {
    write.mockRestore();
    installed = false;
  };
}

/**
 * Runs `action` and returns the EMF documents written to stdout meanwhile (Powertools Metrics
 * writes them there; CloudWatch Logs turns them into metrics).
 */
export async function captureMetrics(action: () => Promise<unknown>): Promise<PublishedMetrics[]> {
  const restore = installed ? undefined : interceptMetrics();
  const lines: string[] = [];
  sink = lines;
  try {
    await action();
  } finally {
    sink = undefined;
    restore?.();
  }
  const documents = lines
    .flatMap((chunk) => chunk.split('\n'))
    .filter(isEmf)
    .map((line) => JSON.parse(line) as Emf);
  return documents.flatMap((doc) =>
    doc._aws.CloudWatchMetrics.map((directive) => {
      if (directive.Dimensions.length !== 1) throw new Error('one dimension set expected');
      return {
        namespace: directive.Namespace,
        dimensions: Object.fromEntries(directive.Dimensions[0]!.map((d) => [d, doc[d]])),
        values: Object.fromEntries(directive.Metrics.map((m) => [m.Name, doc[m.Name]])),
        units: Object.fromEntries(directive.Metrics.map((m) => [m.Name, m.Unit])),
      };
    }),
  );
}
