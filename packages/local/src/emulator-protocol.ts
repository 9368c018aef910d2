/** What the runtime and its emulator process (emulators-child.ts) tell each other. */

export interface EmulatorSettings {
  /** LevelDB directory, when DynamoDB is embedded. */
  readonly dynamoPath?: string;
  /** s3rver directory and bucket, when S3 is embedded. */
  readonly s3Path?: string;
  readonly bucket: string;
  readonly host: string;
}

export type EmulatorMessage =
  { type: 'ready'; dynamoPort?: number; s3Port?: number } | { type: 'error'; message: string };
