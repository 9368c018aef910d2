/** What the runtime and its emulator process (emulators-child.ts) tell each other. */

export interface EmulatorSettings {
  /** LevelDB directory, when DynamoDB is embedded. */
  readonly dynamoPath?: string;
  /** s3rver directory and bucket, when S3 is embedded. */
  readonly s3Path?: string;
  readonly bucket: string;
  /**
   * Unix-domain socket paths the stores listen on, in a directory only this user can enter:
   * never a TCP port, so no other local user (and no browser page) can reach the stores, and
   * clients are never sent to them (the runtime serves evidence itself).
   */
  readonly dynamoSocket?: string;
  readonly s3Socket?: string;
}

export type EmulatorMessage = { type: 'ready' } | { type: 'error'; message: string };
