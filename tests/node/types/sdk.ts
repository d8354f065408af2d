// The engine's request handler taken by the AWS SDK's clients as their
// `requestHandler`, as the README shows (checked with the SDK's own types).
import { KinesisClient, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import type { HttpHandler } from '@smithy/core/protocols';
import { ShardEngine } from 'kinesis-edge/engine';

export async function sdkAgainstTheEngine(): Promise<number> {
  const engine = new ShardEngine();
  // What the clients call (their `requestHandler` option also takes any
  // object, as options for their default handler, so that alone checks nothing).
  const handler: HttpHandler = engine.requestHandler;
  handler.destroy?.();
  const credentials = { accessKeyId: 'AKID', secretAccessKey: 'SECRET' };
  const kinesis = new KinesisClient({ region: 'us-east-1', credentials, requestHandler: engine.requestHandler });
  const firehose = new FirehoseClient({ region: 'us-east-1', credentials, requestHandler: engine.requestHandler });
  firehose.destroy();
  // @ts-expect-error: the handler is the engine's own, not to be replaced
  engine.requestHandler = kinesis.config.requestHandler;
  return (await kinesis.send(new ListStreamsCommand({}))).StreamNames?.length ?? 0;
}
